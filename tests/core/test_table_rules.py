"""Cash-table rules between hands (tablium/table/rules.py), one scenario per rule, then properties
over random sequences of players joining, leaving, sitting out and coming back.

Table seats are 0-based here. Hands are dealt through the real engine with the planned config.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tablium.poker.actions import Action, Bet, Call, Check, Fold, Raise
from tablium.poker.events import BlindKind, BlindPosted, Event, PlayerPosted
from tablium.poker.hand import (
    Blinds,
    HandState,
    LegalActions,
    Post,
    apply,
    legal_actions,
    start_hand,
)
from tablium.table.rules import (
    HandPlan,
    InvalidTableState,
    SeatState,
    SeatStatus,
    TableState,
    after_hand,
    plan_hand,
)

BLINDS = Blinds(sb=1, bb=2)
DECK = tuple(range(52))
ACTIVE, SITTING_OUT, WAITING, NEW = (
    SeatStatus.ACTIVE,
    SeatStatus.SITTING_OUT,
    SeatStatus.WAITING_FOR_BB,
    SeatStatus.NEW,
)


def seat(player: str, stack: int = 200, status: SeatStatus = ACTIVE, **flags: bool) -> SeatState:
    return SeatState(player_id=player, stack=stack, status=status, **flags)


def table(
    players: Mapping[int, str | SeatState], *, count: int = 6, button: int | None = None
) -> TableState:
    seats: list[SeatState | None] = [None] * count
    for index, who in players.items():
        seats[index] = seat(who) if isinstance(who, str) else who
    return TableState(seats=tuple(seats), blinds=BLINDS, button=button)


def with_seat(state: TableState, index: int, who: SeatState | None) -> TableState:
    seats = list(state.seats)
    seats[index] = who
    return msgspec.structs.replace(state, seats=tuple(seats))


def with_status(state: TableState, index: int, status: SeatStatus) -> TableState:
    current = state.seats[index]
    assert current is not None
    return with_seat(state, index, msgspec.structs.replace(current, status=status))


def checked_down(plan: HandPlan) -> tuple[HandState, list[Event]]:
    """The planned hand, everyone calling and checking."""
    transition = start_hand(plan.hand_config(DECK))
    state, events = transition.state, list(transition.events)
    while (legal := legal_actions(state)) is not None:
        action: Action = Check(seat=legal.seat) if legal.to_call == 0 else Call(seat=legal.seat)
        transition = apply(state, action)
        state = transition.state
        events.extend(transition.events)
    return state, events


def play(
    state: TableState, post_to_play: frozenset[int] = frozenset()
) -> tuple[HandPlan, TableState]:
    plan = plan_hand(state, post_to_play=post_to_play)
    assert plan is not None
    final, _ = checked_down(plan)
    return plan, after_hand(state, plan, final.stacks)


def positions(plan: HandPlan) -> tuple[int, int | None, int]:
    return plan.button, plan.small_blind, plan.big_blind


def hands(state: TableState, count: int) -> tuple[list[HandPlan], TableState]:
    plans = []
    for _ in range(count):
        plan, state = play(state)
        plans.append(plan)
    return plans, state


# --- button and blinds -----------------------------------------------------------------------


def test_the_first_hand_puts_the_button_where_the_shell_drew_it() -> None:
    players = {0: "a", 2: "b", 4: "c"}
    assert positions(plan_or_fail(table(players, button=2))) == (2, 4, 0)
    assert positions(plan_or_fail(table(players, button=3))) == (4, 0, 2)  # next player from 3
    assert positions(plan_or_fail(table(players))) == (0, 2, 4)


def plan_or_fail(state: TableState, post_to_play: frozenset[int] = frozenset()) -> HandPlan:
    plan = plan_hand(state, post_to_play=post_to_play)
    assert plan is not None
    return plan


def test_the_button_moves_one_seat_each_hand() -> None:
    plans, _ = hands(table({0: "a", 1: "b", 2: "c", 3: "d"}), 5)
    assert [positions(p) for p in plans] == [(0, 1, 2), (1, 2, 3), (2, 3, 0), (3, 0, 1), (0, 1, 2)]


def test_the_moving_button_skips_empty_seats() -> None:
    plans, _ = hands(table({1: "a", 4: "b", 7: "c"}, count=9), 4)
    assert [positions(p) for p in plans] == [(1, 4, 7), (4, 7, 1), (7, 1, 4), (1, 4, 7)]


def test_no_small_blind_when_the_player_due_for_it_has_left() -> None:
    # The big blind of the last hand (seat 2) was due for the small blind.
    plan, state = play(table({0: "a", 1: "b", 2: "c", 3: "d", 4: "e"}))
    assert positions(plan) == (0, 1, 2)
    plan, state = play(with_seat(state, 2, None))
    assert positions(plan) == (1, None, 3)  # the button still moved one seat
    _, events = checked_down(plan)
    blinds = [(e.seat, e.kind) for e in events if isinstance(e, BlindPosted)]
    assert blinds == [(plan.hand_seat(3), BlindKind.BIG)]
    plan, _ = play(state)
    assert positions(plan) == (1, 3, 4)  # the big blind moves on; the button waits a hand


def test_the_button_stays_when_the_player_due_for_it_has_left() -> None:
    plan, state = play(table({0: "a", 1: "b", 2: "c", 3: "d", 4: "e"}))
    plan, state = play(with_seat(state, 1, None))
    assert positions(plan) == (0, 2, 3)  # seat 0 keeps the button, nobody skips a blind
    plan, _ = play(state)
    assert positions(plan) == (2, 3, 4)


def test_heads_up_the_button_posts_the_small_blind_and_acts_first() -> None:
    plans, _ = hands(table({1: "a", 4: "b"}), 3)
    assert [positions(p) for p in plans] == [(1, 1, 4), (4, 4, 1), (1, 1, 4)]
    state = start_hand(plans[0].hand_config(DECK)).state
    assert state.to_act == plans[0].hand_seat(1)


@pytest.mark.parametrize("leaving", [0, 1, 2], ids=["button", "small blind", "big blind"])
def test_from_three_to_two_players_nobody_posts_the_big_blind_twice_in_a_row(leaving: int) -> None:
    plan, state = play(table({0: "a", 1: "b", 2: "c"}))
    assert positions(plan) == (0, 1, 2)
    plan, state = play(with_seat(state, leaving, None))
    assert plan.big_blind != 2  # the last big blind never posts it again at once
    assert plan.button == plan.small_blind  # heads-up
    expected = {0: (2, 2, 1), 1: (2, 2, 0), 2: (1, 1, 0)}[leaving]
    assert positions(plan) == expected
    plan2, _ = play(state)
    assert plan2.big_blind == plan.button  # and the big blind alternates from there


def test_from_two_to_three_players_the_newcomer_comes_in_on_the_big_blind() -> None:
    # Heads-up: seat 0 is the button, seat 2 the big blind.
    for newcomer, expected in ((4, [(0, 2, 4)]), (1, [(2, 2, 0), (2, 0, 1)])):
        plan, state = play(table({0: "a", 2: "b"}))
        assert positions(plan) == (0, 0, 2)
        state = with_seat(state, newcomer, seat("new", status=NEW))
        got = []
        for _ in expected:
            plan, state = play(state)
            got.append(positions(plan))
        assert got == expected
        assert newcomer in plan.seats and plan.big_blind == newcomer and plan.posts == ()


def test_a_newcomer_cannot_post_into_a_heads_up_game() -> None:
    plan, state = play(table({0: "a", 2: "b"}))
    plan, state = play(with_seat(state, 1, seat("x", status=NEW)), frozenset({1}))
    assert plan.seats == (0, 2) and plan.waiting == (1,) and plan.big_blind == 0


def test_a_player_never_posts_the_big_blind_twice_in_a_row_because_someone_left() -> None:
    plan, state = play(table({0: "a", 1: "b", 2: "c", 3: "d"}))
    assert plan.big_blind == 2
    # The player due for the big blind leaves: it moves on to the next player, not back.
    plan, state = play(with_seat(state, 3, None))
    assert plan.big_blind == 0 and positions(plan) == (1, 2, 0)


# --- new players ---------------------------------------------------------------------------------


def test_a_new_player_waits_for_the_big_blind() -> None:
    plan, state = play(table({0: "a", 1: "b", 2: "c", 3: "d"}, count=6))
    state = with_seat(state, 5, seat("x", status=NEW))
    plan, state = play(state)
    assert plan.big_blind == 3 and plan.waiting == (5,) and 5 not in plan.seats
    plan, state = play(state)
    assert plan.big_blind == 5 and 5 in plan.seats and plan.posts == ()
    assert state.seats[5] == seat("x", stack=state.seats[5].stack if state.seats[5] else 0)


def test_a_new_player_may_post_a_live_big_blind_instead_of_waiting() -> None:
    plan, state = play(table({0: "a", 1: "b", 2: "c", 3: "d"}, count=6))
    state = with_seat(state, 4, seat("x", status=NEW))
    plan = plan_or_fail(state, frozenset({4}))
    assert positions(plan) == (1, 2, 3)
    assert plan.posts == (Post(seat=4, live=2, dead=0),)
    config = plan.hand_config(DECK)
    assert config.posts == (Post(seat=plan.hand_seat(4), live=2, dead=0),)


def test_a_new_player_cannot_post_between_the_button_and_the_big_blind() -> None:
    plan, state = play(table({0: "a", 2: "b", 4: "c", 5: "d"}, count=8))
    assert positions(plan) == (0, 2, 4)
    # The next hand's button is seat 2 and its big blind seat 5: seat 3 is between them.
    state = with_seat(state, 3, seat("x", status=NEW))
    state = with_seat(state, 1, seat("y", status=NEW))
    plan = plan_or_fail(state, frozenset({1, 3}))
    assert positions(plan) == (2, 4, 5)
    assert plan.posts == (Post(seat=1, live=2, dead=0),)
    assert plan.waiting == (3,)


# --- sitting out and coming back -------------------------------------------------------------


def test_a_player_who_missed_the_big_blind_posts_it_live_and_the_small_blind_dead() -> None:
    plan, state = play(table({0: "a", 1: "b", 2: "c", 3: "d", 4: "e"}))
    plan, state = play(with_status(state, 3, SITTING_OUT))
    assert positions(plan) == (1, 2, 4) and plan.missed_big == (3,)
    d = state.seats[3]
    assert d is not None and (d.missed_big, d.missed_small, d.hands_sat_out) == (True, False, 1)
    state = with_status(state, 3, WAITING)
    plan, state = play(state, frozenset({3}))
    assert positions(plan) == (2, 4, 0) and plan.waiting == (3,)  # between button and big blind
    plan, state = play(state, frozenset({3}))
    assert positions(plan) == (4, 0, 1)
    assert plan.posts == (Post(seat=3, live=2, dead=1),)
    assert state.seats[3] == seat("d", stack=state.seats[3].stack if state.seats[3] else -1)


def test_a_player_who_missed_only_the_small_blind_posts_it_dead() -> None:
    plan, state = play(table({0: "a", 1: "b", 2: "c", 3: "d"}))
    assert plan.big_blind == 2
    plan, state = play(with_status(state, 2, SITTING_OUT))  # right after posting the big blind
    assert positions(plan) == (1, None, 3) and plan.missed_small == (2,)
    assert plan.missed_big == ()
    state = with_status(state, 2, WAITING)
    plan, state = play(state, frozenset({2}))
    assert plan.waiting == (2,)  # the button has not passed yet
    plan, state = play(state, frozenset({2}))
    assert plan.posts == (Post(seat=2, live=0, dead=1),)


def test_the_big_blind_reaching_a_returning_player_clears_what_they_owe() -> None:
    plan, state = play(table({0: "a", 1: "b", 2: "c", 3: "d"}))
    plan, state = play(with_status(state, 3, SITTING_OUT))
    assert plan.missed_big == (3,)
    state = with_status(state, 3, WAITING)
    while plan.big_blind != 3:
        assert 3 not in plan.seats or plan.big_blind == 3
        plan, state = play(state)
    assert plan.posts == () and 3 in plan.seats
    assert state.seats[3] is not None and not state.seats[3].missed_big


def test_sitting_out_players_owe_every_big_blind_that_passes_them() -> None:
    state = table({0: "a", 1: "b", 2: "c", 3: "d", 4: "e"})
    plan, state = play(state)
    state = with_status(with_status(state, 3, SITTING_OUT), 4, SITTING_OUT)
    plan, state = play(state)
    assert plan.big_blind == 0 and plan.missed_big == (3, 4)
    assert [s.missed_big for s in state.seats if s is not None] == [False, False, False, True, True]


def test_players_without_chips_are_dealt_out_and_owe_what_passes_them() -> None:
    plan, state = play(table({0: "a", 1: "b", 2: "c", 3: "d"}))
    state = with_seat(state, 3, seat("d", stack=0))
    plan, state = play(state)
    assert 3 not in plan.seats and plan.missed_big == (3,)
    assert state.seats[3] == seat("d", stack=0, missed_big=True, hands_sat_out=1)


# --- when there is no game, and the bookkeeping ------------------------------------------------


def test_fewer_than_two_willing_players_deal_no_hand() -> None:
    assert plan_hand(table({0: "a"})) is None
    assert plan_hand(table({0: "a", 3: seat("b", status=SITTING_OUT)})) is None
    assert plan_hand(table({0: "a", 3: seat("b", stack=0)})) is None


def test_a_stopped_game_restarts_without_posts() -> None:
    plan, state = play(table({0: "a", 1: "b"}))
    state = with_seat(with_status(state, 1, SITTING_OUT), 4, seat("x", status=NEW))
    plan = plan_or_fail(state)  # one active player and a newcomer: both play, nobody posts
    assert plan.seats == (0, 4) and plan.posts == () and plan.big_blind == 4


def test_after_hand_keeps_what_changed_during_the_hand() -> None:
    state = table({0: "a", 1: "b", 2: "c", 3: seat("d", status=SITTING_OUT)})
    plan = plan_or_fail(state)
    final, _ = checked_down(plan)
    during = with_status(state, 1, SITTING_OUT)  # asked to sit out mid-hand
    during = with_seat(during, 3, None)  # left mid-hand
    during = with_seat(during, 5, seat("x", status=NEW))  # sat down mid-hand
    after = after_hand(during, plan, final.stacks)
    assert after.seats[1] is not None and after.seats[1].status is SITTING_OUT
    assert after.seats[3] is None and after.seats[5] == seat("x", status=NEW)
    assert sum(s.stack for s in after.seats[:3] if s is not None) == 600
    with pytest.raises(InvalidTableState, match="changed"):
        after_hand(with_seat(state, 0, seat("z")), plan, final.stacks)
    with pytest.raises(InvalidTableState):
        after_hand(state, plan, final.stacks[:-1])


def test_the_plan_maps_table_seats_to_hand_seats() -> None:
    state = table({1: "a", 3: "b", 5: "c", 7: "d"}, count=9, button=5)
    plan = plan_or_fail(state)
    assert plan.seats == (1, 3, 5, 7) and plan.players == ("a", "b", "c", "d")
    config = plan.hand_config(DECK, commitment="c0ffee", run_it_twice={3, 7, 8})
    assert (config.button, config.stacks, config.commitment) == (2, (200,) * 4, "c0ffee")
    assert config.positions is not None
    assert (config.positions.small_blind, config.positions.big_blind) == (3, 0)
    assert config.run_it_twice == (1, 3)  # seat 8 is not dealt in


@pytest.mark.parametrize(
    "state, post_to_play",
    [
        (TableState(seats=(None,), blinds=BLINDS), frozenset[int]()),
        (table({0: "a", 1: "a"}), frozenset()),
        (table({0: "a", 1: "b"}, button=6), frozenset()),
        (
            msgspec.structs.replace(table({0: "a", 1: "b"}), blinds=Blinds(sb=1, bb=2, straddle=4)),
            frozenset(),
        ),
        (table({0: "a", 1: "b"}), frozenset({3})),
    ],
)
def test_impossible_table_states_are_refused(
    state: TableState, post_to_play: frozenset[int]
) -> None:
    with pytest.raises(InvalidTableState):
        plan_hand(state, post_to_play=post_to_play)


# --- properties ---------------------------------------------------------------------------------

SEATS = 6


@st.composite
def table_events(draw: st.DrawFn) -> list[tuple[str, int, bool]]:
    """A random evening at a six-seat table: mostly hands, with arrivals and departures."""
    kinds = st.sampled_from(["hand"] * 8 + ["join", "leave", "rebuy"] + ["sit_out", "sit_in"] * 2)
    step = st.tuples(kinds, st.integers(0, SEATS - 1), st.booleans())
    return draw(st.lists(step, min_size=10, max_size=80))


def choose(legal: LegalActions, draw: st.DrawFn) -> Action:
    seat_ = legal.seat
    options: list[Action] = [Check(seat=seat_) if legal.to_call == 0 else Call(seat=seat_)] * 3
    options.append(Fold(seat=seat_))
    if legal.min_raise_to is not None:
        bet = Bet if legal.raise_kind == "bet" else Raise
        options.append(bet(seat=seat_, to=legal.min_raise_to))
    return draw(st.sampled_from(options))


class Record(msgspec.Struct, frozen=True):
    dealt: frozenset[str]
    big_blind: str


def run_evening(data: st.DataObject, events: Sequence[tuple[str, int, bool]]) -> list[Record]:
    """Play the evening; check every hand as it goes; return who played and who was the BB."""
    players = {i: f"p{i}" for i in range(5)}
    state = table(players, count=SEATS, button=data.draw(st.integers(0, SEATS - 1)))
    posting: set[int] = set()
    records: list[Record] = []
    for number, (kind, index, flag) in enumerate(events):
        here = state.seats[index]
        if kind == "join" and here is None:
            state = with_seat(state, index, seat(f"n{number}", status=NEW))
            if flag:
                posting.add(index)
        elif kind == "leave" and here is not None:
            state = with_seat(state, index, None)
            posting.discard(index)
        elif kind == "sit_out" and here is not None:
            state = with_status(state, index, SITTING_OUT)
            posting.discard(index)
        elif kind == "sit_in" and here is not None and here.status is SITTING_OUT:
            state = with_status(state, index, WAITING)
            if flag:
                posting.add(index)
        elif kind == "rebuy" and here is not None and here.stack == 0:
            state = with_seat(state, index, msgspec.structs.replace(here, stack=200))
        elif kind == "hand" and (plan := plan_hand(state, post_to_play=frozenset(posting))):
            final = play_checked(data, state, plan)
            before = sum(s.stack for s in state.seats if s is not None)
            state = after_hand(state, plan, final.stacks)
            assert sum(s.stack for s in state.seats if s is not None) + final.rake == before
            posting -= set(plan.seats)
            big = plan.players[plan.hand_seat(plan.big_blind)]
            records.append(Record(dealt=frozenset(plan.players), big_blind=big))
    return records


def play_checked(data: st.DataObject, state: TableState, plan: HandPlan) -> HandState:
    """Deal the planned hand with random actions, checking the plan against what happened."""
    config = plan.hand_config(tuple(data.draw(st.permutations(range(52)))))
    transition = start_hand(config)
    hand, events = transition.state, list(transition.events)
    while (legal := legal_actions(hand)) is not None:
        transition = apply(hand, choose(legal, data.draw))
        hand = transition.state
        events.extend(transition.events)
    assert sum(hand.stacks) + hand.rake == sum(config.stacks)
    big = [e for e in events if isinstance(e, BlindPosted) and e.kind is BlindKind.BIG]
    assert [e.seat for e in big] == [plan.hand_seat(plan.big_blind)]  # one big blind a hand
    posted = {e.seat for e in events if isinstance(e, PlayerPosted)}
    assert posted == {plan.hand_seat(p.seat) for p in plan.posts}
    for index, s in enumerate(state.seats):
        if s is None:
            continue
        owes = s.missed_big or s.missed_small
        if s.status is ACTIVE and s.stack > 0 and not owes:
            assert index in plan.seats  # everyone active who owes nothing plays
        if s.status is SITTING_OUT or s.stack == 0:
            assert index not in plan.seats
    return hand


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), events=table_events())
def test_every_player_who_plays_every_hand_pays_one_big_blind_per_orbit(
    data: st.DataObject, events: list[tuple[str, int, bool]]
) -> None:
    records = run_evening(data, events)
    for previous, current in itertools.pairwise(records):
        if previous.big_blind in current.dealt:
            assert current.big_blind != previous.big_blind  # never twice in a row
    for player in {r.big_blind for r in records}:
        turns = [i for i, r in enumerate(records) if r.big_blind == player]
        for first, second in itertools.pairwise(turns):
            stayed = frozenset.intersection(*(r.dealt for r in records[first : second + 1]))
            if player not in stayed:
                continue
            # Between two big blinds of a player who played every hand, everyone else who played
            # every one of those hands posted the big blind exactly once.
            for other in stayed - {player}:
                posted = sum(r.big_blind == other for r in records[first + 1 : second])
                assert posted == 1, (player, other, records[first : second + 1])
        # A player who keeps playing gets the big blind again within one lap of the table.
        if turns:
            last = turns[-1]
            later = records[last + 1 : last + 1 + SEATS]
            if len(later) == SEATS and all(player in r.dealt for r in later):
                assert any(r.big_blind == player for r in later)
