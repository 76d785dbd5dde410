"""Tables on the real ledger and archive: buy-ins, top-ups, cash-outs, rake and stored hands.

Each test runs on SQLite and on PostgreSQL. Nothing waits on a clock: the action clocks run on
a manual timer that never moves, and bots act the moment it is their turn.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tablium.db.audit import Actor
from tablium.db.schema import hand_players
from tablium.money.audit import audit_ledger
from tablium.money.ledger import wallet
from tablium.money.service import Ledger
from tablium.players.service import Players
from tablium.poker.rake import RakeRule
from tablium.poker.verification import verify_history
from tablium.protocol import (
    Ack,
    Act,
    ErrorCode,
    ErrorMessage,
    EventMessage,
    HandSettled,
    ServerMessage,
    Sit,
    Stand,
    TableCommand,
    TopUp,
    YourTurn,
)
from tablium.settings import Settings
from tablium.table.actor import TableActor
from tablium.table.archive import HandArchive
from tablium.table.bank import LedgerBank, escrow, player_names, rake_account
from tablium.table.registry import Tables
from tablium.timers import ManualTimer
from tests.actors.conftest import Recorder, bot_action, seeds, table_config

SYSTEM = Actor.system("test")
FUNDS = 5_000
PAUSE = 1_000


@dataclass
class Casino:
    engine: AsyncEngine
    ledger: Ledger
    players: Players
    archive: HandArchive
    tables: Tables
    timer: ManualTimer
    unique: Callable[[str], str]

    async def player(self, name: str, funds: int = FUNDS) -> str:
        player, _ = await self.players.register(
            username=self.unique(name)[:32], password="correct horse battery"
        )
        if funds:
            await self.ledger.deposit(
                player_id=player.id,
                currency="CHIP",
                amount=funds,
                idempotency_key=self.unique("deposit"),
                actor=SYSTEM,
            )
        return player.id

    async def balance(self, player_id: str) -> int:
        return (await self.ledger.account(wallet(player_id, "CHIP"))).balance

    async def escrow(self, table: TableActor) -> int:
        return (await self.ledger.account(escrow(table.table_id, "CHIP"))).balance


@pytest.fixture
async def casino(
    engine: AsyncEngine, settings: Settings, unique: Callable[[str], str]
) -> AsyncIterator[Casino]:
    ledger = Ledger(engine)
    players = Players(engine, settings)
    archive = HandArchive(engine)
    timer = ManualTimer()
    tables = Tables(
        bank=LedgerBank(ledger, archive, players),
        names=player_names(players),
        timer=timer,
        seed_source=seeds(),
        registry=CollectorRegistry(),
    )
    async with tables:
        yield Casino(engine, ledger, players, archive, tables, timer, unique)


async def until(condition: Callable[[], bool], seconds: float = 30) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.002)


async def send(table: TableActor, player_id: str, command: TableCommand) -> Ack | ErrorMessage:
    viewer = Recorder(player_id)
    table.attach(viewer, as_player=True)
    table.submit(player_id, command, viewer)
    await until(lambda: any(getattr(f, "cid", None) == command.cid for f in viewer.frames))
    table.detach(viewer)
    return viewer.answer(command.cid)


def sit(table: TableActor, seat: int, buy_in: int, cid: str) -> Sit:
    return Sit(table=table.table_id, seat=seat, buy_in=buy_in, cid=cid)


async def test_buy_in_top_up_and_stand_move_exact_amounts(casino: Casino) -> None:
    table = casino.tables.create(table_config(casino.unique("t")))
    alice = await casino.player("alice")
    assert await send(table, alice, sit(table, 0, 120, "s")) == Ack(cid="s")
    assert await casino.balance(alice) == FUNDS - 120
    assert await casino.escrow(table) == 120
    assert await send(table, alice, TopUp(table=table.table_id, amount=80, cid="u")) == Ack(cid="u")
    assert await casino.balance(alice) == FUNDS - 200
    assert await casino.escrow(table) == 200 == table.chips_on_table()
    assert await send(table, alice, Stand(table=table.table_id, cid="x")) == Ack(cid="x")
    assert await casino.balance(alice) == FUNDS
    assert await casino.escrow(table) == 0 == table.chips_on_table()


async def test_a_buy_in_the_wallet_cannot_cover_is_refused_and_nothing_moves(
    casino: Casino,
) -> None:
    table = casino.tables.create(table_config(casino.unique("t")))
    poor = await casino.player("poor", funds=100)
    answer = await send(table, poor, sit(table, 0, 150, "s"))
    assert isinstance(answer, ErrorMessage) and answer.code == ErrorCode.INSUFFICIENT_FUNDS
    assert await casino.balance(poor) == 100
    assert table.table_state.seats[0] is None
    assert table.chips_on_table() == 0


async def play(casino: Casino, table: TableActor, players: list[str], hands: int) -> int:
    """Bots at every seat (random legal actions, a top-up when short) play ``hands`` hands.
    Between every two hands, with the table idle, the escrow must hold exactly the stacks.
    Returns how many times that was checked."""
    rng = random.Random(11)
    top = table.config.buy_in_max
    counter = iter(range(10**9))

    def bot(player: str) -> None:
        viewer = Recorder(player)

        def on_frame(frame: ServerMessage) -> None:
            if isinstance(frame, YourTurn) and frame.hand == table.hand_number:
                action = bot_action(frame, rng)
                cid = f"a-{next(counter)}"
                command = Act(table=table.table_id, hand=frame.hand, action=action, cid=cid)
                table.submit(player, command, viewer)
            if isinstance(frame, EventMessage) and isinstance(frame.event, HandSettled):
                for result in frame.event.results:
                    seat = table.table_state.seats[result.seat]
                    if seat and seat.player_id == player and result.stack < top // 2:
                        amount, cid = top - result.stack, f"u-{next(counter)}"
                        table.submit(
                            player, TopUp(table=table.table_id, amount=amount, cid=cid), viewer
                        )

        viewer.on_frame = on_frame
        table.attach(viewer, as_player=True)

    for seat, player in enumerate(players):
        bot(player)
        assert isinstance(await send(table, player, sit(table, seat, top, f"s-{seat}")), Ack)
    checks = 0
    while True:
        await until(lambda: table.hand_number is None and table.idle)
        assert await casino.escrow(table) == table.chips_on_table()
        checks += 1
        if checks > hands:
            return checks
        await casino.timer.advance(PAUSE)


async def test_hands_are_stored_raked_and_the_books_balance(casino: Casino) -> None:
    rake = RakeRule(percent_bp=500, cap=6)
    config = table_config(casino.unique("t"), rake=rake, hand_pause_ms=PAUSE)
    table = casino.tables.create(config)
    players = [await casino.player(name) for name in ("ann", "ben", "cat", "dan")]
    rake_before = (await casino.ledger.open_account(rake_account("CHIP"))).balance
    assert await play(casino, table, players, hands=50) > 50

    stored = [await casino.archive.hand(f"{table.table_id}#{n}") for n in range(1, 51)]
    assert all(stored)
    last = table.table_state
    assert all(s is not None for s in last.seats[:4])
    numbers = await casino.archive.last_number(table.table_id)
    every = [await casino.archive.hand(f"{table.table_id}#{n}") for n in range(1, numbers + 1)]
    rake_taken = sum(h.rake for h in every if h)
    assert rake_taken > 0
    rake_after = (await casino.ledger.account(rake_account("CHIP"))).balance
    assert rake_after - rake_before == rake_taken
    async with casino.engine.connect() as connection:
        shares = await connection.scalar(
            select(func.sum(hand_players.c.rake_share)).where(
                hand_players.c.hand_id.in_([h.id for h in every if h])
            )
        )
    assert shares == rake_taken

    history = await casino.archive.history(f"{table.table_id}#1")
    assert history is not None and history.fairness is not None
    verify_history(history)
    results = await casino.archive.results(f"{table.table_id}#1")
    assert sum(r.net for r in results) == -history.rake
    assert await casino.archive.hands_of(players[0], limit=5)
    assert (await casino.players.stats(players[0])).hands_played > 0

    report = await audit_ledger(casino.engine)
    assert report.ok, report.format()
    total = sum([await casino.balance(p) for p in players]) + await casino.escrow(table)
    assert total + rake_taken == 4 * FUNDS
