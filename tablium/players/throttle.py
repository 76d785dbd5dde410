"""Login throttling: a sliding window of failed attempts per account and per IP address.

Pure bookkeeping: every call takes ``now``; the service passes its clock's time. State lives in
the memory of one process, which is enough to make password guessing slow; operators who run
several processes behind a load balancer get a per-process limit.

Every attempt is counted as a failure *when it starts* and forgiven if the password turns out to
be right. Counting at the end would let a burst of concurrent guesses all pass the check while the
first ones are still being hashed.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_KEY_LENGTH = 64
"""Account keys come from the client: long ones are cut so they cannot fill memory faster."""


@dataclass(frozen=True)
class Attempt:
    """A login attempt under way, as counted; hand it back to ``succeeded``."""

    account: str
    ip: str | None
    at: datetime


class LoginThrottle:
    """Refuses attempts once an account or an address has too many recent failures.

    Memory is bounded: at most ``max_keys`` accounts and addresses are remembered. When full, the
    key used least recently is forgotten, which can only make the limit more lenient for it.
    """

    def __init__(
        self,
        *,
        per_account: int = 5,
        per_ip: int = 20,
        window: timedelta = timedelta(minutes=15),
        max_keys: int = 100_000,
    ) -> None:
        self.per_account = per_account
        self.per_ip = per_ip
        self.window = window
        self.max_keys = max_keys
        self._failures: OrderedDict[tuple[str, str], deque[datetime]] = OrderedDict()

    def try_attempt(self, now: datetime, *, account: str, ip: str | None) -> Attempt | None:
        """Count a new attempt and return it, or None if the account or address is throttled."""
        account = account[:MAX_KEY_LENGTH]
        keys = [("account", account)] + ([("ip", ip)] if ip is not None else [])
        limits = {"account": self.per_account, "ip": self.per_ip}
        for key in keys:
            if len(self._recent(key, now)) >= limits[key[0]]:
                return None
        for key in keys:
            self._recent(key, now).append(now)
        self._evict()
        return Attempt(account=account, ip=ip, at=now)

    def retry_after(self, now: datetime, *, account: str, ip: str | None) -> timedelta:
        """How long until an attempt for this account from this address would be counted again
        (zero when it would be now): until enough failures have left the window."""
        account = account[:MAX_KEY_LENGTH]
        keys = [("account", account)] + ([("ip", ip)] if ip is not None else [])
        limits = {"account": self.per_account, "ip": self.per_ip}
        wait = timedelta(0)
        for key in keys:
            times = self._recent(key, now)
            excess = len(times) - limits[key[0]]
            if excess >= 0:
                wait = max(wait, times[excess] + self.window - now)
        return wait

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the account starts afresh, the address loses this attempt."""
        self._failures.pop(("account", attempt.account), None)
        if attempt.ip is not None:
            times = self._failures.get(("ip", attempt.ip))
            if times is not None and attempt.at in times:
                times.remove(attempt.at)
                if not times:
                    del self._failures[("ip", attempt.ip)]

    def failures(self, now: datetime, *, account: str | None = None, ip: str | None = None) -> int:
        """Failures counted in the window for an account or an address (for tests and metrics)."""
        key = ("account", account[:MAX_KEY_LENGTH]) if account is not None else ("ip", ip or "")
        times = self._failures.get(key)
        return sum(1 for at in times if at > now - self.window) if times else 0

    def __len__(self) -> int:
        return len(self._failures)

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        times = self._failures.get(key)
        if times is None:
            times = self._failures[key] = deque()
        else:
            self._failures.move_to_end(key)
        horizon = now - self.window
        while times and times[0] <= horizon:
            times.popleft()
        return times

    def _evict(self) -> None:
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)
