"""Events a hand emits: one typed, past-tense record per thing that happened.

Seats are indices into the hand's players (0 to n-1, clockwise). Events are values: the table
actor numbers them, splits them by audience (``HoleCardsDealt`` is private to its seat until the
cards are shown) and publishes them; the hand history is built from them.

Schema evolution: fields added to an event later get defaults, and the events that gained one are
encoded with ``omit_defaults``, so an event of a hand that does not use the new field encodes
exactly as it did before the field existed (``run`` on ``BoardDealt``, ``HandShown`` and
``PotAwarded``, added for run-it-twice). A new kind of event is a new tagged struct.
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
    """Posted by the seat after the button (heads-up by the button); some hands have none."""
    BIG = "big"
    """Exactly one per hand."""
    STRADDLE = "straddle"
    """Optional, posted by the seat after the big blind as a full raise."""


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


class PlayerPosted(Struct, frozen=True, kw_only=True, tag="posted"):
    """A post outside the blinds, made before the deal to play this hand (cash tables).

    ``live`` chips count towards the player's bet, like a big blind (a new player posting to
    play, or a returning player making up a missed big blind); ``dead`` chips go straight into
    the pot (a missed small blind) and give no claim beyond what ``live`` and later bets give.
    """

    seat: int
    live: int
    dead: int
    all_in: bool


class HoleCardsDealt(Struct, frozen=True, kw_only=True, tag="hole_cards_dealt"):
    """Private to ``seat`` until shown."""

    seat: int
    cards: tuple[Card, ...]


class BoardDealt(Struct, frozen=True, kw_only=True, omit_defaults=True, tag="board_dealt"):
    street: Street
    cards: tuple[Card, ...]
    """The cards new on this street."""
    board: tuple[Card, ...]
    """The whole board so far (on a second run: the shared cards, then this run's)."""
    run: int = 0
    """0 for a board dealt once; 1 or 2 for the first or second run of a board run twice."""


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


class HandShown(Struct, frozen=True, kw_only=True, omit_defaults=True, tag="shown"):
    seat: int
    cards: tuple[Card, ...]
    strength: int
    description: str
    run: int = 0
    """Which board ``strength`` is valued on: 0 for the only board, 1 or 2 when run twice."""


class HandMucked(Struct, frozen=True, kw_only=True, tag="mucked"):
    seat: int


class RakeTaken(Struct, frozen=True, kw_only=True, tag="rake_taken"):
    amount: int
    contributions: tuple[int, ...]
    """Each seat's share of the rake, proportional to what it put in (for rakeback)."""


class PotAwarded(Struct, frozen=True, kw_only=True, omit_defaults=True, tag="pot_awarded"):
    pot: int
    """0 is the main pot, then side pots in order."""
    seat: int
    amount: int
    description: str | None
    """The winning hand, or None when the pot was won without a showdown."""
    run: int = 0
    """0 for the whole pot; 1 or 2 for the half of it awarded on that run's board."""


class HandEnded(Struct, frozen=True, kw_only=True, tag="hand_ended"):
    stacks: tuple[int, ...]
    net: tuple[int, ...]
    rake: int


Event = (
    HandStarted
    | AntePosted
    | BlindPosted
    | PlayerPosted
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
