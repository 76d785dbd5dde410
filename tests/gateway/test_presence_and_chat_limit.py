"""The gateway's two pieces of shared bookkeeping, without sockets."""

from __future__ import annotations

import pytest

from tablium.gateway.chat_limit import ChatLimiter
from tablium.gateway.presence import Presence


def test_presence_counts_each_players_subscriptions_per_table() -> None:
    presence = Presence()
    assert presence.join("alice", "t-1") is True
    assert presence.join("alice", "t-2") is True
    assert presence.join("bob", "t-1") is True
    assert presence.join("alice", "t-1") is False
    assert presence.leave("alice", "t-1") is False
    assert presence.leave("alice", "t-1") is True
    assert presence.count("alice", "t-1") == 0
    assert presence.leave("alice", "t-1") is False  # never below zero
    assert presence.count("alice", "t-2") == presence.count("bob", "t-1") == 1


def test_the_chat_limit_slides_with_time() -> None:
    limiter = ChatLimiter(limit=3, window_ms=1000)
    key = ("alice", "t-1")
    for now in (0, 400, 800):
        assert limiter.allows(key, now)
        limiter.record(key, now)
    assert not limiter.allows(key, 999)
    assert limiter.allows(key, 1000)  # the line sent at 0 has left the window
    limiter.record(key, 1000)
    assert not limiter.allows(key, 1399)
    assert limiter.allows(("alice", "t-2"), 1000)
    assert limiter.allows(("bob", "t-1"), 1000)


def test_the_chat_limit_forgets_idle_chatters() -> None:
    limiter = ChatLimiter(limit=1, window_ms=10)
    for n in range(5000):
        limiter.record((f"p-{n}", "t-1"), now_ms=n * 100)
    assert len(limiter._sent) < 2100  # swept as it grew, not one key per chatter ever seen


def test_a_chat_limit_needs_a_positive_allowance() -> None:
    with pytest.raises(ValueError, match="positive window"):
        ChatLimiter(limit=0)
