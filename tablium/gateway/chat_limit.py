"""The chat rate limit: at most ``limit`` lines per player per table in any ``window_ms``.

Counted per process across all of a player's connections (a second socket does not double the
allowance). A sliding log of send times per ``(player, table)``: exact, and small because the
limit is. Time is passed in, so tests move it by hand.
"""

from __future__ import annotations

from collections import deque
from typing import Final

from tablium.protocol import CHAT_RATE_LIMIT, CHAT_RATE_WINDOW_MS

_MIN_SWEEP: Final = 1024
"""Forget idle keys once the map has grown past this (and then past twice its size)."""


class ChatLimiter:
    """Whether a player may send another chat line to a table now.

    >>> limiter = ChatLimiter(limit=2, window_ms=1000)
    >>> key = ("alice", "t-1")
    >>> for now in (0, 10):
    ...     assert limiter.allows(key, now)
    ...     limiter.record(key, now)
    >>> limiter.allows(key, 999), limiter.allows(key, 1000)
    (False, True)
    """

    def __init__(self, *, limit: int = CHAT_RATE_LIMIT, window_ms: int = CHAT_RATE_WINDOW_MS):
        if limit < 1 or window_ms < 1:
            raise ValueError("a chat limit needs at least one line per positive window")
        self._limit = limit
        self._window_ms = window_ms
        self._sent: dict[tuple[str, str], deque[int]] = {}
        self._sweep_at = _MIN_SWEEP

    def allows(self, key: tuple[str, str], now_ms: int) -> bool:
        """True when a line sent at ``now_ms`` stays within the limit (nothing is recorded)."""
        sent = self._sent.get(key)
        if sent is None:
            return True
        self._expire(sent, now_ms)
        return len(sent) < self._limit

    def record(self, key: tuple[str, str], now_ms: int) -> None:
        """Count a line sent at ``now_ms``."""
        sent = self._sent.setdefault(key, deque(maxlen=self._limit))
        sent.append(now_ms)
        if len(self._sent) > self._sweep_at:
            self._sweep(now_ms)

    def _expire(self, sent: deque[int], now_ms: int) -> None:
        while sent and sent[0] <= now_ms - self._window_ms:
            sent.popleft()

    def _sweep(self, now_ms: int) -> None:
        # Keys whose every line has left the window count for nothing: drop them so the map
        # stays as small as the set of recent chatters.
        for key, sent in list(self._sent.items()):
            self._expire(sent, now_ms)
            if not sent:
                del self._sent[key]
        self._sweep_at = max(_MIN_SWEEP, 2 * len(self._sent))
