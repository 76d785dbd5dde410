"""One hand of flop poker as a pure state machine.

``start_hand(config)`` posts antes, blinds and posts and deals; ``apply(state, action)`` validates
one action and returns the next state with the events it caused; ``legal_actions(state)`` answers
what the seat to act may do, using the very checks ``apply`` enforces. When a betting round closes
the hand moves on by itself: uncalled chips go back, the next street is dealt (all the way to the
river when no more betting is possible, twice when the players agreed to run it twice), and at the
end the pots are raked, shown down and awarded.

States are immutable; the same config (deck included) and the same actions always give the same
states and events. Rule choices are written out in docs/rules.md.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Protocol

from msgspec import Struct, field

from tablium.poker import events as ev
from tablium.poker.actions import Action, Bet, Call, Check, Fold, Raise
from tablium.poker.cards import DECK_SIZE, Card
from tablium.poker.config import (
    MAX_CHIPS,
    MAX_PLAYERS,
    Ante,
    AnteKind,
    BlindPositions,
    Blinds,
    HandConfig,
    Post,
    blind_positions,
    blind_seats,
    validate_config,
)
from tablium.poker.dealing import hole_card_positions
from tablium.poker.errors import (
    BetOutOfRange,
    HandComplete,
    IllegalAction,
    MalformedInput,
    NotYourTurn,
)
from tablium.poker.evaluator import describe
from tablium.poker.pots import Pot, build_side_pots, split_pot
from tablium.poker.rake import attribute_rake, rake_amount
from tablium.poker.variants import Betting, Variant, variant_by_code

__all__ = [
    "MAX_CHIPS",
    "MAX_PLAYERS",
    "Ante",
    "AnteKind",
    "BlindPositions",
    "Blinds",
    "HandConfig",
    "HandState",
    "LegalActions",
    "Phase",
    "Post",
    "Transition",
    "apply",
    "blind_positions",
    "blind_seats",
    "legal_actions",
    "start_hand",
]


class Phase(enum.Enum):
    BETTING = "betting"
    """Waiting for ``to_act``."""
    COMPLETE = "complete"
    """Pots awarded; no more actions."""


class LegalActions(Struct, frozen=True, kw_only=True):
    """What the seat to act may do, with exact bounds."""

    seat: int
    to_call: int
    """Chips the seat must add to call, capped at its stack; 0 means it may check."""
    raise_kind: str | None
    """``"bet"`` when no one has bet on this street, ``"raise"`` otherwise, None when neither
    is allowed."""
    min_raise_to: int | None
    """Smallest legal bet/raise, as a street total (the all-in total when short of it)."""
    max_raise_to: int | None

    @property
    def can_check(self) -> bool:
        return self.to_call == 0


class HandState(Struct, frozen=True, kw_only=True):
    config: HandConfig
    phase: Phase
    street: ev.Street
    to_act: int | None
    stacks: tuple[int, ...]
    """Chips behind, not yet in the pot."""
    bets: tuple[int, ...]
    """Chips put in on the current street (blinds included, antes not)."""
    contributed: tuple[int, ...]
    """Live chips put in over the whole hand (uniform antes included)."""
    dead: int
    """Dead money in the main pot (a big-blind ante, dead posts)."""
    folded: tuple[bool, ...]
    acted_at: tuple[int, ...]
    """The bet each seat last acted facing on this street, -1 before it acts (for reopening)."""
    current_bet: int
    """The bet to match on this street (a short all-in big blind still counts in full)."""
    min_raise: int
    """The largest full bet or raise of the street: the smallest legal raise increment."""
    raises: int
    """Full bets and raises this street (fixed-limit cap; the big blind counts as one)."""
    aggressor: int | None
    """The last seat to bet or raise on the current street (showdown order)."""
    hole: tuple[tuple[Card, ...], ...]
    board: tuple[Card, ...]
    """The board; when it was run twice, the board of the first run."""
    next_card: int
    """Index in the deck of the next card to burn or deal."""
    won: tuple[int, ...] = ()
    rake: int = 0
    shown: tuple[bool, ...] = field(default=())
    offered: LegalActions | None = None
    """What the seat to act may do (``legal_actions``), worked out once per state."""
    dead_paid: tuple[int, ...] = ()
    """Each seat's share of ``dead``, for rake attribution (empty, read as zeros, in a state
    stored before the field existed)."""
    second_board: tuple[Card, ...] = ()
    """The board of the second run when the board was run twice, else empty."""

    @property
    def variant(self) -> Variant:
        return variant_by_code(self.config.variant)

    @property
    def players(self) -> int:
        return len(self.stacks)

    @property
    def pot(self) -> int:
        """All chips in the middle, current street included."""
        return sum(self.contributed) + self.dead

    @property
    def is_complete(self) -> bool:
        return self.phase is Phase.COMPLETE


class Transition(Struct, frozen=True):
    state: HandState
    events: list[ev.Event]


# ---------------------------------------------------------------------------------------------
# The rules of betting, read from the frozen state or the working copy alike


class _Table(Protocol):
    """The fields the betting rules read (``HandState`` and ``_Work`` both have them)."""

    @property
    def stacks(self) -> Sequence[int]: ...
    @property
    def bets(self) -> Sequence[int]: ...
    @property
    def contributed(self) -> Sequence[int]: ...
    @property
    def folded(self) -> Sequence[bool]: ...
    @property
    def acted_at(self) -> Sequence[int]: ...
    @property
    def config(self) -> HandConfig: ...
    @property
    def street(self) -> ev.Street: ...
    @property
    def current_bet(self) -> int: ...
    @property
    def min_raise(self) -> int: ...
    @property
    def raises(self) -> int: ...
    @property
    def dead(self) -> int: ...


def _bet_unit(bb: int, street: int) -> int:
    """Fixed limit: the small bet on pre-flop and flop, the big bet (2 BB) afterwards."""
    return bb if street <= ev.Street.FLOP else 2 * bb


def _able_to_act(t: _Table) -> int:
    """Seats still in the hand with chips behind."""
    in_hand = zip(t.stacks, t.folded, strict=True)
    return len([1 for stack, folded in in_hand if stack and not folded])


def _legal(t: _Table, variant: Variant, seat: int) -> LegalActions:
    stack = t.stacks[seat]
    bet = t.bets[seat]
    current = t.current_bet
    owed = current - bet if current > bet else 0
    to_call = owed if owed < stack else stack
    kind, low, high = None, None, None
    if _may_raise(t, variant, seat, owed):
        kind = "bet" if current == 0 else "raise"
        all_in_to = bet + stack
        if variant.betting is Betting.FIXED_LIMIT:
            low = high = current + _bet_unit(t.config.blinds.bb, t.street)
        else:
            low = current + t.min_raise
            if variant.betting is Betting.POT_LIMIT:
                high = current + sum(t.contributed) + t.dead + owed
            else:
                high = all_in_to
        if all_in_to <= low:
            low = high = all_in_to
        elif high > all_in_to:
            high = all_in_to
    return LegalActions(
        seat=seat, to_call=to_call, raise_kind=kind, min_raise_to=low, max_raise_to=high
    )


def _may_raise(t: _Table, variant: Variant, seat: int, owed: int) -> bool:
    if t.stacks[seat] <= owed:
        return False  # cannot even cover a call
    cap = variant.raise_cap
    if cap is not None and t.raises >= cap:
        return False
    faced = t.acted_at[seat]
    # Reopening: a seat that already acted may raise again only when it now faces at least one
    # full raise beyond what it acted on (short all-ins may add up to one).
    if faced >= 0 and t.current_bet - faced < t.min_raise:
        return False
    # When everyone else is all-in or folded, a raise could not be called.
    return _able_to_act(t) >= 2


# ---------------------------------------------------------------------------------------------
# The working copy: apply() mutates a private copy and freezes it again.


class _Work:
    __slots__ = (
        "acted_at",
        "aggressor",
        "bets",
        "board",
        "config",
        "contributed",
        "current_bet",
        "dead",
        "dead_paid",
        "events",
        "folded",
        "hole",
        "min_raise",
        "n",
        "next_card",
        "offered",
        "phase",
        "raises",
        "rake",
        "second_board",
        "shown",
        "stacks",
        "street",
        "to_act",
        "variant",
        "won",
    )

    def __init__(self, s: HandState, variant: Variant) -> None:
        self.config = s.config
        self.variant = variant
        self.n = len(s.stacks)
        self.phase = s.phase
        self.street = s.street
        self.to_act = s.to_act
        self.stacks = list(s.stacks)
        self.bets = list(s.bets)
        self.contributed = list(s.contributed)
        self.dead = s.dead
        self.dead_paid = list(s.dead_paid) or [0] * self.n
        self.folded = list(s.folded)
        self.acted_at = list(s.acted_at)
        self.current_bet = s.current_bet
        self.min_raise = s.min_raise
        self.raises = s.raises
        self.aggressor = s.aggressor
        self.hole = s.hole
        self.board = s.board
        self.next_card = s.next_card
        self.won = s.won
        self.rake = s.rake
        self.shown = s.shown
        self.offered = s.offered
        self.second_board = s.second_board
        self.events: list[ev.Event] = []

    def freeze(self) -> HandState:
        offered = None
        if self.phase is Phase.BETTING and self.to_act is not None:
            offered = _legal(self, self.variant, self.to_act)
        return HandState(
            config=self.config,
            phase=self.phase,
            street=self.street,
            to_act=self.to_act,
            stacks=tuple(self.stacks),
            bets=tuple(self.bets),
            contributed=tuple(self.contributed),
            dead=self.dead,
            folded=tuple(self.folded),
            acted_at=tuple(self.acted_at),
            current_bet=self.current_bet,
            min_raise=self.min_raise,
            raises=self.raises,
            aggressor=self.aggressor,
            hole=self.hole,
            board=self.board,
            next_card=self.next_card,
            won=self.won,
            rake=self.rake,
            shown=self.shown,
            offered=offered,
            dead_paid=tuple(self.dead_paid),
            second_board=self.second_board,
        )

    # -- chips ----------------------------------------------------------------------------------

    def put_in(self, seat: int, amount: int) -> None:
        self.stacks[seat] -= amount
        self.bets[seat] += amount
        self.contributed[seat] += amount

    def in_hand(self, seat: int) -> bool:
        return not self.folded[seat]

    def can_act(self, seat: int) -> bool:
        return not self.folded[seat] and self.stacks[seat] > 0

    def bet_unit(self) -> int:
        return _bet_unit(self.config.blinds.bb, self.street)

    def act(self, action: Action) -> None:
        if self.phase is Phase.COMPLETE:
            raise HandComplete("the hand is over")
        seat = getattr(action, "seat", None)
        if type(seat) is not int:
            raise MalformedInput(f"seat must be an integer, got {seat!r}")
        if seat != self.to_act:
            raise NotYourTurn(f"seat {seat} acted but seat {self.to_act} is to act")
        # Worked out when the state was frozen; a state decoded from storage may lack it.
        legal = self.offered or _legal(self, self.variant, seat)
        street = self.street
        match action:
            case Fold():
                self.folded[seat] = True
                self.events.append(ev.PlayerFolded(seat=seat, street=street))
            case Check():
                if legal.to_call:
                    raise IllegalAction(f"seat {seat} faces a bet of {legal.to_call}: cannot check")
                self.events.append(ev.PlayerChecked(seat=seat, street=street))
            case Call():
                if not legal.to_call:
                    raise IllegalAction(f"seat {seat} has nothing to call: check instead")
                self.put_in(seat, legal.to_call)
                self.events.append(
                    ev.PlayerCalled(
                        seat=seat,
                        street=street,
                        amount=legal.to_call,
                        all_in=self.stacks[seat] == 0,
                    )
                )
            case Bet(to=to) | Raise(to=to):
                self._bet_or_raise(action, legal, to)
            case _:
                raise MalformedInput(f"not a poker action: {action!r}")
        self.acted_at[seat] = self.current_bet
        self._advance(seat)

    def _bet_or_raise(self, action: Bet | Raise, legal: LegalActions, to: object) -> None:
        seat = action.seat
        if type(to) is not int:
            raise MalformedInput(f"a bet amount must be a whole number of chips, got {to!r}")
        word = "bet" if isinstance(action, Bet) else "raise"
        if legal.raise_kind is None:
            raise IllegalAction(f"seat {seat} may not {word} now")
        if legal.raise_kind != word:
            other = "there is already a bet" if word == "bet" else "there is no bet to raise"
            raise IllegalAction(f"cannot {word}: {other} (use {legal.raise_kind})")
        assert legal.min_raise_to is not None and legal.max_raise_to is not None
        if not legal.min_raise_to <= to <= legal.max_raise_to:
            raise BetOutOfRange(
                f"{word} to {to} is outside {legal.min_raise_to}..{legal.max_raise_to}"
            )
        amount = to - self.bets[seat]
        increment = to - self.current_bet
        complete = increment >= self.min_raise
        if complete:
            self.min_raise = increment
            self.raises += 1
        self.put_in(seat, amount)
        self.current_bet = to
        self.aggressor = seat
        all_in = self.stacks[seat] == 0
        street = self.street
        if isinstance(action, Bet):
            self.events.append(
                ev.PlayerBet(seat=seat, street=street, to=to, amount=amount, all_in=all_in)
            )
        else:
            self.events.append(
                ev.PlayerRaised(
                    seat=seat,
                    street=street,
                    to=to,
                    amount=amount,
                    raised_by=increment,
                    all_in=all_in,
                    complete=complete,
                )
            )

    # -- flow -------------------------------------------------------------------------------------

    def _advance(self, last: int) -> None:
        """After ``last`` acted (or the blinds went in), find who acts next or close the round."""
        folded, stacks, bets, acted_at = self.folded, self.stacks, self.bets, self.acted_at
        if folded.count(False) == 1:
            self._return_uncalled()
            self._settle()
            return
        # A seat acts if it owes chips, or has not acted yet and someone could answer a raise.
        others_can_answer = _able_to_act(self) >= 2
        current, n = self.current_bet, self.n
        for step in range(1, n + 1):
            seat = (last + step) % n
            if folded[seat] or stacks[seat] == 0:
                continue
            if bets[seat] < current or (acted_at[seat] < 0 and others_can_answer):
                self.to_act = seat
                return
        self._close_round()

    def _close_round(self) -> None:
        self._return_uncalled()
        if self._runs_twice():
            self._run_twice()
            return
        while True:
            if self.street == ev.Street.RIVER:
                self._settle()
                return
            self._deal_street()
            first = self._first_to_act_postflop()
            if first is not None:
                self.to_act = first
                return

    def _first_to_act_postflop(self) -> int | None:
        able = [s for s in range(self.n) if self.can_act(s)]
        if len(able) < 2:
            return None  # nobody left to bet against: run the board out
        button = self.config.button
        return min(able, key=lambda s: (s - button - 1) % self.n)

    def _deal_street(self, run: int = 0) -> None:
        self.street = ev.Street(self.street + 1)
        count = self.variant.board_streets[self.street - 1]
        start = self.next_card + 1  # burn one
        cards = self.config.deck[start : start + count]
        self.next_card = start + count
        self.board = (*self.board, *cards)
        self.bets = [0] * self.n
        self.acted_at = [-1] * self.n
        self.current_bet = 0
        fixed = self.variant.betting is Betting.FIXED_LIMIT
        self.min_raise = self.bet_unit() if fixed else self.config.blinds.bb
        self.raises = 0
        self.aggressor = None
        self.to_act = None
        self.events.append(
            ev.BoardDealt(street=self.street, cards=cards, board=self.board, run=run)
        )

    # -- run it twice -----------------------------------------------------------------------------

    def _runs_twice(self) -> bool:
        """Betting is over before the river, everyone still in agreed, and the deck has the cards.

        Ten-handed Omaha all-in before the flop would need 56 cards: such a board is run once.
        """
        agreed = self.config.run_it_twice
        if not agreed or self.street == ev.Street.RIVER or _able_to_act(self) >= 2:
            return False
        contenders = [s for s in range(self.n) if self.in_hand(s)]
        if len(contenders) < 2 or not set(contenders) <= set(agreed):
            return False
        streets = self.variant.board_streets[self.street :]
        needed = sum(1 + count for count in streets)  # a burn before each street
        return self.next_card + 2 * needed <= DECK_SIZE

    def _run_twice(self) -> None:
        """Deal the rest of the board once, then again from the next cards, and settle on both."""
        street, shared = self.street, self.board
        while self.street != ev.Street.RIVER:
            self._deal_street(run=1)
        first = self.board
        self.street, self.board = street, shared
        while self.street != ev.Street.RIVER:
            self._deal_street(run=2)
        self.second_board = self.board
        self.board = first
        self._settle()

    def _return_uncalled(self) -> None:
        top = max(range(self.n), key=lambda s: self.bets[s])
        second = max((self.bets[s] for s in range(self.n) if s != top), default=0)
        excess = self.bets[top] - second
        if excess > 0:
            self.bets[top] -= excess
            self.contributed[top] -= excess
            self.stacks[top] += excess
            self.events.append(ev.UncalledBetReturned(seat=top, amount=excess))

    # -- the end of the hand ----------------------------------------------------------------------

    def _settle(self) -> None:
        self.to_act = None
        self.phase = Phase.COMPLETE
        config = self.config
        pots = build_side_pots(self.contributed, self.folded, self.dead)
        total = sum(p.amount for p in pots)
        flop_dealt = self.street >= ev.Street.FLOP
        rake = rake_amount(config.rake, total, flop_dealt)
        if rake:
            first = (config.button + 1) % self.n
            # Dead money (a big-blind ante, dead posts) makes no claim on a pot, but its poster
            # paid it, so it counts towards their share of the rake.
            paid = [c + d for c, d in zip(self.contributed, self.dead_paid, strict=True)]
            by_seat = attribute_rake(rake, paid, first)
            by_pot = attribute_rake(rake, [p.amount for p in pots])
            self.events.append(ev.RakeTaken(amount=rake, contributions=by_seat))
        else:
            by_pot = tuple(0 for _ in pots)
        self.rake = rake
        after_rake = [pot.amount - cut for pot, cut in zip(pots, by_pot, strict=True)]
        contenders = [s for s in range(self.n) if self.in_hand(s)]
        self.won = (0,) * self.n
        if self.second_board:
            # Rake was taken once, above; each pot is halved, the odd chip to the first run.
            first_halves = [amount - amount // 2 for amount in after_rake]
            strengths = self._showdown(contenders, self.board, run=1)
            self._award(pots, first_halves, strengths, run=1)
            strengths = self._showdown(contenders, self.second_board, run=2)
            self._award(pots, [amount // 2 for amount in after_rake], strengths, run=2)
        else:
            strengths = self._showdown(contenders, self.board) if len(contenders) > 1 else {}
            self._award(pots, after_rake, strengths)
        final = [self.stacks[s] + self.won[s] for s in range(self.n)]
        self.stacks = final
        self.bets = [0] * self.n
        self.events.append(
            ev.HandEnded(
                stacks=tuple(final),
                net=tuple(final[s] - config.stacks[s] for s in range(self.n)),
                rake=rake,
            )
        )

    def _award(
        self, pots: list[Pot], amounts: list[int], strengths: dict[int, int], run: int = 0
    ) -> None:
        """Award each pot's ``amount`` to the best shown hand eligible for it, main pot first."""
        won = list(self.won)
        button = self.config.button
        for index, (pot, amount) in enumerate(zip(pots, amounts, strict=True)):
            shown = [s for s in pot.eligible if s in strengths]
            if len(pot.eligible) == 1 or not shown:
                winners = list(pot.eligible)
            else:
                best = max(strengths[s] for s in shown)
                winners = [s for s in shown if strengths[s] == best]
            for seat, share in split_pot(amount, winners, button, self.n).items():
                won[seat] += share
                description = describe(strengths[seat]) if seat in strengths else None
                self.events.append(
                    ev.PotAwarded(
                        pot=index, seat=seat, amount=share, description=description, run=run
                    )
                )
        self.won = tuple(won)

    def _showdown(
        self, contenders: list[int], board: tuple[Card, ...], run: int = 0
    ) -> dict[int, int]:
        """Value every contender's hand on ``board`` and table them in showdown order.

        The last aggressor on the final street shows first, otherwise the first seat left of the
        button. When a player is all-in every hand is tabled; otherwise, a hand that cannot beat
        one already shown is mucked (unless the table shows all hands).
        """
        best_hand = self.variant.best_hand
        strengths = {s: best_hand(self.hole[s], board) for s in contenders}
        button = self.config.button
        start = self.aggressor if self.aggressor is not None else (button + 1) % self.n
        order = sorted(contenders, key=lambda s: (s - start) % self.n)
        table_all = not self.config.muck_losers or any(self.stacks[s] == 0 for s in contenders)
        best_shown = -1
        shown = list(self.shown)
        for seat in order:
            if table_all or strengths[seat] >= best_shown:
                best_shown = max(best_shown, strengths[seat])
                shown[seat] = True
                self.events.append(
                    ev.HandShown(
                        seat=seat,
                        cards=self.hole[seat],
                        strength=strengths[seat],
                        description=describe(strengths[seat]),
                        run=run,
                    )
                )
            else:
                self.events.append(ev.HandMucked(seat=seat))
        self.shown = tuple(shown)
        # A mucked hand has lost to a shown one in every pot it could contest, so dropping it
        # from the valuation changes no award and keeps mucked cards out of the results.
        return {s: v for s, v in strengths.items() if shown[s]}


