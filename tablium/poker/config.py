"""What decides a hand before its first action: seats, stacks, stakes, positions, posts and deck.

:class:`HandConfig` is a value; :func:`validate_config` refuses one the engine cannot play, saying
why. ``hand.py`` re-exports every name here, so ``from tablium.poker.hand import HandConfig`` works.

Schema evolution: a hand history stores its config, so every field added here gets a default that
means "as before" — ``positions=None`` derives the blinds from the button, ``posts=()`` adds no
post, ``run_it_twice=()`` runs every board once. A config or history written before a field
existed still describes, and replays to, the very same hand.
"""

from __future__ import annotations

import enum

from msgspec import Struct

from tablium.poker.cards import DECK_SIZE, Card
from tablium.poker.errors import InvalidConfiguration, MalformedInput
from tablium.poker.rake import NO_RAKE, RakeRule
from tablium.poker.variants import Betting, Variant

_FULL_DECK = frozenset(range(DECK_SIZE))
MAX_PLAYERS = 10
MAX_CHIPS = 10**15
"""No stack, blind or bet may exceed this: far above any real game, far below float trouble."""


class AnteKind(enum.Enum):
    NONE = "none"
    """No ante."""
    UNIFORM = "uniform"
    """Every player posts the ante; antes are live for side pots."""
    BIG_BLIND = "bb"
    """The big blind posts one ante for the table; it is dead money in the main pot."""


class Blinds(Struct, frozen=True, kw_only=True):
    sb: int
    bb: int
    straddle: int = 0
    """0 for none; otherwise posted by the seat after the big blind, as a full raise."""


class Ante(Struct, frozen=True, kw_only=True):
    kind: AnteKind = AnteKind.NONE
    amount: int = 0


class BlindPositions(Struct, frozen=True, kw_only=True):
    """Who posts the blinds, when the table layer decides it rather than the button alone.

    Seats are hand seats. The only freedom is a hand **without a small blind** (cash tables, after
    the player due for it left; the dead small blind of tournaments): the big blind is then the
    seat right after the button. Otherwise the small blind is the seat after the button and the big
    blind the next one; heads-up, the button posts the small blind (if any) and the other seat the
    big blind. A dead button is given to the engine as the last seat dealt in before it, which is
    the seat that acts last.
    """

    small_blind: int | None
    """None for a hand without a small blind."""
    big_blind: int


class Post(Struct, frozen=True, kw_only=True):
    """Chips a seat puts in before the deal on top of the blinds (cash tables).

    A new player posting to play posts a live big blind; a player back from sitting out who missed
    the big blind posts it live plus the small blind dead; one who missed only the small blind posts
    it dead. A stack too short pays the live part first (it is what buys the seat in the hand).
    """

    seat: int
    live: int = 0
    """Counts towards the seat's bet, like a big blind: with no raise the seat may check."""
    dead: int = 0
    """Goes into the main pot without counting towards the bet; still the poster's for rake
    attribution."""


class HandConfig(Struct, frozen=True, kw_only=True):
    """Everything that decides a hand before the first action: seats, stacks, stakes and deck."""

    variant: str
    stacks: tuple[int, ...]
    """Chips of each seat, clockwise; every seat in the hand is dealt in."""
    button: int
    blinds: Blinds
    ante: Ante = Ante()
    deck: tuple[Card, ...]
    """The shuffled deck, first card dealt first."""
    rake: RakeRule = NO_RAKE
    commitment: str | None = None
    """The provably fair commitment for this deck, echoed in ``HandStarted``."""
    muck_losers: bool = True
    """At a showdown without an all-in, losing hands are mucked rather than shown."""
    positions: BlindPositions | None = None
    """Explicit blind seats; None derives them from the button (``blind_seats``)."""
    posts: tuple[Post, ...] = ()
    """Posts besides the blinds, at most one per seat, never by a seat that posts a blind."""
    run_it_twice: tuple[int, ...] = ()
    """Seats that agreed to run it twice. When the betting closes before the river with at most
    one player able to bet and every player still in the hand is among these seats, the rest of
    the board is dealt twice and each pot is split between the two runs (docs/rules.md)."""


def blind_seats(players: int, button: int) -> tuple[int, int]:
    """Small- and big-blind seats: heads-up the button posts the small blind.

    >>> blind_seats(2, 1), blind_seats(6, 4)
    ((1, 0), (5, 0))
    """
    if players == 2:
        return button, (button + 1) % 2
    return (button + 1) % players, (button + 2) % players


def blind_positions(config: HandConfig) -> BlindPositions:
    """The config's blind seats: the explicit ones, or those the button gives."""
    if config.positions is not None:
        return config.positions
    small, big = blind_seats(len(config.stacks), config.button)
    return BlindPositions(small_blind=small, big_blind=big)


