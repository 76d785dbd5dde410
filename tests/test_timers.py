"""The actors' clock: manual time wakes sleepers in order, exactly at their deadlines."""

from __future__ import annotations

import asyncio

import pytest

from tablium.timers import LoopTimer, ManualTimer


async def test_sleepers_wake_at_their_deadlines_in_order() -> None:
    timer = ManualTimer(start_ms=1_000)
    woke: list[tuple[str, int]] = []

    async def sleeper(name: str, at: int) -> None:
        await timer.sleep_until(at)
        woke.append((name, timer.now_ms()))

    tasks = [
        asyncio.create_task(sleeper(name, at))
        for name, at in (("c", 4_000), ("a", 1_500), ("b", 2_000))
    ]
    await timer.advance(0)
    assert woke == []
    assert timer.next_deadline == 1_500
    await timer.advance(999)
    assert woke == [("a", 1_500)]
    await timer.advance(3_000)
    assert woke == [("a", 1_500), ("b", 2_000), ("c", 4_000)]
    assert timer.now_ms() == 4_999
    await asyncio.gather(*tasks)


async def test_a_past_deadline_returns_at_once() -> None:
    timer = ManualTimer(start_ms=500)
    await asyncio.wait_for(timer.sleep_until(100), timeout=1)


async def test_a_cancelled_sleeper_does_not_block_others() -> None:
    timer = ManualTimer()
    cancelled = asyncio.create_task(timer.sleep_until(100))
    waiting = asyncio.create_task(timer.sleep_until(200))
    await timer.advance(0)
    cancelled.cancel()
    await timer.advance(200)
    assert waiting.done()
    assert timer.next_deadline is None


async def test_time_never_goes_backwards() -> None:
    with pytest.raises(ValueError):
        await ManualTimer().advance(-1)


async def test_the_loop_timer_sleeps_for_real() -> None:
    timer = LoopTimer()
    start = timer.now_ms()
    await timer.sleep_until(start + 20)
    assert timer.now_ms() >= start + 20
