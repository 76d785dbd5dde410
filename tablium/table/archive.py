"""The hand archive: finished hands and each player's result, stored and read back.

A hand is stored once, with its whole history (msgspec JSON of
:class:`tablium.poker.history.HandHistory`, fairness data included) in ``hands`` and one row per
player in ``hand_players`` (table seat, net result, share of the rake), in one transaction.
Storing a hand already stored changes nothing, so the table may retry a hand's settlement
after a failure without writing it twice. Rakeback will sum ``hand_players.rake_share``.
"""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tablium.db.schema import hand_players, hands
from tablium.poker.history import HandHistory, decode_history, encode_history


def hand_key(table_id: str, number: int) -> str:
    """The stored id of a table's hand: ``#`` never occurs in a table id, so it is unambiguous.

    >>> hand_key("t-42", 1187)
    't-42#1187'
    """
    return f"{table_id}#{number}"


class PlayerResult(Struct, frozen=True, kw_only=True):
    player_id: str
    seat: int
    """Table seat (0-based)."""
    net: int
    rake_share: int


class HandRecord(Struct, frozen=True, kw_only=True):
    """A finished hand as the table hands it over for settlement."""

    table_id: str
    number: int
    currency: str
    started_at: datetime
    ended_at: datetime
    rake: int
    commitment: str | None
    history: HandHistory
    results: tuple[PlayerResult, ...]

    @property
    def id(self) -> str:
        return hand_key(self.table_id, self.number)


class StoredHand(Struct, frozen=True, kw_only=True):
    id: str
    table_id: str
    number: int
    currency: str
    started_at: datetime
    ended_at: datetime
    rake: int
    commitment: str | None


class HandArchive:
    """Reads and writes ``hands`` and ``hand_players``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def store(self, record: HandRecord) -> bool:
        """Store a finished hand; False (and nothing written) when it is already stored."""
        async with self._engine.begin() as connection:
            return await self.store_in(connection, record)

    async def store_in(self, connection: AsyncConnection, record: HandRecord) -> bool:
        """:meth:`store` inside the caller's transaction."""
        found = await connection.scalar(select(hands.c.id).where(hands.c.id == record.id))
        if found is not None:
            return False
        await connection.execute(
            hands.insert().values(
                id=record.id,
                table_id=record.table_id,
                number=record.number,
                currency=record.currency,
                started_at=record.started_at,
                ended_at=record.ended_at,
                rake=record.rake,
                commitment=record.commitment,
                history=encode_history(record.history).decode(),
            )
        )
        await connection.execute(
            hand_players.insert(),
            [
                {
                    "hand_id": record.id,
                    "player_id": r.player_id,
                    "seat": r.seat,
                    "net": r.net,
                    "rake_share": r.rake_share,
                }
                for r in record.results
            ],
        )
        return True

    async def history(self, hand_id: str) -> HandHistory | None:
        async with self._engine.connect() as connection:
            text = await connection.scalar(select(hands.c.history).where(hands.c.id == hand_id))
        return None if text is None else decode_history(text)

    async def hand(self, hand_id: str) -> StoredHand | None:
        columns = [c for c in hands.c if c.name != "history"]
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(*columns).where(hands.c.id == hand_id))).first()
        return None if row is None else StoredHand(**row._asdict())

    async def results(self, hand_id: str) -> list[PlayerResult]:
        query = (
            select(hand_players.c.player_id, hand_players.c.seat, hand_players.c.net)
            .add_columns(hand_players.c.rake_share)
            .where(hand_players.c.hand_id == hand_id)
            .order_by(hand_players.c.seat)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [PlayerResult(**row._asdict()) for row in rows]

    async def hands_of(self, player_id: str, *, limit: int = 50) -> list[str]:
        """Ids of the hands a player was dealt into, newest first."""
        query = (
            select(hand_players.c.hand_id)
            .join(hands, hands.c.id == hand_players.c.hand_id)
            .where(hand_players.c.player_id == player_id)
            .order_by(hands.c.ended_at.desc(), hands.c.number.desc())
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            return list((await connection.scalars(query)).all())

    async def rake_paid(self, player_id: str, currency: str) -> int:
        """The rake a player's hands paid, in a currency (what rakeback works from)."""
        query = (
            select(func.coalesce(func.sum(hand_players.c.rake_share), 0))
            .join(hands, hands.c.id == hand_players.c.hand_id)
            .where(hand_players.c.player_id == player_id, hands.c.currency == currency)
        )
        async with self._engine.connect() as connection:
            return int(await connection.scalar(query) or 0)

    async def last_number(self, table_id: str) -> int:
        """The number of the table's last stored hand; 0 before its first."""
        query = select(func.max(hands.c.number)).where(hands.c.table_id == table_id)
        async with self._engine.connect() as connection:
            return int(await connection.scalar(query) or 0)
