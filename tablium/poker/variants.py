"""Game variants: what differs between Hold'em and Omaha is data, not a fork of the betting core.

A :class:`Variant` says how many hole cards are dealt, how the board comes out, which betting
structure applies and how a player's best hand is valued. Adding Short-Deck or PLO-5 means adding
one definition here (and, for Short-Deck, a deck and an evaluator), never touching ``hand.py``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tablium.poker.cards import Card
from tablium.poker.errors import MalformedInput
from tablium.poker.evaluator import evaluate, evaluate_omaha


class Betting(enum.Enum):
    """How much a player may bet or raise."""

    NO_LIMIT = "no-limit"
    """Any amount from the minimum up to the whole stack."""
    POT_LIMIT = "pot-limit"
    """Any amount from the minimum up to the size of the pot after calling."""
    FIXED_LIMIT = "fixed-limit"
    """Bets and raises of one fixed size per street, capped per street."""


def _best_holdem(hole: Sequence[Card], board: Sequence[Card]) -> int:
    return evaluate((*hole, *board))


@dataclass(frozen=True, slots=True)
class Variant:
    """A poker game as the betting core sees it."""

    code: str
    """Short identifier used in configuration and on the wire (``NLHE``)."""
    name: str
    """Human-readable name, as PokerStars hand histories print it (``Hold'em No Limit``)."""
    hole_cards: int
    board_streets: tuple[int, ...]
    """Cards dealt face up on each street after pre-flop: flop, turn, river."""
    betting: Betting
    best_hand: Callable[[Sequence[Card], Sequence[Card]], int]
    """Strength of a player's best hand from hole and board cards; higher wins."""
    raise_cap: int | None = None
    """Fixed limit only: bets plus raises allowed per street (the blind counts as the first)."""

    @property
    def streets(self) -> int:
        """Betting rounds in a hand: pre-flop plus one per board street."""
        return 1 + len(self.board_streets)


NLHE = Variant(
    code="NLHE",
    name="Hold'em No Limit",
    hole_cards=2,
    board_streets=(3, 1, 1),
    betting=Betting.NO_LIMIT,
    best_hand=_best_holdem,
)
PLO = Variant(
    code="PLO",
    name="Omaha Pot Limit",
    hole_cards=4,
    board_streets=(3, 1, 1),
    betting=Betting.POT_LIMIT,
    best_hand=evaluate_omaha,
)
FLHE = Variant(
    code="FLHE",
    name="Hold'em Limit",
    hole_cards=2,
    board_streets=(3, 1, 1),
    betting=Betting.FIXED_LIMIT,
    best_hand=_best_holdem,
    raise_cap=4,
)

VARIANTS: dict[str, Variant] = {v.code: v for v in (NLHE, PLO, FLHE)}


def variant_by_code(code: str) -> Variant:
    """Look a variant up by its code.

    >>> variant_by_code("PLO").hole_cards
    4
    """
    try:
        return VARIANTS[code]
    except KeyError:
        raise MalformedInput(
            f"unknown variant {code!r}; expected one of {', '.join(VARIANTS)}"
        ) from None
