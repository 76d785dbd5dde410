"""The hand evaluator: exhaustive counts, brute force, PokerKit as an independent oracle."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from itertools import combinations, pairwise, starmap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pokerkit import OmahaHoldemHand, StandardHighHand

from tablium.poker.cards import Card, format_cards, parse_cards
from tablium.poker.errors import MalformedInput
from tablium.poker.evaluator import (
    DISTINCT_STRENGTHS,
    HandCategory,
    category,
    describe,
    evaluate,
    evaluate5,
    evaluate6,
    evaluate7,
    evaluate_omaha,
)

# The textbook frequencies of the 2,598,960 five-card hands.
FIVE_CARD_COUNTS = {
    HandCategory.STRAIGHT_FLUSH: 40,
    HandCategory.FOUR_OF_A_KIND: 624,
    HandCategory.FULL_HOUSE: 3_744,
    HandCategory.FLUSH: 5_108,
    HandCategory.STRAIGHT: 10_200,
    HandCategory.THREE_OF_A_KIND: 54_912,
    HandCategory.TWO_PAIR: 123_552,
    HandCategory.ONE_PAIR: 1_098_240,
    HandCategory.HIGH_CARD: 1_302_540,
}


def _deal(rng: random.Random, size: int) -> list[Card]:
    """Random distinct cards; half the time from two suits only, so flushes are common."""
    if rng.random() < 0.5:
        return rng.sample(range(52), size)
    suits = rng.sample(range(4), 2)
    return rng.sample([card for card in range(52) if card & 3 in suits], size)


def _best_of_fives(cards: Sequence[Card]) -> int:
    return max(starmap(evaluate5, combinations(cards, 5)))


@pytest.fixture(scope="module")
def five_card_strengths() -> Counter[int]:
    """How many of all 2,598,960 five-card hands have each strength."""
    return Counter(starmap(evaluate5, combinations(range(52), 5)))


def test_all_five_card_hands_have_the_textbook_category_counts(
    five_card_strengths: Counter[int],
) -> None:
    counts: Counter[HandCategory] = Counter()
    for strength, hands in five_card_strengths.items():
        counts[category(strength)] += hands
    assert counts == FIVE_CARD_COUNTS
    assert counts.total() == 2_598_960


def test_five_card_hands_fall_into_exactly_7462_strengths_numbered_1_to_7462(
    five_card_strengths: Counter[int],
) -> None:
    assert DISTINCT_STRENGTHS == 7462
    assert set(five_card_strengths) == set(range(1, 7463))


def test_categories_occupy_consecutive_strength_ranges_in_rank_order() -> None:
    kinds = [category(s) for s in range(1, DISTINCT_STRENGTHS + 1)]
    assert kinds == sorted(kinds)
    assert set(kinds) == set(HandCategory)


def test_evaluate7_is_the_best_of_its_21_five_card_subsets() -> None:
    rng = random.Random(7)
    for _ in range(4000):
        cards = _deal(rng, 7)
        assert evaluate7(*cards) == _best_of_fives(cards), format_cards(cards)


def test_evaluate6_is_the_best_of_its_6_five_card_subsets() -> None:
    rng = random.Random(6)
    for _ in range(4000):
        cards = _deal(rng, 6)
        assert evaluate6(*cards) == _best_of_fives(cards), format_cards(cards)


def test_evaluate_agrees_with_evaluate5_6_and_7() -> None:
    rng = random.Random(5)
    for _ in range(1000):
        assert evaluate(cards := _deal(rng, 5)) == evaluate5(*cards)
        assert evaluate(cards := _deal(rng, 6)) == evaluate6(*cards)
        assert evaluate(cards := _deal(rng, 7)) == evaluate7(*cards)


@pytest.mark.parametrize(
    "cards",
    [(), (0, 1, 2, 3), tuple(range(8)), (0, 0, 1, 2, 3), (0, 1, 2, 3, 52), (-1, 1, 2, 3, 4)],
)
def test_evaluate_rejects_anything_but_5_to_7_distinct_cards(cards: tuple[int, ...]) -> None:
    with pytest.raises(MalformedInput):
        evaluate(cards)


def test_seven_card_ordering_and_categories_match_pokerkit_on_20000_random_hands() -> None:
    # Strength scales differ, so compare orderings: sorted by our strength, each neighbour must be
    # strictly better for PokerKit exactly when our strength rises, and tie when it does not.
    rng = random.Random(20_000)
    deals = [_deal(rng, 7) for _ in range(20_000)]
    ours = sorted((evaluate7(*cards), format_cards(cards)) for cards in deals)
    theirs = [StandardHighHand.from_game(text[:4], text[4:]) for _, text in ours]
    pairs = list(zip(ours, theirs, strict=True))
    for ((low, low_text), below), ((high, high_text), above) in pairwise(pairs):
        assert (below < above) if low < high else (below == above), (low_text, high_text)
    for (strength, text), hand in pairs:
        assert category(strength).name == hand.entry.label.name, text


def test_omaha_four_hearts_in_hand_and_one_on_the_board_is_no_flush() -> None:
    strength = evaluate_omaha(parse_cards("Ah Kh 7h 4h"), parse_cards("2h 9c Td Js 3s"))
    assert category(strength) is HandCategory.HIGH_CARD
    assert describe(strength) == "high card Ace"


def test_omaha_flush_needs_two_hole_cards_and_three_board_cards_of_the_suit() -> None:
    strength = evaluate_omaha(parse_cards("Ah Kh 7c 4d"), parse_cards("2h 9h Th Js 3s"))
    assert describe(strength) == "a flush, Ace high"


def test_omaha_straight_on_the_board_does_not_count_alone() -> None:
    strength = evaluate_omaha(parse_cards("Ac Ad Kh 2s"), parse_cards("5c 6d 7h 8s 9c"))
    assert describe(strength) == "a pair of Aces"


def test_omaha_three_of_a_kind_in_hand_plays_as_a_pair() -> None:
    strength = evaluate_omaha(parse_cards("Ac Ad Ah 2s"), parse_cards("5c 6d 9h Ks Qc"))
    assert describe(strength) == "a pair of Aces"


def test_omaha_equals_brute_force_over_two_hole_and_three_board_cards() -> None:
    rng = random.Random(4)
    for _ in range(2000):
        hole_size, board_size = rng.randint(4, 6), rng.randint(3, 5)
        cards = _deal(rng, hole_size + board_size)
        hole, board = cards[:hole_size], cards[hole_size:]
        expected = max(
            evaluate([*two, *three])
            for two in combinations(hole, 2)
            for three in combinations(board, 3)
        )
        assert evaluate_omaha(hole, board) == expected, (format_cards(hole), format_cards(board))


def test_omaha_ordering_and_categories_match_pokerkit_on_random_deals() -> None:
    rng = random.Random(44)
    deals = []
    for _ in range(1200):
        hole_size = rng.choice((4, 4, 4, 5, 6))
        cards = _deal(rng, hole_size + 5)
        deals.append((format_cards(cards[:hole_size]), format_cards(cards[hole_size:])))
    ours = sorted((evaluate_omaha(parse_cards(h), parse_cards(b)), h, b) for h, b in deals)
    theirs = [OmahaHoldemHand.from_game(h, b) for _, h, b in ours]
    pairs = list(zip(ours, theirs, strict=True))
    for ((low, *low_deal), below), ((high, *high_deal), above) in pairwise(pairs):
        assert (below < above) if low < high else (below == above), (low_deal, high_deal)
    for (strength, *deal), hand in pairs:
        assert category(strength).name == hand.entry.label.name, deal


@pytest.mark.parametrize(
    ("hole", "board"),
    [("AhKhQh", "2c3c4c5c"), ("AhKhQhJh9h8h7h", "2c3c4c"), ("AhKhQhJh", "2c3c"), ("AhKhQhJh", "")],
)
def test_omaha_rejects_wrong_card_counts(hole: str, board: str) -> None:
    with pytest.raises(MalformedInput):
        evaluate_omaha(parse_cards(hole), parse_cards(board))


def test_omaha_rejects_a_card_in_both_hand_and_board() -> None:
    with pytest.raises(MalformedInput):
        evaluate_omaha(parse_cards("AhKhQhJh"), parse_cards("Ah2c3c"))


@pytest.mark.parametrize(
    ("cards", "wording"),
    [
        ("Ah Kd 9c 7s 5h 3d 2c", "high card Ace"),
        ("7c 5d 4h 3s 2c", "high card Seven"),
        ("Kh Kd 9c 7s 5h 3d 2c", "a pair of Kings"),
        ("2h 2d 9c 7s 5h", "a pair of Deuces"),
        ("Ah Ad Kc Ks 5h 5d 2c", "two pair, Aces and Kings"),
        ("6h 6d 3c 3s Kh", "two pair, Sixes and Threes"),
        ("7h 7d 7c As Kh 3d 2c", "three of a kind, Sevens"),
        ("5c 6d 7h 8s 9c Kd 2h", "a straight, Five to Nine"),
        ("Ah 2c 3d 4s 5h Kd Kc", "a straight, Ace to Five"),
        ("Ts Jd Qh Kc Ac", "a straight, Ten to Ace"),
        ("Ah 9h 7h 4h 2h Kd Kc", "a flush, Ace high"),
        ("Kh Kd Ks 7c 7h 2d 3c", "a full house, Kings full of Sevens"),
        ("7h 7d 7s Kc Kh Ks 3c", "a full house, Kings full of Sevens"),
        ("Ah Ad As Ac Kh Ks Kc", "four of a kind, Aces"),
        ("9d Td Jd Qd Kd Ad 2c", "a Royal Flush"),
        ("9d Td Jd Qd Kd Ac 2c", "a straight flush, Nine to King"),
        ("Ac 2c 3c 4c 5c 6d 7d", "a straight flush, Ace to Five"),
        ("Ts Js Qs Ks As", "a Royal Flush"),
    ],
)
def test_describe_words_hands_as_pokerstars_histories_do(cards: str, wording: str) -> None:
    assert describe(evaluate(parse_cards(cards))) == wording


def test_describe_and_category_cover_every_strength_and_reject_others() -> None:
    assert len({describe(s) for s in range(1, DISTINCT_STRENGTHS + 1)}) > 100
    for bad in (0, DISTINCT_STRENGTHS + 1, -1):
        with pytest.raises(MalformedInput):
            describe(bad)
        with pytest.raises(MalformedInput):
            category(bad)


# Half of the hands come from two suits only, so that flushes and straight flushes are common.
seven_cards = st.one_of(
    st.lists(st.integers(0, 51), min_size=7, max_size=7, unique=True),
    st.lists(st.integers(0, 25), min_size=7, max_size=7, unique=True).map(
        lambda xs: [x % 13 * 4 + x // 13 * 2 for x in xs]
    ),
)


@settings(max_examples=500)
@given(cards=seven_cards, order=st.permutations(range(7)), suits=st.permutations(range(4)))
def test_evaluate7_is_invariant_under_card_order_and_suit_renaming(
    cards: list[Card], order: list[int], suits: list[int]
) -> None:
    strength = evaluate7(*cards)
    assert evaluate7(*(cards[i] for i in order)) == strength
    assert evaluate7(*(card & ~3 | suits[card & 3] for card in cards)) == strength