# ---------------------------------------------------------------------------------------------
# The public API


def start_hand(config: HandConfig) -> Transition:
    """Post antes, blinds and posts, deal hole cards and return the state waiting for an action.

    Antes are posted before blinds, so a stack too short for both pays the ante first; posts
    (``HandConfig.posts``) come after the blinds, clockwise from the seat after the big blind.
    """
    variant = variant_by_code(config.variant)
    validate_config(config, variant)
    n = len(config.stacks)
    per_player = variant.hole_cards
    positions = hole_card_positions(n, config.button, per_player)
    deck = config.deck
    hole = tuple(tuple([deck[i] for i in seat_positions]) for seat_positions in positions)
    blinds = config.blinds
    initial = HandState(
        config=config,
        phase=Phase.BETTING,
        street=ev.Street.PREFLOP,
        to_act=None,
        stacks=config.stacks,
        bets=(0,) * n,
        contributed=(0,) * n,
        dead=0,
        folded=(False,) * n,
        acted_at=(-1,) * n,
        current_bet=0,
        min_raise=blinds.bb,
        raises=0,
        aggressor=None,
        hole=hole,
        board=(),
        next_card=n * per_player,
        shown=(False,) * n,
        dead_paid=(0,) * n,
    )
    work = _Work(initial, variant)
    work.events.append(
        ev.HandStarted(
            variant=variant.code,
            button=config.button,
            stacks=config.stacks,
            small_blind=blinds.sb,
            big_blind=blinds.bb,
            straddle=blinds.straddle,
            ante=config.ante.amount,
            ante_kind=config.ante.kind.value,
            commitment=config.commitment,
        )
    )
    where = blind_positions(config)
    sb_seat, bb_seat = where.small_blind, where.big_blind
    _post_antes(work, (config.button + 1) % n if sb_seat is None else sb_seat, bb_seat)
    posts = [(bb_seat, ev.BlindKind.BIG, blinds.bb)]
    if sb_seat is not None:
        posts.insert(0, (sb_seat, ev.BlindKind.SMALL, blinds.sb))
    if blinds.straddle:
        posts.append(((bb_seat + 1) % n, ev.BlindKind.STRADDLE, blinds.straddle))
    for seat, kind, amount in posts:
        paid = min(amount, work.stacks[seat])
        if paid:
            work.put_in(seat, paid)
            work.events.append(
                ev.BlindPosted(seat=seat, kind=kind, amount=paid, all_in=work.stacks[seat] == 0)
            )
    # Callers owe the full blind even when its poster is all-in for less; a straddle is a full
    # raise, so the smallest raise pre-flop is one more straddle.
    work.current_bet = max(blinds.bb, blinds.straddle)
    work.min_raise = work.current_bet
    work.raises = 1
    _post_extra(work, bb_seat)
    for seat, cards in enumerate(hole):
        work.events.append(ev.HoleCardsDealt(seat=seat, cards=cards))
    last_blind = posts[-1][0]
    work._advance(last_blind)
    return Transition(work.freeze(), work.events)


