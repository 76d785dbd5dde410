"""The ledger service: every movement of money, in the database, one transaction each.

A transfer locks its accounts in id order (so two transfers never wait on each other in a
cycle), checks the responsible-gambling rules, asks the pure core
(``tablium.money.ledger.plan_transfer``) for the new balances, and writes them with the transfer,
its postings and an audit row. Its idempotency key makes a retry return the first result instead
of moving money twice. PostgreSQL runs the transaction again on a deadlock or serialization
failure; SQLite serialises writers on its single connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import msgspec
from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tablium.clock import Clock, utc_now
from tablium.db import audit
from tablium.db.schema import accounts, postings, transfers
from tablium.errors import DomainError, InvalidInput
from tablium.money import safeguards
from tablium.money.ledger import (
    AccountKind,
    AccountRef,
    Balance,
    IdempotencyConflict,
    TransferKind,
    TransferRequest,
    UnknownAccount,
    check_account,
    check_currency,
    house,
    may_overdraw,
    move,
    plan_transfer,
    request_hash,
    validate_request,
    wallet,
)
from tablium.money.limits import (
    Limit,
    LimitKind,
    LimitPeriod,
    change_limit,
    effective,
    exclusion_until,
    settle,
)
from tablium.money.safeguards import UnknownPlayer
from tablium.money.store import LedgerStore, in_transaction

__all__ = [
    "Account",
    "Ledger",
    "LedgerMetrics",
    "PostingView",
    "StatementLine",
    "TransferResult",
    "UnknownPlayer",
    "in_transaction",
]

logger = logging.getLogger("tablium.ledger")

T = TypeVar("T")

MAX_STATEMENT_LINES = 1000


class Account(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: AccountKind
    owner: str
    currency: str
    balance: int
    overdraft: bool


class PostingView(msgspec.Struct, frozen=True, kw_only=True):
    account_id: int
    kind: AccountKind
    owner: str
    amount: int
    balance_after: int


class TransferResult(msgspec.Struct, frozen=True, kw_only=True):
    """A transfer as made; ``replayed`` when an earlier request with the same key made it."""

    id: int
    idempotency_key: str
    kind: TransferKind
    currency: str
    amount: int
    created_at: datetime
    postings: tuple[PostingView, ...]
    replayed: bool = False


class StatementLine(msgspec.Struct, frozen=True, kw_only=True):
    """One movement of one account: ``amount`` is signed (+ in, - out)."""

    transfer_id: int
    kind: TransferKind
    amount: int
    balance_after: int
    memo: str | None
    created_at: datetime


class _Missing(msgspec.Struct, frozen=True):
    """The transfer names accounts that do not exist (yet)."""

    accounts: tuple[AccountRef, ...]


class LedgerMetrics:
    """The ledger's Prometheus metrics, in the registry it is given."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.transfers = Counter(
            "tablium_ledger_transfers",  # exposed as tablium_ledger_transfers_total
            "Transfers asked for, by kind and outcome (ok, replayed, refused, error).",
            ["kind", "outcome"],
            registry=registry,
        )
        self.seconds = Histogram(
            "tablium_ledger_transfer_seconds",
            "Time to make (or refuse) one transfer, retries included.",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=registry,
        )
        self.retries = Counter(
            "tablium_ledger_retries",  # exposed as tablium_ledger_retries_total
            "Transactions run again after a deadlock or serialization failure.",
            registry=registry,
        )


