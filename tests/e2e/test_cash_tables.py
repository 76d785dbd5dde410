"""The whole server over a real socket: uvicorn on a free port, real table actors, the real
ledger on each test database, and clients that speak only the public protocol."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from tablium.app import WEBSOCKET_OPTIONS, create_app
from tablium.bench.tables import bench_tables
from tablium.bots.client import http, run_bots
from tablium.money.audit import audit_ledger
from tablium.money.ledger import AccountKind, AccountRef
from tablium.money.service import Ledger
from tablium.poker.config import Blinds
from tablium.settings import Settings
from tablium.table.config import TableConfig
from tablium.table.timing import TimingRules


@dataclasses.dataclass
class Server:
    app: Starlette
    base: str

    @property
    def ws(self) -> str:
        return self.base.replace("http", "ws", 1) + "/ws"

    def open_table(self, config: TableConfig) -> None:
        self.app.state.services.tables.create(config)


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[Server]:
    app = create_app(settings=dataclasses.replace(settings, play_money=100_000))
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, access_log=False, **WEBSOCKET_OPTIONS
    )
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    async with asyncio.timeout(30):
        while not running.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
    port = running.servers[0].sockets[0].getsockname()[1]
    try:
        yield Server(app=app, base=f"http://127.0.0.1:{port}")
    finally:
        running.should_exit = True
        await asyncio.wait_for(task, 30)


async def sign_up(server: Server, name: str) -> tuple[str, str]:
    """A funded player: (player id, access token)."""
    body = await http(
        server.base,
        "POST",
        "/api/auth/register",
        {"username": f"{name}-{secrets.token_hex(4)}", "password": secrets.token_urlsafe(16)},
    )
    token = body["tokens"]["access_token"]
    await http(
        server.base,
        "POST",
        "/api/me/play-money",
        Authorization=f"Bearer {token}",
        Idempotency_Key=secrets.token_hex(8),
    )
    return body["player"]["id"], token


async def frames_until(
    client: ClientConnection, done: Any, *, timeout: float = 20.0
) -> list[dict[str, Any]]:
    """Frames received until ``done(frame)`` is true (that frame included)."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await client.recv())
            seen.append(frame)
            if done(frame):
                return seen


def slow_table(table_id: str) -> TableConfig:
    """Heads-up with a long clock: nothing happens unless the test makes it happen."""
    return TableConfig(
        id=table_id,
        name=table_id,
        blinds=Blinds(sb=1, bb=2),
        seat_count=2,
        hand_pause_ms=0,
        timing=TimingRules(action_ms=120_000),
    )


async def test_bots_play_two_tables_and_every_chip_is_accounted_for(
    server: Server, engine: AsyncEngine
) -> None:
    for config in bench_tables(2):
        server.open_table(config)
    summary = await run_bots(server.base, players=6, hands=6, per_table=3, seed=11)
    assert summary["failures"] == []
    assert summary["errors"] == 0, summary["error_codes"]
    assert summary["tables"] == 2
    assert summary["hands"] >= 12
    assert summary["actions"] > 0
    assert summary["latency_ms"]["p50"] > 0

    # Every bot stood up: the tables' escrow accounts are empty, the rake went to the house rake
    # account, and the ledger's invariants hold.
    ledger = Ledger(engine)
    for table in ("bench-0", "bench-1"):
        account = await ledger.account(AccountRef(AccountKind.TABLE_ESCROW, table, "CHIP"))
        assert account.balance == 0
    report = await audit_ledger(engine)
    assert report.ok, report.format()


async def test_a_spectator_never_sees_hole_cards_that_were_not_shown(server: Server) -> None:
    server.open_table(slow_table("watched"))
    players = [await sign_up(server, name) for name in ("ann", "ben")]
    _, watcher_token = await sign_up(server, "eve")
    async with (
        connect(f"{server.ws}?token={players[0][1]}") as ann,
        connect(f"{server.ws}?token={players[1][1]}") as ben,
        connect(f"{server.ws}?token={watcher_token}") as eve,
    ):
        await eve.send(json.dumps({"type": "subscribe", "table": "watched", "cid": "e1"}))
        for seat, client in enumerate((ann, ben)):
            await client.send(
                json.dumps({"type": "subscribe", "table": "watched", "as": "player", "cid": "1"})
            )
            await client.send(
                json.dumps(
                    {"type": "sit", "table": "watched", "seat": seat, "buy_in": 200, "cid": "2"}
                )
            )
        ann_frames = await frames_until(ann, lambda f: f["type"] == "hole_cards")
        eve_frames = await frames_until(
            eve, lambda f: f["type"] == "event" and f["event"]["type"] == "clock_started"
        )
    ann_cards = next(f for f in ann_frames if f["type"] == "hole_cards")["cards"]
    assert len(ann_cards) == 2
    assert not [f for f in eve_frames if f["type"] in {"hole_cards", "your_turn"}]
    text = json.dumps(eve_frames)
    assert '"hole_cards_dealt"' not in text
    dealt = [f for f in eve_frames if f["type"] == "event"]
    assert any(f["event"]["type"] == "dealt_face_down" for f in dealt)


