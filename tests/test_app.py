"""The HTTP shell of ``tablium serve``: health, readiness, metrics, verification edges, logging."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tablium import __version__
from tablium.app import MAX_BODY_BYTES, create_app
from tablium.logging import JsonFormatter, configure_logging
from tablium.poker.errors import IllegalAction
from tablium.settings import Settings, sqlite_url

VERIFY = "/api/hands/verify"


@pytest.fixture
def embedded(tmp_path: Path) -> Settings:
    """Settings for an app on an embedded database of the test's own."""
    return Settings(database_url=sqlite_url(tmp_path / "tablium.db"), data_dir=tmp_path)


@pytest.fixture
def client(embedded: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings=embedded)) as test_client:
        yield test_client


def _accept(history: dict[str, Any]) -> None:
    pass


def _reject(history: dict[str, Any]) -> None:
    raise IllegalAction("seat 3 acted out of turn")


def test_health_reports_liveness_and_version(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_ready_checks_the_database(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok"}}


def test_ready_is_503_before_the_app_has_started(embedded: Settings) -> None:
    client = TestClient(create_app(settings=embedded))  # no `with`: the lifespan has not run
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "starting"
    assert client.get("/api/me", headers={"Authorization": "Bearer x"}).status_code == 503


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/health")
    client.get("/no/such/page")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'http_requests_total{method="GET",route="/health",status="200"} 1.0' in text
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert 'http_request_duration_seconds_count{method="GET",route="/health"} 1.0' in text


def test_each_app_has_its_own_metrics(embedded: Settings) -> None:
    first_app, second_app = create_app(settings=embedded), create_app(settings=embedded)
    with TestClient(first_app) as first, TestClient(second_app) as second:
        first.get("/health")
        assert 'route="/health"' in first.get("/metrics").text
        assert 'route="/health"' not in second.get("/metrics").text


def test_verify_answers_fair(embedded: Settings) -> None:
    with TestClient(create_app(settings=embedded, verify_history=_accept)) as client:
        response = client.post(VERIFY, json={"hand": 1})
    assert response.status_code == 200
    assert response.json() == {"fair": True}


def test_verify_answers_unfair_with_the_reason(embedded: Settings) -> None:
    with TestClient(create_app(settings=embedded, verify_history=_reject)) as client:
        response = client.post(VERIFY, json={"hand": 1})
    assert response.status_code == 422
    assert response.json() == {"fair": False, "reason": "seat 3 acted out of turn"}


def test_verify_rejects_malformed_json(client: TestClient) -> None:
    response = client.post(
        VERIFY, content=b'{"hand": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed"
    assert error["message"]


def test_verify_rejects_json_that_is_not_an_object(client: TestClient) -> None:
    response = client.post(VERIFY, json=[1, 2, 3])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"


def test_verify_rejects_an_oversized_body_by_its_declared_length(client: TestClient) -> None:
    response = client.post(VERIFY, content=b" " * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_verify_rejects_an_oversized_streamed_body(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // 65536 + 1):
            yield b" " * 65536

    response = client.post(VERIFY, content=chunks())
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_verify_accepts_a_body_of_exactly_the_limit(embedded: Settings) -> None:
    body = b"{}" + b" " * (MAX_BODY_BYTES - 2)
    with TestClient(create_app(settings=embedded, verify_history=_accept)) as client:
        assert client.post(VERIFY, content=body).status_code == 200


def test_http_errors_share_the_error_shape(client: TestClient) -> None:
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong_method = client.get(VERIFY)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert wrong_method.headers["allow"] == "POST"


def test_each_request_is_logged_once(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="tablium.http"):
        client.get("/health")
    [record] = [r for r in caplog.records if r.name == "tablium.http"]
    assert record.getMessage() == "request"
    assert (record.method, record.route, record.status) == ("GET", "/health", 200)


def test_json_formatter_writes_one_object_per_line_with_extras() -> None:
    record = logging.LogRecord("tablium.test", logging.WARNING, __file__, 1, "seat %d", (3,), None)
    record.table = "t-42"
    record.odd = object()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "WARNING"
    assert fields["logger"] == "tablium.test"
    assert fields["msg"] == "seat 3"
    assert fields["table"] == "t-42"
    assert fields["odd"].startswith("<object")
    assert fields["ts"].endswith("+00:00")


def test_configure_logging_is_idempotent() -> None:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        configure_logging("debug")
        configure_logging("debug")
        ours = [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]
        assert len(ours) == 1
        assert root.level == logging.DEBUG
    finally:
        root.handlers[:] = before
        root.setLevel(level)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_run_serves_over_a_real_socket_and_logs_json(tmp_path: Path) -> None:
    port = _free_port()
    code = f"from tablium.app import run; run('127.0.0.1', {port})"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TABLIUM_DATA_DIR": str(tmp_path)}
    env.pop("TABLIUM_DATABASE_URL", None)
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as server:
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                        assert json.load(r)["status"] == "ok"
                    break
                except OSError:
                    assert server.poll() is None, server.communicate()
                    assert time.monotonic() < deadline, "server did not answer within 15s"
                    time.sleep(0.1)
        finally:
            server.terminate()
            out, err = server.communicate(timeout=15)
    assert f"Tablium listening on http://127.0.0.1:{port}" in out
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(entry.get("route") == "/health" and entry["status"] == 200 for entry in logs)


def _real_history() -> dict[str, object]:
    import msgspec

    from tablium.offline import session
    from tablium.poker.history import encode_history

    history = next(session(3, 1, seed=b"\x01"))
    data: dict[str, object] = msgspec.json.decode(encode_history(history))
    return data


def test_verify_checks_a_real_hand_with_the_real_verifier(client: TestClient) -> None:
    history = _real_history()
    response = client.post("/api/hands/verify", json=history)
    assert (response.status_code, response.json()) == (200, {"fair": True})
    stacks = list(history["final_stacks"])  # type: ignore[call-overload]
    stacks[0], stacks[1] = stacks[0] + 1, stacks[1] - 1
    response = client.post("/api/hands/verify", json={**history, "final_stacks": stacks})
    assert response.status_code == 422
    assert response.json()["fair"] is False
    assert "final stacks" in response.json()["reason"]


def test_verify_refuses_an_object_that_is_not_a_hand_history(client: TestClient) -> None:
    response = client.post("/api/hands/verify", json={"hand_id": 7})
    assert response.status_code == 422
    assert response.json()["fair"] is False
    assert "not a hand history" in response.json()["reason"]
