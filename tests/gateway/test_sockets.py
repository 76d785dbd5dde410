"""The gateway behind a real uvicorn on a real socket, with real WebSocket clients."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tablium.protocol import ChatMessage, EventMessage, encode_server
from tests.gateway.conftest import Setup

OUTBOX_FRAMES = 8


async def eventually(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    """Wait, in tiny steps, for the server to have done something (an I/O round trip away)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.002)


@pytest.fixture
async def server(make_setup: Callable[..., Setup]) -> AsyncIterator[tuple[Setup, str]]:
    """uvicorn serving the gateway on a free port of 127.0.0.1, in the test's event loop."""
    setup = make_setup(outbox_frames=OUTBOX_FRAMES)
    config = uvicorn.Config(
        setup.app,
        host="127.0.0.1",
        port=0,
        ws="websockets-sansio",
        ws_max_size=64 * 1024,
        lifespan="off",
        log_config=None,
        access_log=False,
    )
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    await eventually(lambda: running.started or task.done())
    port = running.servers[0].sockets[0].getsockname()[1]
    try:
        yield setup, f"ws://127.0.0.1:{port}/ws"
    finally:
        running.should_exit = True
        await asyncio.wait_for(task, 5)


async def receive(client: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(2):
        frame: dict[str, Any] = json.loads(await client.recv())
    return frame


async def join(url: str, player: str, table: str = "t-1", **options: Any) -> ClientConnection:
    """A client of ``player``, welcomed and subscribed to ``table`` as a player."""
    client = await connect(f"{url}?token=good:{player}", **options)
    assert (await receive(client))["type"] == "welcome"
    await client.send(json.dumps({"type": "subscribe", "table": table, "as": "player", "cid": "s"}))
    assert (await receive(client))["type"] == "ack"
    assert (await receive(client))["type"] == "snapshot"
    return client


async def test_every_subscriber_receives_the_tables_broadcast(server: tuple[Setup, str]) -> None:
    setup, url = server
    alice, bob = await join(url, "alice"), await join(url, "bob")
    await alice.send(json.dumps({"type": "chat", "table": "t-1", "text": "gl", "cid": "m-1"}))
    assert await receive(alice) == {"type": "ack", "cid": "m-1", "duplicate": False}
    for client in (alice, bob):
        event = (await receive(client))["event"]
        assert (event["player_id"], event["text"]) == ("alice", "gl")
    await alice.close()
    await bob.close()
    await eventually(lambda: setup.metric("tablium_ws_connections") == 0)


async def test_a_client_that_does_not_read_is_dropped_without_stalling_the_others(
    server: tuple[Setup, str],
) -> None:
    setup, url = server
    table = setup.table()
    # Uncompressed, or the repetitive frames below would shrink to nothing on the wire.
    fast = await join(url, "alice", compression=None)
    # A small receive buffer, so that the kernel does not absorb megabytes for the slow one.
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", int(url.split(":")[2].split("/")[0])))
    slow = await join(url, "bob", sock=raw, compression=None)
    slow.transport.pause_reading()  # never reads from here on
    slow_viewer = next(v for v in table.viewers if v.player_id == "bob")
    text = "x" * 30_000
    frames = 0

    async def broadcast() -> None:
        nonlocal frames
        frames += 1
        event = ChatMessage(seat=0, player_id="carol", display_name="Carol", text=text)
        table.broadcast(
            encode_server(EventMessage(table="t-1", seq=frames, hand=None, event=event))
        )
        assert (await receive(fast))["seq"] == frames  # the fast one keeps up, in order

    while slow_viewer in table.viewers:
        assert frames < 2_000, "the slow client was never dropped"
        await broadcast()
    assert setup.metric("tablium_ws_dropped_slow_total") == 1
    for _ in range(3):  # and goes on receiving after the drop
        await broadcast()

    # The slow one reads at last: what was on the wire, then the close, 4408.
    slow.transport.resume_reading()
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(5):
            while True:
                await slow.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
    assert table.disconnects["bob"] == 1
    await fast.close()


async def test_closing_a_players_last_connection_tells_the_table_once(
    server: tuple[Setup, str],
) -> None:
    setup, url = server
    table = setup.table()
    first, second = await join(url, "alice"), await join(url, "alice")
    assert table.connects["alice"] == 1
    await first.close()
    await eventually(lambda: len(table.viewers) == 1)
    assert table.disconnects["alice"] == 0
    await second.close()
    await eventually(lambda: not table.viewers)
    assert table.disconnects["alice"] == 1
    third = await join(url, "alice")  # back: the table hears of it again
    assert table.connects["alice"] == 2
    await third.close()
    await eventually(lambda: table.disconnects["alice"] == 2)
