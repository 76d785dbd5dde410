"""Cash-table rules between hands: who is dealt in, who posts what, where button and blinds go.

Pure, like the poker core: a :class:`TableState` and the players' choices in, a :class:`HandPlan`
out (:func:`plan_hand`); after the hand, the plan and the final stacks give the next state
(:func:`after_hand`). The table actor owns the state and calls these between hands; it never
decides a position itself. docs/rules.md ("Cash tables") states the rules in words; each has a
test named after it in ``tests/core/test_table_rules.py``.

The big blind leads. It moves to the next player clockwise who is willing to play (seated, not
sitting out, with chips), so nobody ever skips it or posts it twice in a row, and a player who
plays every hand posts it exactly once per orbit. The small blind is posted by whoever posted the
big blind last hand; if that player has left or is sitting out, the hand has no small blind. The
button is the player just before the small blind (before the big blind when there is none). In an
unbroken game that moves the button one player clockwise every hand, skipping empty seats. When
the player due for the button has left, the button stays with the same player for a hand rather
than land on the player due for the small blind: see "Why the button sometimes stays" in
docs/rules.md.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence

import msgspec
from msgspec import Struct

from tablium.poker.cards import Card
from tablium.poker.config import Ante, BlindPositions, Blinds, HandConfig, Post
from tablium.poker.rake import NO_RAKE, RakeRule


class InvalidTableState(ValueError):
    """The caller passed a state, plan or stacks that do not fit together (a bug, not a move)."""


class SeatStatus(enum.Enum):
    ACTIVE = "active"
    """Plays every hand."""
    SITTING_OUT = "sitting_out"
    """Keeps the seat, is dealt out, and misses the blinds that pass it."""
    WAITING_FOR_BB = "waiting_for_bb"
    """Back from sitting out: dealt in when the big blind reaches the seat, or earlier by posting
    the blinds missed."""
    NEW = "new"
    """Just sat down: dealt in on the big blind, or earlier by posting a live big blind."""


class SeatState(Struct, frozen=True, kw_only=True):
    player_id: str
    stack: int
    status: SeatStatus = SeatStatus.NEW
    missed_small: bool = False
    """The small blind passed this seat while its player was not dealt in."""
    missed_big: bool = False
    """The big blind passed this seat while its player was not dealt in."""
    hands_sat_out: int = 0
    """Hands in a row dealt while this player sat out (or had no chips)."""


class TableState(Struct, frozen=True, kw_only=True):
    """A cash table between hands. Table seats are 0 to ``seat_count - 1``, clockwise."""

    seats: tuple[SeatState | None, ...]
    """Who sits where; None for an empty seat."""
    blinds: Blinds
    button: int | None = None
    """The last hand's button. Before the first hand: the seat the shell drew for it (the first
    willing player from there gets it); None starts from seat 0."""
    last_big_blind: int | None = None
    """The seat that posted the big blind in the last hand; None before the first hand."""
    variant: str = "NLHE"
    ante: Ante = Ante()
    rake: RakeRule = NO_RAKE

    @property
    def seat_count(self) -> int:
        return len(self.seats)


class HandPlan(Struct, frozen=True, kw_only=True):
    """One hand as the table plays it: seats dealt in, blinds, posts, and what it records.

    Hand seats (the engine's) are the dealt-in players in table-seat order: hand seat ``i`` is
    table seat ``seats[i]``. Every other seat number here is a table seat.
    """

    seats: tuple[int, ...]
    players: tuple[str, ...]
    """Player of each hand seat."""
    stacks: tuple[int, ...]
    """Stack of each hand seat at the start of the hand."""
    button: int
    small_blind: int | None
    """None for a hand without a small blind."""
    big_blind: int
    posts: tuple[Post, ...]
    """Posts besides the blinds, by table seat."""
    waiting: tuple[int, ...]
    """Willing players not dealt in: they wait for the big blind (or to post where they may)."""
    missed_small: tuple[int, ...]
    """Seats the small blind passed while their player was not dealt in."""
    missed_big: tuple[int, ...]
    """Seats the big blind passed while their player was not dealt in."""
    occupants: tuple[str | None, ...]
    """Who sat in each table seat when the hand was planned."""
    sitting_out: tuple[int, ...]
    """Seats dealt out because their player sat out or had no chips."""
    variant: str
    blinds: Blinds
    ante: Ante
    rake: RakeRule

    def hand_seat(self, table_seat: int) -> int:
        """The engine's seat for a table seat dealt in."""
        return self.seats.index(table_seat)

    def hand_config(
        self,
        deck: Sequence[Card],
        *,
        commitment: str | None = None,
        run_it_twice: Collection[int] = (),
    ) -> HandConfig:
        """The engine's config for this hand; ``run_it_twice`` lists table seats that agreed."""
        index = {table_seat: i for i, table_seat in enumerate(self.seats)}
        small = None if self.small_blind is None else index[self.small_blind]
        return HandConfig(
            variant=self.variant,
            stacks=self.stacks,
            button=index[self.button],
            blinds=self.blinds,
            ante=self.ante,
            deck=tuple(deck),
            rake=self.rake,
            commitment=commitment,
            positions=BlindPositions(small_blind=small, big_blind=index[self.big_blind]),
            posts=tuple(Post(seat=index[p.seat], live=p.live, dead=p.dead) for p in self.posts),
            run_it_twice=tuple(sorted(index[s] for s in set(run_it_twice) if s in index)),
        )


# ---------------------------------------------------------------------------------------------
# Planning a hand


def plan_hand(state: TableState, *, post_to_play: frozenset[int] = frozenset()) -> HandPlan | None:
    """Who plays the next hand and how, or None when fewer than two players can play.

    ``post_to_play`` are the table seats of players who would rather post than wait for the big
    blind: a new player posts a live big blind; a player back from sitting out posts what they
    missed (a missed big blind live plus the small blind dead; a missed small blind alone dead).
    A post is refused, and the player waits, where it would buy the button or the small blind
    (between the button and the big blind) or join a heads-up game. A player whom the big blind
    reaches is dealt in on it and owes nothing more. When the game had stopped (fewer than two
    players owed nothing), everyone willing is dealt in without posting.
    """
    _check_state(state, post_to_play)
    seats = state.seats
    blinds = state.blinds
    willing = [t for t, s in enumerate(seats) if s is not None and _willing(s)]
    if len(willing) < 2:
        return None

    def owed(table_seat: int) -> tuple[int, int]:
        seat = seats[table_seat]
        assert seat is not None
        if seat.status is SeatStatus.NEW:
            return blinds.bb, 0
        if seat.missed_big:
            return blinds.bb, blinds.sb
        if seat.missed_small:
            return 0, blinds.sb
        return 0, 0

    def regular(table_seat: int) -> bool:
        seat = seats[table_seat]
        assert seat is not None
        wants = seat.status is SeatStatus.ACTIVE or table_seat in post_to_play
        return wants and owed(table_seat) == (0, 0)

    count = len(seats)
    last_bb = state.last_big_blind
    missed_small: list[int] = []
    missed_big: list[int] = []
    posts: list[Post] = []
    small: int | None
    if last_bb is None:
        # The first hand: everyone willing plays, the button where the shell drew it.
        dealt = willing
        start = state.button or 0
        button = min(willing, key=lambda t: (t - start) % count)
        small, big = _blinds_after(dealt, button, count)
    else:
        big = _next(willing, last_bb, count)
        missed_big = [t for t in _between(last_bb, big, count) if _owes_missed(seats[t])]
        regulars = [t for t in willing if regular(t)]
        running = len(regulars) >= 2
        base = sorted({*regulars, big}) if running else willing
        if len(base) == 2:
            button = next(t for t in base if t != big)
            small = button
        else:
            small = last_bb if last_bb in base and last_bb != big else None
            button = _previous(base, big if small is None else small, count)
        if running and len(base) > 2:
            zone = set(_between(button, big, count))
            for t in willing:
                if t in base or t not in post_to_play or t in zone:
                    continue
                live, dead = owed(t)
                posts.append(Post(seat=t, live=live, dead=dead))
        dealt = sorted({*base, *(p.seat for p in posts)})
        if last_bb != big and last_bb not in dealt and _owes_missed(seats[last_bb]):
            missed_small = [last_bb]
    sitting_out = [
        t for t, s in enumerate(seats) if s is not None and not _willing(s) and t not in dealt
    ]
    return HandPlan(
        seats=tuple(dealt),
        players=tuple(_occupant(state, t).player_id for t in dealt),
        stacks=tuple(_occupant(state, t).stack for t in dealt),
        button=button,
        small_blind=small,
        big_blind=big,
        posts=tuple(posts),
        waiting=tuple(t for t in willing if t not in dealt),
        missed_small=tuple(missed_small),
        missed_big=tuple(missed_big),
        occupants=tuple(None if s is None else s.player_id for s in seats),
        sitting_out=tuple(sitting_out),
        variant=state.variant,
        blinds=blinds,
        ante=state.ante,
        rake=state.rake,
    )


def _willing(seat: SeatState) -> bool:
    return seat.status is not SeatStatus.SITTING_OUT and seat.stack > 0


def _owes_missed(seat: SeatState | None) -> bool:
    """Whether a blind passing this undealt seat is owed: not by an empty seat, nor by a new
    player, who owes a big blind to play anyway."""
    return seat is not None and seat.status is not SeatStatus.NEW


def _occupant(state: TableState, table_seat: int) -> SeatState:
    seat = state.seats[table_seat]
    assert seat is not None
    return seat


def _next(candidates: Sequence[int], after: int, count: int) -> int:
    """The first of ``candidates`` clockwise after seat ``after`` (itself last)."""
    return min(candidates, key=lambda t: (t - after - 1) % count)


def _previous(candidates: Sequence[int], before: int, count: int) -> int:
    """The first of ``candidates`` counter-clockwise before seat ``before`` (itself last)."""
    return min(candidates, key=lambda t: (before - t - 1) % count)


def _between(first: int, last: int, count: int) -> list[int]:
    """Seats strictly between ``first`` and ``last``, clockwise."""
    return [(first + k) % count for k in range(1, (last - first) % count)]


def _blinds_after(dealt: Sequence[int], button: int, count: int) -> tuple[int, int]:
    """Small and big blind from the button: heads-up the button posts the small blind."""
    if len(dealt) == 2:
        return button, next(t for t in dealt if t != button)
    small = _next(dealt, button, count)
    return small, _next(dealt, small, count)


def _check_state(state: TableState, post_to_play: frozenset[int]) -> None:
    count = state.seat_count
    if count < 2:
        raise InvalidTableState("a table has at least two seats")
    if state.blinds.straddle:
        raise InvalidTableState("cash-table blinds have no straddle")
    for what, seat in (("button", state.button), ("last big blind", state.last_big_blind)):
        if seat is not None and not 0 <= seat < count:
            raise InvalidTableState(f"the {what} is not a seat of this table: {seat}")
    ids = [s.player_id for s in state.seats if s is not None]
    if len(set(ids)) != len(ids):
        raise InvalidTableState("a player holds two seats")
    if any(s is not None and s.stack < 0 for s in state.seats):
        raise InvalidTableState("a stack cannot be negative")
    if any(not 0 <= t < count or state.seats[t] is None for t in post_to_play):
        raise InvalidTableState("only seated players can post")


# ---------------------------------------------------------------------------------------------
# After the hand


def after_hand(state: TableState, plan: HandPlan, final_stacks: Sequence[int]) -> TableState:
    """The table after the planned hand: stacks, button, last big blind, missed blinds.

    ``final_stacks`` are in hand-seat order (``HandEnded.stacks``). ``state`` may have changed
    since the hand was planned (players joining, leaving or asking to sit out during the hand):
    a seat whose player changed is left as it is now, and a player dealt in who asked to sit out
    stays sitting out. Players dealt in become active and owe nothing; seats the blinds passed
    owe what passed them; players dealt out while sitting out count one more hand sat out.
    """
    if len(final_stacks) != len(plan.seats):
        raise InvalidTableState("one final stack per player dealt in")
    if len(plan.occupants) != state.seat_count:
        raise InvalidTableState("the plan is for another table")
    seats = list(state.seats)

    def same_player(table_seat: int) -> SeatState | None:
        seat = seats[table_seat]
        if seat is None or seat.player_id != plan.occupants[table_seat]:
            return None
        return seat

    for table_seat, stack in zip(plan.seats, final_stacks, strict=True):
        seat = same_player(table_seat)
        if seat is None:
            raise InvalidTableState(f"the player of seat {table_seat} changed during the hand")
        sitting_out = seat.status is SeatStatus.SITTING_OUT
        seats[table_seat] = SeatState(
            player_id=seat.player_id,
            stack=stack,
            status=SeatStatus.SITTING_OUT if sitting_out else SeatStatus.ACTIVE,
        )
    for table_seat in plan.missed_big:
        if seat := same_player(table_seat):
            seats[table_seat] = msgspec.structs.replace(seat, missed_big=True)
    for table_seat in plan.missed_small:
        if seat := same_player(table_seat):
            seats[table_seat] = msgspec.structs.replace(seat, missed_small=True)
    for table_seat in plan.sitting_out:
        if seat := same_player(table_seat):
            seats[table_seat] = msgspec.structs.replace(seat, hands_sat_out=seat.hands_sat_out + 1)
    return msgspec.structs.replace(
        state, seats=tuple(seats), button=plan.button, last_big_blind=plan.big_blind
    )
