"""Fakes and a harness for table actors: an in-memory bank, recording viewers, manual time.

Fakes, not mocks: :class:`FakeBank` keeps wallets, escrows and the rake the way the ledger does
(idempotent keys, refusals that move nothing), so tests assert on money as they would on the
real one. Time moves only through ``ManualTimer.advance``; nothing sleeps.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from msgspec import structs
from prometheus_client import CollectorRegistry

from tablium.clock import ManualClock
from tablium.errors import DomainError
from tablium.money.ledger import InsufficientFunds, wallet
from tablium.poker.config import Blinds
from tablium.protocol import (
    Ack,
    Act,
    BetTo,
    Call,
    Check,
    ErrorMessage,
    EventMessage,
    Fold,
    HoleCards,
    PlayerAction,
    RaiseTo,
    ServerMessage,
    Sit,
    TableCommand,
    YourTurn,
    decode_server,
)
from tablium.table.actor import TableActor
from tablium.table.archive import HandRecord
from tablium.table.config import TableConfig
from tablium.table.registry import Tables
from tablium.table.timing import TimingRules
from tablium.timers import ManualTimer, settle

M = TypeVar("M")

TIMING = TimingRules(
    action_ms=1_000,
    bank_initial_ms=2_000,
    bank_max_ms=5_000,
    bank_refill_ms=500,
    sit_out_after_timeouts=2,
)


def table_config(table_id: str = "t-1", **changes: Any) -> TableConfig:
    base = TableConfig(
        id=table_id,
        name=table_id,
        blinds=Blinds(sb=1, bb=2),
        seat_count=6,
        timing=TIMING,
        hand_pause_ms=0,
    )
    return structs.replace(base, **changes)


class FakeBank:
    """The ``TableBank`` port in memory, with the ledger's idempotency and refusals."""

    def __init__(self, wallets: dict[str, int] | None = None) -> None:
        self.wallets: defaultdict[str, int] = defaultdict(int, wallets or {})
        self.escrow: defaultdict[str, int] = defaultdict(int)
        self.rake: defaultdict[str, int] = defaultdict(int)
        self.keys: set[str] = set()
        self.hands: dict[str, HandRecord] = {}
        self.refusals: dict[str, DomainError] = {}
        self.settle_failures = 0
        self.lose_answers = 0
        """Buy-ins that move the money and then fail as a dropped connection would."""
        self.moves: list[tuple[str, str, int]] = []

    async def last_hand_number(self, table_id: str) -> int:
        numbers = [h.number for h in self.hands.values() if h.table_id == table_id]
        return max(numbers, default=0)

    async def buy_in(
        self, *, table_id: str, currency: str, player_id: str, amount: int, key: str
    ) -> None:
        if key in self.keys:
            return
        if player_id in self.refusals:
            raise self.refusals[player_id]
        balance = self.wallets[player_id]
        if balance < amount:
            raise InsufficientFunds(wallet(player_id, currency), balance, amount)
        self.keys.add(key)
        self.wallets[player_id] -= amount
        self.escrow[table_id] += amount
        self.moves.append(("buy_in", player_id, amount))
        if self.lose_answers:
            self.lose_answers -= 1
            raise ConnectionError("the answer was lost")

    async def cash_out(
        self, *, table_id: str, currency: str, player_id: str, amount: int, key: str
    ) -> None:
        if key in self.keys:
            return
        assert self.escrow[table_id] >= amount
        self.keys.add(key)
        self.escrow[table_id] -= amount
        self.wallets[player_id] += amount
        self.moves.append(("cash_out", player_id, amount))

    async def settle(self, record: HandRecord) -> None:
        if self.settle_failures:
            self.settle_failures -= 1
            raise ConnectionError("the database went away")
        if record.id in self.hands:
            return
        self.hands[record.id] = record
        self.escrow[record.table_id] -= record.rake
        self.rake[record.currency] += record.rake


