"""The betting rules, one test per rule (docs/rules.md states each in words)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import pytest

from tablium.poker.actions import Action, Bet, Call, Check, Fold, Raise
from tablium.poker.dealing import preset_deck
from tablium.poker.errors import (
    BetOutOfRange,
    HandComplete,
    IllegalAction,
    InvalidConfiguration,
    MalformedInput,
    NotYourTurn,
)
from tablium.poker.events import (
    AntePosted,
    BlindPosted,
    BoardDealt,
    HandShown,
    PlayerRaised,
    RakeTaken,
    Street,
    UncalledBetReturned,
)
from tablium.poker.hand import (
    Ante,
    AnteKind,
    Blinds,
    HandConfig,
    HandState,
    LegalActions,
    apply,
    legal_actions,
    start_hand,
)
from tablium.poker.rake import RakeRule

DECK = tuple(range(52))


def config(
    stacks: Sequence[int],
    *,
    button: int = 0,
    sb: int = 1,
    bb: int = 2,
    straddle: int = 0,
    ante: Ante | None = None,
    variant: str = "NLHE",
    deck: tuple[int, ...] = DECK,
) -> HandConfig:
    return HandConfig(
        variant=variant,
        stacks=tuple(stacks),
        button=button,
        blinds=Blinds(sb=sb, bb=bb, straddle=straddle),
        ante=ante or Ante(),
        deck=deck,
    )


def play(cfg: HandConfig, *actions: Action) -> HandState:
    state = start_hand(cfg).state
    for action in actions:
        state = apply(state, action).state
    return state


def legal(state: HandState) -> LegalActions:
    bounds = legal_actions(state)
    assert bounds is not None
    return bounds


# --- positions -------------------------------------------------------------------------------


def test_heads_up_button_posts_small_blind_and_acts_first_preflop() -> None:
    transition = start_hand(config([100, 100], button=1))
    blinds = [e for e in transition.events if isinstance(e, BlindPosted)]
    assert [(b.seat, b.amount) for b in blinds] == [(1, 1), (0, 2)]
    assert transition.state.to_act == 1


def test_heads_up_button_acts_last_after_the_flop() -> None:
    state = play(config([100, 100], button=1), Call(seat=1), Check(seat=0))
    assert state.street is Street.FLOP
    assert state.to_act == 0


def test_first_to_act_preflop_is_left_of_big_blind_and_postflop_left_of_button() -> None:
    cfg = config([100] * 4, button=0)
    state = start_hand(cfg).state
    assert state.to_act == 3  # seat 1 small blind, seat 2 big blind
    state = play(cfg, Call(seat=3), Call(seat=0), Call(seat=1), Check(seat=2))
    assert state.street is Street.FLOP
    assert state.to_act == 1


def test_big_blind_has_the_option_when_everyone_limps() -> None:
    state = play(config([100] * 3), Call(seat=0), Call(seat=1))
    bounds = legal(state)
    assert (bounds.seat, bounds.to_call, bounds.min_raise_to) == (2, 0, 4)


# --- bet sizes -------------------------------------------------------------------------------


def test_minimum_bet_is_the_big_blind() -> None:
    state = play(config([100, 100, 100]), Call(seat=0), Call(seat=1), Check(seat=2))
    bounds = legal(state)
    assert (bounds.raise_kind, bounds.min_raise_to, bounds.max_raise_to) == ("bet", 2, 98)
    with pytest.raises(BetOutOfRange):
        apply(state, Bet(seat=1, to=1))


def test_minimum_raise_is_the_largest_full_raise_of_the_street() -> None:
    cfg = config([1000] * 4)
    state = play(cfg, Raise(seat=3, to=10))  # raise of 8
    assert legal(state).min_raise_to == 18
    state = apply(state, Raise(seat=0, to=40)).state  # raise of 30
    assert legal(state).min_raise_to == 70
    with pytest.raises(BetOutOfRange):
        apply(state, Raise(seat=1, to=69))


def test_short_all_in_does_not_reopen_betting_to_players_who_acted() -> None:
    # Flop: seat 1 bets 100, seat 2 goes all-in for 150 (a 50 raise, short of 100).
    short = config([1000, 1000, 160, 1000])
    state = play(
        short,
        Raise(seat=3, to=10),
        Call(seat=0),
        Call(seat=1),
        Call(seat=2),
        Bet(seat=1, to=100),
        Raise(seat=2, to=150),
        Call(seat=3),
        Call(seat=0),
    )
    bounds = legal(state)
    assert bounds.seat == 1
    assert bounds.to_call == 50
    assert bounds.raise_kind is None  # faced only 50 more, less than the full raise of 100
    with pytest.raises(IllegalAction):
        apply(state, Raise(seat=1, to=300))


def test_short_all_in_lets_players_who_have_not_acted_raise() -> None:
    state = play(
        config([1000, 1000, 160, 1000]),
        Raise(seat=3, to=10),
        Call(seat=0),
        Call(seat=1),
        Call(seat=2),
        Bet(seat=1, to=100),
        Raise(seat=2, to=150),
    )
    bounds = legal(state)
    assert bounds.seat == 3
    assert bounds.min_raise_to == 250  # the short raise does not change the minimum increment


def test_short_all_ins_that_add_up_to_a_full_raise_reopen_betting() -> None:
    state = play(
        config([1000, 1000, 160, 215]),
        Raise(seat=3, to=10),
        Call(seat=0),
        Call(seat=1),
        Call(seat=2),
        Bet(seat=1, to=100),
        Raise(seat=2, to=150),  # all-in, +50
        Raise(seat=3, to=205),  # all-in, +55: 105 above the 100 seat 1 acted on
        Call(seat=0),
    )
    bounds = legal(state)
    assert bounds.seat == 1
    assert bounds.raise_kind == "raise"
    assert bounds.min_raise_to == 305


def test_straddle_counts_as_a_full_raise() -> None:
    cfg = config([100] * 4, straddle=4)
    transition = start_hand(cfg)
    straddle = [e for e in transition.events if isinstance(e, BlindPosted)][-1]
    assert (straddle.seat, straddle.amount) == (3, 4)
    bounds = legal(transition.state)
    assert (bounds.seat, bounds.to_call, bounds.min_raise_to) == (0, 4, 8)


def test_straddler_acts_last_preflop_with_the_option() -> None:
    state = play(config([100] * 4, straddle=4), Call(seat=0), Call(seat=1), Call(seat=2))
    bounds = legal(state)
    assert (bounds.seat, bounds.to_call, bounds.min_raise_to) == (3, 0, 8)


def test_callers_owe_the_full_big_blind_when_it_is_all_in_for_less() -> None:
    state = start_hand(config([100, 100, 1])).state
    bounds = legal(state)
    assert (bounds.seat, bounds.to_call, bounds.min_raise_to) == (0, 2, 4)
    state = play(config([100, 100, 1]), Call(seat=0), Fold(seat=1))
    # The big blind's 1 is matched by 1 of the caller's 2; the other is returned uncalled.
    assert state.is_complete


def test_pot_limit_maximum_raise_is_the_pot_after_calling() -> None:
    cfg = config([1000] * 4, variant="PLO")
    bounds = legal(start_hand(cfg).state)
    assert (bounds.min_raise_to, bounds.max_raise_to) == (4, 7)  # 2 + (3 in the pot + 2 to call)
    state = play(cfg, Raise(seat=3, to=7))
    assert legal(state).max_raise_to == 7 + 10 + 7  # pot 10, 7 to call, then raise the 17
    state = play(cfg, Call(seat=3), Call(seat=0), Call(seat=1), Check(seat=2))
    assert legal(state).max_raise_to == 8  # the pot on the flop
    state = apply(state, Bet(seat=1, to=8)).state
    assert legal(state).max_raise_to == 8 + 16 + 8  # pot 16 after the bet, plus the 8 to call


def test_fixed_limit_bet_sizes_are_small_then_big_and_raises_are_capped() -> None:
    cfg = config([1000] * 3, sb=1, bb=2, variant="FLHE")
    state = start_hand(cfg).state
    assert (legal(state).min_raise_to, legal(state).max_raise_to) == (4, 4)
    state = play(cfg, Raise(seat=0, to=4), Raise(seat=1, to=6), Raise(seat=2, to=8))
    bounds = legal(state)  # big blind + three raises: capped
    assert (bounds.seat, bounds.raise_kind, bounds.to_call) == (0, None, 4)
    state = play(cfg, Call(seat=0), Call(seat=1), Check(seat=2), Bet(seat=1, to=2))
    assert legal(state).min_raise_to == 4
    state = play(
        cfg, Call(seat=0), Call(seat=1), Check(seat=2), Check(seat=1), Check(seat=2), Check(seat=0)
    )
    assert state.street is Street.TURN
    assert (legal(state).min_raise_to, legal(state).max_raise_to) == (4, 4)


def test_no_raise_when_every_other_player_is_all_in() -> None:
    state = play(config([100, 30, 100], button=0), Fold(seat=0), Raise(seat=1, to=30))
    bounds = legal(state)
    assert (bounds.seat, bounds.to_call, bounds.raise_kind) == (2, 28, None)


def test_all_in_for_less_than_a_minimum_raise_offers_the_all_in_total() -> None:
    state = start_hand(config([100, 100, 100, 3])).state
    bounds = legal(state)
    assert (bounds.to_call, bounds.min_raise_to, bounds.max_raise_to) == (2, 3, 3)


# --- forced bets ---------------------------------------------------------------------------------


def test_antes_are_posted_before_blinds_and_a_short_stack_pays_the_ante_first() -> None:
    transition = start_hand(config([100, 3, 100], ante=Ante(kind=AnteKind.UNIFORM, amount=2)))
    posts = [e for e in transition.events if isinstance(e, AntePosted | BlindPosted)]
    assert all(isinstance(e, AntePosted) for e in posts[:3])
    small_blind = [e for e in posts if isinstance(e, BlindPosted) and e.seat == 1]
    assert small_blind[0].amount == 1 and small_blind[0].all_in


def test_big_blind_ante_is_dead_money_in_the_main_pot() -> None:
    # The big blind (seat 2) posts a 10 ante and is all-in for 40 more: its ante is not a live
    # contribution, so the main pot is 3 x 40 live + 10 dead and the rest is a side pot.
    cfg = config(
        [500, 500, 50],
        sb=10,
        bb=20,
        ante=Ante(kind=AnteKind.BIG_BLIND, amount=10),
        deck=preset_deck(["2c7d", "3c8d", "AsAh"], "KdQs9h5c4s"),
    )
    transition = start_hand(cfg)
    ante = next(e for e in transition.events if isinstance(e, AntePosted))
    assert (ante.seat, ante.amount, ante.dead) == (2, 10, True)
    state = play(
        cfg,
        Raise(seat=0, to=200),
        Call(seat=1),
        Call(seat=2),
        Check(seat=1),
        Check(seat=0),
        Check(seat=1),
        Check(seat=0),
        Check(seat=1),
        Check(seat=0),
    )
    assert state.is_complete
    assert state.won[2] == 3 * 40 + 10
    assert sum(state.stacks) == 1050


def test_uniform_antes_are_live_for_side_pots() -> None:
    cfg = config(
        [500, 500, 25],
        sb=10,
        bb=20,
        ante=Ante(kind=AnteKind.UNIFORM, amount=5),
        deck=preset_deck(["2c7d", "3c8d", "AsAh"], "KdQs9h5c4s"),
    )
    state = play(
        cfg,
        Raise(seat=0, to=100),
        Call(seat=1),
        *[Check(seat=s) for s in (1, 0) * 3],
    )
    assert state.won[2] == 3 * 25  # the short stack's ante counts towards its level


# --- pots ----------------------------------------------------------------------------------------


def test_uncalled_bet_is_returned() -> None:
    transition = apply(start_hand(config([100, 100, 100])).state, Raise(seat=0, to=50))
    state = transition.state
    transition = apply(state, Fold(seat=1))
    transition = apply(transition.state, Fold(seat=2))
    returned = [e for e in transition.events if isinstance(e, UncalledBetReturned)]
    assert [(r.seat, r.amount) for r in returned] == [(0, 48)]
    assert transition.state.stacks == (103, 99, 98)


def test_side_pots_for_three_all_ins() -> None:
    deck = preset_deck(["AsAh", "KsKh", "QsQh", "JsJh"], "2c3d7h8c9d", button=3)
    state = play(
        config([50, 100, 150, 400], button=3, deck=deck),
        Raise(seat=2, to=150),
        Raise(seat=3, to=400),
        Call(seat=0),
        Call(seat=1),
    )
    assert state.is_complete
    # Aces win the main pot (4 x 50), kings the first side pot (3 x 50), queens the next (2 x 50);
    # 250 of the jacks' shove is uncalled.
    assert state.won == (200, 150, 100, 0)
    assert state.stacks == (200, 150, 100, 250)


def test_odd_chip_goes_to_the_first_winner_left_of_the_button() -> None:
    # Both play the board; a pot of 5 splits 3 to the seat left of the button, 2 to the other.
    deck = preset_deck(["2c3d", "2d3c", "4h5s"], "AsKsQsJsTs", button=2)
    state = play(
        config([100, 100, 100], button=2, deck=deck),
        Call(seat=2),
        Call(seat=0),
        Check(seat=1),
        *[a for _ in range(3) for a in (Check(seat=0), Check(seat=1), Check(seat=2))],
    )
    assert state.won == (2, 2, 2)
    ante = play(
        config(
            [100, 100, 100],
            button=2,
            deck=deck,
            ante=Ante(kind=AnteKind.UNIFORM, amount=1),
        ),
        Fold(seat=2),
        Call(seat=0),
        Check(seat=1),
        *[a for _ in range(3) for a in (Check(seat=0), Check(seat=1))],
    )
    assert ante.won == (4, 3, 0)  # a pot of 7: the odd chip to seat 0, left of the button


def test_showdown_order_starts_with_the_last_river_aggressor_and_losers_muck() -> None:
    deck = preset_deck(["AsAh", "KsKh", "2c7d"], "3c4d8h9cJd")
    cfg = config([100, 100, 100], deck=deck)
    street_actions = [Check(seat=1), Check(seat=2), Check(seat=0)]
    state = play(cfg, Call(seat=0), Call(seat=1), Check(seat=2), *street_actions * 2)
    state = apply(state, Check(seat=1)).state
    transition = apply(state, Bet(seat=2, to=10))
    transition = apply(transition.state, Call(seat=0))
    transition = apply(transition.state, Call(seat=1))
    shown = [e for e in transition.events if isinstance(e, HandShown)]
    assert [s.seat for s in shown] == [2, 0]  # the bettor first, then seat 0 (aces) beats it
    assert transition.state.shown == (True, False, True)


def test_showdown_without_a_river_bet_starts_left_of_the_button() -> None:
    deck = preset_deck(["2c7d", "KsKh", "AsAh"], "3c4d8h9cJd")
    cfg = config([100, 100, 100], deck=deck)
    checks = [Check(seat=1), Check(seat=2), Check(seat=0)]
    state = play(cfg, Call(seat=0), Call(seat=1), Check(seat=2), *checks * 2)
    for action in checks[:2]:
        state = apply(state, action).state
    transition = apply(state, checks[2])
    shown = [e for e in transition.events if isinstance(e, HandShown)]
    assert [s.seat for s in shown] == [1, 2]  # kings first, aces beat them, 72 mucks


def test_everyone_shows_when_a_player_is_all_in() -> None:
    deck = preset_deck(["AsAh", "KsKh", "2c7d"], "3c4d8h9cJd")
    transition = apply(
        play(config([100, 100, 50], deck=deck), Raise(seat=0, to=100), Call(seat=1)),
        Call(seat=2),
    )
    shown = {e.seat for e in transition.events if isinstance(e, HandShown)}
    assert shown == {0, 1, 2}
    assert any(isinstance(e, BoardDealt) and e.street is Street.RIVER for e in transition.events)


# --- bad input -----------------------------------------------------------------------------------


def test_acting_out_of_turn_is_refused() -> None:
    state = start_hand(config([100] * 3)).state
    with pytest.raises(NotYourTurn):
        apply(state, Call(seat=1))


def test_betting_when_there_is_already_a_bet_is_refused() -> None:
    state = start_hand(config([100] * 3)).state
    with pytest.raises(IllegalAction, match="already a bet"):
        apply(state, Bet(seat=0, to=10))


def test_checking_facing_a_bet_and_calling_nothing_are_refused() -> None:
    state = start_hand(config([100] * 3)).state
    with pytest.raises(IllegalAction):
        apply(state, Check(seat=0))
    state = play(config([100] * 3), Call(seat=0), Call(seat=1))
    with pytest.raises(IllegalAction):
        apply(state, Call(seat=2))


@pytest.mark.parametrize("amount", [10.0, 10.5, True, "10", None, -5, 10**16])
def test_malformed_amounts_are_refused(amount: object) -> None:
    state = start_hand(config([100] * 3)).state
    with pytest.raises((MalformedInput, BetOutOfRange)):
        apply(state, Raise(seat=0, to=amount))  # type: ignore[arg-type]


@pytest.mark.parametrize("action", [object(), "call", Fold(seat=True), Call(seat=None)])  # type: ignore[arg-type]
def test_things_that_are_not_actions_are_refused(action: object) -> None:
    state = start_hand(config([100] * 3)).state
    with pytest.raises((MalformedInput, NotYourTurn)):
        apply(state, action)  # type: ignore[arg-type]


def test_a_state_decoded_without_its_offered_actions_still_plays() -> None:
    fresh = start_hand(config([100] * 3)).state
    state = msgspec.structs.replace(fresh, offered=None)
    assert legal_actions(state) == legal_actions(fresh)
    assert apply(state, Call(seat=0)).state.to_act == 1


def test_actions_after_the_hand_are_refused() -> None:
    state = play(config([100, 100]), Fold(seat=0))
    assert state.is_complete and legal_actions(state) is None
    with pytest.raises(HandComplete):
        apply(state, Check(seat=1))


@pytest.mark.parametrize(
    "stacks, kwargs",
    [
        ([100], {}),
        ([100] * 11, {}),
        ([100, 0], {}),
        ([100, -1], {}),
        ([100, 1.5], {}),
        ([100, 100], {"button": 2}),
        ([100, 100], {"sb": 3, "bb": 2}),
        ([100, 100], {"straddle": 4}),
        ([100, 100, 100], {"straddle": 2}),
        ([100, 100, 100], {"straddle": 4, "variant": "FLHE"}),
        ([100, 100], {"deck": (*range(51), 0)}),
        ([100, 100], {"variant": "RAZZ"}),
    ],
)
def test_impossible_configurations_are_refused(
    stacks: list[int], kwargs: dict[str, object]
) -> None:
    with pytest.raises((InvalidConfiguration, MalformedInput)):
        start_hand(config(stacks, **kwargs))  # type: ignore[arg-type]


def test_a_refused_action_changes_nothing() -> None:
    state = start_hand(config([100] * 3)).state
    before = state
    with pytest.raises(BetOutOfRange):
        apply(state, Raise(seat=0, to=3))
    assert state == before
    assert legal_actions(state) == legal_actions(before)


def test_same_deck_and_actions_give_the_same_events() -> None:
    cfg = config([100, 80, 120], deck=preset_deck(["AsAh", "KsKh", "2c7d"], "3c4d8h9cJd"))
    actions = [Raise(seat=0, to=10), Call(seat=1), Raise(seat=2, to=40), Call(seat=0), Fold(seat=1)]

    def run() -> list[object]:
        transition = start_hand(cfg)
        events: list[object] = list(transition.events)
        state = transition.state
        for action in actions:
            transition = apply(state, action)
            state = transition.state
            events.extend(transition.events)
        return events

    assert run() == run()


def test_raise_event_marks_short_all_ins_incomplete() -> None:
    transition = apply(
        play(config([100, 100, 13, 100]), Raise(seat=3, to=8), Call(seat=0), Call(seat=1)),
        Raise(seat=2, to=13),
    )
    raised = [e for e in transition.events if isinstance(e, PlayerRaised)]
    assert raised and not raised[0].complete and raised[0].all_in


# --- rake ----------------------------------------------------------------------------------------


def raked(stacks: list[int], rule: RakeRule, *actions: Action, **kwargs: object) -> HandState:
    cfg = msgspec.structs.replace(config(stacks, **kwargs), rake=rule)  # type: ignore[arg-type]
    return play(cfg, *actions)


def test_no_flop_no_drop() -> None:
    rule = RakeRule(percent_bp=500)
    state = raked([100] * 3, rule, Raise(seat=0, to=20), Call(seat=1), Fold(seat=2))
    assert not state.is_complete
    state = raked([100] * 3, rule, Raise(seat=0, to=20), Fold(seat=1), Fold(seat=2))
    assert state.is_complete and state.rake == 0
    assert state.stacks == (103, 99, 98)


def test_rake_is_a_percentage_rounded_down_and_capped() -> None:
    check_down = [Check(seat=s) for s in (1, 2, 0) * 3]
    deck = preset_deck(["AsAh", "KsKh", "2c7d"], "3c4d8h9cJd")
    state = raked(
        [100] * 3,
        RakeRule(percent_bp=500),
        Call(seat=0),
        Call(seat=1),
        Check(seat=2),
        *check_down,
        deck=deck,
    )
    assert state.rake == 0  # 5% of 6 is 0.3: rounded down
    state = raked(
        [1000] * 3,
        RakeRule(percent_bp=500, cap=7),
        Raise(seat=0, to=100),
        Call(seat=1),
        Call(seat=2),
        *check_down,
        deck=deck,
    )
    assert state.rake == 7  # 5% of 300 is 15, capped at 7
    assert state.stacks == (1000 + 200 - 7, 900, 900)


def test_rake_shares_follow_contributions_and_add_up() -> None:
    deck = preset_deck(["AsAh", "KsKh", "2c7d"], "3c4d8h9cJd")
    cfg = msgspec.structs.replace(config([1000] * 3, deck=deck), rake=RakeRule(percent_bp=1000))
    state = play(
        cfg,
        Raise(seat=0, to=100),
        Call(seat=1),
        Call(seat=2),
        Check(seat=1),
        Check(seat=2),
        Bet(seat=0, to=100),
        Call(seat=1),
        Fold(seat=2),
        Check(seat=1),
        Check(seat=0),
        Check(seat=1),
    )
    transition = apply(state, Check(seat=0))
    rake = next(e for e in transition.events if isinstance(e, RakeTaken))
    assert rake.amount == transition.state.rake == 50  # 10% of a 500 pot
    assert rake.contributions == (20, 20, 10)  # in proportion to 200, 200 and 100 put in
    assert transition.state.stacks == (1000 + 300 - 50, 800, 900)


def test_rake_on_a_pot_of_dead_money_is_charged_to_the_big_blind_ante_poster() -> None:
    # Heads-up: the big blind's whole stack goes in as a dead big-blind ante; the small blind's
    # chip comes back uncalled, so the pot is the dead ante alone.
    state = raked(
        [1, 10],
        RakeRule(percent_bp=1000, no_flop_no_drop=False),
        sb=1,
        bb=10,
        ante=Ante(kind=AnteKind.BIG_BLIND, amount=10),
    )
    assert state.is_complete
    assert state.rake == 1
    assert sum(state.stacks) + state.rake == 11
