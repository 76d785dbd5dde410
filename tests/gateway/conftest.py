"""Fakes for the gateway's ports: an in-memory table, a directory of them, an authenticator, a
clock; and the app that mounts the gateway on them."""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette

from tablium.errors import Forbidden, Unauthenticated
from tablium.gateway import websocket_route
from tablium.players.profile import Role
from tablium.players.sessions import Principal
from tablium.protocol import (
    Ack,
    Chat,
    ChatMessage,
    ErrorCode,
    EventMessage,
    PlayerSatOut,
    ProtocolError,
    TableCommand,
    TableSummary,
    TableView,
    encode_server,
    snapshot_for,
)
from tablium.table.ports import TableHandle, Viewer

DISABLED = "disabled-account-token"


class FakeTable:
    """A table that acks every command, echoes an event for it to every viewer, and counts."""

    def __init__(self, table_id: str) -> None:
        self._table_id = table_id
        self.viewers: dict[Viewer, bool] = {}
        """Attached viewers and whether each is a player subscription."""
        self.submitted: list[tuple[str, TableCommand]] = []
        self.connects: collections.Counter[str] = collections.Counter()
        """Calls of ``connected`` by player."""
        self.disconnects: collections.Counter[str] = collections.Counter()
        """Calls of ``disconnected`` by player."""
        self.attaches = 0
        self.busy = False
        self.seq = 0

    @property
    def table_id(self) -> str:
        return self._table_id

    def submit(self, player_id: str, command: TableCommand, reply: Viewer) -> None:
        if self.busy:
            raise ProtocolError(ErrorCode.TABLE_BUSY, "the table is busy: try again")
        self.submitted.append((player_id, command))
        reply.send(encode_server(Ack(cid=command.cid)))
        if isinstance(command, Chat):
            event: Any = ChatMessage(
                seat=0, player_id=player_id, display_name=player_id, text=command.text
            )
        else:
            event = PlayerSatOut(seat=0)
        self.seq += 1
        self.broadcast(
            encode_server(EventMessage(table=self._table_id, seq=self.seq, hand=None, event=event))
        )

    def attach(self, viewer: Viewer, *, as_player: bool) -> None:
        self.viewers[viewer] = as_player
        self.attaches += 1
        view = TableView(
            table=self._table_id,
            seq=self.seq,
            config=TableSummary(
                variant="NLHE",
                currency="CHIP",
                small_blind=1,
                big_blind=2,
                ante=0,
                buy_in_min=80,
                buy_in_max=200,
                seat_count=6,
            ),
            seats=(),
        )
        viewer.send(encode_server(snapshot_for(view, None)))

    def detach(self, viewer: Viewer) -> None:
        self.viewers.pop(viewer, None)

    def connected(self, player_id: str) -> None:
        self.connects[player_id] += 1

    def disconnected(self, player_id: str) -> None:
        self.disconnects[player_id] += 1

    def broadcast(self, data: bytes) -> None:
        for viewer in list(self.viewers):
            viewer.send(data)


@dataclass
class FakeDirectory:
    tables: dict[str, FakeTable] = field(default_factory=dict)

    def get(self, table_id: str) -> TableHandle | None:
        return self.tables.get(table_id)


async def fake_authenticate(token: str) -> Principal:
    """``good:<player id>`` is a valid token; ``DISABLED`` a disabled account; the rest bad."""
    if token == DISABLED:
        raise Forbidden("the account is disabled", code="account_disabled")
    kind, _, player_id = token.partition(":")
    if kind != "good" or not player_id:
        raise Unauthenticated("the access token is invalid")
    return Principal(player_id=player_id, role=Role.PLAYER, session_id=f"session-{player_id}")


class ManualMillis:
    def __init__(self, now: int = 1_767_225_600_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@dataclass
class Setup:
    app: Starlette
    directory: FakeDirectory
    registry: CollectorRegistry
    clock: ManualMillis

    def table(self, table_id: str = "t-1") -> FakeTable:
        return self.directory.tables[table_id]

    def metric(self, name: str, **labels: str) -> float:
        value = self.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value


@pytest.fixture
def make_setup() -> Callable[..., Setup]:
    """An app with the gateway at ``/ws`` on fake tables ``t-1`` and ``t-2``."""

    def make(**options: Any) -> Setup:
        directory = FakeDirectory({name: FakeTable(name) for name in ("t-1", "t-2")})
        registry = CollectorRegistry()
        clock = ManualMillis()
        route = websocket_route(
            authenticate=fake_authenticate,
            tables=lambda: directory,
            registry=registry,
            clock_ms=clock,
            **options,
        )
        return Setup(Starlette(routes=[route]), directory, registry, clock)

    return make
