"""Statistics from finished hands and tournaments: VPIP, PFR, net won, tournament finishes.

Hand-made hands pin the definitions down one case each; hands of offline sessions check them
against the PokerStars export, read the way tracking software reads it.
"""

from __future__ import annotations

import doctest
import re
from collections.abc import Sequence

import pytest

from tablium.errors import InvalidInput
from tablium.offline import session
from tablium.players import stats
from tablium.players.stats import (
    HandStatDelta,
    TournamentResult,
    hand_stat_deltas,
    percentage,
    player_stats,
    tournament_stat_deltas,
)
from tablium.poker.actions import Action, Bet, Call, Check, Fold, Raise
from tablium.poker.hand import Ante, AnteKind, Blinds, HandConfig, apply, start_hand
from tablium.poker.history import HandHistory, HandMeta, build_history
from tablium.poker.pokerstars import export_pokerstars
from tablium.poker.rake import RakeRule

ANN, BOB, CY, DEE = "ann", "bob", "cy", "dee"
BLINDS = Blinds(sb=1, bb=2)
NO_ANTE = Ante()


def played(
    names: Sequence[str],
    *actions: Action,
    blinds: Blinds = BLINDS,
    ante: Ante = NO_ANTE,
    stacks: Sequence[int] | None = None,
) -> HandHistory:
    """A finished hand with the button on the first player, played to the end by ``actions``."""
    config = HandConfig(
        variant="NLHE",
        stacks=tuple(stacks or [200] * len(names)),
        button=0,
        blinds=blinds,
        ante=ante,
        deck=tuple(range(52)),
    )
    transition = start_hand(config)
    state, events = transition.state, list(transition.events)
    for action in actions:
        transition = apply(state, action)
        state = transition.state
        events.extend(transition.events)
    assert state.is_complete, "the test must play the hand to its end"
    meta = HandMeta(
        hand_id="handmade",
        table="t1",
        started_at="2026-01-01T00:00:00+00:00",
        max_seats=6,
        seats=tuple(range(1, len(names) + 1)),
        players=tuple(names),
    )
    return build_history(config, state, events, meta)


def check_down(*seats: int) -> list[Action]:
    """Flop, turn and river checked through by ``seats`` in order."""
    return [Check(seat=seat) for _ in range(3) for seat in seats]


def flags(history: HandHistory) -> dict[str, tuple[int, int]]:
    return {player: (d.vpip, d.pfr) for player, d in hand_stat_deltas(history).items()}


def test_the_doctests_pass() -> None:
    failures, tried = doctest.testmod(stats)
    assert tried > 0
    assert failures == 0


# --- VPIP and PFR, one case each --------------------------------------------------------------


def test_a_limp_is_vpip_but_not_pfr_and_a_big_blind_check_is_neither() -> None:
    # ann on the button limps, bob completes from the small blind, cy checks his option.
    history = played(
        [ANN, BOB, CY], Call(seat=0), Call(seat=1), Check(seat=2), *check_down(1, 2, 0)
    )
    assert flags(history) == {ANN: (1, 0), BOB: (1, 0), CY: (0, 0)}


def test_a_pre_flop_raise_is_vpip_and_pfr_and_calling_it_is_vpip_only() -> None:
    history = played(
        [ANN, BOB, CY], Raise(seat=0, to=6), Fold(seat=1), Call(seat=2), *check_down(2, 0)
    )
    assert flags(history) == {ANN: (1, 1), BOB: (0, 0), CY: (1, 0)}


def test_a_post_flop_bet_is_neither_vpip_nor_pfr() -> None:
    # Everyone checks to the flop, where cy bets and takes it.
    history = played(
        [ANN, BOB, CY],
        Call(seat=0),
        Fold(seat=1),
        Check(seat=2),
        Bet(seat=2, to=4),
        Fold(seat=0),
    )
    assert flags(history) == {ANN: (1, 0), BOB: (0, 0), CY: (0, 0)}


def test_a_big_blind_who_three_bets_is_vpip_and_pfr() -> None:
    history = played(
        [ANN, BOB, CY], Raise(seat=0, to=6), Fold(seat=1), Raise(seat=2, to=18), Fold(seat=0)
    )
    assert flags(history) == {ANN: (1, 1), BOB: (0, 0), CY: (1, 1)}


def test_a_walk_gives_the_big_blind_nothing_voluntary() -> None:
    history = played([ANN, BOB, CY], Fold(seat=0), Fold(seat=1))
    assert flags(history) == {ANN: (0, 0), BOB: (0, 0), CY: (0, 0)}


def test_posting_a_straddle_or_an_ante_is_not_voluntary() -> None:
    # dee straddles to 4; ann calls it; the blinds fold; dee checks her option.
    history = played(
        [ANN, BOB, CY, DEE],
        Call(seat=0),
        Fold(seat=1),
        Fold(seat=2),
        Check(seat=3),
        *check_down(3, 0),
        blinds=Blinds(sb=1, bb=2, straddle=4),
        ante=Ante(kind=AnteKind.UNIFORM, amount=1),
    )
    assert flags(history) == {ANN: (1, 0), BOB: (0, 0), CY: (0, 0), DEE: (0, 0)}


def test_an_all_in_raise_short_of_a_full_raise_is_still_a_raise() -> None:
    history = played(
        [ANN, BOB, CY],
        Raise(seat=0, to=10),
        Raise(seat=1, to=13),  # all in, not a full raise
        Call(seat=2),
        Call(seat=0),
        *check_down(2, 0),
        stacks=[200, 13, 200],
    )
    assert flags(history) == {ANN: (1, 1), BOB: (1, 1), CY: (1, 0)}


