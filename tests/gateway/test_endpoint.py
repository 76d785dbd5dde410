"""The gateway in process, through starlette's test client: authentication, refusals, dispatch."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tablium.protocol import CHAT_RATE_LIMIT, CHAT_RATE_WINDOW_MS, MAX_FRAME_BYTES
from tests.gateway.conftest import DISABLED, Setup

ALICE = "good:alice"


@pytest.fixture
def setup(make_setup: Callable[..., Setup]) -> Setup:
    return make_setup()


@pytest.fixture
def client(setup: Setup) -> Iterator[TestClient]:
    with TestClient(setup.app) as test_client:
        yield test_client


def connect(client: TestClient, token: str = ALICE) -> WebSocketTestSession:
    return client.websocket_connect(f"/ws?token={token}")


def welcomed(ws: WebSocketTestSession) -> dict[str, Any]:
    frame: dict[str, Any] = ws.receive_json()
    assert frame["type"] == "welcome", frame
    return frame


def subscribe(ws: WebSocketTestSession, table: str = "t-1", role: str = "player") -> None:
    ws.send_json({"type": "subscribe", "table": table, "as": role, "cid": f"sub-{table}"})
    assert ws.receive_json() == {"type": "ack", "cid": f"sub-{table}", "duplicate": False}
    assert ws.receive_json()["type"] == "snapshot"


def error(code: str, cid: str | None = None, table: str | None = None) -> dict[str, Any]:
    """The fields of an error frame a test compares (the message is for people)."""
    return {"type": "error", "code": code, "cid": cid, "table": table}


def without_message(frame: dict[str, Any]) -> dict[str, Any]:
    assert isinstance(frame.pop("message"), str)
    return frame


def assert_alive(ws: WebSocketTestSession) -> None:
    ws.send_json({"type": "ping", "t": 7})
    frame = ws.receive_json()
    assert frame["type"] == "pong" and frame["t"] == 7


def assert_closed(ws: WebSocketTestSession, code: int) -> None:
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    assert closed.value.code == code


# --- Authentication ------------------------------------------------------------------------


def test_a_token_in_the_query_is_welcomed_with_the_player_and_server_time(
    client: TestClient, setup: Setup
) -> None:
    with connect(client) as ws:
        assert welcomed(ws) == {
            "type": "welcome",
            "player_id": "alice",
            "server_time": setup.clock.now,
            "version": 1,
        }
        assert setup.metric("tablium_ws_connections") == 1
    assert setup.metric("tablium_ws_connections") == 0


def test_a_token_in_the_first_frame_is_welcomed(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "auth", "token": ALICE})
        assert welcomed(ws)["player_id"] == "alice"
        assert_alive(ws)


@pytest.mark.parametrize("path", ["/ws?token=good:", "/ws?token=forged"])
def test_a_bad_token_in_the_query_is_refused_and_closed_with_4401(
    client: TestClient, path: str
) -> None:
    with client.websocket_connect(path) as ws:
        assert without_message(ws.receive_json()) == error("unauthenticated")
        assert_closed(ws, 4401)


def test_a_bad_token_in_the_first_frame_is_refused_and_closed_with_4401(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "auth", "token": "forged"})
        assert without_message(ws.receive_json()) == error("unauthenticated")
        assert_closed(ws, 4401)


def test_a_disabled_account_is_forbidden_so_the_client_knows_a_new_token_will_not_help(
    client: TestClient,
) -> None:
    with connect(client, DISABLED) as ws:
        assert without_message(ws.receive_json()) == error("forbidden")
        assert_closed(ws, 4401)


def test_a_connection_that_does_not_authenticate_in_time_is_closed_with_4401(
    make_setup: Callable[..., Setup],
) -> None:
    setup = make_setup(auth_timeout=0.05)
    with TestClient(setup.app) as client, client.websocket_connect("/ws") as ws:
        frame = ws.receive_json()
        assert without_message(frame) == error("unauthenticated")
        assert_closed(ws, 4401)


def test_frames_before_authentication_are_refused_and_the_connection_waits(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "subscribe", "table": "t-1", "cid": "c-1"})
        assert without_message(ws.receive_json()) == error("unauthenticated", "c-1")
        ws.send_text("not json")
        assert without_message(ws.receive_json()) == error("malformed")
        ws.send_json({"type": "auth", "token": ALICE})
        assert welcomed(ws)["player_id"] == "alice"


def test_a_second_auth_is_invalid(client: TestClient) -> None:
    with connect(client) as ws:
        welcomed(ws)
        ws.send_json({"type": "auth", "token": "good:mallory"})
        assert without_message(ws.receive_json()) == error("invalid")
        assert_alive(ws)


def test_tokens_are_never_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="tablium.gateway")
    with connect(client, "good:alice-secret-token") as ws:
        welcomed(ws)
    with connect(client, "forged-secret-token") as ws:
        ws.receive_json()
        assert_closed(ws, 4401)
    messages = [record.getMessage() for record in caplog.records]
    assert "connected" in messages and "closed" in messages
    assert "authentication failed" in messages
    dumped = " ".join(str(record.__dict__) for record in caplog.records)
    assert "forged-secret-token" not in dumped


# --- Refused frames: a typed error, and the connection stays ---------------------------------


@pytest.mark.parametrize(
    ("send", "expected"),
    [
        pytest.param(lambda ws: ws.send_text("{nope"), error("malformed"), id="not-json"),
        pytest.param(lambda ws: ws.send_text("[1, 2]"), error("malformed"), id="not-an-object"),
        pytest.param(
            lambda ws: ws.send_json({"type": "dance", "cid": "c-1"}),
            error("invalid", "c-1"),
            id="unknown-type",
        ),
        pytest.param(
            lambda ws: ws.send_json(
                {"type": "stand", "table": "t-1", "player_id": "bob", "cid": "c-2"}
            ),
            error("invalid", "c-2"),
            id="unknown-field",
        ),
        pytest.param(
            lambda ws: ws.send_json({"type": "sit", "table": "t-1", "seat": 1, "cid": "c-3"}),
            error("invalid", "c-3"),
            id="missing-field",
        ),
        pytest.param(
            lambda ws: ws.send_json(
                {"type": "chat", "table": "t-1", "text": "x" * MAX_FRAME_BYTES, "cid": "c-4"}
            ),
            error("too_large"),
            id="oversized",
        ),
        pytest.param(
            lambda ws: ws.send_bytes(b'{"type":"ping","t":1}'), error("malformed"), id="binary"
        ),
    ],
)
def test_a_refused_frame_gets_a_typed_error_and_the_connection_survives(
    client: TestClient,
    setup: Setup,
    send: Callable[[WebSocketTestSession], None],
    expected: dict[str, Any],
) -> None:
    with connect(client) as ws:
        welcomed(ws)
        send(ws)
        assert without_message(ws.receive_json()) == expected
        assert_alive(ws)
    assert setup.metric("tablium_ws_errors_total", code=expected["code"]) == 1


def test_frames_in_are_counted_by_type(client: TestClient, setup: Setup) -> None:
    with connect(client) as ws:
        welcomed(ws)
        assert_alive(ws)
        ws.send_text("{nope")
        ws.receive_json()
        ws.send_bytes(b"{}")
        ws.receive_json()
    assert setup.metric("tablium_ws_frames_in_total", type="ping") == 1
    assert setup.metric("tablium_ws_frames_in_total", type="unreadable") == 1
    assert setup.metric("tablium_ws_frames_in_total", type="binary") == 1
    assert setup.metric("tablium_ws_frames_out_total") == 4  # welcome, pong, two errors


def test_ping_is_answered_with_the_clients_time_and_the_servers(
    client: TestClient, setup: Setup
) -> None:
    with connect(client) as ws:
        welcomed(ws)
        setup.clock.now += 1234
        ws.send_json({"type": "ping", "t": 42})
        assert ws.receive_json() == {"type": "pong", "t": 42, "server_time": setup.clock.now}
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["t"] is None


# --- Subscriptions ---------------------------------------------------------------------------


def test_subscribe_is_acked_before_the_snapshot(client: TestClient, setup: Setup) -> None:
    with connect(client) as ws:
        welcomed(ws)
        subscribe(ws, role="spectator")
        assert list(setup.table().viewers.values()) == [False]
    assert setup.table().viewers == {}


def test_subscribing_to_an_unknown_table_is_refused(client: TestClient) -> None:
    with connect(client) as ws:
        welcomed(ws)
        ws.send_json({"type": "subscribe", "table": "t-404", "cid": "c-1"})
        assert without_message(ws.receive_json()) == error("unknown_table", "c-1", "t-404")
        assert_alive(ws)


def test_a_snapshot_request_reattaches_for_a_fresh_snapshot(
    client: TestClient, setup: Setup
) -> None:
    with connect(client) as ws:
        welcomed(ws)
        ws.send_json({"type": "snapshot", "table": "t-1", "cid": "c-1"})
        assert without_message(ws.receive_json()) == error("not_subscribed", "c-1", "t-1")
        subscribe(ws)
        ws.send_json({"type": "snapshot", "table": "t-1", "cid": "c-2"})
        assert ws.receive_json()["type"] == "ack"
        assert ws.receive_json()["type"] == "snapshot"
        assert setup.table().attaches == 2
        assert list(setup.table().viewers.values()) == [True]
        assert setup.table().connects["alice"] == 1
        assert setup.table().disconnects["alice"] == 0


def test_unsubscribe_detaches_and_is_acked_even_when_not_subscribed(
    client: TestClient, setup: Setup
) -> None:
    with connect(client) as ws:
        welcomed(ws)
        subscribe(ws)
        for cid in ("c-1", "c-2"):
            ws.send_json({"type": "unsubscribe", "table": "t-1", "cid": cid})
            assert ws.receive_json() == {"type": "ack", "cid": cid, "duplicate": False}
        assert setup.table().viewers == {}
        assert setup.table().disconnects["alice"] == 1


def test_changing_the_role_of_a_subscription_moves_presence(
    client: TestClient, setup: Setup
) -> None:
    table = setup.table()
    with connect(client) as ws:
        welcomed(ws)
        subscribe(ws, role="spectator")
        assert table.connects["alice"] == 0
        subscribe(ws, role="player")
        assert (table.connects["alice"], table.disconnects["alice"]) == (1, 0)
        subscribe(ws, role="player")  # a fresh snapshot; presence unchanged
        assert (table.connects["alice"], table.disconnects["alice"]) == (1, 0)
        subscribe(ws, role="spectator")
        assert (table.connects["alice"], table.disconnects["alice"]) == (1, 1)
        assert list(table.viewers.values()) == [False]
    assert table.disconnects["alice"] == 1


def test_a_connection_may_subscribe_to_a_limited_number_of_tables(
    make_setup: Callable[..., Setup],
) -> None:
    setup = make_setup(max_subscriptions=1)
    with TestClient(setup.app) as client, connect(client) as ws:
        welcomed(ws)
        subscribe(ws, "t-1")
        ws.send_json({"type": "subscribe", "table": "t-2", "cid": "c-2"})
        assert without_message(ws.receive_json()) == error("forbidden", "c-2", "t-2")
        subscribe(ws, "t-1", role="spectator")  # the same table again is no new subscription


def test_a_players_connections_share_presence_at_a_table(client: TestClient, setup: Setup) -> None:
    table = setup.table()
    with connect(client) as first:
        welcomed(first)
        subscribe(first)
        with connect(client) as second:
            welcomed(second)
            subscribe(second)
            assert table.connects["alice"] == 1
        assert table.disconnects["alice"] == 0
    assert table.disconnects["alice"] == 1


# --- Table commands --------------------------------------------------------------------------


def test_a_command_needs_a_player_subscription(client: TestClient, setup: Setup) -> None:
    stand = {"type": "stand", "table": "t-1", "cid": "c-1"}
    with connect(client) as ws:
        welcomed(ws)
        ws.send_json(stand)
        assert without_message(ws.receive_json()) == error("not_subscribed", "c-1", "t-1")
        subscribe(ws, role="spectator")
        ws.send_json(stand)
        assert without_message(ws.receive_json()) == error("not_subscribed", "c-1", "t-1")
        subscribe(ws, role="player")
        ws.send_json(stand)
        assert ws.receive_json() == {"type": "ack", "cid": "c-1", "duplicate": False}
        assert ws.receive_json()["type"] == "event"
    [(player_id, command)] = setup.table().submitted
    assert player_id == "alice" and command.cid == "c-1"


def test_the_player_comes_from_the_session_whatever_the_frame_says(
    client: TestClient, setup: Setup
) -> None:
    with connect(client) as ws:
        welcomed(ws)
        subscribe(ws)
        ws.send_json({"type": "sit_out", "table": "t-1", "player_id": "bob", "cid": "c-1"})
        assert without_message(ws.receive_json()) == error("invalid", "c-1")
    assert setup.table().submitted == []


def test_table_busy_is_passed_through_with_the_cid(client: TestClient, setup: Setup) -> None:
    setup.table().busy = True
    with connect(client) as ws:
        welcomed(ws)
        subscribe(ws)
        fold = {"type": "fold"}
        ws.send_json({"type": "act", "table": "t-1", "hand": 3, "action": fold, "cid": "a-1"})
        assert without_message(ws.receive_json()) == error("table_busy", "a-1", "t-1")
        assert_alive(ws)


def test_chat_is_rate_limited_per_player_per_table(client: TestClient, setup: Setup) -> None:
    def chat(ws: WebSocketTestSession, n: int, table: str = "t-1") -> dict[str, Any]:
        ws.send_json({"type": "chat", "table": table, "text": f"line {n}", "cid": f"m-{n}"})
        frame: dict[str, Any] = ws.receive_json()
        if frame["type"] == "ack":
            assert ws.receive_json()["event"]["text"] == f"line {n}"
        return frame

    with connect(client) as first, connect(client) as second:
        welcomed(first)
        welcomed(second)
        subscribe(first)
        subscribe(first, "t-2")
        subscribe(second)
        for n in range(CHAT_RATE_LIMIT - 1):
            assert chat(first, n)["type"] == "ack"
            assert second.receive_json()["type"] == "event"
        assert chat(second, 10)["type"] == "ack"  # the same player on another socket counts
        first.receive_json()
        assert without_message(chat(first, 11)) == error("rate_limited", "m-11", "t-1")
        assert chat(first, 12, "t-2")["type"] == "ack"  # another table has its own allowance
        setup.clock.now += CHAT_RATE_WINDOW_MS
        assert chat(first, 13)["type"] == "ack"


def test_a_chat_line_the_table_refused_as_busy_does_not_count(
    client: TestClient, setup: Setup
) -> None:
    table = setup.table()
    with connect(client) as ws:
        welcomed(ws)
        subscribe(ws)
        table.busy = True
        for n in range(CHAT_RATE_LIMIT):
            ws.send_json({"type": "chat", "table": "t-1", "text": "hi", "cid": f"m-{n}"})
            assert ws.receive_json()["code"] == "table_busy"
        table.busy = False
        ws.send_json({"type": "chat", "table": "t-1", "text": "hi", "cid": "m-9"})
        assert ws.receive_json()["type"] == "ack"


def test_a_burst_beyond_the_outbox_drops_the_connection_as_too_slow(
    make_setup: Callable[..., Setup],
) -> None:
    setup = make_setup(outbox_frames=4)
    table = setup.table()
    with TestClient(setup.app) as client, connect(client) as ws:
        welcomed(ws)
        subscribe(ws)

        async def burst() -> None:  # five frames in one go: more than the outbox holds
            for _ in range(5):
                table.broadcast(b'{"type":"x"}')

        assert client.portal is not None
        client.portal.call(burst)
        assert_closed(ws, 4408)
    assert table.viewers == {}
    assert table.disconnects["alice"] == 1
    assert setup.metric("tablium_ws_dropped_slow_total") == 1