@dataclass(eq=False)
class Recorder:
    """A viewer that keeps every frame it is sent, decoded."""

    player_id: str | None = None
    frames: list[ServerMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    on_frame: Callable[[ServerMessage], None] | None = None

    def send(self, data: bytes) -> None:
        self.raw.append(data)
        frame = decode_server(data)
        self.frames.append(frame)
        if self.on_frame is not None:
            self.on_frame(frame)

    def of(self, kind: type[M]) -> list[M]:
        return [f for f in self.frames if isinstance(f, kind)]

    def events(self, kind: type[Any] | None = None) -> list[Any]:
        found = [f.event for f in self.of(EventMessage)]
        return found if kind is None else [e for e in found if isinstance(e, kind)]

    def answer(self, cid: str) -> Ack | ErrorMessage:
        answers = [f for f in self.frames if isinstance(f, Ack | ErrorMessage) and f.cid == cid]
        assert len(answers) == 1, f"{cid}: {answers}"
        return answers[0]


def seeds() -> Callable[[], bytes]:
    counter = itertools.count()
    return lambda: hashlib.sha256(b"seed %d" % next(counter)).digest()


@dataclass
class Harness:
    tables: Tables
    timer: ManualTimer
    clock: ManualClock
    bank: FakeBank
    registry: CollectorRegistry
    viewers: dict[str, Recorder] = field(default_factory=dict)
    cids: itertools.count[int] = field(default_factory=itertools.count)

    def create(self, config: TableConfig | None = None) -> TableActor:
        return self.tables.create(config or table_config())

    def viewer(self, table: TableActor, player_id: str) -> Recorder:
        """The player's subscription (created and attached the first time)."""
        key = f"{table.table_id}/{player_id}"
        if key not in self.viewers:
            self.viewers[key] = Recorder(player_id)
            table.attach(self.viewers[key], as_player=True)
        return self.viewers[key]

    def cid(self) -> str:
        return f"c-{next(self.cids)}"

    async def send(self, table: TableActor, player_id: str, command: TableCommand) -> Any:
        """Submit a command as the player, let the table run, return the answer."""
        viewer = self.viewer(table, player_id)
        table.submit(player_id, command, viewer)
        await settle()
        return viewer.answer(command.cid)

    async def sit(
        self, table: TableActor, player_id: str, seat: int, buy_in: int = 200, **more: Any
    ) -> Any:
        self.bank.wallets.setdefault(player_id, 10_000)
        command = Sit(table=table.table_id, seat=seat, buy_in=buy_in, cid=self.cid(), **more)
        return await self.send(table, player_id, command)

    async def advance(self, ms: int) -> None:
        await self.timer.advance(ms)
        await settle()


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    timer, clock, registry = ManualTimer(), ManualClock(), CollectorRegistry()
    bank = FakeBank()
    tables = Tables(bank=bank, timer=timer, clock=clock, seed_source=seeds(), registry=registry)
    async with tables:
        yield Harness(tables=tables, timer=timer, clock=clock, bank=bank, registry=registry)


def hole_cards(viewer: Recorder) -> list[HoleCards]:
    return viewer.of(HoleCards)


def your_turns(viewer: Recorder) -> list[YourTurn]:
    return viewer.of(YourTurn)


async def act(harness: Harness, table: TableActor, action: PlayerAction) -> Any:
    """The player to act takes ``action`` in the hand in play; returns the answer."""
    player = table.to_act
    assert player is not None and table.hand_number is not None
    command = Act(table=table.table_id, hand=table.hand_number, action=action, cid=harness.cid())
    return await harness.send(table, player, command)


async def fold_round(harness: Harness, table: TableActor) -> None:
    """Fold (check when free) until the hand in play is over."""
    number = table.hand_number
    while table.hand_number == number and table.to_act is not None:
        turn = your_turns(harness.viewer(table, table.to_act))[-1]
        await act(harness, table, Check() if turn.can_check else Fold())


def bot_action(turn: YourTurn, rng: random.Random) -> PlayerAction:
    """A legal action, random but not absurd (as ``tablium.offline.random_action``)."""
    roll = rng.random()
    if turn.raise_kind is not None and turn.min_raise_to is not None and roll < 0.2:
        assert turn.max_raise_to is not None
        to = rng.choice([turn.min_raise_to, rng.randint(turn.min_raise_to, turn.max_raise_to)])
        return BetTo(to=to) if turn.raise_kind == "bet" else RaiseTo(to=to)
    if turn.can_check:
        return Check()
    return Fold() if roll < 0.4 else Call()
