"""Events a hand emits: one typed, past-tense record per thing that happened.

Seats are indices into the hand's players (0 to n-1, clockwise). Events are values: the table
actor numbers them, splits them by audience (``HoleCardsDealt`` is private to its seat until the
cards are shown) and publishes them; the hand history is built from them.
"""

from __future__ import annotations

import enum

from msgspec import Struct

from tablium.poker.cards import Card


class Street(enum.IntEnum):
    """Betting rounds of a flop game."""

    PREFLOP = 0
    """Hole cards dealt, blinds in, no board yet."""
    FLOP = 1
    """Three board cards."""
    TURN = 2
    """Fourth board card."""
    RIVER = 3
    """Fifth and last board card."""


class BlindKind(enum.Enum):
    SMALL = "small"
    BIG = "big"
    STRADDLE = "straddle"


class HandStarted(Struct, frozen=True, kw_only=True, tag="hand_started"):
    variant: str
    button: int
    stacks: tuple[int, ...]
    small_blind: int
    big_blind: int
    straddle: int
    ante: int
    ante_kind: str
    commitment: str | None
    """SHA-256 of the server seed, published before any card is dealt (provably fair shuffle)."""


class AntePosted(Struct, frozen=True, kw_only=True, tag="ante_posted"):
    seat: int
    amount: int
    dead: bool
    """True for a big-blind ante: dead money in the main pot, not a live contribution."""
    all_in: bool


class BlindPosted(Struct, frozen=True, kw_only=True, tag="blind_posted"):
    seat: int
    kind: BlindKind
    amount: int
    all_in: bool


class HoleCardsDealt(Struct, frozen=True, kw_only=True, tag="hole_cards_dealt"):
    """Private to ``seat`` until shown."""

    seat: int
    cards: tuple[Card, ...]


class BoardDealt(Struct, frozen=True, kw_only=True, tag="board_dealt"):
    street: Street
    cards: tuple[Card, ...]
    """The cards new on this street."""
    board: tuple[Card, ...]
    """The whole board so far."""


class PlayerFolded(Struct, frozen=True, kw_only=True, tag="folded"):
    seat: int
    street: Street


class PlayerChecked(Struct, frozen=True, kw_only=True, tag="checked"):
    seat: int
    street: Street


class PlayerCalled(Struct, frozen=True, kw_only=True, tag="called"):
    seat: int
    street: Street
    amount: int
    """Chips added by the call."""
    all_in: bool


class PlayerBet(Struct, frozen=True, kw_only=True, tag="bet"):
    seat: int
    street: Street
    to: int
    amount: int
    all_in: bool


class PlayerRaised(Struct, frozen=True, kw_only=True, tag="raised"):
    seat: int
    street: Street
    to: int
    """The street total after the raise."""
    amount: int
    """Chips added by the raise."""
    raised_by: int
    """How far the raise goes above the bet it faced."""
    all_in: bool
    complete: bool
    """False for an all-in short of a full raise, which does not reopen the betting."""


class UncalledBetReturned(Struct, frozen=True, kw_only=True, tag="uncalled_returned"):
    seat: int
    amount: int


class HandShown(Struct, frozen=True, kw_only=True, tag="shown"):
    seat: int
    cards: tuple[Card, ...]
    strength: int
    description: str


class HandMucked(Struct, frozen=True, kw_only=True, tag="mucked"):
    seat: int


class RakeTaken(Struct, frozen=True, kw_only=True, tag="rake_taken"):
    amount: int
    contributions: tuple[int, ...]
    """Each seat's share of the rake, proportional to what it put in (for rakeback)."""


class PotAwarded(Struct, frozen=True, kw_only=True, tag="pot_awarded"):
    pot: int
    """0 is the main pot, then side pots in order."""
    seat: int
    amount: int
    description: str | None
    """The winning hand, or None when the pot was won without a showdown."""


class HandEnded(Struct, frozen=True, kw_only=True, tag="hand_ended"):
    stacks: tuple[int, ...]
    net: tuple[int, ...]
    rake: int


Event = (
    HandStarted
    | AntePosted
    | BlindPosted
    | HoleCardsDealt
    | BoardDealt
    | PlayerFolded
    | PlayerChecked
    | PlayerCalled
    | PlayerBet
    | PlayerRaised
    | UncalledBetReturned
    | HandShown
    | HandMucked
    | RakeTaken
    | PotAwarded
    | HandEnded
)
