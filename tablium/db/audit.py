"""The append-only audit log: who did what, to what, when and from where.

Written in the same transaction as the change it records, so a rolled-back change leaves no
audit row and a committed one always has its row.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from tablium.db.schema import audit_log

logger = logging.getLogger("tablium.audit")


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Who asks: a player (with their role), or a named system actor such as ``"cli"``."""

    id: str | None
    role: str | None = None
    ip: str | None = None

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(id=name, role="system")


async def record(
    connection: AsyncConnection,
    *,
    at: datetime,
    actor: Actor,
    action: str,
    target: str | None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one audit row inside the caller's transaction."""
    await connection.execute(
        audit_log.insert().values(
            at=at,
            actor_id=actor.id,
            actor_role=actor.role,
            action=action,
            target=target,
            ip=actor.ip,
            details=dict(details or {}),
        )
    )
    logger.info(
        "audit",
        extra={"action": action, "actor": actor.id, "target": target, "ip": actor.ip},
    )