class Ledger:
    """The money service: every movement of money goes through :meth:`transfer`."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Clock = utc_now,
        limit_increase_delay: timedelta = timedelta(hours=24),
        min_self_exclusion: timedelta = timedelta(hours=24),
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._limit_increase_delay = limit_increase_delay
        self._min_self_exclusion = min_self_exclusion
        self._store = LedgerStore(engine)
        # Never the process-global registry: two ledgers in one process (tests) must not clash.
        self.metrics = LedgerMetrics(registry if registry is not None else CollectorRegistry())

    # --- Accounts ---------------------------------------------------------------------------------

    async def open_account(self, ref: AccountRef, *, overdraft: bool = False) -> Account:
        """The account ``ref`` names, created if it does not exist yet (house accounts may always
        go below zero). A wallet can only be opened for a player who exists. An existing account
        is returned as it is, whatever ``overdraft`` says."""
        check_account(ref)
        await self._create_accounts([ref], overdraft=overdraft)
        return await self.account(ref)

    async def account(self, ref: AccountRef) -> Account:
        check_account(ref)
        query = select(accounts).where(
            accounts.c.kind == str(ref.kind),
            accounts.c.owner == ref.owner,
            accounts.c.currency == ref.currency,
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            raise UnknownAccount(f"no {ref.kind} account of {ref.owner!r} in {ref.currency}")
        return _account(row)

    async def account_by_id(self, account_id: int) -> Account:
        query = select(accounts).where(accounts.c.id == account_id)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            raise UnknownAccount(f"no account {account_id}")
        return _account(row)

    async def wallets(self, player_id: str) -> list[Account]:
        """A player's wallets, one per currency they ever held, by currency."""
        query = (
            select(accounts)
            .where(accounts.c.kind == str(AccountKind.WALLET), accounts.c.owner == player_id)
            .order_by(accounts.c.currency)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_account(row) for row in rows]

    async def _create_accounts(
        self, refs: Iterable[AccountRef], *, overdraft: bool = False
    ) -> None:
        """Create the accounts that do not exist, in a short transaction of its own, sorted and
        ``ON CONFLICT DO NOTHING``: concurrent creators of the same accounts never deadlock."""
        wanted = sorted(set(refs), key=lambda r: (str(r.kind), r.owner, r.currency))
        owners = {r.owner for r in wanted if r.kind == AccountKind.WALLET}
        now = self._clock()

        async def create(connection: AsyncConnection) -> None:
            known = await self._store.players_among(connection, owners) if owners else set()
            if missing := owners - known:
                raise UnknownAccount(
                    f"no player {min(missing)!r}: a wallet needs a player",
                    account=next(r for r in wanted if r.owner in missing),
                )
            await self._store.create_accounts(
                connection,
                (
                    {
                        "kind": str(ref.kind),
                        "owner": ref.owner,
                        "currency": ref.currency,
                        "balance": 0,
                        "overdraft": may_overdraw(ref.kind, overdraft),
                        "created_at": now,
                    }
                    for ref in wanted
                ),
            )

        await self._run(create)

    # --- Transfers --------------------------------------------------------------------------------

    async def transfer(
        self, request: TransferRequest, *, actor: audit.Actor, create_accounts: bool = False
    ) -> TransferResult:
        """Make a transfer, or return the one already made with the same idempotency key.

        Raises the errors of ``tablium.money.ledger`` (invalid, unbalanced, insufficient funds,
        unknown account, idempotency conflict) and of ``tablium.money.limits`` (limit exceeded,
        self-excluded); a refused transfer changes nothing. ``create_accounts`` creates missing
        accounts first (a wallet only for a player who exists).
        """
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await self._transfer(request, actor, create_accounts)
            outcome = "replayed" if result.replayed else "ok"
        except DomainError as exc:
            outcome = "refused"
            logger.info(
                "transfer refused",
                extra={
                    "kind": str(request.kind),
                    "currency": request.currency,
                    "idempotency_key": request.idempotency_key,
                    "code": exc.code,
                    "reason": str(exc),
                },
            )
            raise
        finally:
            kind = _kind_label(getattr(request, "kind", None))
            self.metrics.transfers.labels(kind, outcome).inc()
            self.metrics.seconds.observe(time.perf_counter() - started)
        logger.info(
            "transfer",
            extra={
                "transfer_id": result.id,
                "kind": str(result.kind),
                "currency": result.currency,
                "amount": result.amount,
                "idempotency_key": result.idempotency_key,
                "replayed": result.replayed,
            },
        )
        return result

    async def _transfer(
        self, request: TransferRequest, actor: audit.Actor, create_accounts: bool
    ) -> TransferResult:
        amount = validate_request(request)  # bad input fails before any I/O
        digest = request_hash(request)

        async def work(connection: AsyncConnection) -> TransferResult | _Missing:
            return await self._apply(connection, request, digest, amount, actor)

        created = False
        while True:
            outcome = await self._run(work)
            if isinstance(outcome, TransferResult):
                return outcome
            first = outcome.accounts[0]
            if not create_accounts or created:
                raise UnknownAccount(
                    f"no {first.kind} account of {first.owner!r} in {first.currency}",
                    account=first,
                )
            await self._create_accounts(outcome.accounts)
            created = True

    async def _apply(
        self,
        connection: AsyncConnection,
        request: TransferRequest,
        digest: str,
        amount: int,
        actor: audit.Actor,
    ) -> TransferResult | _Missing:
        """One attempt at a transfer, inside the caller's transaction.

        The idempotency key is looked up only when it matters: when the transfer is refused (a
        retry of a transfer already made may well be refused now: its money has moved), or when
        writing finds the key taken (a retry, or a concurrent duplicate, whose write waits for
        ours to commit or roll back). A new transfer costs no extra query.
        """
        found = await self._store.lock_accounts(connection, request)
        missing = tuple(
            p.account for p, row in zip(request.postings, found, strict=True) if row is None
        )
        if missing:
            earlier = await self._earlier(connection, request, digest)
            return _Missing(missing) if earlier is None else earlier
        rows = [row for row in found if row is not None]  # one per posting, in their order

        now = self._clock()
        try:
            await safeguards.check_transfer(
                connection,
                request,
                {row.owner: row.id for row in rows if row.kind == AccountKind.WALLET},
                now,
            )
            planned = plan_transfer(
                request,
                {
                    p.account: Balance(row.balance, row.overdraft)
                    for p, row in zip(request.postings, rows, strict=True)
                },
            )
        except DomainError:
            if (earlier := await self._earlier(connection, request, digest)) is not None:
                return earlier
            raise

        views = tuple(
            PostingView(
                account_id=row.id,
                kind=AccountKind(row.kind),
                owner=row.owner,
                amount=posting.amount,
                balance_after=planned[posting.account],
            )
            for posting, row in zip(request.postings, rows, strict=True)
        )
        transfer_id = await self._store.write_transfer(
            connection,
            {
                "idempotency_key": request.idempotency_key,
                "request_hash": digest,
                "kind": str(request.kind),
                "currency": request.currency,
                "amount": amount,
                "actor_id": actor.id,
                "memo": request.memo,
                "created_at": now,
            },
            [(v.account_id, v.amount, v.balance_after) for v in views],
        )
        if transfer_id is None:
            earlier = await self._earlier(connection, request, digest)
            if earlier is None:  # the insert saw the key committed: it cannot vanish
                raise RuntimeError(f"idempotency key {request.idempotency_key!r} taken but absent")
            return earlier

        await audit.record(
            connection,
            at=now,
            actor=actor,
            action=f"transfer.{request.kind}",
            target=str(transfer_id),
            details={
                "idempotency_key": request.idempotency_key,
                "currency": request.currency,
                "amount": amount,
                "memo": request.memo,
                "postings": [msgspec.to_builtins(v) for v in views],
            },
        )
        return TransferResult(
            id=transfer_id,
            idempotency_key=request.idempotency_key,
            kind=TransferKind(request.kind),
            currency=request.currency,
            amount=amount,
            created_at=now,
            postings=views,
        )

    async def _earlier(
        self, connection: AsyncConnection, request: TransferRequest, digest: str
    ) -> TransferResult | None:
        """The transfer already made with this request's idempotency key, if any (as a replay);
        ``IdempotencyConflict`` if that key was used for a different request."""
        found = await self._store.find_transfer(connection, request.idempotency_key)
        if found is None:
            return None
        if found.request_hash != digest:
            raise IdempotencyConflict(
                "this idempotency key was already used for a different transfer"
            )
        rows = await self._store.load_transfer(connection, found.id)
        first = rows[0]
        return TransferResult(
            id=first.id,
            idempotency_key=first.idempotency_key,
            kind=TransferKind(first.kind),
            currency=first.currency,
            amount=first.amount,
            created_at=first.created_at,
            postings=tuple(
                PostingView(
                    account_id=row.account_id,
                    kind=AccountKind(row.account_kind),
                    owner=row.owner,
                    amount=row.posting_amount,
                    balance_after=row.balance_after,
                )
                for row in rows
            ),
            replayed=True,
        )

    async def _run(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        return await in_transaction(self._engine, work, on_retry=self.metrics.retries.inc)

    # --- Deposits, withdrawals, statements --------------------------------------------------------

    async def deposit(
        self,
        *,
        player_id: str,
        currency: str,
        amount: int,
        idempotency_key: str,
        actor: audit.Actor,
        memo: str | None = None,
    ) -> TransferResult:
        """House → wallet. Refused while the player is self-excluded or over a deposit limit;
        ``UnknownAccount`` if the player does not exist."""
        check_currency(currency)
        request = move(
            TransferKind.DEPOSIT,
            house(currency),
            wallet(player_id, currency),
            amount,
            idempotency_key=idempotency_key,
            memo=memo,
        )
        return await self.transfer(request, actor=actor, create_accounts=True)

    async def withdraw(
        self,
        *,
        player_id: str,
        currency: str,
        amount: int,
        idempotency_key: str,
        actor: audit.Actor,
        memo: str | None = None,
    ) -> TransferResult:
        """Wallet → house. Always allowed, self-excluded or not, up to the balance."""
        check_currency(currency)
        request = move(
            TransferKind.WITHDRAWAL,
            wallet(player_id, currency),
            house(currency),
            amount,
            idempotency_key=idempotency_key,
            memo=memo,
        )
        return await self.transfer(request, actor=actor, create_accounts=True)

    async def statement(
        self, account_id: int, *, limit: int = 50, before: int | None = None
    ) -> list[StatementLine]:
        """An account's movements, newest first; pass the last line's ``transfer_id`` as
        ``before`` for the next page."""
        if type(limit) is not int or not 1 <= limit <= MAX_STATEMENT_LINES:
            raise InvalidInput(
                f"a statement page has 1 to {MAX_STATEMENT_LINES} lines", code="invalid_limit"
            )
        query = (
            select(
                postings.c.transfer_id,
                transfers.c.kind,
                postings.c.amount,
                postings.c.balance_after,
                transfers.c.memo,
                transfers.c.created_at,
            )
            .join(transfers, transfers.c.id == postings.c.transfer_id)
            .where(postings.c.account_id == account_id)
            .order_by(postings.c.transfer_id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(postings.c.transfer_id < before)
        async with self._engine.connect() as connection:
            exists = select(accounts.c.id).where(accounts.c.id == account_id)
            if (await connection.execute(exists)).first() is None:
                raise UnknownAccount(f"no account {account_id}")
            rows = (await connection.execute(query)).all()
        return [
            StatementLine(
                transfer_id=row.transfer_id,
                kind=TransferKind(row.kind),
                amount=row.amount,
                balance_after=row.balance_after,
                memo=row.memo,
                created_at=row.created_at,
            )
            for row in rows
        ]

    # --- Limits and self-exclusion ----------------------------------------------------------------

    async def limits(self, player_id: str, currency: str) -> list[Limit]:
        """The player's limits in a currency as they stand now, with any change still pending;
        ``UnknownPlayer`` if there is no such player."""
        check_currency(currency)
        now = self._clock()
        async with self._engine.connect() as connection:
            await safeguards.player_exclusion(connection, player_id)
            found = await safeguards.read_limits(connection, player_id, currency)
        kinds, periods = list(LimitKind), list(LimitPeriod)
        return sorted(
            (
                limit
                for limit in (settle(limit, now) for limit in found)
                if limit.amount is not None or limit.pending_from is not None
            ),
            key=lambda limit: (kinds.index(limit.kind), periods.index(limit.period)),
        )

    async def set_limit(
        self,
        *,
        player_id: str,
        currency: str,
        kind: LimitKind,
        period: LimitPeriod,
        amount: int | None,
        actor: audit.Actor,
    ) -> Limit:
        """Set, lower, raise or remove (``amount=None``) a limit: lowering applies at once,
        raising and removing after the configured delay."""
        check_currency(currency)
        try:
            kind, period = LimitKind(kind), LimitPeriod(period)
        except ValueError:
            raise InvalidInput(
                f"no such limit: {kind!r} per {period!r}", code="invalid_limit"
            ) from None

        async def work(connection: AsyncConnection) -> Limit:
            now = self._clock()
            await safeguards.player_exclusion(connection, player_id, lock=True)
            current = next(
                (
                    limit
                    for limit in await safeguards.read_limits(connection, player_id, currency)
                    if (limit.kind, limit.period) == (kind, period)
                ),
                None,
            )
            changed = change_limit(
                current,
                amount,
                now,
                self._limit_increase_delay,
                kind=kind,
                period=period,
                currency=currency,
            )
            await safeguards.save_limit(
                connection, self._store.upsert_limit, player_id, changed, now
            )
            await audit.record(
                connection,
                at=now,
                actor=actor,
                action="limit.set",
                target=player_id,
                details={
                    "currency": currency,
                    "kind": str(kind),
                    "period": str(period),
                    "requested": amount,
                    "before": None if current is None else effective(current, now),
                    "amount": changed.amount,
                    "pending_amount": changed.pending_amount,
                    "pending_from": (
                        None if changed.pending_from is None else changed.pending_from.isoformat()
                    ),
                },
            )
            return changed

        return await self._run(work)

    async def self_exclude(
        self, *, player_id: str, duration: timedelta, actor: audit.Actor
    ) -> datetime:
        """Exclude a player from deposits and play for ``duration`` (at least the configured
        minimum); an exclusion already running is never shortened. Returns when it ends."""

        async def work(connection: AsyncConnection) -> datetime:
            now = self._clock()
            current = await safeguards.player_exclusion(connection, player_id, lock=True)
            until = exclusion_until(current, now, duration, self._min_self_exclusion)
            await safeguards.set_exclusion(connection, player_id, until)
            await audit.record(
                connection,
                at=now,
                actor=actor,
                action="player.self_exclude",
                target=player_id,
                details={
                    "requested_seconds": int(duration.total_seconds()),
                    "previous_until": None if current is None else current.isoformat(),
                    "until": until.isoformat(),
                },
            )
            return until

        return await self._run(work)


_KIND_VALUES = frozenset(str(kind) for kind in TransferKind)


def _kind_label(kind: object) -> str:
    """A metric label for a requested kind; anything unknown is one label, not one each."""
    return str(kind) if isinstance(kind, str) and kind in _KIND_VALUES else "invalid"


def _account(row: Row[Any]) -> Account:
    return Account(
        id=row.id,
        kind=AccountKind(row.kind),
        owner=row.owner,
        currency=row.currency,
        balance=row.balance,
        overdraft=row.overdraft,
    )
