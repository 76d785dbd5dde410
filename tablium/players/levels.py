"""Experience points and levels.

Everyone starts at level 1 with 0 xp. Going from level ``n`` to ``n + 1`` costs ``100 * n`` xp, so
reaching level ``L`` takes ``50 * L * (L - 1)`` xp in all: early levels come quickly, later ones
reward long play. Pure integer arithmetic, no floats.
"""

from __future__ import annotations

from math import isqrt

XP_PER_HAND = 1
"""For each hand dealt in at a cash table."""
XP_TOURNAMENT_PLAYED = 10
"""For each tournament finished (every player has a finishing place)."""
XP_TOURNAMENT_CASHED = 25
"""On top, for finishing in the money."""
XP_TOURNAMENT_WON = 100
"""On top, for first place."""

XP_STEP = 100


def xp_for_level(level: int) -> int:
    """Total xp needed to reach ``level``.

    >>> [xp_for_level(level) for level in (1, 2, 3, 4, 10)]
    [0, 100, 300, 600, 4500]
    """
    if level < 1:
        raise ValueError(f"levels start at 1, not {level}")
    return XP_STEP * level * (level - 1) // 2


def level_for(xp: int) -> int:
    """The level a player with ``xp`` experience points is at.

    >>> [level_for(xp) for xp in (0, 99, 100, 299, 300, 599, 600, 4500)]
    [1, 1, 2, 2, 3, 3, 4, 10]
    """
    if xp < 0:
        raise ValueError(f"xp cannot be negative: {xp}")
    # 50·L·(L-1) <= xp  <=>  L·(L-1) <= xp // 50: the largest whole L, by the quadratic formula.
    pairs = xp // (XP_STEP // 2)
    return (1 + isqrt(1 + 4 * pairs)) // 2


def xp_to_next(xp: int) -> int:
    """Experience points still needed to reach the next level.

    >>> xp_to_next(0), xp_to_next(150), xp_to_next(300)
    (100, 150, 300)
    """
    return xp_for_level(level_for(xp) + 1) - xp
