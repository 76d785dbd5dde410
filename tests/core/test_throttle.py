"""Login throttling: a sliding window of failures per account and per address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tablium.players.throttle import LoginThrottle

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def fail(
    throttle: LoginThrottle, times: int, *, account: str, ip: str | None, at: datetime
) -> None:
    for _ in range(times):
        assert throttle.try_attempt(at, account=account, ip=ip) is not None


def test_the_sixth_attempt_on_an_account_within_the_window_is_refused() -> None:
    throttle = LoginThrottle()
    fail(throttle, 5, account="alice", ip=None, at=T0)
    assert throttle.try_attempt(T0 + timedelta(minutes=14), account="alice", ip=None) is None
    assert throttle.try_attempt(T0, account="bob", ip=None) is not None


def test_an_account_recovers_when_its_failures_leave_the_window() -> None:
    throttle = LoginThrottle()
    fail(throttle, 5, account="alice", ip="10.0.0.1", at=T0)
    assert throttle.try_attempt(T0 + timedelta(minutes=15), account="alice", ip=None) is not None


def test_refused_attempts_do_not_extend_the_lock() -> None:
    throttle = LoginThrottle()
    fail(throttle, 5, account="alice", ip=None, at=T0)
    for minute in range(1, 15):
        assert (
            throttle.try_attempt(T0 + timedelta(minutes=minute), account="alice", ip=None) is None
        )
    assert throttle.failures(T0 + timedelta(minutes=14), account="alice") == 5
    assert throttle.try_attempt(T0 + timedelta(minutes=15), account="alice", ip=None) is not None


def test_twenty_failures_from_one_address_block_it_for_every_account() -> None:
    throttle = LoginThrottle()
    for n in range(20):
        fail(throttle, 1, account=f"user{n}", ip="10.0.0.1", at=T0)
    assert throttle.try_attempt(T0, account="fresh", ip="10.0.0.1") is None
    assert throttle.try_attempt(T0, account="fresh", ip="10.0.0.2") is not None


def test_a_success_clears_the_account_and_its_own_attempt_only() -> None:
    throttle = LoginThrottle()
    fail(throttle, 4, account="alice", ip="10.0.0.1", at=T0)
    attempt = throttle.try_attempt(T0, account="alice", ip="10.0.0.1")
    assert attempt is not None
    throttle.succeeded(attempt)
    assert throttle.failures(T0, account="alice") == 0
    assert throttle.failures(T0, ip="10.0.0.1") == 4


def test_concurrent_attempts_count_before_their_outcome_is_known() -> None:
    throttle = LoginThrottle()
    started = [throttle.try_attempt(T0, account="alice", ip=None) for _ in range(8)]
    assert sum(attempt is not None for attempt in started) == 5


def test_accounts_are_compared_on_their_first_64_characters() -> None:
    throttle = LoginThrottle()
    fail(throttle, 5, account="x" * 64 + "a", ip=None, at=T0)
    assert throttle.try_attempt(T0, account="x" * 64 + "b", ip=None) is None


def test_memory_is_bounded_by_forgetting_the_least_recent_keys() -> None:
    throttle = LoginThrottle(max_keys=100)
    for n in range(1000):
        throttle.try_attempt(T0, account=f"user{n}", ip=None)
    assert len(throttle) == 100
    assert throttle.failures(T0, account="user999") == 1
    assert throttle.failures(T0, account="user0") == 0


def test_retry_after_says_when_the_oldest_counted_failure_leaves_the_window() -> None:
    throttle = LoginThrottle()
    for minute in range(5):
        fail(throttle, 1, account="alice", ip=None, at=T0 + timedelta(minutes=minute))
    now = T0 + timedelta(minutes=6)
    assert throttle.try_attempt(now, account="alice", ip=None) is None
    wait = throttle.retry_after(now, account="alice", ip=None)
    assert wait == timedelta(minutes=9)
    assert throttle.try_attempt(now + wait, account="alice", ip=None) is not None
    assert throttle.retry_after(T0, account="bob", ip=None) == timedelta(0)
