"""Pots: side pots from contributions, and splitting a pot between tied winners.

Contributions are live chips only (antes of the "uniform" kind included: they are live for side
pots). A big-blind ante is dead money: it goes into the main pot whole and never sets a side-pot
level, so a short big blind's ante does not shrink the main pot it can win.
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec import Struct


class Pot(Struct, frozen=True, kw_only=True):
    amount: int
    eligible: tuple[int, ...]
    """Seats that can win this pot, in seat order."""


def build_side_pots(contributed: Sequence[int], folded: Sequence[bool], dead: int = 0) -> list[Pot]:
    """Split the chips in the middle into a main pot and side pots.

    Each distinct contribution level of a player still in the hand closes one pot; a folded
    player's chips count towards the pots but give no claim on them. Pots nobody can win cannot
    occur once uncalled bets are returned, but folded chips above the top level are kept in the
    last pot rather than lost.

    >>> build_side_pots([100, 300, 300, 50], [False, False, False, True])
    [Pot(amount=350, eligible=(0, 1, 2)), Pot(amount=400, eligible=(1, 2))]
    >>> build_side_pots([20, 20], [False, False], dead=5)
    [Pot(amount=45, eligible=(0, 1))]
    """
    levels = sorted({c for c, f in zip(contributed, folded, strict=True) if not f and c > 0})
    pots: list[Pot] = []
    previous = 0
    for level in levels:
        amount = sum(min(c, level) - min(c, previous) for c in contributed)
        eligible = tuple(
            seat
            for seat, (c, f) in enumerate(zip(contributed, folded, strict=True))
            if not f and c >= level
        )
        pots.append(Pot(amount=amount, eligible=eligible))
        previous = level
    leftover = sum(c - previous for c in contributed if c > previous) + dead
    if leftover:
        if not pots:
            # Everyone still in the hand put in nothing live: dead money alone makes the pot.
            eligible = tuple(seat for seat, f in enumerate(folded) if not f)
            return [Pot(amount=leftover, eligible=eligible)]
        if dead:
            first = pots[0]
            pots[0] = Pot(amount=first.amount + dead, eligible=first.eligible)
            leftover -= dead
        if leftover:
            last = pots[-1]
            pots[-1] = Pot(amount=last.amount + leftover, eligible=last.eligible)
    return pots


def split_pot(amount: int, winners: Sequence[int], button: int, seats: int) -> dict[int, int]:
    """Share a pot between tied winners; odd chips go one at a time from the left of the button.

    >>> split_pot(101, [0, 2], button=1, seats=3)
    {2: 51, 0: 50}
    >>> split_pot(10, [3], button=0, seats=4)
    {3: 10}
    """
    share, odd = divmod(amount, len(winners))
    in_order = sorted(winners, key=lambda seat: (seat - button - 1) % seats)
    return {seat: share + (1 if i < odd else 0) for i, seat in enumerate(in_order)}