# --- Net won ------------------------------------------------------------------------------------


def test_net_won_is_the_final_stack_less_the_starting_stack() -> None:
    history = played([ANN, BOB, CY], Raise(seat=0, to=6), Fold(seat=1), Fold(seat=2))
    deltas = hand_stat_deltas(history)
    assert deltas == {
        ANN: HandStatDelta(hands=1, vpip=1, pfr=1, net_won=3),
        BOB: HandStatDelta(hands=1, vpip=0, pfr=0, net_won=-1),
        CY: HandStatDelta(hands=1, vpip=0, pfr=0, net_won=-2),
    }


def test_a_player_in_two_seats_is_refused() -> None:
    history = played([ANN, BOB, CY], Fold(seat=0), Fold(seat=1))
    history.players[2] = history.players[0]  # not possible at a real table
    with pytest.raises(ValueError, match="two seats"):
        hand_stat_deltas(history)


# --- Real hands ---------------------------------------------------------------------------------

_ACTION = re.compile(r"^(?P<name>[^:]+): (?P<verb>calls|bets|raises|checks|folds)\b")


def tracked_from_export(history: HandHistory) -> dict[str, tuple[int, int]]:
    """VPIP and PFR as a tracker finds them in the exported text: the action lines after the
    hole cards and before the flop (or before the hand ends without one)."""
    found = {seat.player: (0, 0) for seat in history.players}
    lines = export_pokerstars(history).splitlines()
    start = lines.index("*** HOLE CARDS ***") + 1
    for line in lines[start:]:
        if line.startswith("*** ") or line.startswith("Uncalled bet"):
            break
        match = _ACTION.match(line)
        if match is None:
            continue
        vpip, pfr = found[match["name"]]
        if match["verb"] in ("calls", "bets", "raises"):
            vpip = 1
        if match["verb"] in ("bets", "raises"):
            pfr = 1
        found[match["name"]] = (vpip, pfr)
    return found


@pytest.mark.parametrize("players", [2, 6, 9])
def test_real_hands_agree_with_a_tracker_reading_the_export(players: int) -> None:
    seen_vpip = seen_pfr = 0
    for history in session(players, 150, seed=f"stats-{players}".encode()):
        computed = flags(history)
        assert computed == tracked_from_export(history), history.hand_id
        seen_vpip += sum(vpip for vpip, _ in computed.values())
        seen_pfr += sum(pfr for _, pfr in computed.values())
    assert seen_vpip > seen_pfr > 0  # the sessions exercise both


def test_real_hands_count_once_per_seat_and_lose_only_the_rake() -> None:
    rake = RakeRule(percent_bp=500, cap=10)
    raked = 0
    for history in session(6, 200, seed=b"rake", rake=rake):
        deltas = hand_stat_deltas(history)
        assert sorted(deltas) == sorted(seat.player for seat in history.players)
        assert all(d.hands == 1 and d.pfr <= d.vpip for d in deltas.values())
        assert [deltas[seat.player].net_won for seat in history.players] == history.net
        assert sum(d.net_won for d in deltas.values()) == -history.rake
        raked += history.rake
    assert raked > 0


# --- Tournaments and percentages ---------------------------------------------------------------


def test_tournament_finishes_earn_played_cashed_and_won() -> None:
    deltas = tournament_stat_deltas(
        [
            TournamentResult(ANN, 1, 500),
            TournamentResult(BOB, 2, 300),
            TournamentResult(CY, 3, 0),  # on the bubble of a prize pool that paid two
            TournamentResult(DEE, 4, 0),
        ],
        cashed_places=3,
    )
    assert {p: (d.played, d.cashed, d.won, d.xp) for p, d in deltas.items()} == {
        ANN: (1, 1, 1, 10 + 25 + 100),
        BOB: (1, 1, 0, 10 + 25),
        CY: (1, 0, 0, 10),
        DEE: (1, 0, 0, 10),
    }


def test_a_prize_outside_the_paid_places_is_not_a_cash() -> None:
    deltas = tournament_stat_deltas([TournamentResult(ANN, 3, 50)], cashed_places=2)
    assert deltas[ANN].cashed == 0


@pytest.mark.parametrize(
    ("results", "cashed_places", "code"),
    [
        ([TournamentResult(ANN, 1, 0), TournamentResult(ANN, 2, 0)], 1, "duplicate_result"),
        ([TournamentResult(ANN, 0, 0)], 1, "invalid_result"),
        ([TournamentResult(ANN, 1, -5)], 1, "invalid_result"),
        ([TournamentResult(ANN, 1, 5)], -1, "invalid"),
    ],
)
def test_impossible_tournament_results_are_refused(
    results: list[TournamentResult], cashed_places: int, code: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        tournament_stat_deltas(results, cashed_places=cashed_places)
    assert raised.value.code == code


def test_percentages_have_one_decimal_rounded_half_up_and_none_without_hands() -> None:
    assert percentage(0, 0) == 0.0
    assert percentage(1, 3) == 33.3
    assert percentage(2, 3) == 66.7
    assert percentage(1, 2000) == 0.1  # 0.05 rounds up
    assert percentage(7, 7) == 100.0


def test_player_stats_turn_counters_into_percentages() -> None:
    figures = player_stats(
        hands_played=40,
        vpip_hands=10,
        pfr_hands=5,
        net_won={"USD": -150, "CHIP": 300},
        tournaments_played=3,
        tournaments_cashed=1,
        tournaments_won=0,
    )
    assert (figures.vpip, figures.pfr) == (25.0, 12.5)
    assert list(figures.net_won) == ["CHIP", "USD"]
