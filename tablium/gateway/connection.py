"""One authenticated WebSocket connection: a reader, a writer, a bounded outbox, subscriptions.

The connection is the ``Viewer`` it attaches to tables. Its two tasks live and die together in a
``TaskGroup``: the reader decodes each frame with the one decoder and dispatches it (nothing in
dispatch awaits, so a frame is handled whole before the next is read); the writer drains the
outbox onto the socket. When either ends the other is cancelled, the connection detaches from
every table, and the socket is closed.

Policies (docs/protocol.md is the contract they serve):

- **Outbox.** At most ``outbox_frames`` frames wait for the socket. ``send`` never blocks: when
  the outbox is full the connection is dropped with ``CLOSE_TOO_SLOW`` and everything queued is
  discarded. A slow socket resynchronises from a snapshot when it reconnects; it is never
  buffered without bound, and the table never waits for it. The bound also caps one burst, so it
  must stay well above the frames one table event produces.
- **Frames.** Text frames holding one JSON object. Binary frames are refused with ``malformed``
  (the connection stays): binary is kept free for a binary encoding later, rather than being
  JSON today and something else tomorrow. The decoder refuses frames over ``MAX_FRAME_BYTES``
  (``too_large``) before parsing them; the transport closes with 1009 above its own limit.
- **Subscriptions.** At most ``max_subscriptions`` tables per connection; one more is
  ``forbidden``. Subscribing again to a subscribed table re-attaches it (a fresh snapshot) in the
  new role. ``unsubscribe`` of a table not subscribed is acknowledged: it is already the case,
  and a resent ``unsubscribe`` must not fail.
- **Commands** need a ``player`` subscription to their table (``not_subscribed``); the table
  answers them (``ack`` or ``error``) itself, except ``table_busy``, which it raises at once.
- **Chat** is limited per player per table (``chat_limit``), counted when the table takes it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, assert_never

from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from tablium.gateway.chat_limit import ChatLimiter
from tablium.gateway.metrics import BINARY, UNREADABLE, GatewayMetrics, frame_type
from tablium.gateway.presence import Presence
from tablium.players.sessions import Principal
from tablium.protocol import (
    CLOSE_TOO_SLOW,
    Ack,
    Act,
    Auth,
    Chat,
    ClientMessage,
    ErrorCode,
    Ping,
    Pong,
    ProtocolError,
    RequestSnapshot,
    RunItTwice,
    ServerMessage,
    Sit,
    SitIn,
    SitOut,
    Stand,
    Subscribe,
    TableCommand,
    TopUp,
    Unsubscribe,
    decode_client,
    encode_server,
    error_for,
)
from tablium.table.ports import TableDirectory, TableHandle

logger = logging.getLogger("tablium.gateway")

OUTBOX_FRAMES: Final = 256
"""Frames a connection may have waiting for its socket before it is dropped as too slow."""
MAX_SUBSCRIPTIONS: Final = 20
"""Tables one connection may subscribe to (a multi-tabling player needs a handful)."""
CLOSE_TIMEOUT: Final = 5.0
"""Seconds to wait for a close frame to be written; a socket that is not writable by then is
left to the transport to tear down."""
CLOSE_INTERNAL_ERROR: Final = 1011


@dataclass(kw_only=True)
class Gateway:
    """What every connection of one process shares: the tables, the clock, the counts."""

    tables: Callable[[], TableDirectory]
    clock_ms: Callable[[], int]
    """Milliseconds since the Unix epoch (``server_time`` of ``welcome`` and ``pong``)."""
    metrics: GatewayMetrics
    presence: Presence = field(default_factory=Presence)
    chat_limit: ChatLimiter = field(default_factory=ChatLimiter)
    outbox_frames: int = OUTBOX_FRAMES
    max_subscriptions: int = MAX_SUBSCRIPTIONS
    close_timeout: float = CLOSE_TIMEOUT
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    """Connection numbers, to follow one connection through the log."""


def read_frame(message: Message) -> ClientMessage:
    """The client frame in an ASGI ``websocket.receive`` message, or ``ProtocolError``."""
    text = message.get("text")
    if text is None:
        raise ProtocolError(ErrorCode.MALFORMED, "frames are JSON text frames, not binary")
    return decode_client(text)  # refuses too_large before parsing


def frame_label(message: Message, frame: ClientMessage | None) -> str:
    if frame is not None:
        return frame_type(frame)
    return BINARY if message.get("text") is None else UNREADABLE


async def close_quietly(websocket: WebSocket, code: int, reason: str, timeout: float) -> None:
    """Send a close frame unless the socket is gone or stays unwritable for ``timeout``."""
    try:
        async with asyncio.timeout(timeout):
            await websocket.close(code, reason)
    except (TimeoutError, WebSocketDisconnect, OSError):
        pass


@dataclass(frozen=True)
class Subscription:
    handle: TableHandle
    as_player: bool


class Connection:
    """An authenticated connection; the ``Viewer`` its tables send to."""

    def __init__(
        self, websocket: WebSocket, principal: Principal, gateway: Gateway, *, number: int
    ) -> None:
        self._websocket = websocket
        self._principal = principal
        self._gateway = gateway
        self._metrics = gateway.metrics
        self.number = number
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue(maxsize=gateway.outbox_frames)
        self._subscriptions: dict[str, Subscription] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._close_code: int | None = None
        self._close_reason = ""
        self._peer_close_code: int | None = None

    # --- Viewer ---------------------------------------------------------------------------

    @property
    def player_id(self) -> str:
        return self._principal.player_id

    def send(self, data: bytes) -> None:
        """Queue one encoded frame; never blocks. A full outbox drops the connection."""
        if self._stopping:
            return
        try:
            self._outbox.put_nowait(data)
        except asyncio.QueueFull:
            self._metrics.dropped_slow.inc()
            logger.warning(
                "dropping a slow connection",
                extra={"connection": self.number, "player_id": self.player_id},
            )
            # Only flags and cancels here: the caller may be a table iterating its viewers,
            # so detaching waits for this connection's own task (run's cleanup).
            self._stop(CLOSE_TOO_SLOW, "too slow")

    # --- Life cycle -----------------------------------------------------------------------

    async def run(self) -> None:
        """Serve the connection until either side ends it; then leave every table and close."""
        started = asyncio.get_running_loop().time()
        try:
            try:
                async with asyncio.TaskGroup() as tasks:
                    self._tasks = [
                        tasks.create_task(self._read()),
                        tasks.create_task(self._write()),
                    ]
                    if self._stopping:  # dropped before it started (a welcome over the outbox)
                        self._stop(self._close_code, self._close_reason)
            except* Exception:
                logger.exception("connection failed", extra={"connection": self.number})
                self._stop(CLOSE_INTERNAL_ERROR, "internal error")
            finally:
                # Synchronous, so it also runs to the end when the connection is cancelled.
                self._leave_tables()
            if self._peer_close_code is None:
                await close_quietly(
                    self._websocket,
                    self._close_code or 1000,
                    self._close_reason,
                    self._gateway.close_timeout,
                )
        finally:
            self._log_close(asyncio.get_running_loop().time() - started)

    def _log_close(self, seconds: float) -> None:
        if self._peer_close_code is not None:
            by, code = "client", self._peer_close_code
        elif self._stopping:
            by, code = "server", self._close_code or 1000
        else:
            by, code = "cancelled", None
        logger.info(
            "closed",
            extra={
                "connection": self.number,
                "player_id": self.player_id,
                "by": by,
                "code": code,
                "reason": self._close_reason,
                "duration_ms": round(seconds * 1000),
            },
        )

    def _stop(self, code: int | None, reason: str) -> None:
        """End both tasks; ``code`` is the close code to send (None: the peer is gone)."""
        if not self._stopping:
            self._stopping = True
            self._close_code, self._close_reason = code, reason
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()

    async def _read(self) -> None:
        while True:
            message = await self._websocket.receive()
            if message["type"] == "websocket.disconnect":
                self._peer_close_code = int(message.get("code", 1005))
                self._stop(None, str(message.get("reason") or ""))
                return
            self._receive_frame(message)

    async def _write(self) -> None:
        outbox, websocket, sent = self._outbox, self._websocket, self._metrics.frames_out
        try:
            while True:
                data = await outbox.get()
                await websocket.send({"type": "websocket.send", "text": data.decode()})
                sent.inc()
        except (WebSocketDisconnect, OSError):
            self._peer_close_code = 1006
            self._stop(None, "peer gone")

    def _leave_tables(self) -> None:
        subscriptions, self._subscriptions = self._subscriptions, {}
        for table_id, subscription in subscriptions.items():
            try:
                self._detach(table_id, subscription)
            except Exception:
                logger.exception(
                    "leaving a table failed", extra={"connection": self.number, "table": table_id}
                )

    # --- Frames in ------------------------------------------------------------------------

    def _receive_frame(self, message: Message) -> None:
        """Decode and handle one ASGI ``websocket.receive`` message; refusals become error
        frames and the connection stays."""
        frame: ClientMessage | None = None
        try:
            frame = read_frame(message)
        except ProtocolError as exc:
            self._refuse(exc)
            return
        finally:
            self._metrics.frames_in.labels(frame_label(message, frame)).inc()
        cid, table = getattr(frame, "cid", None), getattr(frame, "table", None)
        try:
            self._dispatch(frame)
        except ProtocolError as exc:
            self._refuse(exc, cid=cid, table=table)
        except Exception as exc:
            logger.exception(
                "handling a frame failed",
                extra={"connection": self.number, "type": frame_type(frame), "table": table},
            )
            self._refuse(exc, cid=cid, table=table)

    def _dispatch(self, frame: ClientMessage) -> None:
        match frame:
            case Subscribe(table=table, as_=role, cid=cid):
                self._subscribe(table, as_player=role == "player", cid=cid)
            case Unsubscribe(table=table, cid=cid):
                self._unsubscribe(table, cid=cid)
            case RequestSnapshot(table=table, cid=cid):
                self._resend_snapshot(table, cid=cid)
            case Ping(t=t):
                self._reply(Pong(t=t, server_time=self._gateway.clock_ms()))
            case Auth():
                raise ProtocolError(ErrorCode.INVALID, "the connection is already authenticated")
            case Sit() | TopUp() | Stand() | SitOut() | SitIn() | Act() | RunItTwice() | Chat():
                self._submit(frame)
            case _:
                assert_never(frame)

    def _subscribe(self, table_id: str, *, as_player: bool, cid: str) -> None:
        current = self._subscriptions.get(table_id)
        if current is None:
            limit = self._gateway.max_subscriptions
            if len(self._subscriptions) >= limit:
                raise ProtocolError(
                    ErrorCode.FORBIDDEN, f"a connection may subscribe to at most {limit} tables"
                )
            handle = self._gateway.tables().get(table_id)
            if handle is None:
                raise ProtocolError(ErrorCode.UNKNOWN_TABLE, f"there is no table {table_id!r}")
        else:
            handle = current.handle
        # The ack goes first so that it precedes the snapshot, whenever the table sends it.
        self._reply(Ack(cid=cid))
        if current is not None:
            self._detach(table_id, current, keep_presence=current.as_player and as_player)
        subscription = Subscription(handle, as_player)
        self._subscriptions[table_id] = subscription
        self._attach(table_id, subscription, join=not (current and current.as_player))

    def _unsubscribe(self, table_id: str, *, cid: str) -> None:
        subscription = self._subscriptions.pop(table_id, None)
        if subscription is not None:
            self._detach(table_id, subscription)
        self._reply(Ack(cid=cid))

    def _resend_snapshot(self, table_id: str, *, cid: str) -> None:
        subscription = self._subscriptions.get(table_id)
        if subscription is None:
            raise ProtocolError(ErrorCode.NOT_SUBSCRIBED, f"not subscribed to {table_id!r}")
        self._reply(Ack(cid=cid))
        subscription.handle.detach(self)
        subscription.handle.attach(self, as_player=subscription.as_player)

    def _submit(self, command: TableCommand) -> None:
        table_id = command.table
        subscription = self._subscriptions.get(table_id)
        if subscription is None or not subscription.as_player:
            raise ProtocolError(
                ErrorCode.NOT_SUBSCRIBED, f"subscribe to {table_id!r} as a player first"
            )
        key = (self.player_id, table_id)
        now = self._gateway.clock_ms()
        is_chat = isinstance(command, Chat)
        if is_chat and not self._gateway.chat_limit.allows(key, now):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many chat lines: wait a little")
        subscription.handle.submit(self.player_id, command, self)  # table_busy: nothing queued
        if is_chat:
            self._gateway.chat_limit.record(key, now)

    def _attach(self, table_id: str, subscription: Subscription, *, join: bool) -> None:
        handle, presence = subscription.handle, self._gateway.presence
        if subscription.as_player and join and presence.join(self.player_id, table_id):
            handle.connected(self.player_id)
        try:
            handle.attach(self, as_player=subscription.as_player)
        except BaseException:
            # The table refused (it must not): leave no subscription behind it.
            del self._subscriptions[table_id]
            self._detach(table_id, subscription)
            raise

    def _detach(
        self, table_id: str, subscription: Subscription, *, keep_presence: bool = False
    ) -> None:
        handle, presence = subscription.handle, self._gateway.presence
        handle.detach(self)
        counted = subscription.as_player and not keep_presence
        if counted and presence.leave(self.player_id, table_id):
            handle.disconnected(self.player_id)

    # --- Frames out -----------------------------------------------------------------------

    def _reply(self, message: ServerMessage) -> None:
        self.send(encode_server(message))

    def _refuse(
        self, exc: BaseException, *, cid: str | None = None, table: str | None = None
    ) -> None:
        error = error_for(exc, cid=cid, table=table)
        self._metrics.errors.labels(error.code).inc()
        self._reply(error)
