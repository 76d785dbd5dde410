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

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tablium.db.schema import audit_log

logger = logging.getLogger("tablium.audit")
_INSERT = audit_log.insert()
"""Built once: money movements write an audit row each, so this is on the transfer hot path."""


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
        _INSERT,
        {
            "at": at,
            "actor_id": actor.id,
            "actor_role": actor.role,
            "action": action,
            "target": target,
            "ip": actor.ip,
            "details": dict(details or {}),
        },
    )
    logger.info(
        "audit",
        extra={"action": action, "actor": actor.id, "target": target, "ip": actor.ip},
    )


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    at: datetime
    actor_id: str | None
    actor_role: str | None
    action: str
    target: str | None
    ip: str | None
    details: dict[str, Any]


async def entries(
    engine: AsyncEngine,
    *,
    limit: int = 50,
    before: int | None = None,
    actor_id: str | None = None,
    action: str | None = None,
    target: str | None = None,
) -> list[AuditEntry]:
    """Audit rows, newest first, filtered; page with ``before`` (an entry id)."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before is not None:
        query = query.where(audit_log.c.id < before)
    if actor_id is not None:
        query = query.where(audit_log.c.actor_id == actor_id)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    if target is not None:
        query = query.where(audit_log.c.target == target)
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).mappings().all()
    return [AuditEntry(**row) for row in rows]
