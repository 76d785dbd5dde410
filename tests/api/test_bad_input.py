"""Every endpoint that takes a body refuses malformed ones with a typed 4xx and changes nothing."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from starlette.testclient import TestClient

from tablium.api import ENDPOINTS
from tests.api.conftest import User

WITH_BODY = [e for e in ENDPOINTS if e.body is not None]
BAD_BODIES: list[tuple[bytes, int, str]] = [
    (b"{not json", 400, "malformed"),
    (b"", 400, "malformed"),
    (b"null", 422, "invalid_request"),
    (b"[]", 422, "invalid_request"),
    (b'"text"', 422, "invalid_request"),
    (b'{"unexpected_field": 1}', 422, "invalid_request"),
    (b"\xff\xfe\x00", 400, "malformed"),
    (b"{" * 10_000, 400, "malformed"),
]


def _latest_audit_id(client: TestClient, admin: User) -> int:
    entries = client.get("/api/admin/audit", headers=admin.headers, params={"limit": 1}).json()
    return int(entries["entries"][0]["id"]) if entries["entries"] else 0


@pytest.mark.parametrize("endpoint", WITH_BODY, ids=lambda e: f"{e.method} {e.path}")
def test_bad_bodies_are_refused_and_change_nothing(
    client: TestClient, admin: User, endpoint: Any
) -> None:
    path = re.sub(r"{\w+}", admin.id, endpoint.path)
    headers = {**admin.headers, "Content-Type": "application/json"}
    before_me = client.get("/api/me", headers=admin.headers).json()
    before_audit = _latest_audit_id(client, admin)
    for body, status, code in BAD_BODIES:
        headers["Idempotency-Key"] = uuid.uuid4().hex
        response = client.request(endpoint.method, path, headers=headers, content=body)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), body[:20]
    assert client.get("/api/me", headers=admin.headers).json() == before_me
    assert _latest_audit_id(client, admin) == before_audit
    wallet = client.get("/api/me/wallet", headers=admin.headers).json()
    assert all(balance["balance"] == 0 for balance in wallet["balances"])


@pytest.mark.parametrize(
    "query",
    [
        "limit=abc",
        "limit=0",
        "limit=100000",
        "limit=1.5",
        "before=-3",
        "bogus=1",
        "limit=5&limit=6",
    ],
)
@pytest.mark.parametrize("path", ["/api/me/wallet/CHIP/statement", "/api/admin/audit"])
def test_bad_query_parameters_are_refused(
    client: TestClient, admin: User, path: str, query: str
) -> None:
    response = client.get(f"{path}?{query}", headers=admin.headers)
    assert response.status_code == 422, query
    assert response.json()["error"]["code"] == "invalid_request"
