"""The ledger's rows: the SQL that locks accounts, writes transfers and reads them back.

Every statement is built once (SQLAlchemy then skips compiling it, and asyncpg reuses its
prepared form), because a transfer is a hot path: a handful of round trips, no more. PostgreSQL
writes a transfer, its postings and the new balances in a single statement; SQLite, which has no
round trips to save, uses three plain ones.
"""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Insert, Row, Select, and_, bindparam, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tablium.db.engine import is_retryable
from tablium.db.schema import accounts, player_limits, players, postings, transfers
from tablium.db.types import UtcDateTime
from tablium.money.ledger import TransferRequest

T = TypeVar("T")

RETRY_ATTEMPTS = 10
"""How many times a transaction runs before a deadlock or serialization failure is given up on.
With accounts locked in id order neither should happen; this is the safety net."""


async def in_transaction(
    engine: AsyncEngine,
    work: Callable[[AsyncConnection], Awaitable[T]],
    *,
    attempts: int = RETRY_ATTEMPTS,
    on_retry: Callable[[], None] | None = None,
) -> T:
    """Run ``work`` in one transaction, running it again (after a short random pause) when the
    database reports a deadlock or a serialization failure."""
    attempt = 0
    while True:
        attempt += 1
        try:
            async with engine.begin() as connection:
                return await work(connection)
        except DBAPIError as exc:
            if attempt >= attempts or not is_retryable(exc):
                raise
        if on_retry is not None:
            on_retry()
        # Jittered exponential backoff, so the transactions that collided do not collide again.
        await asyncio.sleep(random.uniform(0, min(0.002 * 2**attempt, 0.25)))


@functools.cache
def _lock_accounts(count: int) -> Select[Any]:
    """``SELECT … ORDER BY id FOR UPDATE`` of ``count`` accounts named by ``kind<n>``,
    ``owner<n>`` and ``currency``: one statement per count of postings."""
    names = [
        and_(accounts.c.kind == bindparam(f"kind{n}"), accounts.c.owner == bindparam(f"owner{n}"))
        for n in range(count)
    ]
    return (
        select(
            accounts.c.id,
            accounts.c.kind,
            accounts.c.owner,
            accounts.c.balance,
            accounts.c.overdraft,
        )
        .where(accounts.c.currency == bindparam("currency"), or_(*names))
        .order_by(accounts.c.id)  # the same order in every transaction: no deadlock cycle
        .with_for_update()  # SQLite has no row locks: its one connection serialises writers
    )


_find_transfer = select(transfers.c.id, transfers.c.request_hash).where(
    transfers.c.idempotency_key == bindparam("key")
)
_load_transfer = (
    select(
        transfers.c.id,
        transfers.c.idempotency_key,
        transfers.c.kind,
        transfers.c.currency,
        transfers.c.amount,
        transfers.c.created_at,
        postings.c.account_id,
        postings.c.amount.label("posting_amount"),
        postings.c.balance_after,
        accounts.c.kind.label("account_kind"),
        accounts.c.owner,
    )
    .join(postings, postings.c.transfer_id == transfers.c.id)
    .join(accounts, accounts.c.id == postings.c.account_id)
    .where(transfers.c.id == bindparam("transfer"))
    .order_by(postings.c.id)
)
_set_balance = (
    accounts.update()
    .where(accounts.c.id == bindparam("account"))
    .values(balance=bindparam("new_balance"))
)
_insert_postings = postings.insert()
_write_postgres = text(
    """
    WITH new_transfer AS (
        INSERT INTO transfers
            (idempotency_key, request_hash, kind, currency, amount, actor_id, memo, created_at)
        VALUES
            (:idempotency_key, :request_hash, :kind, :currency, :amount, :actor_id, :memo,
             :created_at)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id
    ), moved AS (
        UPDATE accounts SET balance = moves.balance_after
        FROM new_transfer, unnest(:account_ids, :balances) AS moves (id, balance_after)
        WHERE accounts.id = moves.id
    )
    INSERT INTO postings (transfer_id, account_id, amount, balance_after)
    SELECT new_transfer.id, lines.account_id, lines.amount, lines.balance_after
    FROM new_transfer,
        unnest(:account_ids, :amounts, :balances)
            WITH ORDINALITY AS lines (account_id, amount, balance_after, n)
    ORDER BY lines.n
    RETURNING transfer_id
    """
).bindparams(
    bindparam("created_at", type_=UtcDateTime()),
    bindparam("account_ids", type_=postgresql.ARRAY(BigInteger)),
    bindparam("amounts", type_=postgresql.ARRAY(BigInteger)),
    bindparam("balances", type_=postgresql.ARRAY(BigInteger)),
)
"""A transfer, its postings and the new balances of its accounts in one statement (one round
trip); if the idempotency key is taken, nothing at all and no row returned."""


