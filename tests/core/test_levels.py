"""Experience and levels: level 1 at 0 xp, each level dearer than the one before."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tablium.players import levels
from tablium.players.levels import level_for, xp_for_level, xp_to_next


def test_the_doctests_pass() -> None:
    failures, tried = doctest.testmod(levels)
    assert tried > 0
    assert failures == 0


def test_a_new_player_is_level_one_and_needs_a_hundred_xp() -> None:
    assert level_for(0) == 1
    assert xp_to_next(0) == 100


def test_each_level_costs_a_hundred_times_the_level_it_leaves() -> None:
    for level in range(1, 200):
        assert xp_for_level(level + 1) - xp_for_level(level) == 100 * level


def test_every_threshold_is_where_the_level_changes() -> None:
    for level in range(1, 500):
        threshold = xp_for_level(level)
        assert level_for(threshold) == level
        if threshold > 0:
            assert level_for(threshold - 1) == level - 1


def test_levels_never_go_down_as_xp_grows() -> None:
    previous = 1
    for xp in range(0, 60_000):
        level = level_for(xp)
        assert level in (previous, previous + 1)
        previous = level


@given(st.integers(min_value=0, max_value=10**15))
def test_xp_sits_between_its_level_and_the_next(xp: int) -> None:
    level = level_for(xp)
    assert xp_for_level(level) <= xp < xp_for_level(level + 1)
    assert xp_to_next(xp) == xp_for_level(level + 1) - xp > 0


def test_negative_xp_and_level_zero_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        level_for(-1)
    with pytest.raises(ValueError, match="start at 1"):
        xp_for_level(0)


def test_tournament_awards_rise_with_the_finish() -> None:
    assert levels.XP_PER_HAND < levels.XP_TOURNAMENT_PLAYED < levels.XP_TOURNAMENT_CASHED
    assert levels.XP_TOURNAMENT_CASHED < levels.XP_TOURNAMENT_WON
