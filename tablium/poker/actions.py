"""Player actions: the commands a seat sends to the hand.

Each action names the acting seat (its index in the hand, 0 to n-1, clockwise) so that the hand can
refuse an action out of turn. Amounts for bets and raises are street totals ("raise *to* 600"),
which is what a player sees on the table and what cannot be misread after a partial call.
"""

from __future__ import annotations

from msgspec import Struct


class Fold(Struct, frozen=True, kw_only=True, tag="fold"):
    seat: int


class Check(Struct, frozen=True, kw_only=True, tag="check"):
    seat: int


class Call(Struct, frozen=True, kw_only=True, tag="call"):
    seat: int


class Bet(Struct, frozen=True, kw_only=True, tag="bet"):
    """Open the betting on a street where no one has bet yet; ``to`` is the street total."""

    seat: int
    to: int


class Raise(Struct, frozen=True, kw_only=True, tag="raise"):
    """Raise an existing bet (pre-flop the blinds are a bet); ``to`` is the street total."""

    seat: int
    to: int


Action = Fold | Check | Call | Bet | Raise
