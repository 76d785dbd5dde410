"""Seats at a table: buy-ins, refusals, the wait list, blinds owed and posted, top-ups, leaving."""

from __future__ import annotations

from datetime import UTC, datetime

from tablium.money.limits import SelfExcluded
from tablium.poker import events as ev
from tablium.protocol import (
    Ack,
    Call,
    Check,
    ErrorCode,
    ErrorMessage,
    EventMessage,
    PlayerSatIn,
    PlayersDealtIn,
    PlayerStood,
    RunItTwice,
    SitIn,
    SitOut,
    StackChanged,
    Stand,
    TopUp,
)
from tablium.table.rules import SeatStatus
from tests.actors.conftest import Harness, act, fold_round, table_config


def code(answer: object) -> str:
    assert isinstance(answer, ErrorMessage), answer
    return answer.code


async def test_sitting_moves_the_buy_in_from_the_wallet_to_the_table(harness: Harness) -> None:
    table = harness.create()
    assert isinstance(await harness.sit(table, "alice", 2, buy_in=150), Ack)
    assert harness.bank.wallets["alice"] == 10_000 - 150
    assert harness.bank.escrow["t-1"] == 150 == table.chips_on_table()


async def test_seating_refusals_change_nothing(harness: Harness) -> None:
    table = harness.create()
    await harness.sit(table, "alice", 2)
    assert code(await harness.sit(table, "bob", 2)) == ErrorCode.SEAT_TAKEN
    assert code(await harness.sit(table, "alice", 3)) == ErrorCode.ALREADY_SEATED
    assert code(await harness.sit(table, "bob", 3, buy_in=79)) == ErrorCode.BUY_IN_OUT_OF_RANGE
    assert code(await harness.sit(table, "bob", 3, buy_in=201)) == ErrorCode.BUY_IN_OUT_OF_RANGE
    assert code(await harness.sit(table, "bob", 9)) == ErrorCode.INVALID
    harness.bank.wallets["carol"] = 100
    assert code(await harness.sit(table, "carol", 3, buy_in=150)) == ErrorCode.INSUFFICIENT_FUNDS
    harness.bank.refusals["dave"] = SelfExcluded(datetime(2027, 1, 1, tzinfo=UTC))
    assert code(await harness.sit(table, "dave", 3)) == ErrorCode.SELF_EXCLUDED
    assert harness.bank.wallets["carol"] == 100
    assert harness.bank.escrow["t-1"] == 200
    assert [s.player_id for s in table.table_state.seats if s] == ["alice"]


async def test_a_full_table_puts_players_on_the_wait_list_and_keeps_a_freed_seat_for_them(
    harness: Harness,
) -> None:
    table = harness.create(table_config(seat_count=2, waitlist_hold_ms=1_000, hand_pause_ms=500))
    await harness.sit(table, "alice", 0)
    await harness.sit(table, "bob", 1)
    answer = await harness.sit(table, "carol", 0)
    assert code(answer) == ErrorCode.SEAT_TAKEN and "number 1 on the wait list" in answer.message
    assert "number 2" in (await harness.sit(table, "dave", 0)).message
    assert table.waitlist == ("carol", "dave")
    await harness.send(table, "bob", Stand(table="t-1", cid="s"))
    assert code(await harness.sit(table, "dave", 1)) == ErrorCode.SEAT_TAKEN  # kept for carol
    await harness.advance(1_000)  # carol did not come: the seat is kept for dave now
    assert table.waitlist == ("dave",)
    assert code(await harness.sit(table, "erin", 1)) == ErrorCode.SEAT_TAKEN
    assert isinstance(await harness.sit(table, "dave", 1), Ack)
    assert table.waitlist == ()


async def test_new_players_wait_for_the_big_blind_unless_they_post(harness: Harness) -> None:
    table = harness.create(table_config(hand_pause_ms=10))
    for player, seat in (("alice", 0), ("bob", 1), ("carol", 2), ("dave", 3)):
        await harness.sit(table, player, seat)
    await harness.advance(10)
    assert table.hand_number == 1  # button 0, blinds 1 and 2; next hand's big blind is 3
    await harness.sit(table, "nina", 4)  # waits for the big blind
    await harness.sit(table, "paul", 5, post_now=True)  # posts to play at once
    await fold_round(harness, table)
    await harness.advance(10)
    alice = harness.viewer(table, "alice")
    assert alice.events(PlayersDealtIn)[-1] == PlayersDealtIn(hand=2, seats=(0, 1, 2, 3, 5))
    assert alice.events(ev.PlayerPosted) == [ev.PlayerPosted(seat=5, live=2, dead=0, all_in=False)]
    nina = table.table_state.seats[4]
    assert nina is not None and nina.status is SeatStatus.NEW
    await fold_round(harness, table)
    await harness.advance(10)
    assert alice.events(PlayersDealtIn)[-1] == PlayersDealtIn(hand=3, seats=(0, 1, 2, 3, 4, 5))
    assert [b.seat for b in alice.events(ev.BlindPosted)][-1] == 4  # dealt in on the big blind