def check_chips(value: object, what: str, *, positive: bool) -> int:
    """``value`` as a chip amount, or :class:`MalformedInput` saying why it is not one."""
    if type(value) is not int:
        raise MalformedInput(f"{what} must be a whole number of chips, got {value!r}")
    if value > MAX_CHIPS:
        raise MalformedInput(f"{what} is absurdly large: {value}")
    if value < 0 or (positive and value == 0):
        raise MalformedInput(f"{what} must be {'positive' if positive else 'zero or more'}")
    return value


def validate_config(config: HandConfig, variant: Variant) -> None:
    """Raise :class:`InvalidConfiguration` or :class:`MalformedInput` unless the hand can start."""
    n = len(config.stacks)
    if not 2 <= n <= MAX_PLAYERS:
        raise InvalidConfiguration(f"a hand needs 2 to {MAX_PLAYERS} players, got {n}")
    for seat, stack in enumerate(config.stacks):
        check_chips(stack, f"stack of seat {seat}", positive=True)
    if type(config.button) is not int or not 0 <= config.button < n:
        raise InvalidConfiguration(f"button must be a seat from 0 to {n - 1}")
    blinds = config.blinds
    sb = check_chips(blinds.sb, "small blind", positive=False)
    bb = check_chips(blinds.bb, "big blind", positive=True)
    straddle = check_chips(blinds.straddle, "straddle", positive=False)
    if sb > bb:
        raise InvalidConfiguration("the small blind cannot exceed the big blind")
    if straddle:
        if straddle <= bb:
            raise InvalidConfiguration("a straddle must be larger than the big blind")
        if n < 3:
            raise InvalidConfiguration("a straddle needs at least three players")
        if variant.betting is Betting.FIXED_LIMIT:
            raise InvalidConfiguration("fixed-limit games have no straddle")
    check_chips(config.ante.amount, "ante", positive=False)
    if config.ante.kind is AnteKind.NONE and config.ante.amount:
        raise InvalidConfiguration("an ante amount needs an ante kind")
    deck = config.deck
    # Set comparisons run in C; the type check keeps True from passing for the card 1.
    if len(deck) != DECK_SIZE or set(deck) != _FULL_DECK or set(map(type, deck)) != {int}:
        raise InvalidConfiguration("the deck must hold the 52 cards exactly once")
    rake = config.rake
    check_chips(rake.percent_bp, "rake percentage", positive=False)
    if rake.percent_bp > 10_000:
        raise InvalidConfiguration("rake cannot exceed 100%")
    if rake.cap is not None:
        check_chips(rake.cap, "rake cap", positive=False)
    if config.positions is not None:
        _validate_positions(config.positions, n, config.button)
    if config.posts:
        _validate_posts(config, n)
    agreed = config.run_it_twice
    if any(type(s) is not int or not 0 <= s < n for s in agreed) or len(set(agreed)) < len(agreed):
        raise InvalidConfiguration("run_it_twice lists seats of the hand, each at most once")


def _seat(value: object, n: int, what: str) -> int:
    if type(value) is not int or not 0 <= value < n:
        raise InvalidConfiguration(f"{what} must be a seat from 0 to {n - 1}, got {value!r}")
    return value


def _validate_positions(positions: BlindPositions, n: int, button: int) -> None:
    big = _seat(positions.big_blind, n, "the big blind")
    small = positions.small_blind
    if small is not None:
        small = _seat(small, n, "the small blind")
    if n == 2:
        if big == button:
            raise InvalidConfiguration("heads-up, the big blind is the seat that is not the button")
        if small not in (None, button):
            raise InvalidConfiguration("heads-up, the button posts the small blind")
        return
    if small is None:
        if big != (button + 1) % n:
            raise InvalidConfiguration("without a small blind, the big blind is left of the button")
    elif small != (button + 1) % n or big != (button + 2) % n:
        raise InvalidConfiguration("the blinds are the two seats left of the button")


def _validate_posts(config: HandConfig, n: int) -> None:
    positions = blind_positions(config)
    blind_seats_ = {positions.small_blind, positions.big_blind}
    if config.blinds.straddle:
        blind_seats_.add((positions.big_blind + 1) % n)
    seen: set[int] = set()
    for post in config.posts:
        seat = _seat(post.seat, n, "a post's seat")
        if seat in seen:
            raise InvalidConfiguration(f"seat {seat} posts twice")
        if seat in blind_seats_:
            raise InvalidConfiguration(f"seat {seat} posts a blind already")
        seen.add(seat)
        live = check_chips(post.live, f"live post of seat {seat}", positive=False)
        dead = check_chips(post.dead, f"dead post of seat {seat}", positive=False)
        if live + dead == 0:
            raise InvalidConfiguration(f"seat {seat} posts nothing")
        if live > config.blinds.bb:
            raise InvalidConfiguration(f"a live post cannot exceed the big blind (seat {seat})")
