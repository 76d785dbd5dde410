"""The ``/ws`` route: accept, authenticate, then hand the socket to a ``Connection``.

Authentication (docs/protocol.md, "Connecting and authenticating"):

- The JWT access token comes from the ``token`` query parameter, or else from a first ``auth``
  frame within ``auth_timeout`` seconds of the accept (``AUTH_TIMEOUT_MS``). Until then other
  frames get an ``unauthenticated`` error (or their own decoding error) and the connection waits;
  sending junk does not extend the deadline.
- A refused token gets an ``error`` frame (``unauthenticated``, or ``forbidden`` for a disabled
  account, so a client knows whether refreshing its token can help), then close
  ``CLOSE_UNAUTHENTICATED``; so does a connection that sends no ``auth`` in time. A failure of
  the server while checking the token is ``internal`` and close 1011.
- The player's identity is the session's, never a frame's. Every connection authenticates,
  spectators too: there is no anonymous spectating (yet), so every viewer has a player id.
- Tokens are never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tablium.errors import DomainError
from tablium.gateway.chat_limit import ChatLimiter
from tablium.gateway.connection import (
    CLOSE_INTERNAL_ERROR,
    CLOSE_TIMEOUT,
    MAX_SUBSCRIPTIONS,
    OUTBOX_FRAMES,
    Connection,
    Gateway,
    close_quietly,
    frame_label,
    read_frame,
)
from tablium.gateway.metrics import GatewayMetrics
from tablium.players.sessions import Principal
from tablium.protocol import (
    AUTH_TIMEOUT_MS,
    CLOSE_UNAUTHENTICATED,
    Auth,
    ClientMessage,
    ErrorCode,
    ErrorMessage,
    ProtocolError,
    ServerMessage,
    Welcome,
    encode_server,
    error_for,
)
from tablium.table.ports import TableDirectory

logger = logging.getLogger("tablium.gateway")

Authenticate = Callable[[str], Awaitable[Principal]]
"""An access token → its principal; raises ``Unauthenticated`` (or ``Forbidden``) to refuse."""


class _Refused(Exception):
    """The handshake failed: ``error`` is sent, then the socket is closed with ``code``."""

    def __init__(self, error: ErrorMessage, code: int, log_reason: str) -> None:
        super().__init__(log_reason)
        self.error = error
        self.code = code
        self.log_reason = log_reason


def websocket_route(
    path: str = "/ws",
    *,
    authenticate: Authenticate,
    tables: Callable[[], TableDirectory],
    registry: CollectorRegistry,
    clock_ms: Callable[[], int],
    auth_timeout: float = AUTH_TIMEOUT_MS / 1000,
    outbox_frames: int = OUTBOX_FRAMES,
    max_subscriptions: int = MAX_SUBSCRIPTIONS,
    close_timeout: float = CLOSE_TIMEOUT,
    chat_limit: ChatLimiter | None = None,
) -> WebSocketRoute:
    """The WebSocket gateway as a route to mount in the app.

    ``tables`` and ``authenticate`` are called per use, so they may reach services that open
    after the route is built (in the app's lifespan). ``clock_ms`` is the wall clock in
    milliseconds since the Unix epoch. Metrics go to ``registry`` (which must not already hold
    them).
    """
    gateway = Gateway(
        tables=tables,
        clock_ms=clock_ms,
        metrics=GatewayMetrics(registry),
        chat_limit=chat_limit or ChatLimiter(),
        outbox_frames=outbox_frames,
        max_subscriptions=max_subscriptions,
        close_timeout=close_timeout,
    )

    async def endpoint(websocket: WebSocket) -> None:
        await serve(websocket, gateway, authenticate=authenticate, auth_timeout=auth_timeout)

    return WebSocketRoute(path, endpoint, name="ws")


async def serve(
    websocket: WebSocket, gateway: Gateway, *, authenticate: Authenticate, auth_timeout: float
) -> None:
    """One WebSocket connection, from the accept to the close."""
    number = next(gateway.numbers)
    metrics = gateway.metrics
    await websocket.accept()
    metrics.connections.inc()
    try:
        try:
            principal = await _handshake(websocket, gateway, authenticate, auth_timeout)
        except _Refused as refused:
            logger.info(
                "authentication failed",
                extra={"connection": number, "reason": refused.log_reason},
            )
            metrics.errors.labels(refused.error.code).inc()
            await _send_and_close(websocket, gateway, refused.error, refused.code)
            return
        if principal is None:
            logger.info("closed before authenticating", extra={"connection": number})
            return
        logger.info("connected", extra={"connection": number, "player_id": principal.player_id})
        connection = Connection(websocket, principal, gateway, number=number)
        connection.send(
            encode_server(Welcome(player_id=principal.player_id, server_time=gateway.clock_ms()))
        )
        await connection.run()
    finally:
        metrics.connections.dec()


async def _handshake(
    websocket: WebSocket, gateway: Gateway, authenticate: Authenticate, timeout: float
) -> Principal | None:
    """The authenticated principal; None when the client left first; ``_Refused`` otherwise."""
    token = websocket.query_params.get("token")
    if token is None:
        token = await _await_auth_frame(websocket, gateway, timeout)
        if token is None:
            return None
    try:
        return await authenticate(token)
    except DomainError as exc:  # never log the token, nor a message that could quote it
        raise _Refused(error_for(exc), CLOSE_UNAUTHENTICATED, exc.code) from None
    except Exception as exc:
        logger.exception("checking an access token failed")
        raise _Refused(error_for(exc), CLOSE_INTERNAL_ERROR, "internal") from None


async def _await_auth_frame(websocket: WebSocket, gateway: Gateway, timeout: float) -> str | None:
    """The token of the first ``auth`` frame; None if the client left before sending one."""
    metrics = gateway.metrics
    try:
        # One deadline for the whole wait, our answers to other frames included.
        async with asyncio.timeout(timeout):
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return None
                frame: ClientMessage | None = None
                try:
                    frame = read_frame(message)
                except ProtocolError as exc:
                    await _send(websocket, gateway, error_for(exc))
                    continue
                finally:
                    metrics.frames_in.labels(frame_label(message, frame)).inc()
                if isinstance(frame, Auth):
                    return frame.token
                cid = getattr(frame, "cid", None)
                refusal = ProtocolError(
                    ErrorCode.UNAUTHENTICATED, "authenticate first: send an auth frame", cid=cid
                )
                await _send(websocket, gateway, error_for(refusal))
    except TimeoutError:  # before OSError, of which it is a subclass
        error = ErrorMessage(
            code=ErrorCode.UNAUTHENTICATED,
            message=f"no auth frame within {timeout:g} seconds",
        )
        raise _Refused(error, CLOSE_UNAUTHENTICATED, "timeout") from None
    except (WebSocketDisconnect, OSError):  # gone while we answered
        return None


async def _send(websocket: WebSocket, gateway: Gateway, message: ServerMessage) -> None:
    """Send one frame during the handshake, before the connection has its own writer."""
    if isinstance(message, ErrorMessage):
        gateway.metrics.errors.labels(message.code).inc()
    await websocket.send_text(encode_server(message).decode())
    gateway.metrics.frames_out.inc()


async def _send_and_close(
    websocket: WebSocket, gateway: Gateway, error: ErrorMessage, code: int
) -> None:
    try:
        async with asyncio.timeout(gateway.close_timeout):
            await websocket.send_text(encode_server(error).decode())
            gateway.metrics.frames_out.inc()
    except (TimeoutError, WebSocketDisconnect, OSError):
        return
    await close_quietly(websocket, code, error.code, gateway.close_timeout)
