"""Access tokens (JWT, HS256) and refresh tokens (opaque random strings).

An access token is short-lived and checked without a database round trip for its signature; the
service then checks its session in one query. A refresh token is a random string the server
keeps only as a SHA-256 hash: it is long, random and single-use, so a slow hash adds nothing.

Time is passed in: expiry is decided against the caller's ``now``, with no leeway, so tests and
every process of the server agree on it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

import jwt
import msgspec

from tablium.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER: Final = "tablium"
MIN_SECRET_BYTES = 32
"""RFC 7518: an HS256 key should be at least as long as the hash output."""


class AccessClaims(msgspec.Struct, frozen=True):
    """What a valid access token says."""

    player_id: str
    role: str
    """The role when the token was issued; the service reads the current one from the database."""
    session_id: str
    issued_at: datetime
    expires_at: datetime


class _Payload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The JWT claims as they travel."""

    iss: Literal["tablium"]
    sub: str
    role: str
    sid: str
    iat: int
    exp: int
    jti: str
    typ: str


def issue_access_token(
    *, secret: str, player_id: str, role: str, session_id: str, now: datetime, ttl: timedelta
) -> str:
    """A signed access token for ``player_id`` in ``session_id``, valid from ``now`` for ``ttl``.

    Times are whole seconds (as JWT has them): ``iat`` is ``now`` rounded down.
    """
    issued = int(now.timestamp())
    payload = _Payload(
        iss=ISSUER,
        sub=player_id,
        role=role,
        sid=session_id,
        iat=issued,
        exp=issued + int(ttl.total_seconds()),
        jti=uuid.uuid4().hex,
        typ="access",
    )
    return jwt.encode(msgspec.structs.asdict(payload), secret, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret: str, now: datetime) -> AccessClaims:
    """The claims of a valid access token; ``Unauthenticated`` otherwise.

    Codes: ``token_expired`` once ``now`` reaches ``exp``; ``token_invalid`` for anything else
    (bad signature, another algorithm including ``none``, another issuer or token type, missing
    or mistyped claims, not a JWT at all).
    """
    try:
        raw = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={
                # Expiry is checked below against the injected `now`, not the machine's clock.
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["exp", "iat", "sub", "sid", "role", "typ", "jti", "iss"],
            },
        )
        payload = msgspec.convert(raw, _Payload)
    except (jwt.InvalidTokenError, msgspec.ValidationError):
        raise Unauthenticated("invalid access token", code="token_invalid") from None
    if payload.typ != "access":
        raise Unauthenticated("not an access token", code="token_invalid")
    if now.timestamp() >= payload.exp:
        raise Unauthenticated("the access token has expired", code="token_expired")
    return AccessClaims(
        player_id=payload.sub,
        role=payload.role,
        session_id=payload.sid,
        issued_at=datetime.fromtimestamp(payload.iat, UTC),
        expires_at=datetime.fromtimestamp(payload.exp, UTC),
    )


def new_refresh_token() -> str:
    """256 random bits, URL-safe: what the client keeps and sends back to refresh."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """The form a refresh token is stored and looked up in (SHA-256, hex).

    >>> hash_refresh_token("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode()).hexdigest()


def new_signing_key() -> str:
    """A random 64-byte HS256 key, hex: what the server generates when none is configured."""
    return secrets.token_hex(64)
