"""Responsible-gambling rules: deposit and loss limits, and self-exclusion.

Pure: the shell passes ``now`` and the sums of the player's postings in each window. A limit may
be lowered (or set) at once, but raised or removed only after a delay: the change waits as
*pending* and takes effect at ``pending_from``. So a pending change is always a loosening, and a
limit read without applying its due change is never looser than the one in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum

import msgspec

from tablium.errors import Forbidden, InvalidInput
from tablium.money.ledger import MAX_AMOUNT, InvalidAmount, check_currency


class LimitKind(StrEnum):
    """What a limit caps."""

    DEPOSIT = "deposit"
    """Money deposited into the wallet."""
    LOSS = "loss"
    """Money put into play minus money back from play (cash-outs, prizes)."""


class LimitPeriod(StrEnum):
    """The rolling window a limit counts over, ending now."""

    DAY = "day"
    """The last 24 hours."""
    WEEK = "week"
    """The last 7 days."""
    MONTH = "month"
    """The last 30 days."""


WINDOWS: Mapping[LimitPeriod, timedelta] = {
    LimitPeriod.DAY: timedelta(days=1),
    LimitPeriod.WEEK: timedelta(days=7),
    LimitPeriod.MONTH: timedelta(days=30),
}

_ADJECTIVE = {LimitPeriod.DAY: "daily", LimitPeriod.WEEK: "weekly", LimitPeriod.MONTH: "monthly"}

MAX_SELF_EXCLUSION = timedelta(days=100 * 365)
"""The longest self-exclusion one request may set (it may be extended again later)."""


class LimitExceeded(Forbidden):
    """The deposit or stake would go over one of the player's limits."""

    code = "limit_exceeded"

    def __init__(self, kind: LimitKind, period: LimitPeriod, limit: int, remaining: int) -> None:
        super().__init__(
            f"this would exceed your {_ADJECTIVE[period]} {kind} limit of {limit}: "
            f"{remaining} left in the last {_window_words(period)}"
        )
        self.kind = kind
        self.period = period
        self.limit = limit
        self.remaining = remaining


class SelfExcluded(Forbidden):
    """The player excluded themselves from deposits and play until ``until``."""

    code = "self_excluded"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"self-excluded until {until.isoformat(timespec='seconds')}")
        self.until = until


class ExclusionTooShort(InvalidInput):
    """A self-exclusion shorter than the minimum (the cool-off period)."""

    code = "exclusion_too_short"


class ExclusionTooLong(InvalidInput):
    """A self-exclusion longer than ``MAX_SELF_EXCLUSION`` in one request."""

    code = "exclusion_too_long"


class Limit(msgspec.Struct, frozen=True, kw_only=True):
    """One limit of one player in one currency.

    ``amount`` is in force now (None: no limit). ``pending_from`` set means ``pending_amount``
    (None: no limit) replaces it from that moment: a raise or a removal waiting for its delay.
    """

    kind: LimitKind
    period: LimitPeriod
    currency: str
    amount: int | None
    pending_amount: int | None = None
    pending_from: datetime | None = None


def window(period: LimitPeriod) -> timedelta:
    """The length of a rolling window.

    >>> window(LimitPeriod.WEEK)
    datetime.timedelta(days=7)
    """
    return WINDOWS[period]


def effective(limit: Limit, now: datetime) -> int | None:
    """The amount in force at ``now``: the pending change once it is due, else ``amount``."""
    if limit.pending_from is not None and now >= limit.pending_from:
        return limit.pending_amount
    return limit.amount


def settle(limit: Limit, now: datetime) -> Limit:
    """The limit as it stands at ``now``, with a due pending change applied and cleared."""
    if limit.pending_from is None or now < limit.pending_from:
        return limit
    return msgspec.structs.replace(
        limit, amount=limit.pending_amount, pending_amount=None, pending_from=None
    )


def check_limit_amount(amount: object) -> int | None:
    """A limit is None (no limit) or a whole number from 0 to ``MAX_AMOUNT``."""
    if amount is None:
        return None
    if type(amount) is not int or not 0 <= amount <= MAX_AMOUNT:
        raise InvalidAmount(f"a limit is a whole number from 0 to {MAX_AMOUNT}, not {amount!r}")
    return amount


def _looser(new: int | None, current: int | None) -> bool:
    """Whether ``new`` allows more than ``current`` (None allows everything)."""
    if new is None:
        return current is not None
    return current is not None and new > current


