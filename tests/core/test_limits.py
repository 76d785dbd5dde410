"""Responsible-gambling rules: limits tighten at once and loosen only after a delay."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tablium.clock import ManualClock
from tablium.errors import Forbidden, InvalidInput
from tablium.money import limits as limit_rules
from tablium.money.ledger import InvalidAmount, InvalidCurrency
from tablium.money.limits import (
    MAX_SELF_EXCLUSION,
    ExclusionTooLong,
    ExclusionTooShort,
    Limit,
    LimitExceeded,
    LimitKind,
    LimitPeriod,
    SelfExcluded,
    change_limit,
    check_deposit,
    check_not_excluded,
    check_stake,
    effective,
    exclusion_until,
    net_loss,
    settle,
    window,
)

DAY = timedelta(days=1)
DEPOSIT_DAY = {"kind": LimitKind.DEPOSIT, "period": LimitPeriod.DAY, "currency": "CHIP"}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 1, 9, tzinfo=UTC))


def deposit_limit(amount: int | None, **fields: Any) -> Limit:
    return Limit(**DEPOSIT_DAY, amount=amount, **fields)


def test_setting_a_first_limit_applies_at_once(clock: ManualClock) -> None:
    limit = change_limit(None, 500, clock(), DAY, **DEPOSIT_DAY)
    assert limit == deposit_limit(500)
    assert effective(limit, clock()) == 500


def test_lowering_applies_at_once(clock: ManualClock) -> None:
    lowered = change_limit(deposit_limit(500), 200, clock(), DAY)
    assert lowered == deposit_limit(200)
    assert change_limit(deposit_limit(500), 0, clock(), DAY) == deposit_limit(0)


def test_raising_waits_for_the_delay_then_applies(clock: ManualClock) -> None:
    raised = change_limit(deposit_limit(500), 800, clock(), DAY)
    assert raised == deposit_limit(500, pending_amount=800, pending_from=clock() + DAY)
    clock.advance(hours=23, minutes=59, seconds=59)
    assert effective(raised, clock()) == 500
    assert settle(raised, clock()) == raised
    clock.advance(seconds=1)
    assert effective(raised, clock()) == 800
    assert settle(raised, clock()) == deposit_limit(800)


def test_removing_waits_for_the_delay(clock: ManualClock) -> None:
    removal = change_limit(deposit_limit(500), None, clock(), DAY)
    assert removal == deposit_limit(500, pending_amount=None, pending_from=clock() + DAY)
    assert effective(removal, clock()) == 500
    clock.advance(days=1)
    assert effective(removal, clock()) is None
    assert settle(removal, clock()) == deposit_limit(None)


def test_lowering_cancels_a_pending_raise(clock: ManualClock) -> None:
    raised = change_limit(deposit_limit(500), 800, clock(), DAY)
    clock.advance(hours=12)
    assert change_limit(raised, 300, clock(), DAY) == deposit_limit(300)
    assert change_limit(raised, 500, clock(), DAY) == deposit_limit(500)  # keep: no raise
    removal = change_limit(deposit_limit(500), None, clock(), DAY)
    assert change_limit(removal, 400, clock(), DAY) == deposit_limit(400)


def test_asking_to_raise_again_restarts_the_wait(clock: ManualClock) -> None:
    raised = change_limit(deposit_limit(500), 800, clock(), DAY)
    clock.advance(hours=20)
    again = change_limit(raised, 700, clock(), DAY)
    assert again == deposit_limit(500, pending_amount=700, pending_from=clock() + DAY)


def test_a_due_raise_is_settled_before_the_next_change(clock: ManualClock) -> None:
    raised = change_limit(deposit_limit(500), 800, clock(), DAY)
    clock.advance(days=2)
    assert change_limit(raised, 600, clock(), DAY) == deposit_limit(600)  # lower than 800
    assert change_limit(deposit_limit(None), None, clock(), DAY) == deposit_limit(None)


def test_without_a_delay_every_change_applies_at_once(clock: ManualClock) -> None:
    raised = change_limit(deposit_limit(500), 800, clock(), timedelta(0))
    assert effective(raised, clock()) == 800


@pytest.mark.parametrize("amount", [-1, 1.5, True, "100", 10**13], ids=repr)
def test_limit_amounts_are_whole_and_in_range(clock: ManualClock, amount: Any) -> None:
    with pytest.raises(InvalidAmount):
        change_limit(deposit_limit(500), amount, clock(), DAY)


def test_a_new_limit_needs_its_name(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="kind, period and currency"):
        change_limit(None, 5, clock(), DAY)
    with pytest.raises(ValueError, match="name the current limit"):
        change_limit(deposit_limit(5), 5, clock(), DAY, period=LimitPeriod.WEEK)
    with pytest.raises(InvalidCurrency):
        change_limit(
            None, 5, clock(), DAY, kind=LimitKind.LOSS, period=LimitPeriod.DAY, currency="x"
        )


def test_windows_are_rolling_24_hours_7_days_30_days() -> None:
    assert [window(p) for p in LimitPeriod] == [DAY, 7 * DAY, 30 * DAY]


def test_deposits_are_checked_against_every_window() -> None:
    limits = [
        deposit_limit(1_000),
        Limit(kind=LimitKind.DEPOSIT, period=LimitPeriod.WEEK, currency="CHIP", amount=1_500),
        Limit(kind=LimitKind.LOSS, period=LimitPeriod.DAY, currency="CHIP", amount=1),
    ]
    check_deposit(limits, {LimitPeriod.DAY: 400, LimitPeriod.WEEK: 900}, 600)
    with pytest.raises(LimitExceeded) as caught:
        check_deposit(limits, {LimitPeriod.DAY: 400, LimitPeriod.WEEK: 1_000}, 600)
    error = caught.value
    assert (error.code, error.period, error.limit, error.remaining) == (
        "limit_exceeded",
        LimitPeriod.WEEK,
        1_500,
        500,
    )
    assert str(error) == (
        "this would exceed your weekly deposit limit of 1500: 500 left in the last 7 days"
    )
    assert isinstance(error, Forbidden)
    check_deposit(limits, {}, 1_000)
    with pytest.raises(LimitExceeded, match="daily deposit limit of 1000: 1000 left"):
        check_deposit(limits, {}, 1_001)


def test_the_tightest_exceeded_limit_is_reported() -> None:
    limits = [
        Limit(kind=LimitKind.LOSS, period=LimitPeriod.MONTH, currency="CHIP", amount=5_000),
        Limit(kind=LimitKind.LOSS, period=LimitPeriod.DAY, currency="CHIP", amount=1_000),
    ]
    with pytest.raises(LimitExceeded, match="monthly loss limit of 5000: 100 left"):
        check_stake(limits, {LimitPeriod.DAY: 900, LimitPeriod.MONTH: 4_900}, 200)


def test_a_limit_of_zero_refuses_everything() -> None:
    with pytest.raises(LimitExceeded, match="0 left"):
        check_deposit([deposit_limit(0)], {}, 1)


def test_without_now_a_pending_raise_is_not_yet_in_force(clock: ManualClock) -> None:
    raised = change_limit(deposit_limit(100), 1_000, clock(), DAY)
    with pytest.raises(LimitExceeded):
        check_deposit([raised], {}, 500)
    with pytest.raises(LimitExceeded):
        check_deposit([raised], {}, 500, now=clock())
    clock.advance(days=1)
    check_deposit([raised], {}, 500, now=clock())


def test_a_removed_limit_allows_anything(clock: ManualClock) -> None:
    removed = change_limit(deposit_limit(100), None, clock(), DAY)
    clock.advance(days=1)
    check_deposit([removed], {LimitPeriod.DAY: 10**12}, 10**12, now=clock())


def test_loss_is_money_into_play_minus_money_back_never_below_zero() -> None:
    assert net_loss(-500) == 500
    assert net_loss(-500 + 200) == 300
    assert net_loss(-500 + 800) == 0
    loss = Limit(kind=LimitKind.LOSS, period=LimitPeriod.DAY, currency="CHIP", amount=500)
    check_stake([loss], {LimitPeriod.DAY: net_loss(-300 + 200)}, 400)
    with pytest.raises(LimitExceeded, match="daily loss limit of 500: 400 left"):
        check_stake([loss], {LimitPeriod.DAY: net_loss(-300 + 200)}, 401)
    with pytest.raises(LimitExceeded):
        check_stake([loss], {LimitPeriod.DAY: net_loss(10_000)}, 501)


def test_self_exclusion_has_a_minimum(clock: ManualClock) -> None:
    with pytest.raises(ExclusionTooShort) as caught:
        exclusion_until(None, clock(), timedelta(hours=23), DAY)
    assert caught.value.code == "exclusion_too_short"
    assert isinstance(caught.value, InvalidInput)
    assert exclusion_until(None, clock(), DAY, DAY) == clock() + DAY


def test_self_exclusion_is_never_shortened(clock: ManualClock) -> None:
    month = exclusion_until(None, clock(), 30 * DAY, DAY)
    clock.advance(days=1)
    assert exclusion_until(month, clock(), 7 * DAY, DAY) == month
    assert exclusion_until(month, clock(), 60 * DAY, DAY) == clock() + 60 * DAY
    expired = clock() - DAY
    assert exclusion_until(expired, clock(), 2 * DAY, DAY) == clock() + 2 * DAY


def test_self_exclusion_has_a_maximum_per_request(clock: ManualClock) -> None:
    assert exclusion_until(None, clock(), MAX_SELF_EXCLUSION, DAY) == clock() + MAX_SELF_EXCLUSION
    with pytest.raises(ExclusionTooLong):
        exclusion_until(None, clock(), timedelta.max, DAY)


def test_a_running_exclusion_refuses(clock: ManualClock) -> None:
    until = clock() + DAY
    with pytest.raises(SelfExcluded, match="self-excluded until 2026-05-02T09:00:00") as caught:
        check_not_excluded(until, clock())
    assert (caught.value.code, caught.value.until) == ("self_excluded", until)
    check_not_excluded(None, clock())
    clock.advance(days=1)
    check_not_excluded(until, clock())


def test_the_doctests_pass() -> None:
    failures, tried = doctest.testmod(limit_rules)
    assert tried > 0
    assert failures == 0
