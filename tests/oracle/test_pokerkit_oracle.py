"""Tests of the PokerKit oracle itself (tablium.bench.pokerkit_replay) on hand-computed hands.

Every expected number below was worked out by hand from our rules, not read off the oracle.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

pytest.importorskip("pokerkit")

from tablium.bench.pokerkit_replay import (
    CONVENTIONS,
    POKERKIT_FL_CAP,
    FixedLimitCap,
    UnsupportedHand,
    describe_conventions,
    random_hand,
    replay_with_pokerkit,
)

ALL_CARDS = [r + s for r in "23456789TJQKA" for s in "cdhs"]


def split(cards: str) -> list[str]:
    return [cards[i : i + 2] for i in range(0, len(cards), 2)]


def build_deck(button: int, holes: dict[int, str], board: str) -> str:
    """A deck that deals ``holes`` (seat -> cards) and ``board`` in our dealing order.

    Hole cards go one at a time from the seat after the button; one burn before the flop, the
    turn and the river; burns and the rest of the deck are the unused cards in order.
    """
    n = len(holes)
    per_seat = {seat: split(cards) for seat, cards in holes.items()}
    rounds = len(next(iter(per_seat.values())))
    order = [(button + 1 + i) % n for i in range(n)]
    dealt = [per_seat[seat][r] for r in range(rounds) for seat in order]
    flop, turn, river = split(board)[:3], split(board)[3], split(board)[4]
    spare = [c for c in ALL_CARDS if c not in dealt and c not in split(board)]
    deck = [*dealt, spare.pop(0), *flop, spare.pop(0), turn, spare.pop(0), river, *spare]
    assert sorted(deck) == sorted(ALL_CARDS)
    return "".join(deck)


def make_hand(  # noqa: PLR0917 - reads like a hand history
    variant: str,
    stacks: list[int],
    button: int,
    blinds: tuple[int, int, int],
    holes: dict[int, str],
    board: str,
    actions: list[tuple[Any, ...]],
    ante: tuple[str, int] = ("none", 0),
) -> dict[str, Any]:
    acts: list[dict[str, Any]] = []
    for seat, kind, *to in actions:
        act: dict[str, Any] = {"seat": seat, "type": kind}
        if to:
            act["to"] = to[0]
        acts.append(act)
    return {
        "variant": variant,
        "starting_stacks": stacks,
        "button": button,
        "blinds": {"sb": blinds[0], "bb": blinds[1], "straddle": blinds[2]},
        "ante": {"kind": ante[0], "amount": ante[1]},
        "deck": build_deck(button, holes, board),
        "actions": acts,
    }


# A board on which nobody makes a straight or a flush with the hole cards used below.
DRY_BOARD = "2c7d9h4c3d"


def test_heads_up_nlhe_button_posts_small_blind_and_acts_first_preflop_last_after() -> None:
    hand = make_hand(
        "NLHE",
        [100, 100],
        0,
        (1, 2, 0),
        {0: "AsAh", 1: "KsKh"},
        DRY_BOARD,
        [
            (0, "raise", 6),  # button = small blind, first pre-flop
            (1, "call"),
            (1, "check"),  # big blind first after the flop
            (0, "bet", 10),
            (1, "call"),
            (1, "check"),
            (0, "check"),
            (1, "check"),
            (0, "check"),
        ],
    )
    assert replay_with_pokerkit(hand) == {
        "final_stacks": [116, 84],
        "legal": [
            [1, 4, 100],
            [4, 10, 100],
            [0, 2, 94],
            [0, 2, 94],
            [10, 20, 94],
            [0, 2, 84],
            [0, 2, 84],
            [0, 2, 84],
            [0, 2, 84],
        ],
    }


def test_heads_up_deals_first_card_to_the_big_blind() -> None:
    # the deck's first card goes to seat 1 (after the button); swap the holes and seat 1 wins
    hand = make_hand(
        "NLHE", [100, 100], 0, (1, 2, 0), {0: "KsKh", 1: "AsAh"}, DRY_BOARD,
        [(0, "call"), (1, "check"), (1, "check"), (0, "check"), (1, "check"), (0, "check"),
         (1, "check"), (0, "check")],
    )  # fmt: skip
    assert replay_with_pokerkit(hand)["final_stacks"] == [98, 102]


def test_three_way_all_in_with_side_pots() -> None:
    hand = make_hand(
        "NLHE",
        [50, 100, 200],
        0,
        (5, 10, 0),
        {0: "AsAh", 1: "KsKh", 2: "QsQh"},
        DRY_BOARD,
        [(0, "raise", 50), (1, "raise", 100), (2, "call")],
    )
    # main pot 150 -> seat 0; side pot 100 -> seat 1; seat 2 keeps its unmatched 100.
    # Seat 2 may not raise: every other player is all-in.
    assert replay_with_pokerkit(hand) == {
        "final_stacks": [150, 100, 100],
        "legal": [[10, 20, 50], [45, 90, 100], [90, None, None]],
    }


def test_plo_pot_sized_raises() -> None:
    hand = make_hand(
        "PLO",
        [1000, 1000, 1000, 1000],
        0,
        (1, 2, 0),
        {0: "AsAhKsKh", 1: "2s3s4h5h", 2: "6c6d8c8d", 3: "TsThJdJh"},
        DRY_BOARD,
        [(3, "raise", 7), (0, "raise", 24), (1, "fold"), (2, "fold"), (3, "fold")],
    )
    # pot 3, UTG pot raise: call 2 + pot 5 -> 7; button: 7 + (10 + 7) = 24;
    # SB: 24 + (34 + 23) = 81 max, min 24 + 17 = 41; BB: 80; UTG: 75
    assert replay_with_pokerkit(hand) == {
        "final_stacks": [1010, 999, 998, 993],
        "legal": [[2, 4, 7], [7, 12, 24], [23, 41, 81], [22, 41, 80], [17, 41, 75]],
    }


def test_flhe_small_and_big_bets() -> None:
    hand = make_hand(
        "FLHE",
        [100, 100, 100],
        0,
        (1, 2, 0),
        {0: "AsAh", 1: "KsKh", 2: "QsQh"},
        DRY_BOARD,
        [
            (0, "raise", 4),
            (1, "call"),
            (2, "call"),
            (1, "check"),  # flop: small bet 2
            (2, "bet", 2),
            (0, "raise", 4),
            (1, "fold"),
            (2, "call"),
            (2, "bet", 4),  # turn: big bet 4
            (0, "call"),
            (2, "check"),
            (0, "check"),
        ],
    )
    assert replay_with_pokerkit(hand) == {
        "final_stacks": [116, 96, 88],
        "legal": [
            [2, 4, 4],
            [3, 6, 6],
            [2, 6, 6],
            [0, 2, 2],
            [0, 2, 2],
            [2, 4, 4],
            [4, 6, 6],
            [2, 6, 6],
            [0, 4, 4],
            [4, 8, 8],
            [0, 4, 4],
            [0, 4, 4],
        ],
    }


def _heads_up_flhe_raise_war(raises: int) -> dict[str, Any]:
    actions: list[tuple[Any, ...]] = [
        (i % 2, "raise", 2 * (i + 2)) for i in range(raises)
    ]  # 4, 6, 8, 10, ...
    actions.append((raises % 2, "call"))
    actions += [(1, "check"), (0, "check")] * 3
    return make_hand("FLHE", [1000, 1000], 0, (1, 2, 0), {0: "AsAh", 1: "KsKh"}, DRY_BOARD, actions)


def test_flhe_cap_is_the_big_blind_plus_three_raises_heads_up_too() -> None:
    out = replay_with_pokerkit(_heads_up_flhe_raise_war(3))
    assert out["legal"][:4] == [[1, 4, 4], [2, 6, 6], [2, 8, 8], [2, None, None]]
    assert out["final_stacks"] == [1008, 992]
    assert "error" in replay_with_pokerkit(_heads_up_flhe_raise_war(4))


def test_flhe_cap_is_configurable() -> None:
    # PokerKit's own cap: four raises over the blind pre-flop, not lifted heads-up
    out = replay_with_pokerkit(_heads_up_flhe_raise_war(4), fl_cap=POKERKIT_FL_CAP)
    assert out["legal"][:5] == [[1, 4, 4], [2, 6, 6], [2, 8, 8], [2, 10, 10], [2, None, None]]
    assert out["final_stacks"] == [1010, 990]
    raw = replay_with_pokerkit(_heads_up_flhe_raise_war(4), normalise=False)
    assert raw["legal"][4] == [2, None, None]
    lifted = FixedLimitCap(lifted_heads_up=True)
    out = replay_with_pokerkit(_heads_up_flhe_raise_war(6), fl_cap=lifted)
    assert out["legal"][6] == [2, 16, 16]
    assert out["final_stacks"] == [1014, 986]


def _flhe_short_all_in_bet(fourth_bet: bool) -> dict[str, Any]:
    # seat 1 has 1 chip left on the flop and bets it: short of the 2-chip unit
    flop_end: list[tuple[Any, ...]] = (
        [(0, "raise", 9), (2, "call")] if fourth_bet else [(0, "call")]
    )
    return make_hand(
        "FLHE",
        [100, 3, 100],
        0,
        (1, 2, 0),
        {0: "AsAh", 1: "KsKh", 2: "QsQh"},
        DRY_BOARD,
        [(0, "call"), (1, "call"), (2, "check"),
         (1, "bet", 1), (2, "raise", 3), (0, "raise", 5), (2, "raise", 7), *flop_end,
         (2, "check"), (0, "check"), (2, "check"), (0, "check")],
    )  # fmt: skip


def test_flhe_short_all_in_does_not_count_towards_the_cap() -> None:
    out = replay_with_pokerkit(_flhe_short_all_in_bet(fourth_bet=True))
    assert out == {
        "final_stacks": [114, 0, 89],
        "legal": [[2, 4, 4], [1, 3, 3], [0, 4, 4],
                  [0, 1, 1], [1, 3, 3], [3, 5, 5], [2, 7, 7], [2, 9, 9], [2, None, None],
                  [0, 4, 4], [0, 4, 4], [0, 4, 4], [0, 4, 4]],
    }  # fmt: skip
    # PokerKit counts the short bet: the fourth full bet is refused
    pk = replay_with_pokerkit(_flhe_short_all_in_bet(fourth_bet=False), fl_cap=POKERKIT_FL_CAP)
    assert pk["legal"][7] == [2, None, None]
    assert pk["final_stacks"] == [112, 0, 91]


def test_straddle_is_a_full_bet() -> None:
    hand = make_hand(
        "NLHE",
        [100, 100, 100, 100],
        0,
        (1, 2, 4),
        {0: "AsAh", 1: "KsKh", 2: "QsQh", 3: "JsJh"},
        DRY_BOARD,
        [(0, "raise", 8), (1, "fold"), (2, "fold"), (3, "fold")],
    )
    out = replay_with_pokerkit(hand)
    assert out == {
        "final_stacks": [107, 99, 98, 96],
        "legal": [[4, 8, 100], [7, 12, 100], [6, 12, 100], [4, 12, 100]],
    }
    # PokerKit by itself: minimum raise to 6 (straddle increment over the big blind)
    raw = replay_with_pokerkit(hand, normalise=False)
    assert raw["legal"][0] == [4, 6, 100]


def test_straddles_need_three_players_and_no_fixed_limit() -> None:
    heads_up = make_hand("NLHE", [100, 100], 0, (1, 2, 4), {0: "AsAh", 1: "KsKh"}, DRY_BOARD, [])
    assert "error" in replay_with_pokerkit(heads_up)
    flhe = make_hand(
        "FLHE", [100] * 3, 0, (1, 2, 4), {0: "AsAh", 1: "KsKh", 2: "QsQh"}, DRY_BOARD, []
    )
    assert "error" in replay_with_pokerkit(flhe)
    no_bigger = make_hand(
        "NLHE", [100] * 3, 0, (1, 2, 2), {0: "AsAh", 1: "KsKh", 2: "QsQh"}, DRY_BOARD, []
    )
    assert "error" in replay_with_pokerkit(no_bigger)


def _limp_then_short_all_in(last: tuple[Any, ...]) -> dict[str, Any]:
    # button limps, SB moves all-in for 15 (a raise of 5, below the big blind's 10), BB calls
    return make_hand(
        "NLHE",
        [1000, 15, 1000],
        0,
        (5, 10, 0),
        {0: "AsAh", 1: "KsKh", 2: "QsQh"},
        DRY_BOARD,
        [(0, "call"), (1, "raise", 15), (2, "call"), last] + [(2, "check"), (0, "check")] * 3,
    )


def test_short_all_in_does_not_reopen_for_a_limper() -> None:
    out = replay_with_pokerkit(_limp_then_short_all_in((0, "call")))
    assert out == {
        "final_stacks": [1030, 0, 985],
        "legal": [[10, 20, 1000], [5, 15, 15], [5, 25, 1000], [5, None, None]] + [[0, 10, 985]] * 6,
    }
    assert "error" in replay_with_pokerkit(_limp_then_short_all_in((0, "raise", 25)))
    # PokerKit by itself lets the limper re-raise
    raw = replay_with_pokerkit(_limp_then_short_all_in((0, "call")), normalise=False)
    assert raw["legal"][3] == [5, 25, 1000]


def test_short_all_ins_adding_up_to_a_full_raise_reopen_the_betting() -> None:
    # flop: seat 1 bets 100, seat 2 all-in 150, seat 3 all-in 200 (two short raises of 50)
    hand = make_hand(
        "NLHE",
        [1000, 1000, 160, 210],
        0,
        (5, 10, 0),
        {0: "AsAh", 1: "KsKh", 2: "QsQh", 3: "JsJh"},
        DRY_BOARD,
        [(3, "call"), (0, "call"), (1, "call"), (2, "check"),
         (1, "bet", 100), (2, "raise", 150), (3, "raise", 200), (0, "call"), (1, "call"),
         (1, "check"), (0, "check"), (1, "check"), (0, "check")],
    )  # fmt: skip
    out = replay_with_pokerkit(hand, annotate=True)
    assert out["legal"][8] == [100, 300, 990]  # TDA rule 43: seat 1 faces 100 = a full raise
    assert [a["tda_reopen"] for a in out["annotations"]] == [False] * 8 + [True] + [False] * 4
    assert out["annotations"][8]["pokerkit_bounds"] == [300, 990]
    # seat 0 (AA) wins everything in play; seat 1 (KK) keeps what it did not put in
    assert out["final_stacks"] == [1580, 790, 0, 0]


def _three_short_all_ins(seat_1_reraises: bool) -> dict[str, Any]:
    # flop: seat 1 bets 100, seat 2 calls, then three all-ins of +50 each (150, 200, 250)
    tail: list[tuple[Any, ...]] = (
        [(1, "raise", 350), (2, "fold")] if seat_1_reraises else [(1, "call"), (2, "call")]
    )
    return make_hand(
        "NLHE",
        [260, 1000, 1000, 160, 210],
        0,
        (5, 10, 0),
        {0: "AsAh", 1: "KsKh", 2: "QsQh", 3: "JsJh", 4: "TsTh"},
        DRY_BOARD,
        [(3, "call"), (4, "call"), (0, "call"), (1, "call"), (2, "check"),
         (1, "bet", 100), (2, "call"), (3, "raise", 150), (4, "raise", 200), (0, "raise", 250),
         *tail, (1, "check"), (2, "check"), (1, "check"), (2, "check")],
    )  # fmt: skip


def test_pokerkit_cannot_apply_every_rule_43_reopening() -> None:
    # seat 1 faces 150 above its bet of 100 after three short all-ins: reopened (rule 43), but
    # PokerKit already "spent" the first two all-ins on a reopening and refuses the raise
    out = replay_with_pokerkit(_three_short_all_ins(seat_1_reraises=False), annotate=True)
    assert out["legal"][10] == [150, 350, 990]
    assert out["annotations"][10]["pokerkit_refuses"] is True
    assert out["annotations"][10]["pokerkit_bounds"] == [None, None]
    assert sum(out["final_stacks"]) == 2630
    with pytest.raises(UnsupportedHand):
        replay_with_pokerkit(_three_short_all_ins(seat_1_reraises=True))


def test_raise_when_the_others_are_all_in_or_covered() -> None:
    # flop: seat 1 bets all-in; seat 2 may still raise because seat 0 (30 behind) is not
    # all-in, although seat 0 cannot call more than 30 (PokerKit forbids this raise)
    hand = make_hand(
        "NLHE",
        [40, 300, 1000],
        0,
        (5, 10, 0),
        {0: "AsAh", 1: "KsKh", 2: "QsQh"},
        DRY_BOARD,
        [(0, "call"), (1, "call"), (2, "check"),
         (1, "bet", 290), (2, "raise", 990), (0, "call")],
    )  # fmt: skip
    out = replay_with_pokerkit(hand, annotate=True)
    assert out["legal"] == [
        [10, 20, 40], [5, 20, 300], [0, 20, 1000], [0, 10, 290], [290, 580, 990], [30, None, None],
    ]  # fmt: skip
    assert out["annotations"][4]["covered_raise"] is True
    # main pot 120 -> seat 0, side pot 520 -> seat 1, 700 uncalled back to seat 2
    assert out["final_stacks"] == [120, 520, 700]


def test_odd_chips_go_one_at_a_time_from_the_left_of_the_button() -> None:
    # pot 8 (bb ante 1, dead small blind 1, three calls of 2) split three ways on a royal board
    hand = make_hand(
        "NLHE",
        [100, 100, 100, 100],
        0,
        (1, 2, 0),
        {0: "2c2d", 1: "3c3d", 2: "4c4d", 3: "5c5d"},
        "AsKsQsJsTs",
        [(3, "call"), (0, "call"), (1, "fold"), (2, "check")]
        + [(2, "check"), (3, "check"), (0, "check")] * 3,
        ante=("bb", 1),
    )
    out = replay_with_pokerkit(hand, annotate=True)
    assert out["final_stacks"] == [100, 99, 100, 101]  # seats 2 and 3 get the odd chips
    assert out["pokerkit_final_stacks"] == [100, 99, 101, 100]  # PokerKit: both to seat 2


def test_each_pot_is_split_separately() -> None:
    # main pot 13 (incl. a bb ante of 1) and side pot 37 (incl. 3 chips of the folded UTG),
    # both tied between seats 1 and 2: seat 1, first from the left of the button, gets both
    # odd chips. PokerKit merges the two pots once seat 0's hand is dead and splits 50 evenly.
    hand = make_hand(
        "NLHE",
        [3, 100, 100, 100],
        0,
        (1, 2, 0),
        {0: "4h4c", 1: "Th3c", 2: "Tc3d", 3: "5h6h"},
        "AsKsQsJs2d",
        [(3, "raise", 6), (0, "call"), (1, "call"), (2, "raise", 20), (3, "fold"), (1, "call")]
        + [(1, "check"), (2, "check")] * 3,
        ante=("bb", 1),
    )
    out = replay_with_pokerkit(hand, annotate=True)
    assert out["final_stacks"] == [0, 106, 103, 94]
    assert out["pokerkit_final_stacks"] == [0, 105, 104, 94]
    preflop = [
        [2, 4, 100],
        [3, None, None],
        [5, 10, 100],
        [4, 10, 99],
        [14, 34, 100],
        [14, 34, 100],
    ]
    assert out["legal"] == preflop + [[0, 2, 80], [0, 2, 79]] * 3


def test_big_blind_ante_is_dead_money_in_the_main_pot() -> None:
    hand = make_hand(
        "NLHE",
        [30, 1000, 1000],
        0,
        (5, 10, 0),
        {0: "AsAh", 1: "KsKh", 2: "QsQh"},
        DRY_BOARD,
        [(0, "raise", 30), (1, "call"), (2, "call"),
         (1, "bet", 100), (2, "call"), (1, "check"), (2, "check"), (1, "check"), (2, "check")],
        ante=("bb", 10),
    )  # fmt: skip
    out = replay_with_pokerkit(hand)
    # main pot 3 x 30 + the 10 ante -> seat 0; side pot 200 -> seat 1
    assert out == {
        "final_stacks": [100, 1070, 860],
        "legal": [[10, 20, 30], [25, 50, 1000], [20, 50, 990], [0, 10, 970],
                  [100, 200, 960], [0, 10, 870], [0, 10, 860], [0, 10, 870], [0, 10, 860]],
    }  # fmt: skip


def test_uniform_antes_are_live_for_side_pots() -> None:
    # same hand with a uniform ante of 10: seat 0 is all-in for 30 including its ante
    hand = make_hand(
        "NLHE",
        [30, 1000, 1000],
        0,
        (5, 10, 0),
        {0: "AsAh", 1: "KsKh", 2: "QsQh"},
        DRY_BOARD,
        [(0, "raise", 20), (1, "call"), (2, "call"),
         (1, "check"), (2, "check"), (1, "check"), (2, "check"), (1, "check"), (2, "check")],
        ante=("uniform", 10),
    )  # fmt: skip
    out = replay_with_pokerkit(hand)
    assert out["legal"][0] == [10, 20, 20]
    assert out["final_stacks"] == [90, 970, 970]


def test_no_decision_check_is_skipped() -> None:
    # seat 0 calls all-in for 8 (less than the big blind), the small blind folds: the big blind
    # has nothing to call and nobody to raise against, so it is not asked to act
    hand = make_hand(
        "NLHE",
        [8, 1000, 1000],
        0,
        (5, 10, 0),
        {0: "AsAh", 1: "KsKh", 2: "QsQh"},
        DRY_BOARD,
        [(0, "call"), (1, "fold")],
    )
    out = replay_with_pokerkit(hand, annotate=True)
    assert out["final_stacks"] == [21, 995, 992]
    assert out["legal"] == [[8, None, None], [5, 20, 1000]]
    assert out["auto_checks"] == [{"before_action": 2, "seat": 2}]
    assert "error" in replay_with_pokerkit(hand, normalise=False)  # PokerKit wants the check


def test_folding_when_checking_is_free_is_allowed() -> None:
    hand = make_hand(
        "NLHE",
        [100, 100],
        0,
        (1, 2, 0),
        {0: "AsAh", 1: "KsKh"},
        DRY_BOARD,
        [(0, "call"), (1, "fold")],
    )
    assert replay_with_pokerkit(hand) == {
        "final_stacks": [102, 98],
        "legal": [[1, 4, 100], [0, 4, 100]],
    }
    assert "error" in replay_with_pokerkit(hand, normalise=False)  # PokerKit refuses it


@pytest.mark.parametrize(
    ("actions", "why"),
    [
        ([(1, "call")], "out of turn"),
        ([(0, "check")], "check facing a bet"),
        ([(0, "bet", 4)], "bet pre-flop"),
        ([(0, "raise", 3)], "below the minimum"),
        ([(0, "raise", 101)], "above the stack"),
        ([(0, "fold"), (1, "check")], "after the hand is over"),
        ([(0, "call")], "hand not complete"),
    ],
)
def test_illegal_actions_make_the_hand_an_error(actions: list[tuple[Any, ...]], why: str) -> None:
    hand = make_hand("NLHE", [100, 100], 0, (1, 2, 0), {0: "AsAh", 1: "KsKh"}, DRY_BOARD, actions)
    out = replay_with_pokerkit(hand)
    assert set(out) == {"error"}, why


def test_bad_configurations_are_errors() -> None:
    good = make_hand("NLHE", [100, 100], 0, (1, 2, 0), {0: "AsAh", 1: "KsKh"}, DRY_BOARD, [])
    for key, value in [
        ("deck", good["deck"][:-2]),
        ("starting_stacks", [100, 0]),
        ("button", 2),
        ("blinds", {"sb": 2, "bb": 2, "straddle": 0}),
        ("variant", "Razz"),
    ]:
        assert "error" in replay_with_pokerkit({**good, key: value}), key


def test_random_hands_replay_cleanly_and_conserve_chips() -> None:
    rng = random.Random("oracle-self-test")
    seen: set[str] = set()
    for _ in range(400):
        hand = random_hand(rng)
        out = replay_with_pokerkit(hand)
        assert "error" not in out, hand
        assert sum(out["final_stacks"]) == sum(hand["starting_stacks"])
        assert min(out["final_stacks"]) >= 0
        assert len(out["legal"]) == len(hand["actions"])
        for action, (to_call, low, high) in zip(hand["actions"], out["legal"], strict=True):
            assert (low is None) == (high is None)
            if action["type"] in ("bet", "raise"):
                assert low is not None and high is not None
                assert low <= action["to"] <= high
            assert to_call >= 0
        seen.add(hand["variant"])
    assert seen == {"NLHE", "PLO", "FLHE"}


@pytest.mark.parametrize("variant", ["NLHE", "PLO", "FLHE"])
def test_random_hand_respects_the_variant_and_is_deterministic(variant: str) -> None:
    first = random_hand(random.Random(5), variant)
    assert first == random_hand(random.Random(5), variant)
    assert first["variant"] == variant
    assert 2 <= len(first["starting_stacks"]) <= 9
    assert sorted(split(first["deck"])) == sorted(ALL_CARDS)


def test_random_hands_cover_the_tricky_situations() -> None:
    rng = random.Random("coverage")
    counts = {"short_stack": 0, "straddle": 0, "uniform": 0, "bb": 0, "all_in": 0}
    for _ in range(300):
        hand = random_hand(rng)
        bb = hand["blinds"]["bb"]
        counts["short_stack"] += min(hand["starting_stacks"]) < bb
        counts["straddle"] += hand["blinds"]["straddle"] > 0
        counts[hand["ante"]["kind"]] = counts.get(hand["ante"]["kind"], 0) + 1
        out = replay_with_pokerkit(hand)
        counts["all_in"] += 0 in out["final_stacks"]
    assert all(counts[key] >= 10 for key in ("short_stack", "straddle", "uniform", "bb")), counts
    assert counts["all_in"] >= 60, counts


def test_conventions_are_documented() -> None:
    text = describe_conventions()
    for convention in CONVENTIONS:
        assert convention.name in text
    assert len({c.name for c in CONVENTIONS}) == len(CONVENTIONS)
