"""Rake: the house's share of a cash-game pot, and who paid it (for rakeback).

Percentages are integer basis points (500 = 5%) so that no float ever touches money; the rake
rounds down and never exceeds the cap.
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec import Struct

BASIS_POINTS = 10_000


class RakeRule(Struct, frozen=True, kw_only=True):
    percent_bp: int = 0
    """Rake in basis points of the pot: 500 is 5%."""
    cap: int | None = None
    """Most rake taken from one hand, in chips; None for no cap."""
    no_flop_no_drop: bool = True
    """Take no rake from a hand that ends before the flop is dealt."""


NO_RAKE = RakeRule()


def rake_amount(rule: RakeRule, pot: int, flop_dealt: bool) -> int:
    """The rake owed on a pot (after uncalled bets are returned).

    >>> rake_amount(RakeRule(percent_bp=500, cap=300), 1_999, flop_dealt=True)
    99
    >>> rake_amount(RakeRule(percent_bp=500, cap=300), 100_000, flop_dealt=True)
    300
    >>> rake_amount(RakeRule(percent_bp=500), 1_000, flop_dealt=False)
    0
    """
    if rule.percent_bp <= 0 or (rule.no_flop_no_drop and not flop_dealt):
        return 0
    rake = pot * rule.percent_bp // BASIS_POINTS
    return rake if rule.cap is None else min(rake, rule.cap)


def attribute_rake(rake: int, contributed: Sequence[int], first: int = 0) -> tuple[int, ...]:
    """Each seat's share of the rake, in proportion to the chips it put into the pot.

    Shares are rounded down and the chips left over go one at a time to the largest remainders
    (ties broken clockwise from seat ``first``), so the shares always add up to the rake exactly.

    >>> attribute_rake(10, [30, 30, 30])
    (4, 3, 3)
    >>> attribute_rake(10, [30, 30, 30], first=1)
    (3, 4, 3)
    >>> attribute_rake(0, [5, 5])
    (0, 0)
    """
    total = sum(contributed)
    if rake == 0 or total == 0:
        return tuple(0 for _ in contributed)
    seats = len(contributed)
    shares = [rake * c // total for c in contributed]
    remainders = [rake * c % total for c in contributed]
    left = rake - sum(shares)
    order = sorted(range(seats), key=lambda s: (-remainders[s], (s - first) % seats))
    for seat in order[:left]:
        shares[seat] += 1
    return tuple(shares)
