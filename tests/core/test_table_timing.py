"""The action clock and time bank: deadlines, bank use, refills and what a timeout does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tablium.poker.actions import Check, Fold
from tablium.poker.hand import LegalActions
from tablium.table.timing import Phase, TimingRules, refill, start_turn, timeout_action

RULES = TimingRules(action_ms=15_000, bank_initial_ms=30_000, bank_max_ms=60_000)


def test_acting_within_the_action_clock_leaves_the_bank_untouched() -> None:
    turn = start_turn(RULES, seat=3, bank_ms=30_000, now_ms=100_000)
    assert turn.phase(114_999) is Phase.ACTION
    assert turn.bank_left(114_999) == 30_000
    assert not turn.expired(114_999)


def test_after_the_action_clock_the_bank_runs_and_then_the_turn_expires() -> None:
    turn = start_turn(RULES, seat=3, bank_ms=30_000, now_ms=0)
    assert turn.next_deadline(0) == 15_000
    assert turn.phase(15_000) is Phase.BANK
    assert turn.next_deadline(15_000) == 45_000
    assert turn.bank_left(25_000) == 20_000
    assert not turn.expired(44_999)
    assert turn.expired(45_000)
    assert turn.bank_left(45_000) == 0


def test_an_empty_bank_expires_with_the_action_clock() -> None:
    turn = start_turn(RULES, seat=0, bank_ms=0, now_ms=0)
    assert turn.final_deadline == turn.action_deadline == 15_000


def test_the_bank_refills_per_hand_up_to_its_maximum() -> None:
    bank = 0
    for _ in range(40):
        bank = refill(RULES, bank)
    assert bank == RULES.bank_max_ms


def test_a_timeout_checks_when_free_and_folds_otherwise() -> None:
    free = LegalActions(seat=4, to_call=0, raise_kind="bet", min_raise_to=2, max_raise_to=100)
    owed = LegalActions(seat=4, to_call=50, raise_kind="raise", min_raise_to=100, max_raise_to=500)
    assert timeout_action(free) == Check(seat=4)
    assert timeout_action(owed) == Fold(seat=4)


@pytest.mark.parametrize(
    "settings",
    [
        {"action_ms": 0},
        {"bank_refill_ms": -1},
        {"bank_initial_ms": 90_000, "bank_max_ms": 60_000},
        {"sit_out_after_timeouts": 0},
    ],
)
def test_impossible_clock_settings_are_refused(settings: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        TimingRules(**settings)


@given(
    bank=st.integers(0, 120_000),
    started=st.integers(0, 10**9),
    elapsed=st.integers(0, 10**6),
)
def test_the_bank_never_grows_within_a_turn_and_is_empty_at_expiry(
    bank: int, started: int, elapsed: int
) -> None:
    turn = start_turn(RULES, seat=1, bank_ms=bank, now_ms=started)
    left = turn.bank_left(started + elapsed)
    assert 0 <= left <= bank
    assert (left == 0) or not turn.expired(started + elapsed) or bank == 0
    assert turn.bank_left(turn.final_deadline) == 0
