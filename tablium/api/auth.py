"""Registration, log-in, token refresh and log-out."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from tablium.api.endpoints import Call, Endpoint
from tablium.players.service import Player, TokenPair

Text = Annotated[str, msgspec.Meta(max_length=256)]


class Register(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(max_length=32, examples=["alice"])]
    password: Annotated[str, msgspec.Meta(max_length=128)]
    display_name: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=254)] | None = None


class LogIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=128)]


class RefreshToken(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    refresh_token: Text


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in player and their tokens."""

    player: Player
    tokens: TokenPair


def _client(call: Call[Any, Any]) -> dict[str, str | None]:
    client = call.request.client
    agent = call.request.headers.get("user-agent")
    return {"ip": client.host if client else None, "user_agent": agent[:256] if agent else None}


async def register(call: Call[Register, None]) -> Session:
    """Create a player account and sign it in."""
    body = call.body
    player, tokens = await call.services.players.register(
        username=body.username,
        password=body.password,
        display_name=body.display_name,
        email=body.email,
        **_client(call),
    )
    return Session(player=player, tokens=tokens)


async def log_in(call: Call[LogIn, None]) -> Session:
    """Exchange a username and password for an access token and a refresh token."""
    player, tokens = await call.services.players.login(
        username=call.body.username, password=call.body.password, **_client(call)
    )
    return Session(player=player, tokens=tokens)


async def refresh(call: Call[RefreshToken, None]) -> TokenPair:
    """Rotate a refresh token: the old one is spent, a new pair is returned. Presenting a spent
    refresh token again ends the whole session (every token issued from it)."""
    return await call.services.players.refresh(call.body.refresh_token, ip=_client(call)["ip"])


async def log_out(call: Call[RefreshToken, None]) -> None:
    """End the session the refresh token belongs to."""
    await call.services.players.logout(call.body.refresh_token)


ENDPOINTS = (
    Endpoint(
        method="POST",
        path="/api/auth/register",
        handler=register,
        summary="Register",
        tag="auth",
        body=Register,
        response=Session,
        status=201,
        errors=(409,),
    ),
    Endpoint(
        method="POST",
        path="/api/auth/login",
        handler=log_in,
        summary="Log in",
        tag="auth",
        body=LogIn,
        response=Session,
        errors=(401, 403, 429),
    ),
    Endpoint(
        method="POST",
        path="/api/auth/refresh",
        handler=refresh,
        summary="Refresh tokens",
        tag="auth",
        body=RefreshToken,
        response=TokenPair,
        errors=(401,),
    ),
    Endpoint(
        method="POST",
        path="/api/auth/logout",
        handler=log_out,
        summary="Log out",
        tag="auth",
        body=RefreshToken,
        status=204,
        errors=(401,),
    ),
)
