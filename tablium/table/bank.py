"""The table's bridge to money and records: buy-ins, top-ups, cash-outs and hand settlement.

The actor sees only the :class:`TableBank` port. :class:`LedgerBank` is the cash-table
implementation over the ledger, the hand archive and the players' statistics; tests use an
in-memory fake; a tournament mode will bring its own (chips assigned by the tournament, no wallet
moves, no rake), which is why every money step of the actor goes through this port.

Where the chips are. A buy-in or top-up moves chips wallet → table escrow
(``AccountRef(TABLE_ESCROW, table_id, currency)``, created on demand), standing up moves a stack
back (``CASH_OUT``). During a hand nothing moves in the ledger: the hand is played on stacks
that the escrow already holds. At the end of a hand only the rake leaves the escrow, to the
house rake account of the currency (``AccountRef(RAKE, "house", currency)``: one per currency;
clubs will get their own). So between hands the escrow holds exactly the seated stacks.

Settling a hand is three steps in a strict order, each idempotent, so a failure at any point is
repaired by running the whole settlement again (the actor retries until it succeeds, and deals
no new hand meanwhile):

1. store the hand and its players' results (one transaction; a stored hand is not stored again);
2. move the rake escrow → rake with idempotency key ``hand:<hand id>:rake``;
3. count the hand in the players' statistics and experience (``Players.record_hand``, which
   claims ``hand:<hand id>`` once).

A crash between 1 and 2 leaves a stored hand whose rake is still in the escrow: the escrow then
holds the stacks plus that rake until the settlement is run again (crash recovery, which will
replay the hand journal, does it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Protocol

from tablium.db.audit import Actor
from tablium.errors import NotFound
from tablium.money.ledger import HOUSE_OWNER, AccountKind, AccountRef, TransferKind, move, wallet
from tablium.money.service import Ledger
from tablium.players.service import Players
from tablium.table.archive import HandArchive, HandRecord

TABLE_ACTOR = Actor.system("table")

DisplayNames = Callable[[str], Awaitable[str]]
"""A player's display name, for ``player_sat`` and ``chat`` (looked up once per seating)."""


class TableBank(Protocol):
    """Money and records for one kind of table. Every method is idempotent in its key."""

    async def last_hand_number(self, table_id: str) -> int:
        """The number of the table's last settled hand (0 before its first), so hand numbers
        keep growing across restarts."""
        ...

    async def buy_in(
        self, *, table_id: str, currency: str, player_id: str, amount: int, key: str
    ) -> None:
        """Move ``amount`` from the player's wallet to the table; raises the ledger's errors
        (insufficient funds, self-exclusion, loss limit) and then nothing moved."""
        ...

    async def cash_out(
        self, *, table_id: str, currency: str, player_id: str, amount: int, key: str
    ) -> None:
        """Move ``amount`` from the table back to the player's wallet."""
        ...

    async def settle(self, record: HandRecord) -> None:
        """Record a finished hand and move its rake (see the module docstring for the order)."""
        ...


def escrow(table_id: str, currency: str) -> AccountRef:
    return AccountRef(AccountKind.TABLE_ESCROW, table_id, currency)


def rake_account(currency: str) -> AccountRef:
    return AccountRef(AccountKind.RAKE, HOUSE_OWNER, currency)


def money_key(kind: str, *parts: str) -> str:
    """An idempotency key of at most 128 characters from parts of any length.

    >>> money_key("buy_in", "t-1", "p1", "c-7", "0")[:7], len(money_key("buy_in", "x" * 500))
    ('buy_in:', 55)
    """
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:48]
    return f"{kind}:{digest}"


class LedgerBank:
    """Cash tables: the ledger for chips, the archive for hands, ``Players`` for statistics."""

    def __init__(self, ledger: Ledger, archive: HandArchive, players: Players | None) -> None:
        self._ledger = ledger
        self._archive = archive
        self._players = players

    async def last_hand_number(self, table_id: str) -> int:
        return await self._archive.last_number(table_id)

    async def buy_in(
        self, *, table_id: str, currency: str, player_id: str, amount: int, key: str
    ) -> None:
        request = move(
            TransferKind.BUY_IN,
            wallet(player_id, currency),
            escrow(table_id, currency),
            amount,
            idempotency_key=key,
            memo=f"table {table_id}",
        )
        actor = Actor(id=player_id, role="player")
        await self._ledger.transfer(request, actor=actor, create_accounts=True)

    async def cash_out(
        self, *, table_id: str, currency: str, player_id: str, amount: int, key: str
    ) -> None:
        request = move(
            TransferKind.CASH_OUT,
            escrow(table_id, currency),
            wallet(player_id, currency),
            amount,
            idempotency_key=key,
            memo=f"table {table_id}",
        )
        await self._ledger.transfer(request, actor=TABLE_ACTOR, create_accounts=True)

    async def settle(self, record: HandRecord) -> None:
        await self._archive.store(record)
        if record.rake > 0:
            request = move(
                TransferKind.RAKE,
                escrow(record.table_id, record.currency),
                rake_account(record.currency),
                record.rake,
                idempotency_key=f"hand:{record.id}:rake",
                memo=f"hand {record.id}",
            )
            await self._ledger.transfer(request, actor=TABLE_ACTOR, create_accounts=True)
        if self._players is not None:
            await self._players.record_hand(record.history, currency=record.currency)


def player_names(players: Players) -> DisplayNames:
    """Display names from the players' public profiles (the id when the player is unknown)."""

    async def name(player_id: str) -> str:
        try:
            return (await players.public(player_id)).display_name
        except NotFound:  # a bot or guest without a profile still gets a seat label
            return player_id

    return name
