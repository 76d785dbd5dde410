"""A PokerKit oracle for differential testing of the Tablium engine.

This module replays hands in the ``tablium replay`` JSON Lines format through PokerKit (pinned
and investigated at 0.7.7) and generates random legal hands in that format. It is only imported
when ``pokerkit`` is installed (``tablium bench engine`` uses it optionally).

Format (one hand)::

    {"variant": "NLHE" | "PLO" | "FLHE", "starting_stacks": [200, 35, 900], "button": 2,
     "blinds": {"sb": 5, "bb": 10, "straddle": 0},
     "ante": {"kind": "none" | "uniform" | "bb", "amount": 0},
     "deck": "AsKd7h...", "actions": [{"seat": 0, "type": "raise", "to": 30}, ...]}

and the result is ``{"final_stacks": [...], "legal": [[to_call, min_raise_to, max_raise_to],
...]}`` or ``{"error": "..."}`` when the configuration or any action is illegal or the actions
stop before the hand is over.

Seat mapping. PokerKit orders its players from the small blind: player ``i`` is our seat
``(button + 1 + i) % n``, so the button is PokerKit's last player. Heads-up, PokerKit swaps the
blinds (``State.get_effective_blind_or_straddle`` reads ``blinds[not i]``): player 0 posts the
big blind, player 1 (the button) the small blind, acts first pre-flop and last after -- so the
same formula maps heads-up seats too. Big-blind antes are given as ``{1: amount}``, which
heads-up (``antes[not i]``) also lands on the big blind.

Dealing. Hole cards go one at a time in PokerKit player order (= our order from the seat after
the button), two rounds (four for PLO); one burn before the flop, the turn and the river. The
deck string is consumed in exactly that order, also for all-in run-outs. Only the betting
actions and the dealing are done by hand; antes, blinds, bet collection, showdown and chip
pulling are PokerKit automations. Tournament mode (single run-out).

Convention differences between PokerKit 0.7.7 and our rules (docs/rules.md). ``CONVENTIONS``
holds them as data and ``describe_conventions()`` renders them. By default (``normalise=True``)
the adapter follows OUR rule wherever it can be expressed on top of PokerKit's state;
``normalise=False`` gives PokerKit's own answers.

1. Straddle minimum raise. PokerKit: minimum raise to = ``max(bets) + max(largest increment so
   far, street minimum)``, street minimum = big blind, so blinds 1/2 straddle 4 -> 6. Ours: the
   straddle counts as a full raise / the opening bet -> 8. NORMALISED: the pre-flop ``Street`` is
   rebuilt with ``min_completion_betting_or_raising_amount = straddle``.
2. Big blind (or straddle) all-in for less. PokerKit: the amount to call is ``max(bets)``, what
   was actually posted (blinds 5/10, big blind with 3 chips: call 5, minimum raise to 15). Ours:
   callers owe the full big blind (call 10, minimum raise to 20). NOT NORMALISABLE (PokerKit has
   no bet larger than the chips behind it): the differential test excludes such hands.
3. Short all-in reopening. PokerKit calls a raise "full" (clears ``acted_player_indices``) when
   its increment is at least the largest earlier increment of the street, which starts at 0 and
   grows with short all-ins too. So the first bet or raise of a street always reopens, even an
   all-in below the big blind (a limper may re-raise an all-in to 15 over blinds 5/10; a player
   who checked may raise an all-in bet of 5 with a big blind of 10). Ours: a raise is full when
   its increment is at least the largest full bet or raise of the street (the big blind, or the
   straddle pre-flop, to start with); a short all-in does not reopen the betting to a player who
   already acted unless what it now faces above the bet it last acted on is a full raise (TDA
   rule 43, several short all-ins adding up). NORMALISED: the adapter keeps that book itself and
   reports ``null`` bounds (and rejects a raise) where our rule forbids raising.
4. Several short all-ins. PokerKit's reopening by "consecutive short all-ins adding up to the
   largest increment" matches rule 43 in the common cases, but after it has reopened once, a
   third short all-in can leave PokerKit refusing a raise that rule 43 allows. The adapter then
   reports our bounds, annotates the line ``pokerkit_refuses``, never generates such a raise,
   and raises :class:`UnsupportedHand` if an input hand makes one.
5. Raising against covered players. PokerKit refuses a raise when every other live player is
   all-in OR cannot put in more than the current bet (``stack + bet <= max(bets)``). Ours: only
   when they are all all-in. NORMALISED: bounds computed with PokerKit's formulas, and the raise
   is applied to PokerKit as a call (equivalent: the others can only call all-in or fold, and the
   excess comes back uncalled).
6. Odd chips. PokerKit gives the whole remainder of a split pot to the first winner in player
   order (left of the button). Ours: one chip at a time to the winners in seat order from the
   left of the button; different when three or more split with a remainder of 2 or more. Also,
   PokerKit computes its pots only after killing the losing hands, and merges the pots whose
   remaining players are the same, so two side pots with an odd chip each become one even pot.
   Ours: every pot (one per all-in level of a player still in) is split separately. NORMALISED:
   showdown, hand killing and chips pushing are not automated; the adapter records
   ``State.pots`` when the showdown starts, shows every hand, and splits each pot with our
   rule (hands from ``State.get_up_hands``).
7. Nothing to decide. PokerKit asks a player to act when it has nothing to call and may not
   raise because every other live player is all-in (3-handed: the big blind after the only other
   live player called all-in for less) -- yet heads-up it drops the same player from the actors
   (``get_effective_stack`` is 0). Ours: betting is over when at most one player can still act.
   NORMALISED: the adapter checks for that player itself; no input action, no ``legal`` entry.
8. Fixed-limit cap. PokerKit: 4 completions/bets/raises per street
   (``max_completion_betting_or_raising_count = 4``); the blind is not counted, so pre-flop is
   the blind plus 4 raises (to 5 small bets), post-flop a bet plus 3 raises; short all-ins count;
   not lifted heads-up. Ours: 4 bets per street, the big blind counting as the pre-flop bet (so 3
   raises pre-flop), heads-up too, and an all-in for less than a full unit does not count.
   NORMALISED: PokerKit's cap is switched off and the adapter applies a :class:`FixedLimitCap`
   (default :data:`TABLIUM_FL_CAP`; :data:`POKERKIT_FL_CAP` reproduces PokerKit's).
9. Folding when checking is free. PokerKit's tournament mode refuses it (cash-game mode only
   warns); ours allows it. NORMALISED: for that one fold the adapter skips
   ``State.verify_folding``, whose only objection left is this one.
10. Action names. PokerKit has ``check_or_call`` and ``complete_bet_or_raise_to``; the adapter
    enforces ours: ``check`` only with nothing to call, ``call`` only with something to call,
    ``bet`` only post-flop before anyone has bet on the street, ``raise`` otherwise.
11. Antes: no difference. ``ante_trimming_status=False`` (used for the big-blind ante) takes the
    antes out of the side-pot levels and adds them to the first pot: dead money in the main pot.
    ``True`` (uniform antes) keeps them as live contributions. Antes are posted before blinds in
    both; a blind is ``min(blind, stack - ante)``.
12. Pot limit: no difference. PokerKit's pot raise is ``2 * max(bets) - bet + total pot`` (all
    chips in the middle, bets on the street included), the usual "call, then raise the pot".
13. Heads-up straddles and straddles in FLHE are errors, as in our rules.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from typing import Any, Final

from pokerkit import (
    Automation,
    BettingStructure,
    FixedLimitTexasHoldem,
    Hand,
    Mode,
    NoLimitTexasHoldem,
    Poker,
    PotLimitOmahaHoldem,
    State,
)

__all__ = [
    "CONVENTIONS",
    "POKERKIT_FL_CAP",
    "TABLIUM_FL_CAP",
    "VARIANTS",
    "Convention",
    "FixedLimitCap",
    "UnsupportedHand",
    "describe_conventions",
    "random_hand",
    "replay_with_pokerkit",
]

VARIANTS: Final = ("NLHE", "PLO", "FLHE")
ACTION_TYPES: Final = ("fold", "check", "call", "bet", "raise")
_RANKS: Final = "23456789TJQKA"
_SUITS: Final = "cdhs"
_ALL_CARDS: Final = tuple(r + s for r in _RANKS for s in _SUITS)

Legal = list[int | None]


@dataclasses.dataclass(frozen=True)
class Convention:
    """One difference between PokerKit and our rules, and what the adapter does about it."""

    name: str
    pokerkit: str
    ours: str
    handling: str


CONVENTIONS: Final[tuple[Convention, ...]] = (
    Convention(
        "straddle_min_raise",
        "min raise to = max(bets) + max(largest increment, big blind): 1/2/4 -> 6",
        "the straddle counts as a full raise: 1/2/4 -> min raise to 8",
        "normalised: pre-flop Street minimum set to the straddle",
    ),
    Convention(
        "short_big_blind",
        "callers owe max(posted bets): 5/10 with a 3-chip big blind -> call 5, min raise 15",
        "callers still owe the full big blind: call 10, min raise to 20",
        "not normalisable: the differential test excludes hands whose big blind or straddle "
        "cannot post in full after antes",
    ),
    Convention(
        "short_all_in_reopen",
        "a raise is full if its increment >= the largest earlier increment of the street "
        "(0 at the start, short all-ins included): the first bet/raise always reopens, even "
        "an all-in below the big blind",
        "full = increment >= largest full bet or raise (>= bb, or the straddle); a short all-in "
        "reopens only for players facing a full raise above the bet they last acted on",
        "normalised: the adapter keeps the book of who acted and at what bet",
    ),
    Convention(
        "several_short_all_ins",
        "reopens when consecutive short all-ins add up to the largest increment; after one "
        "such reopening a further short all-in can make it refuse a raise rule 43 allows",
        "TDA rule 43: reopened when facing a full raise above the bet last acted on",
        "our bounds reported; line annotated pokerkit_refuses; such raises never generated; "
        "UnsupportedHand if an input hand makes one",
    ),
    Convention(
        "raise_against_covered_players",
        "no raise if every other live player is all-in or has stack + bet <= max(bets)",
        "no raise only if every other live player is all-in",
        "normalised: bounds with PokerKit's formulas; the raise is applied as a call",
    ),
    Convention(
        "odd_chips",
        "the whole remainder of a split pot goes to the first winner left of the button; "
        "pots are formed after losing hands are killed, merging pots with the same players",
        "one odd chip at a time to winners in seat order from the left of the button; each "
        "all-in level of a player still in is its own pot",
        "normalised: the adapter records the pots at showdown and splits them itself",
    ),
    Convention(
        "nothing_to_decide",
        "a player with nothing to call facing only all-in opponents must still check "
        "(3+ players; heads-up it is skipped)",
        "betting is over when at most one player can still act",
        "normalised: the adapter checks for that player without consuming an action",
    ),
    Convention(
        "fixed_limit_cap",
        "4 bets/raises per street with the blind not counted (pre-flop: to 5 small bets); "
        "short all-ins count; not lifted heads-up",
        "4 bets per street, the big blind counting as the first; short all-ins do not count; "
        "heads-up too",
        "normalised: PokerKit's cap off, FixedLimitCap applied by the adapter",
    ),
    Convention(
        "fold_when_check_is_free",
        "refused in tournament mode (a warning in cash-game mode)",
        "always allowed on your turn",
        "normalised: State.verify_folding is skipped for that one fold",
    ),
)


def describe_conventions() -> str:
    """Every known PokerKit-vs-Tablium convention difference, one paragraph each."""
    return "\n\n".join(
        f"{c.name}\n  PokerKit: {c.pokerkit}\n  Tablium:  {c.ours}\n  Adapter:  {c.handling}"
        for c in CONVENTIONS
    )


@dataclasses.dataclass(frozen=True)
class FixedLimitCap:
    """How many bets and raises a fixed-limit street allows.

    ``preflop_raises`` counts raises over the blinds; ``postflop_bets`` counts the bet and the
    raises; ``None`` means no cap. ``count_short_all_ins`` says whether an all-in for less than a
    full unit counts. ``lifted_heads_up`` removes the cap while only two players are in the hand.
    """

    preflop_raises: int | None = 3
    postflop_bets: int | None = 4
    count_short_all_ins: bool = False
    lifted_heads_up: bool = False


#: docs/rules.md: "at most four bets per street (the opening bet or big blind plus three raises);
#: the cap applies heads-up too. An all-in for less than a full unit [does not count]".
TABLIUM_FL_CAP: Final = FixedLimitCap()
#: PokerKit 0.7.7 (``FixedLimitPokerMixin.max_completion_betting_or_raising_count = 4``).
POKERKIT_FL_CAP: Final = FixedLimitCap(preflop_raises=4, postflop_bets=4, count_short_all_ins=True)


class UnsupportedHand(ValueError):
    """The oracle cannot judge this hand (see convention 4)."""


_HAND_CACHE: dict[tuple[type[Hand], tuple[Any, ...], tuple[Any, ...]], Hand | None] = {}
_CACHED_HAND_TYPES: dict[type[Hand], type[Hand]] = {}


def _cached_hand_type(base: type[Hand]) -> type[Hand]:
    """``base`` with a memoised ``from_game`` (PokerKit re-evaluates every hand many times at
    showdown; evaluation is a pure function of the cards, so this changes nothing but speed)."""
    if base in _CACHED_HAND_TYPES:
        return _CACHED_HAND_TYPES[base]

    class Cached(base):  # type: ignore[valid-type, misc]
        _entry: Any = None

        @property
        def entry(self) -> Any:
            if self._entry is None:
                self._entry = super().entry
            return self._entry

        @classmethod
        def from_game(cls, hole_cards: Any, board_cards: Any = ()) -> Hand:
            key = (cls, tuple(hole_cards), tuple(board_cards))
            try:
                hand = _HAND_CACHE[key]
            except KeyError:
                if len(_HAND_CACHE) > 500_000:
                    _HAND_CACHE.clear()
                try:
                    hand = super().from_game(key[1], key[2])
                except ValueError:
                    hand = None
                _HAND_CACHE[key] = hand
            if hand is None:
                raise ValueError("no valid hand can be formed")
            return hand

    Cached.__name__ = Cached.__qualname__ = f"Cached{base.__name__}"
    _CACHED_HAND_TYPES[base] = Cached
    return Cached


class _Illegal(Exception):
    """An illegal configuration or action; becomes ``{"error": ...}``."""


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Illegal(f"{what} must be an integer, got {value!r}")
    return value


def _parse_deck(text: object) -> list[str]:
    if not isinstance(text, str):
        raise _Illegal("deck must be a string")
    compact = "".join(text.split())
    cards = [compact[i : i + 2] for i in range(0, len(compact), 2)]
    normal = [c[:1].upper() + c[1:].lower() for c in cards]
    if len(normal) != 52 or set(normal) != set(_ALL_CARDS):
        raise _Illegal("deck must be 52 distinct cards")
    return normal


@dataclasses.dataclass
class _Config:
    variant: str
    stacks: list[int]
    button: int
    sb: int
    bb: int
    straddle: int
    ante_kind: str
    ante: int
    deck: list[str]

    @property
    def n(self) -> int:
        return len(self.stacks)


def _parse_config(hand: Mapping[str, Any]) -> _Config:
    if not isinstance(hand, Mapping):
        raise _Illegal("a hand is a JSON object")
    variant = hand.get("variant")
    if variant not in VARIANTS:
        raise _Illegal(f"unknown variant {variant!r}")
    raw_stacks = hand.get("starting_stacks")
    if not isinstance(raw_stacks, list) or not 2 <= len(raw_stacks) <= 10:
        raise _Illegal("starting_stacks must be a list of 2 to 10 stacks")
    stacks = [_int(s, "a stack") for s in raw_stacks]
    if min(stacks) <= 0:
        raise _Illegal("every seat must have chips")
    button = _int(hand.get("button"), "button")
    if not 0 <= button < len(stacks):
        raise _Illegal("button out of range")
    blinds = hand.get("blinds")
    if not isinstance(blinds, Mapping):
        raise _Illegal("blinds must be an object")
    sb = _int(blinds.get("sb"), "sb")
    bb = _int(blinds.get("bb"), "bb")
    straddle = _int(blinds.get("straddle", 0), "straddle")
    if not 0 <= sb < bb or straddle < 0 or 0 < straddle <= bb:
        raise _Illegal("need 0 <= sb < bb, and a straddle (if any) larger than the big blind")
    ante = hand.get("ante", {"kind": "none", "amount": 0})
    if not isinstance(ante, Mapping) or ante.get("kind") not in ("none", "uniform", "bb"):
        raise _Illegal("ante kind must be none, uniform or bb")
    ante_kind = str(ante["kind"])
    amount = _int(ante.get("amount", 0), "ante amount")
    if amount < 0:
        raise _Illegal("negative ante")
    if ante_kind == "none" or amount == 0:
        ante_kind, amount = "none", 0
    if straddle and (len(stacks) == 2 or variant == "FLHE"):
        raise _Illegal("a straddle needs at least three players and no fixed limit")
    return _Config(
        variant, stacks, button, sb, bb, straddle, ante_kind, amount, _parse_deck(hand.get("deck"))
    )


class _Table:
    """One hand in PokerKit, with our seat numbering, dealing order and (optionally) rules."""

    def __init__(
        self,
        config: _Config,
        *,
        normalise: bool,
        fl_cap: FixedLimitCap | None = None,
        cache_evaluations: bool = True,
    ) -> None:
        self.config = config
        self.normalise = normalise
        self.cache_evaluations = cache_evaluations
        self.fl_cap = fl_cap if fl_cap is not None else TABLIUM_FL_CAP
        n = config.n
        #: PokerKit player index -> our seat
        self.seat_of = [(config.button + 1 + i) % n for i in range(n)]
        self.deck_position = 0
        self.legal: list[Legal] = []
        self.annotations: list[dict[str, Any]] = []
        self.auto_checks: list[dict[str, int]] = []
        self.final_stacks: list[int] | None = None  # PokerKit order
        self.pokerkit_final_stacks: list[int] | None = None  # PokerKit order, its odd chips
        self.showdown_pots: list[tuple[int, tuple[int, ...]]] | None = None
        # our betting-round book (conventions 3, 4 and 8)
        self.street: int | None = None
        self.full_raise = 0  # largest full bet or raise of the street
        self.acted: set[int] = set()  # acted since the last full bet or raise
        self.last_bet: dict[int, int] = {}  # street bet each player last acted on
        self.full_count = 0  # full bets and raises on the street
        self.all_count = 0  # every bet and raise on the street
        self.state = self._create_state()
        self._advance()

    # --- set-up -------------------------------------------------------------------------
    def _create_state(self) -> State:
        c = self.config
        automations: tuple[Automation, ...] = (
            Automation.ANTE_POSTING,
            Automation.BET_COLLECTION,
            Automation.BLIND_OR_STRADDLE_POSTING,
            Automation.CHIPS_PULLING,
        )
        if not self.normalise:  # else the adapter shows down and splits the pots (convention 6)
            automations += (
                Automation.HOLE_CARDS_SHOWING_OR_MUCKING,
                Automation.HAND_KILLING,
                Automation.CHIPS_PUSHING,
            )
        raw_antes: int | dict[int, int]
        if c.ante_kind == "uniform":
            raw_antes = c.ante
        elif c.ante_kind == "bb":
            raw_antes = {1: c.ante}  # PokerKit player 1 is the big blind (heads-up: player 0)
        else:
            raw_antes = 0
        trimming = c.ante_kind != "bb"  # bb ante: dead money, not a side-pot level
        blinds = (c.sb, c.bb, c.straddle) if c.straddle else (c.sb, c.bb)
        game: Poker
        if c.variant == "NLHE":
            game = NoLimitTexasHoldem(automations, trimming, raw_antes, blinds, c.bb)
        elif c.variant == "PLO":
            game = PotLimitOmahaHoldem(automations, trimming, raw_antes, blinds, c.bb)
        else:
            game = FixedLimitTexasHoldem(automations, trimming, raw_antes, blinds, c.bb, 2 * c.bb)
        game.mode = Mode.TOURNAMENT
        if self.cache_evaluations:
            game.hand_types = tuple(  # type: ignore[misc]  # an instance override, deliberately
                _cached_hand_type(t) for t in game.hand_types
            )
        if self.normalise and c.variant == "FLHE":
            # convention 8: the adapter applies ``self.fl_cap`` itself
            game.streets = tuple(
                dataclasses.replace(street, max_completion_betting_or_raising_count=None)
                for street in game.streets
            )
        if self.normalise and c.straddle:
            # convention 1: the straddle is a full bet, so the pre-flop minimum raise is it
            first = dataclasses.replace(
                game.streets[0], min_completion_betting_or_raising_amount=c.straddle
            )
            game.streets = (first, *game.streets[1:])
        pk_stacks = [c.stacks[seat] for seat in self.seat_of]
        try:
            return game(pk_stacks, c.n)
        except ValueError as exc:
            raise _Illegal(f"invalid configuration: {exc}") from exc

    def _next_card(self) -> str:
        card = self.config.deck[self.deck_position]
        self.deck_position += 1
        return card

    # --- flow -----------------------------------------------------------------------------
    def _advance(self) -> None:
        """Deal, burn, auto-check and settle until a player must act or the hand is over."""
        st = self.state
        while st.status:
            if st.actor_index is not None:
                if st.street_index != self.street:
                    self._begin_street()
                if self.normalise and self._no_decision():
                    # convention 7: nothing to call and no raise possible -> skip the player
                    self.auto_checks.append(
                        {"before_action": len(self.legal), "seat": self.seat_of[st.actor_index]}
                    )
                    self._record(st.actor_index, None)
                    st.check_or_call()
                    continue
                return
            if st.card_burning_status:
                st.burn_card(self._next_card())
            elif st.hole_dealee_index is not None:
                st.deal_hole(self._next_card(), st.hole_dealee_index)
            elif (count := st.board_dealing_count) is not None:
                st.deal_board("".join(self._next_card() for _ in range(count)))
            elif st.can_show_or_muck_hole_cards():
                if self.showdown_pots is None:  # the pots as betting left them
                    self.showdown_pots = [(p.unraked_amount, p.player_indices) for p in st.pots]
                st.show_or_muck_hole_cards(True)
            elif st.can_kill_hand():
                st.kill_hand()
            elif st.can_push_chips():
                self._settle()
            else:  # pragma: no cover - would be a PokerKit phase we do not automate
                raise AssertionError("PokerKit state is stuck")
        if self.final_stacks is None:
            self.final_stacks = list(st.stacks)
            self.pokerkit_final_stacks = list(st.stacks)

    def _begin_street(self) -> None:
        c = self.config
        self.street = self.state.street_index
        if self.street == 0:
            self.full_raise = max(c.bb, c.straddle)
        elif c.variant == "FLHE" and self.street is not None and self.street >= 2:
            self.full_raise = 2 * c.bb
        else:
            self.full_raise = c.bb
        self.acted = set()
        self.last_bet = {}
        self.full_count = self.all_count = 0

    def _settle(self) -> None:
        """Convention 6: award every pot with our odd-chip rule, then let PokerKit finish.

        The pots are taken as betting left them (one per all-in level of a player still in),
        before PokerKit kills the losing hands and merges the pots those players were in --
        merging would move odd chips. Every hand still in was shown, so each pot goes to the
        best shown hands among its players.
        """
        st = self.state
        n = self.config.n
        awards = [0] * n
        if sum(st.statuses) == 1:
            awards[st.statuses.index(True)] = sum(pot.unraked_amount for pot in st.pots)
        else:
            assert self.showdown_pots is not None
            hands = list(st.get_up_hands(0, 0))  # None for the killed (losing) hands
            for amount, players in self.showdown_pots:
                shown = {i: h for i in players if (h := hands[i]) is not None}
                if not shown:
                    raise AssertionError(f"no live hand for a pot of {amount} among {players}")
                best = max(shown.values())
                winners = sorted(i for i, h in shown.items() if h == best)
                share, odd = divmod(amount, len(winners))
                for k, i in enumerate(winners):  # PokerKit order = seat order left of button
                    awards[i] += share + (1 if k < odd else 0)
        # a winner by folds still has its uncalled bet in front of it until chips pulling
        before = [st.stacks[i] + st.bets[i] for i in range(n)]
        while st.can_push_chips():
            st.push_chips()
        assert not st.status, "chips pulling is automated"
        self.pokerkit_final_stacks = list(st.stacks)
        self.final_stacks = [before[i] + awards[i] for i in range(n)]
        if sum(self.final_stacks) != sum(self.pokerkit_final_stacks):
            raise AssertionError("odd-chip redistribution changed the chip total")

    # --- our betting rules ---------------------------------------------------------------------
    def _others_all_in(self, p: int) -> bool:
        st = self.state
        return not any(st.statuses[i] and st.stacks[i] > 0 for i in range(self.config.n) if i != p)

    def _others_covered(self, p: int) -> bool:
        """No other live player can put in more than the current bet (PokerKit's raise ban)."""
        st = self.state
        top = max(st.bets)
        return all(
            st.stacks[i] + st.bets[i] <= top
            for i in range(self.config.n)
            if i != p and st.statuses[i]
        )

    def _no_decision(self) -> bool:
        st = self.state
        p = st.actor_index
        assert p is not None
        return st.bets[p] >= max(st.bets) and self._others_all_in(p)

    def _capped(self) -> bool:
        """Convention 8, with the cap of ``self.fl_cap`` (PokerKit's own cap is switched off)."""
        st = self.state
        cap = self.fl_cap.preflop_raises if st.street_index == 0 else self.fl_cap.postflop_bets
        count = self.all_count if self.fl_cap.count_short_all_ins else self.full_count
        if cap is None or count < cap:
            return False
        return not (self.fl_cap.lifted_heads_up and sum(st.statuses) == 2)

    def _raise_block(self, p: int) -> str | None:
        """Why player ``p`` may not bet or raise under our rules (None if it may)."""
        st = self.state
        stack, bet, top = st.stacks[p], st.bets[p], max(st.bets)
        if stack <= top - bet:
            return "its chips do not exceed the amount to call"
        if self._others_all_in(p):
            return "every other player is all-in"
        if self.config.variant == "FLHE" and self._capped():
            return "the fixed-limit cap is reached"
        if p in self.acted and top - self.last_bet[p] < self.full_raise:
            return "an all-in below a full raise does not reopen the betting"
        return None

    def bounds(self) -> tuple[int, int | None, int | None, dict[str, Any]]:
        """``(to_call, min_raise_to, max_raise_to, annotation)`` for the current actor."""
        st = self.state
        p = st.actor_index
        assert p is not None
        stack, bet, top = st.stacks[p], st.bets[p], max(st.bets)
        to_call = min(stack, top - bet)
        pk_min = st.min_completion_betting_or_raising_to_amount
        pk_max = st.max_completion_betting_or_raising_to_amount
        street = st.street_index
        assert street is not None
        note: dict[str, Any] = {
            "street": street,
            "raises_before": self.all_count,
            "tda_reopen": False,
            "pokerkit_refuses": False,
            "pokerkit_bounds": [pk_min, pk_max],
        }
        if pk_call := st.checking_or_calling_amount:
            assert pk_call == to_call, (pk_call, to_call)
        if not self.normalise:
            return to_call, pk_min, pk_max, note
        block = self._raise_block(p)
        if block is not None:
            return to_call, None, None, note
        # rule 43: reopened by short all-ins adding up to a full raise
        note["tda_reopen"] = p in self.acted
        low = min(stack + bet, top + self.full_raise)
        if st.betting_structure == BettingStructure.NO_LIMIT:
            high = stack + bet
        elif st.betting_structure == BettingStructure.POT_LIMIT:
            pot_raise = 2 * top - bet + st.total_pot_amount
            high = min(stack + bet, max(low, pot_raise))
        else:
            high = low
        if pk_min is None:
            # convention 5 (applied as a call), or convention 4 (cannot be applied)
            note["pokerkit_refuses"] = not self._others_covered(p)
            if note["pokerkit_refuses"] and not note["tda_reopen"]:
                raise AssertionError("PokerKit refuses a raise that our rules allow")
        elif (pk_min, pk_max) != (low, high):
            raise AssertionError(f"bounds {low}..{high} differ from PokerKit {pk_min}..{pk_max}")
        return to_call, low, high, note

    def _record(self, p: int, raise_to: int | None) -> None:
        """Keep our book after player ``p`` acted (``raise_to`` for bets and raises)."""
        st = self.state
        if raise_to is None:
            self.acted.add(p)
            self.last_bet[p] = st.bets[p]
            return
        increment = raise_to - max(st.bets)
        self.all_count += 1
        if increment >= self.full_raise:
            self.full_raise = increment
            self.full_count += 1
            self.acted = {p}
        else:
            self.acted.add(p)
        self.last_bet[p] = raise_to

    # --- actions -------------------------------------------------------------------------------
    @property
    def actor_seat(self) -> int | None:
        p = self.state.actor_index
        return None if p is None else self.seat_of[p]

    def aggressive_name(self) -> str:
        """Our name for a bet or raise now: "bet" post-flop before any bet, else "raise"."""
        st = self.state
        return "bet" if st.street_index and max(st.bets) == 0 else "raise"

    def apply(self, action: object) -> None:
        st = self.state
        if not isinstance(action, Mapping):
            raise _Illegal("an action is a JSON object")
        p = st.actor_index
        if p is None:
            raise _Illegal("the hand is complete")
        seat = _int(action.get("seat"), "seat")
        if seat != self.seat_of[p]:
            raise _Illegal(f"seat {seat} acted but seat {self.seat_of[p]} is to act")
        kind = action.get("type")
        if kind not in ACTION_TYPES:
            raise _Illegal(f"unknown action type {kind!r}")
        to_call, low, high, note = self.bounds()
        self.legal.append([to_call, low, high])
        self.annotations.append(note)
        to: int | None = None
        if kind in ("check", "call") and (kind == "check") != (to_call == 0):
            raise _Illegal(f"{kind} with {to_call} to call")
        if kind in ("bet", "raise"):
            if kind != self.aggressive_name():
                raise _Illegal(f"{kind} is not allowed here, it is a {self.aggressive_name()}")
            to = _int(action.get("to"), "to")
            if low is None or high is None:
                raise _Illegal(f"{kind} is not allowed now")
            if not low <= to <= high:
                raise _Illegal(f"{kind} to {to} outside {low}..{high}")
            if note["pokerkit_refuses"]:
                raise UnsupportedHand(f"PokerKit cannot apply this raise (convention 4): {action}")
        try:
            if kind == "fold":
                if self.normalise and to_call == 0:
                    self._fold_for_free()
                else:
                    st.fold()
            elif to is None:
                st.check_or_call()
            else:
                self._record(p, to)
                if st.min_completion_betting_or_raising_to_amount is None:
                    # convention 5: only covered opponents; the excess comes back uncalled
                    note["covered_raise"] = True
                    st.check_or_call()
                else:
                    st.complete_bet_or_raise_to(to)
        except ValueError as exc:
            raise _Illegal(str(exc)) from exc
        if to is None:
            self._record(p, None)
        self._advance()

    def _fold_for_free(self) -> None:
        """Convention 9: fold with nothing to call, which tournament-mode PokerKit refuses."""
        st = self.state
        st.verify_folding = lambda: None  # type: ignore[method-assign]  # only check is this
        try:
            st.fold()
        finally:
            del st.verify_folding

    def result(self) -> dict[str, Any]:
        if self.state.status or self.final_stacks is None:
            raise _Illegal(f"the hand is not complete: seat {self.actor_seat} is to act")
        final = [0] * self.config.n
        for i, seat in enumerate(self.seat_of):
            final[seat] = self.final_stacks[i]
        return {"final_stacks": final, "legal": self.legal}


def replay_with_pokerkit(
    hand: Mapping[str, Any],
    *,
    normalise: bool = True,
    annotate: bool = False,
    fl_cap: FixedLimitCap = TABLIUM_FL_CAP,
    cache_evaluations: bool = True,
) -> dict[str, Any]:
    """Replay one hand through PokerKit; same output shape as ``tablium replay``.

    ``normalise`` (default) applies our rules where they differ from PokerKit (see the module
    docstring); ``normalise=False`` gives PokerKit's own answers. ``fl_cap`` is the fixed-limit
    cap to apply (``normalise`` only; PokerKit's own otherwise). ``cache_evaluations`` memoises
    PokerKit's hand evaluations (a test-speed aid; benchmarks turn it off to time PokerKit as
    shipped).

    ``annotate`` adds ``"annotations"``, one dict per input action (up to an illegal one):
    ``street`` (0 = pre-flop), ``raises_before`` (bets and raises on the street so far),
    ``tda_reopen`` (may raise only thanks to rule 43), ``pokerkit_refuses`` (convention 4),
    ``pokerkit_bounds`` (PokerKit's own min/max) and ``covered_raise`` (a raise applied to
    PokerKit as a call, convention 5); ``"auto_checks"`` (convention 7); and
    ``"pokerkit_final_stacks"`` (PokerKit's own pot splitting, convention 6).

    Raises :class:`UnsupportedHand` for a hand the oracle cannot judge (convention 4).
    """
    table: _Table | None = None
    try:
        table = _Table(
            _parse_config(hand),
            normalise=normalise,
            fl_cap=fl_cap,
            cache_evaluations=cache_evaluations,
        )
        actions = hand.get("actions", [])
        if not isinstance(actions, list):
            raise _Illegal("actions must be a list")
        for action in actions:
            table.apply(action)
        out = table.result()
    except _Illegal as exc:
        out = {"error": str(exc)}
    if annotate and table is not None:
        out["annotations"] = table.annotations
        out["auto_checks"] = table.auto_checks
        if table.pokerkit_final_stacks is not None:
            final = [0] * table.config.n
            for i, seat in enumerate(table.seat_of):
                final[seat] = table.pokerkit_final_stacks[i]
            out["pokerkit_final_stacks"] = final
    return out


# --- random hands ---------------------------------------------------------------------------


def _random_stack(rng: random.Random, bb: int) -> int:
    roll = rng.random()
    if roll < 0.12:
        return rng.randint(1, bb)  # at most a big blind: all-in from the blinds/antes
    if roll < 0.30:
        return rng.randint(bb, 12 * bb)
    if roll < 0.75:
        return rng.randint(12 * bb, 100 * bb)
    return rng.randint(100 * bb, 400 * bb)


def _random_config(rng: random.Random, variant: str | None) -> dict[str, Any]:
    variant = variant if variant is not None else rng.choice(VARIANTS)
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    n = rng.choice((2, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9))
    bb = rng.choice((2, 2, 3, 4, 5, 10, 10, 20, 25, 50, 100))
    sb = bb // 2 if rng.random() < 0.6 else rng.randint(1, bb - 1)
    straddle = 0
    if variant != "FLHE" and n >= 3 and rng.random() < 0.2:
        straddle = 2 * bb if rng.random() < 0.7 else rng.randint(bb + 1, 4 * bb)
    roll = rng.random()
    if roll < 0.6:
        ante = {"kind": "none", "amount": 0}
    elif roll < 0.8:
        ante = {"kind": "uniform", "amount": rng.randint(1, max(1, bb // 2))}
    else:
        ante = {"kind": "bb", "amount": bb if rng.random() < 0.7 else rng.randint(1, 2 * bb)}
    if rng.random() < 0.2:
        stacks = [rng.choice((20, 50, 100, 200)) * bb] * n
    else:
        stacks = [_random_stack(rng, bb) for _ in range(n)]
    return {
        "variant": variant,
        "starting_stacks": stacks,
        "button": rng.randrange(n),
        "blinds": {"sb": sb, "bb": bb, "straddle": straddle},
        "ante": ante,
        "deck": "".join(rng.sample(_ALL_CARDS, 52)),
        "actions": [],
    }


def _choose_amount(rng: random.Random, table: _Table, low: int, high: int) -> int:
    if low >= high:
        return low
    roll = rng.random()
    if roll < 0.3:
        return low
    if roll < 0.5:
        return high
    if roll < 0.75:  # pot-ish: call, then add a fraction of the pot
        st = table.state
        p = st.actor_index
        assert p is not None
        top = max(st.bets)
        pot_after_call = st.total_pot_amount + top - st.bets[p]
        target = top + int(pot_after_call * rng.choice((0.33, 0.5, 0.75, 1.0, 1.5)))
        return min(high, max(low, target))
    return rng.randint(low, high)


def random_hand(
    rng: random.Random, variant: str | None = None, *, fl_cap: FixedLimitCap = TABLIUM_FL_CAP
) -> dict[str, Any]:
    """A random replay-format hand whose actions are legal under the (normalised) oracle.

    2-9 players, short and deep stacks, random blinds, sometimes a straddle (NLHE/PLO, 3+
    players), antes none/uniform/bb, a random deck, and actions drawn from the legal options
    (amounts biased towards the minimum, the maximum and pot-sized bets) until the hand ends.
    """
    hand = _random_config(rng, variant)
    table = _Table(_parse_config(hand), normalise=True, fl_cap=fl_cap)
    fixed = hand["variant"] == "FLHE"
    while (seat := table.actor_seat) is not None:
        to_call, low, high, note = table.bounds()
        # convention 4: a raise PokerKit cannot apply is never generated
        can_raise = low is not None and high is not None and not note["pokerkit_refuses"]
        roll = rng.random()
        action: dict[str, Any]
        raise_share = 0.25 if fixed else 0.35
        if roll < (0.22 if to_call > 0 else 0.02):  # now and then a fold when checking is free
            action = {"seat": seat, "type": "fold"}
        elif can_raise and roll > 1 - raise_share:
            assert low is not None and high is not None
            to = _choose_amount(rng, table, low, high)
            action = {"seat": seat, "type": table.aggressive_name(), "to": to}
        else:
            action = {"seat": seat, "type": "call" if to_call else "check"}
        table.apply(action)
        hand["actions"].append(action)
    return hand
