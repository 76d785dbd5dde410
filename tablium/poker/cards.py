"""Cards as small integers, and their two-character text form.

A card is an ``int`` from 0 to 51: ``rank * 4 + suit``, where rank 0 is a deuce and rank 12 an
ace, and the suits are ordered clubs, diamonds, hearts, spades. So ``0`` is ``2c`` and ``51`` is
``As``. Integers keep the evaluator's table look-ups cheap and make the unshuffled deck simply
``range(52)``, which is the starting order the provably fair shuffle is defined on.

>>> parse_card("As"), parse_card("2c"), format_card(parse_card("Td"))
(51, 0, 'Td')
>>> format_cards(parse_cards("AhKh7c"))
'AhKh7c'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tablium.poker.errors import MalformedInput

Card = int

RANKS = "23456789TJQKA"
SUITS = "cdhs"
DECK_SIZE = 52

#: The unshuffled deck: ``2c 2d 2h 2s 3c ... As``.
STANDARD_DECK: tuple[Card, ...] = tuple(range(DECK_SIZE))

_BY_TEXT = {
    rank + suit: i * 4 + j
    for i, r in enumerate(RANKS)
    for j, s in enumerate(SUITS)
    for rank in {r, r.lower()}
    for suit in {s, s.upper()}
}
_TEXT = tuple(r + s for r in RANKS for s in SUITS)


def rank_of(card: Card) -> int:
    """Rank index, 0 (deuce) to 12 (ace)."""
    return card >> 2


def suit_of(card: Card) -> int:
    """Suit index, 0 (clubs) to 3 (spades)."""
    return card & 3


def parse_card(text: str) -> Card:
    """Parse one card such as ``"As"`` or ``"tD"`` (letters in either case)."""
    card = _BY_TEXT.get(text)
    if card is None:
        raise MalformedInput(f"not a card: {text!r}")
    return card


def parse_cards(text: str) -> tuple[Card, ...]:
    """Parse concatenated cards, with or without spaces: ``"AsKd"`` or ``"As Kd"``."""
    compact = "".join(text.split())
    if len(compact) % 2:
        raise MalformedInput(f"cards come in pairs of characters, got {text!r}")
    try:
        return tuple(_BY_TEXT[compact[i : i + 2]] for i in range(0, len(compact), 2))
    except KeyError as missing:
        raise MalformedInput(f"not a card: {missing.args[0]!r}") from None


def parse_deck(text: str) -> tuple[Card, ...]:
    """Parse a full 52-card deck and check that every card appears exactly once."""
    deck = parse_cards(text)
    if len(deck) != DECK_SIZE or len(set(deck)) != DECK_SIZE:
        raise MalformedInput("a deck is 52 distinct cards")
    return deck


def format_card(card: Card) -> str:
    if not 0 <= card < DECK_SIZE:
        raise MalformedInput(f"not a card index: {card!r}")
    return _TEXT[card]


def format_cards(cards: Iterable[Card], sep: str = "") -> str:
    return sep.join(format_card(c) for c in cards)


def check_distinct(cards: Sequence[Card]) -> None:
    if len(set(cards)) != len(cards):
        raise MalformedInput("the same card appears twice")