def _post_antes(work: _Work, first: int, bb_seat: int) -> None:
    """Antes, clockwise from ``first`` (the small blind, else the seat after the button)."""
    ante = work.config.ante
    if ante.kind is AnteKind.NONE or ante.amount == 0:
        return
    if ante.kind is AnteKind.BIG_BLIND:
        paid = min(ante.amount, work.stacks[bb_seat])
        work.stacks[bb_seat] -= paid
        work.dead += paid
        work.dead_paid[bb_seat] += paid
        work.events.append(
            ev.AntePosted(seat=bb_seat, amount=paid, dead=True, all_in=work.stacks[bb_seat] == 0)
        )
        return
    for k in range(work.n):
        seat = (first + k) % work.n
        paid = min(ante.amount, work.stacks[seat])
        work.stacks[seat] -= paid
        work.contributed[seat] += paid
        work.events.append(
            ev.AntePosted(seat=seat, amount=paid, dead=False, all_in=work.stacks[seat] == 0)
        )


def _post_extra(work: _Work, bb_seat: int) -> None:
    """Posts besides the blinds: the live part is a bet, the dead part dead money in the pot.

    The live part is paid first, so a stack short of the whole post is a live (all-in) post.
    Live chips never raise: a live post is at most the big blind, the bet already to match.
    """
    n = work.n
    for post in sorted(work.config.posts, key=lambda p: (p.seat - bb_seat) % n):
        seat = post.seat
        live = min(post.live, work.stacks[seat])
        if live:
            work.put_in(seat, live)
        dead = min(post.dead, work.stacks[seat])
        if dead:
            work.stacks[seat] -= dead
            work.dead += dead
            work.dead_paid[seat] += dead
        if live or dead:  # nothing when antes left the seat without chips
            work.events.append(
                ev.PlayerPosted(seat=seat, live=live, dead=dead, all_in=work.stacks[seat] == 0)
            )


def apply(state: HandState, action: Action) -> Transition:
    """Apply one player action; raise a :class:`PokerError` and change nothing if it is illegal."""
    work = _Work(state, state.variant)
    work.act(action)
    return Transition(work.freeze(), work.events)


def legal_actions(state: HandState) -> LegalActions | None:
    """What the seat to act may do, or None when the hand is over."""
    if state.phase is Phase.COMPLETE or state.to_act is None:
        return None
    return state.offered or _legal(state, state.variant, state.to_act)
