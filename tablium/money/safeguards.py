"""Responsible gambling in the database: the checks a transfer runs, and the limits and
self-exclusion a player sets. The rules themselves are pure, in ``tablium.money.limits``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tablium.db.schema import player_limits, players, postings, transfers
from tablium.errors import NotFound
from tablium.money.ledger import (
    PLAY_KINDS,
    RETURN_KINDS,
    AccountKind,
    TransferKind,
    TransferRequest,
)
from tablium.money.limits import (
    Limit,
    LimitKind,
    LimitPeriod,
    check_deposit,
    check_not_excluded,
    check_stake,
    effective,
    net_loss,
    window,
)


class UnknownPlayer(NotFound):
    """No player with this id."""

    code = "unknown_player"


_exclusion = select(players.c.self_excluded_until).where(players.c.id == bindparam("player"))
_limits = select(player_limits).where(
    player_limits.c.player_id == bindparam("player"),
    player_limits.c.currency == bindparam("currency"),
)


async def check_transfer(
    connection: AsyncConnection,
    request: TransferRequest,
    account_ids: Mapping[str, int],
    now: datetime,
) -> None:
    """Refuse a deposit, or money from a wallet into play, while the player is self-excluded or
    over a limit; ``account_ids`` maps the wallets' owners to their account ids.

    Called with the wallet locked, so two concurrent deposits cannot both squeeze under the same
    limit. Withdrawals and money back from play are never held up.
    """
    if request.kind in PLAY_KINDS:
        kind, counted, sign = LimitKind.LOSS, PLAY_KINDS | RETURN_KINDS, -1
    elif request.kind == TransferKind.DEPOSIT:
        kind, counted, sign = LimitKind.DEPOSIT, frozenset({TransferKind.DEPOSIT}), 1
    else:
        return
    for posting in request.postings:
        if posting.account.kind != AccountKind.WALLET or posting.amount * sign <= 0:
            continue
        player = posting.account.owner
        check_not_excluded((await connection.execute(_exclusion, {"player": player})).scalar(), now)
        rows = await connection.execute(_limits, {"player": player, "currency": request.currency})
        limits = [limit for row in rows if (limit := row_limit(row)).kind == kind]
        active = [limit for limit in limits if effective(limit, now) is not None]
        if not active:
            continue
        sums = await window_sums(
            connection, account_ids[player], counted, [limit.period for limit in active], now
        )
        if kind is LimitKind.DEPOSIT:
            check_deposit(active, sums, posting.amount, now=now)
        else:
            losses = {period: net_loss(flow) for period, flow in sums.items()}
            check_stake(active, losses, -posting.amount, now=now)


async def window_sums(
    connection: AsyncConnection,
    account_id: int,
    kinds: Iterable[TransferKind],
    periods: Iterable[LimitPeriod],
    now: datetime,
) -> dict[LimitPeriod, int]:
    """The sum of an account's postings of some transfer kinds in each rolling window
    ``(now - window, now]``, all windows in one query."""
    ordered = sorted(set(periods), key=window)
    starts = {period: now - window(period) for period in ordered}
    columns = [
        func.coalesce(
            func.sum(case((transfers.c.created_at > starts[period], postings.c.amount), else_=0)),
            0,
        ).label(str(period))
        for period in ordered
    ]
    query = (
        select(*columns)
        .select_from(postings.join(transfers, transfers.c.id == postings.c.transfer_id))
        .where(
            and_(
                postings.c.account_id == account_id,
                transfers.c.kind.in_([str(k) for k in kinds]),
                transfers.c.created_at > starts[ordered[-1]],
                transfers.c.created_at <= now,
            )
        )
    )
    row = (await connection.execute(query)).one()
    return {period: int(row._mapping[str(period)]) for period in ordered}


async def player_exclusion(
    connection: AsyncConnection, player_id: str, *, lock: bool = False
) -> datetime | None:
    """When the player's self-exclusion ends (None: never excluded); ``UnknownPlayer`` if there
    is no such player. ``lock`` holds the player's row to the end of the transaction, so changes
    to one player's limits and exclusion happen one at a time."""
    query = select(players.c.id, players.c.self_excluded_until).where(players.c.id == player_id)
    if lock:
        query = query.with_for_update()
    row = (await connection.execute(query)).first()
    if row is None:
        raise UnknownPlayer(f"no player {player_id!r}")
    until: datetime | None = row.self_excluded_until
    return until


async def set_exclusion(connection: AsyncConnection, player_id: str, until: datetime) -> None:
    await connection.execute(
        players.update().where(players.c.id == player_id).values(self_excluded_until=until)
    )


async def read_limits(connection: AsyncConnection, player_id: str, currency: str) -> list[Limit]:
    rows = await connection.execute(_limits, {"player": player_id, "currency": currency})
    return [row_limit(row) for row in rows]


async def save_limit(
    connection: AsyncConnection, upsert: Any, player_id: str, limit: Limit, now: datetime
) -> None:
    """Store a limit with ``upsert`` (the dialect's ``INSERT … ON CONFLICT DO UPDATE``)."""
    await connection.execute(
        upsert,
        {
            "player_id": player_id,
            "currency": limit.currency,
            "kind": str(limit.kind),
            "period": str(limit.period),
            "amount": limit.amount,
            "pending_amount": limit.pending_amount,
            "pending_from": limit.pending_from,
            "updated_at": now,
        },
    )


def row_limit(row: Row[Any]) -> Limit:
    return Limit(
        kind=LimitKind(row.kind),
        period=LimitPeriod(row.period),
        currency=row.currency,
        amount=row.amount,
        pending_amount=row.pending_amount,
        pending_from=row.pending_from,
    )
