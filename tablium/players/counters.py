"""Statistics counters in the database: what ``stats.py`` works out, added up per player.

Each hand and tournament is counted once: its ``stats_sources`` row is claimed in the same
transaction that adds its deltas, so a retried or replayed result changes nothing. Rows are
always written in player-id order, so two results sharing players cannot deadlock.

Every function here works inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from tablium.db.schema import player_stats, player_winnings, players, stats_sources
from tablium.errors import InvalidInput, NotFound
from tablium.players.stats import PlayerStats
from tablium.players.stats import player_stats as summarise

SOURCE_MAX = 128
"""Length of ``stats_sources.source``: ``hand:<id>`` or ``tournament:<id>``."""


def upsert(connection: AsyncConnection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can take ON CONFLICT clauses, in the connection's dialect."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def claim_source(connection: AsyncConnection, source: str, now: datetime) -> bool:
    """Mark a hand or tournament as counted; False if it already was."""
    if len(source) > SOURCE_MAX:
        raise InvalidInput(f"the id in {source[:40]!r}… is too long", code="invalid_source")
    claimed = await connection.execute(
        upsert(connection, stats_sources)
        .values(source=source, applied_at=now)
        .on_conflict_do_nothing(index_elements=[stats_sources.c.source])
        .returning(stats_sources.c.source)
    )
    return claimed.first() is not None


async def registered(connection: AsyncConnection, ids: Collection[str]) -> list[str]:
    """Those of ``ids`` that are players' ids, sorted (the order rows are written in)."""
    if not ids:
        return []
    found = await connection.scalars(select(players.c.id).where(players.c.id.in_(list(ids))))
    return sorted(found)


async def add_counters(
    connection: AsyncConnection, counters: Mapping[str, Mapping[str, int]]
) -> None:
    """Add to ``player_stats`` columns per player, creating a player's row if missing.

    Every player's mapping names the same columns.
    """
    if not counters:
        return
    names = sorted(next(iter(counters.values())))
    statement = upsert(connection, player_stats)
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[player_stats.c.player_id],
            set_={name: player_stats.c[name] + statement.excluded[name] for name in names},
        ),
        [{"player_id": pid, **counters[pid]} for pid in sorted(counters)],
    )


async def add_winnings(
    connection: AsyncConnection, currency: str, amounts: Mapping[str, int]
) -> None:
    """Add net won (or lost, negative) amounts in ``currency`` per player."""
    if not amounts:
        return
    statement = upsert(connection, player_winnings)
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[player_winnings.c.player_id, player_winnings.c.currency],
            set_={"net_won": player_winnings.c.net_won + statement.excluded.net_won},
        ),
        [
            {"player_id": pid, "currency": currency, "net_won": amounts[pid]}
            for pid in sorted(amounts)
        ],
    )


async def add_xp(connection: AsyncConnection, gains: Mapping[str, int]) -> None:
    if not gains:
        return
    await connection.execute(
        sa.update(players)
        .where(players.c.id == bindparam("pid"))
        .values(xp=players.c.xp + bindparam("gain")),
        [{"pid": pid, "gain": gains[pid]} for pid in sorted(gains)],
    )


async def read_stats(connection: AsyncConnection, player_id: str) -> PlayerStats:
    result = await connection.execute(
        select(players.c.id, *player_stats.c)
        .select_from(players.outerjoin(player_stats))
        .where(players.c.id == player_id)
    )
    row = result.mappings().one_or_none()
    if row is None:
        raise NotFound(f"no player {player_id}", code="unknown_player")
    winnings = await connection.execute(
        select(player_winnings.c.currency, player_winnings.c.net_won).where(
            player_winnings.c.player_id == player_id
        )
    )

    def count(name: str) -> int:
        return int(row[name] or 0)  # a player without a stats row has counted nothing yet

    return summarise(
        hands_played=count("hands_played"),
        vpip_hands=count("vpip_hands"),
        pfr_hands=count("pfr_hands"),
        net_won={row.currency: row.net_won for row in winnings},
        tournaments_played=count("tournaments_played"),
        tournaments_cashed=count("tournaments_cashed"),
        tournaments_won=count("tournaments_won"),
    )
