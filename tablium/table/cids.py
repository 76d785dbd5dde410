"""The command ids a table remembers, so that a resent command is applied at most once.

Per player, the most recent ``limit`` cids are kept; an applied one is forgotten after
``memory_ms`` (a client resends within seconds; the protocol promises ten minutes). Besides
*applied*, a cid may be *pending* (a top-up answered when the hand ends) or *uncertain* (its money
move failed in a way that may have committed): those are never forgotten by age, and an uncertain
one keeps the idempotency key its resend must reuse.
"""

from __future__ import annotations

import collections
import enum

from msgspec import Struct


class CidStatus(enum.Enum):
    APPLIED = "applied"
    """Done: a resend gets ``ack`` with ``duplicate``."""
    PENDING = "pending"
    """Accepted, answered later; a resend only moves the answer to the connection that asked."""
    UNCERTAIN = "uncertain"
    """A money move may have happened: a resend runs again with the same key."""


class SeenCid(Struct, frozen=True):
    status: CidStatus
    at_ms: int
    key: str | None = None


class CommandIds:
    """Recent cids of every player at one table (one writer: the table's task)."""

    def __init__(self, *, limit: int, memory_ms: int) -> None:
        self._limit = limit
        self._memory_ms = memory_ms
        self._seen: dict[str, collections.OrderedDict[str, SeenCid]] = {}

    def get(self, player_id: str, cid: str, now_ms: int) -> SeenCid | None:
        seen = self._seen.get(player_id)
        if seen is None:
            return None
        oldest = now_ms - self._memory_ms
        while seen:
            first = next(iter(seen.values()))
            if first.at_ms >= oldest or first.status is not CidStatus.APPLIED:
                break
            seen.popitem(last=False)
        return seen.get(cid)

    def remember(
        self, player_id: str, cid: str, status: CidStatus, now_ms: int, key: str | None = None
    ) -> None:
        seen = self._seen.setdefault(player_id, collections.OrderedDict())
        seen.pop(cid, None)
        seen[cid] = SeenCid(status, now_ms, key)
        while len(seen) > self._limit:
            seen.popitem(last=False)

    def forget(self, player_id: str, cid: str) -> None:
        seen = self._seen.get(player_id)
        if seen is not None:
            seen.pop(cid, None)
