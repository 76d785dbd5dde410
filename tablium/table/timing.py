"""The action clock and the time bank, as pure arithmetic on milliseconds.

A player whose turn it is has ``action_ms`` to act. When that runs out, their time bank starts
(if they have any left); when the bank runs out too, the table acts for them: a check when it is
free, otherwise a fold. Time spent beyond the action clock is taken from the bank; the bank refills
a little with every hand the player is dealt into, up to a maximum. A disconnected player keeps
both clocks running exactly as if connected (disconnect protection), and the table sits them out
after the hand if they are still away.

Times are integer milliseconds from the table's injected clock, so tests move time by hand and
replays are exact.
"""

from __future__ import annotations

import enum

from msgspec import Struct

from tablium.poker.actions import Check, Fold
from tablium.poker.hand import LegalActions


class TimingRules(Struct, frozen=True, kw_only=True):
    """A table's clock settings, in milliseconds."""

    action_ms: int = 15_000
    """Time to act on each turn before the time bank is used."""
    bank_initial_ms: int = 30_000
    """Time bank of a player who sits down."""
    bank_max_ms: int = 60_000
    """The bank never refills beyond this."""
    bank_refill_ms: int = 2_000
    """Added to the bank of every player dealt into a hand."""
    sit_out_after_timeouts: int = 2
    """Consecutive turns timed out before the table sits the player out after the hand."""

    def __post_init__(self) -> None:
        values = (self.action_ms, self.bank_initial_ms, self.bank_max_ms, self.bank_refill_ms)
        if min(values) < 0 or self.action_ms == 0:
            raise ValueError("clock settings must be non-negative and the action clock positive")
        if self.bank_initial_ms > self.bank_max_ms:
            raise ValueError("the initial time bank cannot exceed its maximum")
        if self.sit_out_after_timeouts < 1:
            raise ValueError("sit_out_after_timeouts must be at least 1")


class Phase(enum.Enum):
    ACTION = "action"
    """Within the action clock: the bank is untouched."""
    BANK = "bank"
    """The action clock ran out; the time bank is running."""


class Turn(Struct, frozen=True, kw_only=True):
    """One player's turn: when it started, and what they had in the bank then."""

    seat: int
    started_ms: int
    action_ms: int
    bank_ms: int

    @property
    def action_deadline(self) -> int:
        """When the action clock runs out and the bank starts."""
        return self.started_ms + self.action_ms

    @property
    def final_deadline(self) -> int:
        """When the bank runs out too and the table acts for the player."""
        return self.action_deadline + self.bank_ms

    def phase(self, now_ms: int) -> Phase:
        return Phase.ACTION if now_ms < self.action_deadline else Phase.BANK

    def next_deadline(self, now_ms: int) -> int:
        """The next moment the table must look at this turn again: the end of the action clock,
        then the end of the bank.

        >>> turn = Turn(seat=2, started_ms=1_000, action_ms=15_000, bank_ms=30_000)
        >>> turn.next_deadline(1_000), turn.next_deadline(16_000)
        (16000, 46000)
        """
        return self.action_deadline if now_ms < self.action_deadline else self.final_deadline

    def expired(self, now_ms: int) -> bool:
        return now_ms >= self.final_deadline

    def bank_left(self, acted_ms: int) -> int:
        """The bank after acting at ``acted_ms``: what was used beyond the action clock is gone.

        >>> turn = Turn(seat=0, started_ms=0, action_ms=15_000, bank_ms=30_000)
        >>> turn.bank_left(10_000), turn.bank_left(20_000), turn.bank_left(99_000)
        (30000, 25000, 0)
        """
        used = max(0, acted_ms - self.action_deadline)
        return max(0, self.bank_ms - used)


def start_turn(rules: TimingRules, seat: int, bank_ms: int, now_ms: int) -> Turn:
    return Turn(seat=seat, started_ms=now_ms, action_ms=rules.action_ms, bank_ms=max(0, bank_ms))


def refill(rules: TimingRules, bank_ms: int) -> int:
    """The bank after being dealt into a hand.

    >>> refill(TimingRules(), 59_000), refill(TimingRules(), 10_000)
    (60000, 12000)
    """
    return min(rules.bank_max_ms, bank_ms + rules.bank_refill_ms)


def timeout_action(legal: LegalActions) -> Check | Fold:
    """What the table does for a player whose time ran out: check when free, else fold."""
    return Check(seat=legal.seat) if legal.can_check else Fold(seat=legal.seat)
