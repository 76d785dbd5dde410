"""Poker hand strength: 5, 6 and 7 cards, Omaha, and the PokerStars wording of a hand.

A strength is the number of one of the 7,462 distinct five-card hand classes, from 1 (seven-high,
7-5-4-3-2 unsuited) to 7,462 (a royal flush): higher wins, equal strengths tie. Small ints keep
pots, histories and the wire cheap, and :func:`category` and :func:`describe` recover the rest.

How the hot path works: every card has one precomputed int that packs two keys in separate bit
fields, so adding up the cards' ints yields both at once with no loop:

* a rank key, the sum of one constant per rank. The constants (0, 1, 5, 22, ...) are the greedy
  smallest sequence whose sums over any multiset of at most 7 ranks, each at most 4 times, are
  all distinct, so the sum identifies the multiset of ranks and a dict maps it to the strength;
* a suit key, one 7-bit field per suit to which every card adds 13: four cards of a suit make 52
  and five make 65, so bit 6 of a field is set exactly when that suit makes a flush (seven cards
  make 91, which still fits the field).

A flush is rare (3 % of seven-card hands); then the rank bitmask of the flush suit indexes an
8,192-entry table. Within seven cards a flush leaves at most two cards of other suits, and a full
house or four of a kind would need three, so the flush table alone decides. All tables are built
in pure Python at import, in about 0.15 s.

>>> from tablium.poker.cards import parse_cards
>>> royal = evaluate(parse_cards("AsKsQsJsTs2c3d"))
>>> royal, category(royal).name, describe(royal)
(7462, 'STRAIGHT_FLUSH', 'a Royal Flush')
>>> describe(evaluate(parse_cards("7c5d4h3s2c")))
'high card Seven'
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Iterable, Sequence
from itertools import combinations, combinations_with_replacement
from typing import Final

from tablium.poker.cards import DECK_SIZE, Card, check_distinct
from tablium.poker.errors import MalformedInput

__all__ = [
    "DISTINCT_STRENGTHS",
    "HandCategory",
    "category",
    "describe",
    "evaluate",
    "evaluate5",
    "evaluate6",
    "evaluate7",
    "evaluate_omaha",
]


class HandCategory(enum.IntEnum):
    """The nine kinds of poker hand, weakest first; comparing members compares the kinds."""

    HIGH_CARD = 1
    """No pair, straight or flush: five unrelated cards."""
    ONE_PAIR = 2
    """Two cards of one rank."""
    TWO_PAIR = 3
    """Two cards of one rank and two of another."""
    THREE_OF_A_KIND = 4
    """Three cards of one rank."""
    STRAIGHT = 5
    """Five consecutive ranks in mixed suits; the ace plays high or, in 5-4-3-2-A, low."""
    FLUSH = 6
    """Five cards of one suit that are not consecutive."""
    FULL_HOUSE = 7
    """Three cards of one rank and two of another."""
    FOUR_OF_A_KIND = 8
    """All four cards of one rank."""
    STRAIGHT_FLUSH = 9
    """Five consecutive ranks of one suit; the ace-high one is the royal flush."""


#: How many different strengths there are: the five-card hand classes.
DISTINCT_STRENGTHS: Final = 7462

_ACE = 12
_WHEEL = (3, 2, 1, 0, _ACE)  # 5-4-3-2-A: the ace plays low, so the five is the top card

# One constant per rank; see the module docstring. The largest seven-card sum, four aces and
# three kings, is 7,825,759 < 2**23, so the rank key fits under the suit fields.
_RANK_VALUES: Final = (0, 1, 5, 22, 98, 453, 2031, 8698, 22854, 83661, 262349, 636345, 1479181)
_RANK_BITS: Final = 23
_RANK_MASK: Final = (1 << _RANK_BITS) - 1
_SUIT_FIELD: Final = 7
_SUIT_STEP: Final = 13
_FLUSH_BIT: Final = 1 << (_SUIT_FIELD - 1)

#: Flag bit of each suit's field -> that suit. Only one suit can flush within seven cards.
_FLUSH_SUIT: Final = {_FLUSH_BIT << (_RANK_BITS + _SUIT_FIELD * s): s for s in range(4)}
_FLUSH_FLAGS: Final = sum(_FLUSH_SUIT)

#: Per card: its rank constant plus 13 in its suit's field.
_KEY: Final = tuple(
    _RANK_VALUES[card >> 2] + (_SUIT_STEP << (_RANK_BITS + _SUIT_FIELD * (card & 3)))
    for card in range(DECK_SIZE)
)
_RANK_BIT: Final = tuple(1 << (card >> 2) for card in range(DECK_SIZE))

_PLURAL: Final = (
    "Deuces", "Threes", "Fours", "Fives", "Sixes", "Sevens", "Eights",
    "Nines", "Tens", "Jacks", "Queens", "Kings", "Aces",
)  # fmt: skip
_SINGULAR: Final = (
    "Deuce", "Three", "Four", "Five", "Six", "Seven", "Eight",
    "Nine", "Ten", "Jack", "Queen", "King", "Ace",
)  # fmt: skip


_Class = tuple[HandCategory, tuple[int, ...]]


def _hand_classes() -> list[_Class]:
    """All 7,462 classes, weakest first, as (category, the five ranks by significance).

    Within a category, hands compare by their ranks in order of significance (the pair before
    the kickers, the trips before the pair), so sorting those tuples ranks the classes; the wheel
    is listed five-high, which puts it below the six-high straight.
    """
    cat = HandCategory
    down = range(_ACE, -1, -1)
    classes: list[_Class] = []
    for ranks in combinations(down, 5):
        if ranks[0] - ranks[4] == 4:
            classes += [(cat.STRAIGHT, ranks), (cat.STRAIGHT_FLUSH, ranks)]
        elif ranks == (_ACE, 3, 2, 1, 0):
            classes += [(cat.STRAIGHT, _WHEEL), (cat.STRAIGHT_FLUSH, _WHEEL)]
        else:
            classes += [(cat.HIGH_CARD, ranks), (cat.FLUSH, ranks)]
    for top in down:
        others = [r for r in down if r != top]
        classes += [(cat.ONE_PAIR, (top, top, *k)) for k in combinations(others, 3)]
        classes += [(cat.THREE_OF_A_KIND, (top, top, top, *k)) for k in combinations(others, 2)]
        classes += [(cat.FULL_HOUSE, (top, top, top, r, r)) for r in others]
        classes += [(cat.FOUR_OF_A_KIND, (top, top, top, top, r)) for r in others]
        for low in (r for r in others if r < top):
            classes += [(cat.TWO_PAIR, (top, top, low, low, k)) for k in others if k != low]
    classes.sort()
    return classes


def _build() -> tuple[list[_Class], list[int], dict[int, int], dict[int, int], dict[int, int]]:
    classes = _hand_classes()
    assert len(classes) == DISTINCT_STRENGTHS
    flush = [0] * (1 << 13)
    rank5: dict[int, int] = {}
    for strength, (kind, ranks) in enumerate(classes, start=1):
        if kind in (HandCategory.FLUSH, HandCategory.STRAIGHT_FLUSH):
            flush[sum(1 << r for r in ranks)] = strength
        else:
            rank5[sum(_RANK_VALUES[r] for r in ranks)] = strength
    # A bigger hand is worth its best five: the best of dropping each card once more. Dropping a
    # bit gives a smaller mask, so counting upwards meets every sub-mask first.
    for mask in range(1 << 13):
        if mask.bit_count() > 5:
            flush[mask] = max(flush[mask & ~(1 << r)] for r in range(13) if mask >> r & 1)
    rank6 = _extend(rank5, 6)
    rank7 = _extend(rank6, 7)
    # Index 0 is a placeholder so that a strength indexes its own class.
    return [(HandCategory.HIGH_CARD, ()), *classes], flush, rank5, rank6, rank7


def _extend(smaller: dict[int, int], size: int) -> dict[int, int]:
    """Rank-key table for ``size`` cards from the one for ``size - 1`` cards."""
    table: dict[int, int] = {}
    values = _RANK_VALUES
    for ranks in combinations_with_replacement(range(13), size):  # sorted, so equal ranks adjoin
        if any(map(operator.eq, ranks, ranks[4:])):
            continue  # five of a rank: not in one deck
        key = sum(map(values.__getitem__, ranks))
        table[key] = max([smaller[key - values[r]] for r in set(ranks)])
    return table


_CLASSES, _FLUSH, _RANK5, _RANK6, _RANK7 = _build()


def _flush_strength(key: int, cards: Iterable[Card]) -> int:
    suit = _FLUSH_SUIT[key & _FLUSH_FLAGS]
    mask = 0
    for card in cards:
        if card & 3 == suit:
            mask |= _RANK_BIT[card]
    return _FLUSH[mask]


# Positional cards rather than a sequence: building and unpacking a tuple per call would cost a
# good part of the look-up itself.
def evaluate5(a: Card, b: Card, c: Card, d: Card, e: Card) -> int:
    """Strength of five distinct cards (not checked: this is the hot path)."""
    key = _KEY[a] + _KEY[b] + _KEY[c] + _KEY[d] + _KEY[e]
    if key & _FLUSH_FLAGS:
        return _FLUSH[_RANK_BIT[a] | _RANK_BIT[b] | _RANK_BIT[c] | _RANK_BIT[d] | _RANK_BIT[e]]
    return _RANK5[key & _RANK_MASK]


def evaluate6(a: Card, b: Card, c: Card, d: Card, e: Card, f: Card) -> int:  # noqa: PLR0917
    """Strength of the best five of six distinct cards (not checked: this is the hot path)."""
    key = _KEY[a] + _KEY[b] + _KEY[c] + _KEY[d] + _KEY[e] + _KEY[f]
    if key & _FLUSH_FLAGS:
        return _flush_strength(key, (a, b, c, d, e, f))
    return _RANK6[key & _RANK_MASK]


def evaluate7(a: Card, b: Card, c: Card, d: Card, e: Card, f: Card, g: Card) -> int:  # noqa: PLR0917
    """Strength of the best five of seven distinct cards (not checked: this is the hot path).

    >>> from tablium.poker.cards import parse_cards
    >>> describe(evaluate7(*parse_cards("Kh Kd 7s 7c 7h 2d 3c")))
    'a full house, Sevens full of Kings'
    """
    key = _KEY[a] + _KEY[b] + _KEY[c] + _KEY[d] + _KEY[e] + _KEY[f] + _KEY[g]
    if key & _FLUSH_FLAGS:
        return _flush_strength(key, (a, b, c, d, e, f, g))
    return _RANK7[key & _RANK_MASK]


def _check_cards(cards: Sequence[Card]) -> None:
    for card in cards:
        if not (isinstance(card, int) and 0 <= card < DECK_SIZE):
            raise MalformedInput(f"not a card index: {card!r}")
    check_distinct(cards)


def evaluate(cards: Sequence[Card]) -> int:
    """Strength of the best five of 5, 6 or 7 distinct cards, checking the input.

    >>> from tablium.poker.cards import parse_cards
    >>> describe(evaluate(parse_cards("Ah 2c 3d 4s 5h Kd")))
    'a straight, Ace to Five'
    """
    if not 5 <= len(cards) <= 7:
        raise MalformedInput(f"a hand is 5 to 7 cards, got {len(cards)}")
    _check_cards(cards)
    if len(cards) == 7:
        return evaluate7(*cards)
    if len(cards) == 6:
        return evaluate6(*cards)
    return evaluate5(*cards)


def evaluate_omaha(hole: Sequence[Card], board: Sequence[Card]) -> int:
    """Strength of the best Omaha hand: exactly two hole cards with exactly three board cards.

    Four hearts in the hand and one on the board is no flush, nor is a straight on the board
    alone; 4 to 6 hole cards (PLO to PLO-6) and 3 to 5 board cards are accepted.

    >>> from tablium.poker.cards import parse_cards
    >>> describe(evaluate_omaha(parse_cards("AhKhQhJh"), parse_cards("Th 9h 2h 4s 2s")))
    'a flush, Ace high'

    (Four hole cards and the ten would have made a royal flush.)
    """
    if not 4 <= len(hole) <= 6:
        raise MalformedInput(f"an Omaha hand has 4 to 6 hole cards, got {len(hole)}")
    if not 3 <= len(board) <= 5:
        raise MalformedInput(f"an Omaha board has 3 to 5 cards, got {len(board)}")
    _check_cards((*hole, *board))
    # Keys add up, so the 6 hole pairs and 10 board triples are summed once and each of the 60
    # five-card hands costs one addition and one look-up.
    pairs = [(_KEY[a] + _KEY[b], _RANK_BIT[a] | _RANK_BIT[b]) for a, b in combinations(hole, 2)]
    best = 0
    for c, d, e in combinations(board, 3):
        triple = _KEY[c] + _KEY[d] + _KEY[e]
        triple_bits = _RANK_BIT[c] | _RANK_BIT[d] | _RANK_BIT[e]
        for pair, pair_bits in pairs:
            key = triple + pair
            if key & _FLUSH_FLAGS:
                strength = _FLUSH[triple_bits | pair_bits]
            else:
                strength = _RANK5[key & _RANK_MASK]
            best = max(best, strength)
    return best


def _check_strength(strength: int) -> None:
    if not 1 <= strength <= DISTINCT_STRENGTHS:
        raise MalformedInput(f"not a hand strength: {strength!r}")


def category(strength: int) -> HandCategory:
    """The kind of hand a strength stands for.

    >>> category(1), category(7462)
    (<HandCategory.HIGH_CARD: 1>, <HandCategory.STRAIGHT_FLUSH: 9>)
    """
    _check_strength(strength)
    return _CLASSES[strength][0]


def describe(strength: int) -> str:
    """The hand as PokerStars hand histories word it after ``shows [..]`` and ``with``.

    Only the ranks that name the hand are said, not its kickers, as PokerStars does.

    >>> from tablium.poker.cards import parse_cards
    >>> describe(evaluate(parse_cards("Ac Ad Kh Ks 2c")))
    'two pair, Aces and Kings'
    """
    _check_strength(strength)
    kind, ranks = _CLASSES[strength]
    top = ranks[0]
    match kind:
        case HandCategory.HIGH_CARD:
            return f"high card {_SINGULAR[top]}"
        case HandCategory.ONE_PAIR:
            return f"a pair of {_PLURAL[top]}"
        case HandCategory.TWO_PAIR:
            return f"two pair, {_PLURAL[top]} and {_PLURAL[ranks[2]]}"
        case HandCategory.THREE_OF_A_KIND:
            return f"three of a kind, {_PLURAL[top]}"
        case HandCategory.STRAIGHT:
            return f"a straight, {_SINGULAR[ranks[4]]} to {_SINGULAR[top]}"
        case HandCategory.FLUSH:
            return f"a flush, {_SINGULAR[top]} high"
        case HandCategory.FULL_HOUSE:
            return f"a full house, {_PLURAL[top]} full of {_PLURAL[ranks[3]]}"
        case HandCategory.FOUR_OF_A_KIND:
            return f"four of a kind, {_PLURAL[top]}"
        case HandCategory.STRAIGHT_FLUSH if top == _ACE:
            return "a Royal Flush"
        case _:
            return f"a straight flush, {_SINGULAR[ranks[4]]} to {_SINGULAR[top]}"
