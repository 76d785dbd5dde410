"""Who is at a table in this process: connections subscribed as a player, counted per table.

A player may hold several connections (a phone and a laptop) and subscribe each to the same
table. The table hears ``connected`` when the first of them subscribes as that player and
``disconnected`` when the last one leaves (unsubscribes, or its connection closes), never once per
socket. Spectator subscriptions do not count: they cannot act, so they do not protect a seat.
"""

from __future__ import annotations

from collections import Counter


class Presence:
    """Counts of player subscriptions by ``(player_id, table_id)``; one per gateway process.

    >>> presence = Presence()
    >>> presence.join("alice", "t-1"), presence.join("alice", "t-1")
    (True, False)
    >>> presence.leave("alice", "t-1"), presence.leave("alice", "t-1")
    (False, True)
    >>> presence.leave("alice", "t-1")
    False
    """

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()

    def join(self, player_id: str, table_id: str) -> bool:
        """Count one more subscription; True when it is the player's first at this table."""
        key = (player_id, table_id)
        self._counts[key] += 1
        return self._counts[key] == 1

    def leave(self, player_id: str, table_id: str) -> bool:
        """Count one subscription less; True when it was the player's last at this table."""
        key = (player_id, table_id)
        count = self._counts.get(key, 0)
        if count == 0:
            return False
        if count == 1:
            del self._counts[key]
            return True
        self._counts[key] = count - 1
        return False

    def count(self, player_id: str, table_id: str) -> int:
        return self._counts.get((player_id, table_id), 0)
