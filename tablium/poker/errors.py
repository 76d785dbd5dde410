"""The engine's error types.

Two families, as a client needs to tell them apart: :class:`MalformedInput` means the request
could never be valid (a bad card string, a fractional amount), :class:`IllegalAction` means it is
well formed but not allowed in the current state (acting out of turn, raising too little). Both are
``ValueError`` so callers that only care about "bad input" can catch one type; each carries a
stable machine-readable ``code`` that the protocol and HTTP edges translate.
"""

from __future__ import annotations


class PokerError(ValueError):
    """Base of every error the poker core raises on bad input."""

    code = "poker_error"


class MalformedInput(PokerError):
    """The input cannot be understood at all (bad card text, wrong type, absurd value)."""

    code = "malformed"


class InvalidConfiguration(PokerError):
    """A hand cannot be started with these seats, stacks, blinds or deck."""

    code = "invalid_configuration"


class IllegalAction(PokerError):
    """A well-formed action that the rules do not allow in this state."""

    code = "illegal_action"


class NotYourTurn(IllegalAction):
    """A seat acted while another seat is to act (or while no one is)."""

    code = "not_your_turn"


class BetOutOfRange(IllegalAction):
    """A bet or raise below the minimum or above the maximum the rules allow."""

    code = "bet_out_of_range"


class HandComplete(IllegalAction):
    """An action arrived after the hand was over."""

    code = "hand_complete"