Line = tuple[int, int, int]
"""One posting to write: account id, signed amount, balance after."""


class LedgerStore:
    """The ledger's SQL for one database dialect."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.postgres = engine.dialect.name == "postgresql"
        insert: Callable[..., Any] = postgresql.insert if self.postgres else sqlite.insert
        self._insert_transfer: Insert = (
            insert(transfers)
            .on_conflict_do_nothing(index_elements=[transfers.c.idempotency_key])
            .returning(transfers.c.id)
        )
        self._insert_account: Insert = insert(accounts).on_conflict_do_nothing(
            index_elements=[accounts.c.kind, accounts.c.owner, accounts.c.currency]
        )
        upsert = insert(player_limits)
        self.upsert_limit: Insert = upsert.on_conflict_do_update(
            index_elements=[
                player_limits.c.player_id,
                player_limits.c.currency,
                player_limits.c.kind,
                player_limits.c.period,
            ],
            set_={
                "amount": upsert.excluded.amount,
                "pending_amount": upsert.excluded.pending_amount,
                "pending_from": upsert.excluded.pending_from,
                "updated_at": upsert.excluded.updated_at,
            },
        )

    async def lock_accounts(
        self, connection: AsyncConnection, request: TransferRequest
    ) -> list[Row[Any] | None]:
        """Lock the accounts of a transfer, in id order; one row per posting (None: no such
        account), in the order of the postings."""
        names: dict[str, str] = {"currency": request.currency}
        for n, posting in enumerate(request.postings):
            names[f"kind{n}"] = str(posting.account.kind)
            names[f"owner{n}"] = posting.account.owner
        result = await connection.execute(_lock_accounts(len(request.postings)), names)
        locked = {(row.kind, row.owner): row for row in result}
        return [locked.get((str(p.account.kind), p.account.owner)) for p in request.postings]

    async def write_transfer(
        self, connection: AsyncConnection, transfer: Mapping[str, Any], lines: Sequence[Line]
    ) -> int | None:
        """Insert the transfer (a ``transfers`` row) and its postings, and set the new balances;
        returns the transfer id, or None, having written nothing, if the idempotency key is
        taken. In PostgreSQL a concurrent transaction holding the same key makes this wait for
        its outcome."""
        if self.postgres:
            ids, amounts, balances = (list(column) for column in zip(*lines, strict=True))
            result = await connection.execute(
                _write_postgres,
                {**transfer, "account_ids": ids, "amounts": amounts, "balances": balances},
            )
            written: int | None = result.scalar()
            return written
        result = await connection.execute(self._insert_transfer, dict(transfer))
        transfer_id: int | None = result.scalar()
        if transfer_id is None:
            return None
        await connection.execute(
            _set_balance, [{"account": a, "new_balance": b} for a, _, b in lines]
        )
        await connection.execute(
            _insert_postings,
            [
                {"transfer_id": transfer_id, "account_id": a, "amount": n, "balance_after": b}
                for a, n, b in lines
            ],
        )
        return transfer_id

    async def find_transfer(self, connection: AsyncConnection, key: str) -> Any:
        """The id and request hash of the transfer made with an idempotency key (a row), or
        None."""
        return (await connection.execute(_find_transfer, {"key": key})).first()

    async def load_transfer(self, connection: AsyncConnection, transfer_id: int) -> Sequence[Any]:
        """A transfer joined with its postings and their accounts, one row per posting."""
        return (await connection.execute(_load_transfer, {"transfer": transfer_id})).all()

    async def create_accounts(
        self, connection: AsyncConnection, rows: Iterable[Mapping[str, Any]]
    ) -> None:
        """Insert accounts that do not exist yet, one at a time in the given order (callers sort
        them, so two creators of the same accounts never wait on each other in a cycle)."""
        for row in rows:
            await connection.execute(self._insert_account, dict(row))

    async def players_among(self, connection: AsyncConnection, ids: Iterable[str]) -> set[str]:
        """Which of these player ids exist."""
        found = await connection.execute(select(players.c.id).where(players.c.id.in_(list(ids))))
        return set(found.scalars())
