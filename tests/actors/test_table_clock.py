"""The action clock at a table: timeouts, the time bank, sitting out, disconnect protection."""

from __future__ import annotations

from tablium.poker import events as ev
from tablium.protocol import (
    Ack,
    Call,
    Check,
    ClockStarted,
    EventMessage,
    PlayerSatOut,
    PlayerStood,
    SitOut,
)
from tests.actors.conftest import TIMING, Harness, act, fold_round, table_config

FULL_TURN = TIMING.action_ms + TIMING.bank_initial_ms + TIMING.bank_refill_ms
"""A first turn's whole time: the action clock, then the bank (refilled once at the deal)."""


async def heads_up(harness: Harness, **config: object) -> tuple[object, str, str]:
    table = harness.create(table_config(**config))
    await harness.sit(table, "alice", 0)
    await harness.sit(table, "bob", 3)
    assert table.hand_number == 1
    return table, "alice", "bob"


async def test_a_timeout_folds_when_facing_a_bet(harness: Harness) -> None:
    table, alice, _ = await heads_up(harness)
    assert table.to_act == alice  # the button posts the small blind and faces the big one
    await harness.advance(FULL_TURN - 1)
    assert table.hand_number == 1
    await harness.advance(1)
    folded = harness.viewer(table, alice).events(ev.PlayerFolded)
    assert folded == [ev.PlayerFolded(seat=0, street=ev.Street.PREFLOP)]
    assert table.hand_number == 2


async def test_a_timeout_checks_when_checking_is_free(harness: Harness) -> None:
    table, _alice, bob = await heads_up(harness)
    await act(harness, table, Call())  # alice completes; bob's big blind may check
    assert table.to_act == bob
    await harness.advance(FULL_TURN)
    checked = harness.viewer(table, bob).events(ev.PlayerChecked)
    assert checked == [ev.PlayerChecked(seat=3, street=ev.Street.PREFLOP)]
    assert table.hand_number == 1  # the flop is dealt, the hand goes on


async def test_time_beyond_the_action_clock_comes_from_the_bank_which_refills_per_hand(
    harness: Harness,
) -> None:
    table, _alice, bob = await heads_up(harness)
    await harness.advance(TIMING.action_ms + 700)  # 700 ms of alice's bank used
    assert isinstance(await act(harness, table, Call()), Ack)
    while table.hand_number == 1:
        await fold_round(harness, table)
    assert table.to_act == bob  # hand 2: bob on the button acts first
    await act(harness, table, Call())
    banks: dict[int, list[int]] = {}
    for frame in harness.viewer(table, bob).of(EventMessage):
        if isinstance(frame.event, ClockStarted) and frame.event.seat == 0:
            assert frame.hand is not None
            banks.setdefault(frame.hand, []).append(frame.event.time_bank)
    first = TIMING.bank_initial_ms + TIMING.bank_refill_ms
    assert banks[1][0] == first
    assert set(banks[1][1:]) <= {first - 700}
    assert banks[2][0] == first - 700 + TIMING.bank_refill_ms


async def test_players_who_time_out_twice_in_a_row_are_sat_out_after_the_hand(
    harness: Harness,
) -> None:
    table, alice, bob = await heads_up(harness)
    await harness.advance(FULL_TURN)  # alice times out once (fold), hand 2 starts
    assert table.hand_number == 2
    assert harness.viewer(table, bob).events(PlayerSatOut) == []
    # Hand 2: bob (button) acts first; alice's second timeout comes at her turn.
    await act(harness, table, Call())
    assert table.to_act == alice
    await harness.advance(TIMING.action_ms + TIMING.bank_refill_ms)  # her bank was spent
    while table.hand_number == 2:
        if table.to_act == alice:
            await harness.advance(TIMING.action_ms + TIMING.bank_refill_ms)
        else:
            await act(harness, table, Check())  # bob checks behind
    assert harness.viewer(table, bob).events(PlayerSatOut) == [PlayerSatOut(seat=0)]
    assert table.hand_number is None  # one player left willing: no hand


async def test_acting_resets_the_count_of_timeouts(harness: Harness) -> None:
    table, alice, bob = await heads_up(harness)
    await harness.advance(FULL_TURN)  # alice: timeout 1, hand 2
    await act(harness, table, Call())  # bob
    assert table.to_act == alice
    await act(harness, table, Check())  # alice acts: the count starts again
    while table.hand_number == 2:
        await fold_round(harness, table)
    assert table.to_act == alice  # hand 3, alice to act first
    await harness.advance(FULL_TURN)  # one timeout after acting: not two in a row
    assert harness.viewer(table, bob).events(PlayerSatOut) == []


async def test_a_disconnected_players_clock_runs_and_they_sit_out_after_the_hand(
    harness: Harness,
) -> None:
    table, alice, bob = await heads_up(harness)
    table.disconnected(alice)
    await harness.advance(FULL_TURN - 1)
    assert table.hand_number == 1  # protected: the clock runs as usual
    await harness.advance(1)
    assert harness.viewer(table, bob).events(PlayerSatOut) == [PlayerSatOut(seat=0)]
    assert table.table_state.seats[0] is not None  # seat and chips kept


async def test_a_player_back_before_the_hand_ends_stays_in(harness: Harness) -> None:
    table, alice, bob = await heads_up(harness)
    table.disconnected(alice)
    await harness.advance(TIMING.action_ms)
    table.connected(alice)
    await act(harness, table, Call())
    while table.hand_number == 1:
        await fold_round(harness, table)
    assert harness.viewer(table, bob).events(PlayerSatOut) == []


async def test_players_sitting_out_too_many_hands_are_stood_up_and_paid(
    harness: Harness,
) -> None:
    table = harness.create(table_config(max_sit_out_hands=2, hand_pause_ms=10))
    for player, seat in (("alice", 0), ("bob", 1), ("carol", 2)):
        await harness.sit(table, player, seat)
    assert await harness.send(table, "carol", SitOut(table="t-1", cid="out")) == Ack(cid="out")
    await harness.advance(10)
    for _ in range(3):
        await fold_round(harness, table)
        await harness.advance(10)
    stood = harness.viewer(table, "alice").events(PlayerStood)
    assert stood == [PlayerStood(seat=2, player_id="carol", stack=200)]
    assert harness.bank.wallets["carol"] == 10_000
    assert harness.bank.escrow["t-1"] == table.chips_on_table()


async def test_players_sitting_out_too_long_are_stood_up(harness: Harness) -> None:
    table = harness.create(table_config(max_sit_out_ms=5_000))
    await harness.sit(table, "carol", 2)
    await harness.send(table, "carol", SitOut(table="t-1", cid="out"))
    await harness.sit(table, "alice", 0)
    assert table.hand_number is None  # carol sits out: alice alone is willing
    await harness.advance(4_999)
    assert table.table_state.seats[2] is not None
    await harness.advance(1)
    assert table.table_state.seats[2] is None
    assert harness.bank.wallets["carol"] == 10_000