async def test_reconnecting_gets_a_snapshot_with_only_my_cards(server: Server) -> None:
    server.open_table(slow_table("reconnect"))
    (ann_id, ann_token), (_, ben_token) = [await sign_up(server, n) for n in ("ann", "ben")]
    async with connect(f"{server.ws}?token={ben_token}") as ben:
        await ben.send(
            json.dumps({"type": "subscribe", "table": "reconnect", "as": "player", "cid": "1"})
        )
        await ben.send(
            json.dumps({"type": "sit", "table": "reconnect", "seat": 1, "buy_in": 200, "cid": "2"})
        )
        async with connect(f"{server.ws}?token={ann_token}") as ann:
            await ann.send(
                json.dumps({"type": "subscribe", "table": "reconnect", "as": "player", "cid": "1"})
            )
            await ann.send(
                json.dumps(
                    {"type": "sit", "table": "reconnect", "seat": 0, "buy_in": 200, "cid": "2"}
                )
            )
            frames = await frames_until(ann, lambda f: f["type"] == "hole_cards")
        cards = frames[-1]["cards"]
        # Ann's connection dropped mid-hand; her seat and cards wait for her.
        async with connect(f"{server.ws}?token={ann_token}") as ann:
            await ann.send(
                json.dumps({"type": "subscribe", "table": "reconnect", "as": "player", "cid": "3"})
            )
            [*_, snapshot] = await frames_until(ann, lambda f: f["type"] == "snapshot")
    assert snapshot["your_seat"] == 0
    assert snapshot["your_cards"] == cards
    assert snapshot["hand"] is not None
    mine = next(seat for seat in snapshot["seats"] if seat["player_id"] == ann_id)
    other = next(seat for seat in snapshot["seats"] if seat["player_id"] != ann_id)
    assert mine["face_down"] == other["face_down"] == 2
    assert other["cards"] == []


async def test_bad_frames_are_answered_and_a_resent_action_is_applied_once(
    server: Server,
) -> None:
    server.open_table(slow_table("strict"))
    (_, ann_token), (_, ben_token) = [await sign_up(server, n) for n in ("ann", "ben")]
    async with (
        connect(f"{server.ws}?token={ann_token}") as ann,
        connect(f"{server.ws}?token={ben_token}") as ben,
    ):
        for seat, client in enumerate((ann, ben)):
            await client.send(
                json.dumps({"type": "subscribe", "table": "strict", "as": "player", "cid": "1"})
            )
            await client.send(
                json.dumps(
                    {"type": "sit", "table": "strict", "seat": seat, "buy_in": 200, "cid": "2"}
                )
            )
        for bad, code in (
            ("{not json", "malformed"),
            ('{"type":"stand","table":"strict","cid":"x","seat":1}', "invalid"),
            ('{"type":"teleport","cid":"x"}', "invalid"),
            ('{"type":"sit","table":"strict","seat":0,"buy_in":1.5,"cid":"x"}', "invalid"),
        ):  # fmt: skip
            await ann.send(bad)
            [*_, error] = await frames_until(ann, lambda f: f["type"] == "error")
            assert error["code"] == code, bad
        await ann.send(json.dumps({"type": "ping", "t": 5}))
        [*_, pong] = await frames_until(ann, lambda f: f["type"] == "pong")
        assert pong["t"] == 5

        # Heads-up: the button (small blind) acts first pre-flop. Whoever it is calls, twice.
        turns = {}
        for name, client in (("ann", ann), ("ben", ben)):
            turns[name] = asyncio.create_task(
                frames_until(client, lambda f: f["type"] == "your_turn")
            )
        done, pending = await asyncio.wait(turns.values(), return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        first = done.pop()
        mover = ann if first is turns["ann"] else ben
        turn = (await first)[-1]
        act = {"type": "act", "table": "strict", "hand": turn["hand"], "cid": "call-1"}
        act["action"] = {"type": "call"}
        await mover.send(json.dumps(act))
        [*_, ack] = await frames_until(mover, lambda f: f["type"] in {"ack", "error"})
        assert ack == {"type": "ack", "cid": "call-1", "duplicate": False}
        await mover.send(json.dumps(act))
        [*_, again] = await frames_until(mover, lambda f: f["type"] in {"ack", "error"})
        assert again == {"type": "ack", "cid": "call-1", "duplicate": True}
        # A new cid for the same call is a new command: it is not the mover's turn any more.
        await mover.send(json.dumps({**act, "cid": "call-2"}))
        [*_, refused] = await frames_until(mover, lambda f: f["type"] in {"ack", "error"})
        assert refused["type"] == "error" and refused["cid"] == "call-2"
        assert refused["code"] == "not_your_turn"
