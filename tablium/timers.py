"""Time for actors: a monotonic millisecond clock they can sleep on, real or driven by a test.

Table actors arm deadlines (action clock, time bank, disconnect grace) and sleep until the next
one. They take a ``Timer`` so that tests move time by hand with ``ManualTimer.advance`` and never
sleep for real, the way trio's ``MockClock`` does.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from typing import Protocol


class Timer(Protocol):
    def now_ms(self) -> int:
        """Milliseconds on a monotonic clock (only differences mean anything)."""
        ...

    async def sleep_until(self, deadline_ms: int) -> None:
        """Return once ``now_ms() >= deadline_ms``."""
        ...


class LoopTimer:
    """The event loop's own monotonic clock."""

    def now_ms(self) -> int:
        return int(asyncio.get_running_loop().time() * 1000)

    async def sleep_until(self, deadline_ms: int) -> None:
        delay = deadline_ms - self.now_ms()
        if delay > 0:
            await asyncio.sleep(delay / 1000)


class ManualTimer:
    """A clock that moves only when a test calls ``advance``; sleepers wake in deadline order.

    >>> async def demo() -> list[str]:
    ...     timer, woke = ManualTimer(), []
    ...     async def sleeper(name: str, at: int) -> None:
    ...         await timer.sleep_until(at)
    ...         woke.append(f"{name}@{timer.now_ms()}")
    ...     tasks = [asyncio.create_task(sleeper("b", 300)), asyncio.create_task(sleeper("a", 100))]
    ...     await timer.advance(200)
    ...     await timer.advance(200)
    ...     await asyncio.gather(*tasks)
    ...     return woke
    >>> asyncio.run(demo())
    ['a@100', 'b@300']
    """

    def __init__(self, start_ms: int = 0) -> None:
        self._now = start_ms
        self._sleepers: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now_ms(self) -> int:
        return self._now

    async def sleep_until(self, deadline_ms: int) -> None:
        if deadline_ms <= self._now:
            await asyncio.sleep(0)  # still a checkpoint, as a real sleep would be
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (deadline_ms, next(self._order), future))
        await future

    async def advance(self, ms: int) -> None:
        """Move time forward by ``ms``, waking each sleeper at its own deadline in turn and
        letting the woken tasks run before time moves on."""
        if ms < 0:
            raise ValueError("time does not go backwards")
        await settle()  # tasks that are about to sleep register their deadlines first
        target = self._now + ms
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future = heapq.heappop(self._sleepers)
            self._now = max(self._now, deadline)
            if not future.done():
                future.set_result(None)
            await settle()
        self._now = target
        await settle()

    @property
    def next_deadline(self) -> int | None:
        """The earliest deadline someone sleeps on (for tests that jump straight to it)."""
        live = [entry for entry in self._sleepers if not entry[2].done()]
        return min(live)[0] if live else None


async def settle(rounds: int = 20) -> None:
    """Let every ready task run until the loop is quiet (a bounded number of passes)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