async def test_missed_blinds_are_owed_and_posted_on_return(harness: Harness) -> None:
    table = harness.create(table_config(hand_pause_ms=10))
    for player, seat in (("alice", 0), ("bob", 1), ("carol", 2), ("dave", 3)):
        await harness.sit(table, player, seat)
    await harness.advance(10)
    await harness.send(table, "dave", SitOut(table="t-1", cid="out"))
    for _ in range(4):  # the blinds go round past dave's seat
        await fold_round(harness, table)
        await harness.advance(10)
    dave = table.table_state.seats[3]
    assert dave is not None and dave.missed_big
    assert await harness.send(table, "dave", SitIn(table="t-1", post_now=True, cid="in")) == Ack(
        cid="in"
    )
    sat_in = harness.viewer(table, "alice").events(PlayerSatIn)
    assert sat_in == [PlayerSatIn(seat=3, status=SeatStatus.WAITING_FOR_BB)]
    for _ in range(4):
        await fold_round(harness, table)
        await harness.advance(10)
    posted = [p for p in harness.viewer(table, "alice").events(ev.PlayerPosted) if p.seat == 3]
    # The big blind live, the small blind dead: then he plays like everyone else.
    assert posted == [ev.PlayerPosted(seat=3, live=2, dead=1, all_in=False)]
    dave = table.table_state.seats[3]
    assert dave is not None and not dave.missed_big and dave.status is SeatStatus.ACTIVE


async def test_a_top_up_during_a_hand_waits_for_it_to_end(harness: Harness) -> None:
    table = harness.create()
    await harness.sit(table, "alice", 0, buy_in=100)
    await harness.sit(table, "bob", 1)
    assert table.hand_number == 1
    alice = harness.viewer(table, "alice")
    table.submit("alice", TopUp(table="t-1", amount=50, cid="up"), alice)
    await harness.advance(0)
    assert [f for f in alice.frames if getattr(f, "cid", None) == "up"] == []  # not yet
    assert harness.bank.escrow["t-1"] == 300
    assert code(await harness.send(table, "bob", TopUp(table="t-1", amount=1, cid="b"))) == (
        ErrorCode.BUY_IN_OUT_OF_RANGE
    )
    await fold_round(harness, table)
    assert alice.answer("up") == Ack(cid="up")
    changed = alice.events(StackChanged)
    assert len(changed) == 1 and changed[0].added == 50
    assert harness.bank.escrow["t-1"] == 350 == table.chips_on_table()


async def test_standing_in_a_hand_folds_at_the_players_turn_and_pays_after(
    harness: Harness,
) -> None:
    table = harness.create()
    await harness.sit(table, "alice", 0)
    await harness.sit(table, "bob", 1)
    assert table.to_act == "alice"
    await act(harness, table, Call())
    assert await harness.send(table, "alice", Stand(table="t-1", cid="bye")) == Ack(cid="bye")
    assert table.table_state.seats[0] is not None  # still in the hand
    await act(harness, table, Check())  # bob checks
    # The flop: bob (big blind) acts first heads-up after the flop... alice folds at her turn.
    while table.hand_number == 1:
        await fold_round(harness, table)
    folds = harness.viewer(table, "bob").events(ev.PlayerFolded)
    stood = harness.viewer(table, "bob").events(PlayerStood)
    assert [f.seat for f in folds] == [0]
    assert stood == [PlayerStood(seat=0, player_id="alice", stack=stood[0].stack)]
    assert harness.bank.wallets["alice"] == 10_000 - 200 + stood[0].stack
    assert harness.bank.escrow["t-1"] == table.chips_on_table()


async def test_run_it_twice_needs_the_table_to_allow_it(harness: Harness) -> None:
    table = harness.create()
    await harness.sit(table, "alice", 0)
    answer = await harness.send(table, "alice", RunItTwice(table="t-1", agree=True, cid="r"))
    assert code(answer) == ErrorCode.ILLEGAL_ACTION


async def test_agreement_to_run_it_twice_reaches_the_engine(harness: Harness) -> None:
    table = harness.create(table_config(run_it_twice_allowed=True))
    await harness.sit(table, "alice", 0)
    await harness.send(table, "alice", RunItTwice(table="t-1", agree=True, cid="r"))
    await harness.sit(table, "bob", 1)
    journal = table.journal
    assert journal is not None and journal[0].run_it_twice == (0,)
    await harness.send(table, "bob", RunItTwice(table="t-1", agree=True, cid="r2"))
    await fold_round(harness, table)
    journal = table.journal
    assert journal is not None and journal[0].run_it_twice == (0, 1)
    frames = harness.viewer(table, "bob").of(EventMessage)
    assert frames[-1].hand == 2
