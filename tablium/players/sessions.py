"""Sessions in the database: refresh-token families, rotation, reuse detection and revocation.

A session is opened at login with one refresh token. Refreshing rotates: the presented token is
marked used (``UPDATE … WHERE used_at IS NULL``, so of two concurrent uses exactly one wins) and a
new pair is issued in the same session. A used token presented again means two parties hold the
family, so the whole session is revoked: the thief and the player are both logged out, and the
player logs in again. Access tokens are checked against their session on every use, so a revoked
session stops working at once rather than when its access tokens expire.

Every function here works inside the caller's transaction.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import msgspec
import sqlalchemy as sa
from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tablium.db import audit
from tablium.db.audit import Actor
from tablium.db.schema import players, refresh_tokens, sessions
from tablium.errors import Forbidden, Unauthenticated
from tablium.players.profile import Role
from tablium.players.tokens import (
    AccessClaims,
    hash_refresh_token,
    issue_access_token,
    new_refresh_token,
)

logger = logging.getLogger("tablium.auth")


class TokenPair(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int
    """Seconds the access token is valid for."""
    refresh_expires_in: int
    """Seconds the refresh token is valid for, if not used before."""


class Principal(msgspec.Struct, frozen=True):
    """Who is calling, once an access token has been checked against the database."""

    player_id: str
    role: Role
    session_id: str


def _clip(value: str | None, length: int) -> str | None:
    return value[:length] if value is not None else None


@dataclass(frozen=True)
class SessionStore:
    """Opens, rotates and ends sessions, signing access tokens with ``secret``."""

    secret: str = field(repr=False)
    access_ttl: timedelta
    refresh_ttl: timedelta

    async def open(
        self,
        connection: AsyncConnection,
        *,
        player_id: str,
        role: Role,
        now: datetime,
        ip: str | None,
        user_agent: str | None,
    ) -> TokenPair:
        """Start a session for a player who has just proved who they are."""
        session_id = uuid.uuid4().hex
        await connection.execute(
            sessions.insert().values(
                id=session_id,
                player_id=player_id,
                created_at=now,
                ip=_clip(ip, 64),
                user_agent=_clip(user_agent, 256),
            )
        )
        return await self._issue(
            connection, session_id=session_id, player_id=player_id, role=role, now=now
        )

    async def rotate(
        self, connection: AsyncConnection, refresh_token: str, *, now: datetime, ip: str | None
    ) -> TokenPair | Unauthenticated:
        """Exchange a refresh token for a new pair.

        Raises ``Unauthenticated`` (``token_invalid``, ``token_expired``, ``session_revoked``) or
        ``Forbidden`` (``account_disabled``) when nothing was written. On reuse the session is
        revoked and the ``token_reused`` error is *returned*: the caller commits, then raises it.
        """
        token_hash = hash_refresh_token(refresh_token)
        result = await connection.execute(
            select(
                refresh_tokens.c.session_id,
                refresh_tokens.c.expires_at,
                refresh_tokens.c.used_at,
                sessions.c.player_id,
                sessions.c.revoked_at,
                players.c.role,
                players.c.disabled,
            )
            .select_from(
                refresh_tokens.join(sessions, refresh_tokens.c.session_id == sessions.c.id).join(
                    players, sessions.c.player_id == players.c.id
                )
            )
            .where(refresh_tokens.c.token_hash == token_hash)
        )
        row = result.mappings().one_or_none()
        if row is None:
            raise Unauthenticated("unknown refresh token", code="token_invalid")
        if row["used_at"] is not None:
            return await self._revoke_reused(connection, row, now=now, ip=ip)
        if row["revoked_at"] is not None:
            raise Unauthenticated("this session has ended", code="session_revoked")
        if row["disabled"]:
            raise Forbidden("this account is disabled", code="account_disabled")
        if row["expires_at"] <= now:
            raise Unauthenticated("the refresh token has expired", code="token_expired")
        claimed = await connection.execute(
            sa.update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash, refresh_tokens.c.used_at.is_(None))
            .values(used_at=now)
        )
        if claimed.rowcount != 1:
            # Another request rotated this very token since it was read.
            return await self._revoke_reused(connection, row, now=now, ip=ip)
        return await self._issue(
            connection,
            session_id=row["session_id"],
            player_id=row["player_id"],
            role=Role(row["role"]),
            now=now,
        )

    async def end(
        self, connection: AsyncConnection, refresh_token: str, *, now: datetime, ip: str | None
    ) -> str | None:
        """Log out the session of ``refresh_token``: the id of the session it ended, or None if
        it had already ended. Audited as ``session.logout``."""
        result = await connection.execute(
            select(refresh_tokens.c.session_id, sessions.c.player_id)
            .select_from(
                refresh_tokens.join(sessions, refresh_tokens.c.session_id == sessions.c.id)
            )
            .where(refresh_tokens.c.token_hash == hash_refresh_token(refresh_token))
        )
        row = result.mappings().one_or_none()
        if row is None:
            raise Unauthenticated("unknown refresh token", code="token_invalid")
        session_id: str = row["session_id"]
        player_id: str = row["player_id"]
        if not await revoke_sessions(connection, now=now, reason="logout", session_id=session_id):
            return None
        await audit.record(
            connection,
            at=now,
            actor=Actor(id=player_id, ip=ip),
            action="session.logout",
            target=player_id,
            details={"session_id": session_id},
        )
        return session_id

    async def _issue(
        self,
        connection: AsyncConnection,
        *,
        session_id: str,
        player_id: str,
        role: Role,
        now: datetime,
    ) -> TokenPair:
        refresh_token = new_refresh_token()
        await connection.execute(
            refresh_tokens.insert().values(
                token_hash=hash_refresh_token(refresh_token),
                session_id=session_id,
                issued_at=now,
                expires_at=now + self.refresh_ttl,
            )
        )
        access_token = issue_access_token(
            secret=self.secret,
            player_id=player_id,
            role=role,
            session_id=session_id,
            now=now,
            ttl=self.access_ttl,
        )
        return TokenPair(
            access_token=access_token,
            refresh_token=refresh_token,
            expires_in=int(self.access_ttl.total_seconds()),
            refresh_expires_in=int(self.refresh_ttl.total_seconds()),
        )

    async def _revoke_reused(
        self, connection: AsyncConnection, row: RowMapping, *, now: datetime, ip: str | None
    ) -> Unauthenticated:
        """A rotated token came back: whoever holds the family, it is no longer trusted."""
        revoked = await revoke_sessions(
            connection, now=now, reason="token_reused", session_id=row["session_id"]
        )
        await audit.record(
            connection,
            at=now,
            actor=Actor(id=None, ip=ip),  # whoever presented the token, possibly a thief
            action="session.reuse_detected",
            target=row["player_id"],
            details={"session_id": row["session_id"], "revoked": revoked > 0},
        )
        logger.warning(
            "refresh token reused; session revoked",
            extra={"player_id": row["player_id"], "session_id": row["session_id"], "ip": ip},
        )
        return Unauthenticated(
            "this refresh token was already used; the session has been ended", code="token_reused"
        )


async def check_session(connection: AsyncConnection, claims: AccessClaims) -> Principal:
    """The caller behind valid access-token claims, in one query: the session must be open and
    the account enabled; the role is the one in the database now, not the one in the token."""
    result = await connection.execute(
        select(sessions.c.revoked_at, players.c.role, players.c.disabled)
        .select_from(sessions.join(players, sessions.c.player_id == players.c.id))
        .where(sessions.c.id == claims.session_id, sessions.c.player_id == claims.player_id)
    )
    row = result.one_or_none()
    if row is None:
        raise Unauthenticated("unknown session", code="token_invalid")
    if row.revoked_at is not None:
        raise Unauthenticated("this session has ended", code="session_revoked")
    if row.disabled:
        raise Forbidden("this account is disabled", code="account_disabled")
    return Principal(claims.player_id, Role(row.role), claims.session_id)


async def revoke_sessions(
    connection: AsyncConnection,
    *,
    now: datetime,
    reason: str,
    session_id: str | None = None,
    player_id: str | None = None,
) -> int:
    """End one session, or every session of a player; returns how many were still open."""
    if session_id is None and player_id is None:
        raise ValueError("name a session or a player")
    statement = sa.update(sessions).where(sessions.c.revoked_at.is_(None))
    if session_id is not None:
        statement = statement.where(sessions.c.id == session_id)
    if player_id is not None:
        statement = statement.where(sessions.c.player_id == player_id)
    result = await connection.execute(statement.values(revoked_at=now, revoked_reason=reason))
    return result.rowcount