def change_limit(
    current: Limit | None,
    new_amount: int | None,
    now: datetime,
    delay: timedelta,
    *,
    kind: LimitKind | None = None,
    period: LimitPeriod | None = None,
    currency: str | None = None,
) -> Limit:
    """The limit after a player asks for ``new_amount`` (None: remove the limit).

    Lowering, or setting where there was none, applies at once and cancels any pending raise.
    Raising or removing waits ``delay`` (asking again restarts the wait). ``kind``, ``period`` and
    ``currency`` name the limit when there is no ``current`` one.

    >>> from datetime import UTC
    >>> now, day = datetime(2026, 1, 1, tzinfo=UTC), timedelta(days=1)
    >>> limit = change_limit(None, 100, now, day, kind=LimitKind.DEPOSIT,
    ...                      period=LimitPeriod.DAY, currency="CHIP")
    >>> raised = change_limit(limit, 500, now, day)
    >>> raised.amount, raised.pending_amount, raised.pending_from == now + day
    (100, 500, True)
    >>> effective(raised, now + day)
    500
    >>> change_limit(raised, 50, now, day).amount, change_limit(raised, 50, now, day).pending_from
    (50, None)
    """
    new_amount = check_limit_amount(new_amount)
    if delay < timedelta(0):
        raise ValueError("the delay of a limit increase cannot be negative")
    if current is None:
        if kind is None or period is None or currency is None:
            raise ValueError("a new limit needs its kind, period and currency")
        current = Limit(
            kind=LimitKind(kind), period=LimitPeriod(period), currency=currency, amount=None
        )
    else:
        same = (kind in (None, current.kind), period in (None, current.period))
        if not all(same) or currency not in (None, current.currency):
            raise ValueError("kind, period and currency must name the current limit")
    check_currency(current.currency)
    current = settle(current, now)
    if not _looser(new_amount, current.amount):
        return msgspec.structs.replace(
            current, amount=new_amount, pending_amount=None, pending_from=None
        )
    return msgspec.structs.replace(current, pending_amount=new_amount, pending_from=now + delay)


def _check(
    kind: LimitKind,
    limits: Iterable[Limit],
    used_in_window: Mapping[LimitPeriod, int],
    amount: int,
    now: datetime | None,
) -> None:
    worst: LimitExceeded | None = None
    for limit in limits:
        if limit.kind != kind:
            continue
        cap = limit.amount if now is None else effective(limit, now)
        if cap is None:
            continue
        used = max(used_in_window.get(limit.period, 0), 0)
        if used + amount > cap:
            remaining = max(cap - used, 0)
            if worst is None or remaining < worst.remaining:
                worst = LimitExceeded(kind, limit.period, cap, remaining)
    if worst is not None:
        raise worst


def check_deposit(
    limits: Iterable[Limit],
    deposited_in_window: Mapping[LimitPeriod, int],
    amount: int,
    *,
    now: datetime | None = None,
) -> None:
    """Refuse a deposit of ``amount`` that would take the deposits of a window over its limit.

    Without ``now`` the limits' ``amount`` is taken as in force (pending raises ignored, which is
    never looser); with it, due pending changes apply.

    >>> limit = Limit(kind=LimitKind.DEPOSIT, period=LimitPeriod.DAY, currency="CHIP", amount=100)
    >>> check_deposit([limit], {LimitPeriod.DAY: 60}, 40)
    >>> check_deposit([limit], {LimitPeriod.DAY: 60}, 41)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tablium.money.limits.LimitExceeded: this would exceed your daily deposit limit of 100: 40...
    """
    _check(LimitKind.DEPOSIT, limits, deposited_in_window, amount, now)


def check_stake(
    limits: Iterable[Limit],
    net_loss_in_window: Mapping[LimitPeriod, int],
    amount: int,
    *,
    now: datetime | None = None,
) -> None:
    """Refuse putting ``amount`` into play if the loss of a window plus it would exceed the limit.

    The loss of a window is the money put into play minus the money back from play in it, never
    below zero (see :func:`net_loss`): winnings do not buy room beyond the limit.
    """
    _check(LimitKind.LOSS, limits, net_loss_in_window, amount, now)


def net_loss(flow: int) -> int:
    """The loss from the net flow of a wallet's play postings (into play negative, back positive).

    >>> net_loss(-300 + 100), net_loss(-300 + 500)
    (200, 0)
    """
    return max(-flow, 0)


def check_not_excluded(until: datetime | None, now: datetime) -> None:
    """Raise :class:`SelfExcluded` while a self-exclusion runs."""
    if until is not None and until > now:
        raise SelfExcluded(until)


def exclusion_until(
    current: datetime | None, now: datetime, duration: timedelta, minimum: timedelta
) -> datetime:
    """When a self-exclusion asked for now for ``duration`` ends. It is at least ``minimum``
    long, and never ends before an exclusion already running.

    >>> from datetime import UTC
    >>> now, day = datetime(2026, 1, 1, tzinfo=UTC), timedelta(days=1)
    >>> exclusion_until(None, now, 7 * day, day).isoformat()
    '2026-01-08T00:00:00+00:00'
    >>> exclusion_until(now + 30 * day, now, 7 * day, day).isoformat()
    '2026-01-31T00:00:00+00:00'
    """
    if duration < minimum:
        raise ExclusionTooShort(f"a self-exclusion lasts at least {_duration_words(minimum)}")
    if duration > MAX_SELF_EXCLUSION:
        raise ExclusionTooLong(f"a self-exclusion lasts at most {MAX_SELF_EXCLUSION.days} days")
    until = now + duration
    return until if current is None or current < until else current


def _window_words(period: LimitPeriod) -> str:
    return {LimitPeriod.DAY: "24 hours", LimitPeriod.WEEK: "7 days"}.get(period, "30 days")


def _duration_words(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} day(s)"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hour(s)"
    return f"{seconds} second(s)"
