"""Deposits, withdrawals, adjustments, limits and self-exclusion over HTTP: every bad request is
refused with a clear 4xx and moves nothing; a replayed key returns the first result."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tablium.app import create_app
from tablium.settings import Settings
from tests.api.conftest import PASSWORD, User

DEPOSITS = "/api/admin/deposits"
WITHDRAWALS = "/api/admin/withdrawals"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def balance(client: TestClient, user: User, currency: str = "CHIP") -> int:
    response = client.get("/api/me/wallet", headers=user.headers)
    assert response.status_code == 200
    balances = {b["currency"]: b["balance"] for b in response.json()["balances"]}
    return balances.get(currency, 0)


def deposit(client: TestClient, admin: User, player: User, amount: Any, **extra: Any) -> Any:
    headers = {**admin.headers, **extra.pop("headers", key())}
    return client.post(
        DEPOSITS, headers=headers, json={"player_id": player.id, "amount": amount, **extra}
    )


def test_deposit_then_withdraw_moves_exact_amounts(
    client: TestClient, admin: User, sign_up: Callable[..., User]
) -> None:
    player = sign_up()
    response = deposit(client, admin, player, 10_000, memo="bank transfer 42")
    assert response.status_code == 201, response.text
    transfer = response.json()
    assert transfer["kind"] == "deposit" and transfer["amount"] == 10_000
    assert sorted(p["amount"] for p in transfer["postings"]) == [-10_000, 10_000]
    assert balance(client, player) == 10_000
    out = client.post(
        WITHDRAWALS,
        headers={**admin.headers, **key()},
        json={"player_id": player.id, "amount": 2_500},
    )
    assert out.status_code == 201
    assert balance(client, player) == 7_500
    statement = client.get("/api/me/wallet/CHIP/statement", headers=player.headers).json()
    assert [
        (line["kind"], line["amount"], line["balance_after"]) for line in statement["lines"]
    ] == [
        ("withdrawal", -2_500, 7_500),
        ("deposit", 10_000, 10_000),
    ]


def test_a_replayed_key_returns_the_first_result_and_moves_nothing(
    client: TestClient, admin: User, sign_up: Callable[..., User]
) -> None:
    player = sign_up()
    headers = key()
    first = deposit(client, admin, player, 500, headers=headers)
    again = deposit(client, admin, player, 500, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.json()["id"] == first.json()["id"]
    assert balance(client, player) == 500
    different = deposit(client, admin, player, 501, headers=headers)
    assert different.status_code == 409
    assert different.json()["error"]["code"] == "idempotency_conflict"
    assert balance(client, player) == 500


@pytest.mark.parametrize(
    ("amount", "status"),
    [
        (0, 422),
        (-5, 422),
        (1.5, 422),
        (100.0, 422),
        ("100", 422),
        (True, 422),
        (None, 422),
        (10**12 + 1, 422),
        (10**30, 422),
        ([100], 422),
    ],
)
def test_bad_amounts_are_refused_and_move_nothing(
    client: TestClient, admin: User, sign_up: Callable[..., User], amount: Any, status: int
) -> None:
    player = sign_up()
    response = deposit(client, admin, player, amount)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    assert balance(client, player) == 0


def test_malformed_requests_get_typed_errors(
    client: TestClient, admin: User, sign_up: Callable[..., User]
) -> None:
    player = sign_up()
    headers = {**admin.headers, **key(), "Content-Type": "application/json"}
    cases = [
        (b"{not json", 400, "malformed"),
        (b"", 400, "malformed"),
        (b"[]", 422, "invalid_request"),
        (f'{{"player_id":"{player.id}","amount":5,"bonus":1}}'.encode(), 422, "invalid_request"),
        (b'{"amount": 5}', 422, "invalid_request"),
        (b"x" * (64 * 1024 + 1), 413, "too_large"),
    ]
    for body, status, code in cases:
        response = client.post(DEPOSITS, headers=headers, content=body)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), body[:40]
    no_key = client.post(
        DEPOSITS, headers=admin.headers, json={"player_id": player.id, "amount": 5}
    )
    assert no_key.status_code == 400
    assert no_key.json()["error"]["code"] == "idempotency_key_required"
    bad_key = deposit(client, admin, player, 5, headers={"Idempotency-Key": "has space"})
    assert bad_key.json()["error"]["code"] == "invalid_idempotency_key"
    assert balance(client, player) == 0


def test_unknown_players_and_accounts_are_404(
    client: TestClient, admin: User, sign_up: Callable[..., User]
) -> None:
    ghost = User(id="f" * 32, username="ghost", access_token="", refresh_token="")
    response = deposit(client, admin, ghost, 100)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_account"
    adjustment = client.post(
        "/api/admin/transfers",
        headers={**admin.headers, **key()},
        json={
            "currency": "CHIP",
            "memo": "fix",
            "postings": [{"account_id": 999_999_999, "amount": 5}, {"account_id": 1, "amount": -5}],
        },
    )
    assert adjustment.status_code == 404
    assert client.get("/api/admin/accounts/abc", headers=admin.headers).status_code == 404


def test_withdrawing_more_than_the_balance_is_refused(
    client: TestClient, admin: User, sign_up: Callable[..., User]
) -> None:
    player = sign_up()
    deposit(client, admin, player, 300)
    response = client.post(
        WITHDRAWALS,
        headers={**admin.headers, **key()},
        json={"player_id": player.id, "amount": 301},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_funds"
    assert balance(client, player) == 300


def test_players_cannot_move_money_themselves(
    client: TestClient, sign_up: Callable[..., User]
) -> None:
    player = sign_up()
    response = deposit(client, player, player, 1_000)
    assert response.status_code == 403
    assert balance(client, player) == 0


def test_adjustments_move_between_accounts_and_must_balance(
    client: TestClient, admin: User, sign_up: Callable[..., User]
) -> None:
    alice, bob = sign_up("alice"), sign_up("bob")

    def wallet_account(transfer: dict[str, Any]) -> int:
        return next(p["account_id"] for p in transfer["postings"] if p["amount"] > 0)

    alice_account = wallet_account(deposit(client, admin, alice, 1_000).json())
    bob_account = wallet_account(deposit(client, admin, bob, 1_000).json())

    def adjust(postings: list[tuple[int, int]]) -> Any:
        return client.post(
            "/api/admin/transfers",
            headers={**admin.headers, **key()},
            json={
                "currency": "CHIP",
                "memo": "correction",
                "postings": [{"account_id": a, "amount": m} for a, m in postings],
            },
        )

    moved = adjust([(alice_account, -400), (bob_account, 400)])
    assert moved.status_code == 201, moved.text
    assert (balance(client, alice), balance(client, bob)) == (600, 1_400)
    for postings, code in (
        ([(alice_account, -10), (bob_account, 5)], "unbalanced_transfer"),
        ([(alice_account, -10), (alice_account, 10)], "unbalanced_transfer"),
        ([(alice_account, 0), (bob_account, 0)], "invalid_amount"),
        ([(alice_account, -601), (bob_account, 601)], "insufficient_funds"),
    ):
        refused = adjust(postings)
        assert refused.status_code in (409, 422)
        assert refused.json()["error"]["code"] == code
    assert (balance(client, alice), balance(client, bob)) == (600, 1_400)
    account = client.get(f"/api/admin/accounts/{bob_account}", headers=admin.headers).json()
    assert account["balance"] == 1_400 and account["owner"] == bob.id


def test_limits_lower_at_once_and_rise_later(
    client: TestClient, admin: User, sign_up: Callable[..., User]
) -> None:
    player = sign_up()
    set_limit = client.put(
        "/api/me/limits",
        headers=player.headers,
        json={"kind": "deposit", "period": "day", "amount": 1_000},
    )
    assert set_limit.status_code == 200, set_limit.text
    assert set_limit.json()["amount"] == 1_000
    assert deposit(client, admin, player, 800).status_code == 201
    refused = deposit(client, admin, player, 300)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "limit_exceeded"
    raised = client.put(
        "/api/me/limits",
        headers=player.headers,
        json={"kind": "deposit", "period": "day", "amount": 5_000},
    ).json()
    assert raised["amount"] == 1_000 and raised["pending_amount"] == 5_000
    assert deposit(client, admin, player, 300).status_code == 403
    assert balance(client, player) == 800
    limits = client.get("/api/me/limits", headers=player.headers).json()
    assert limits["limits"][0]["pending_amount"] == 5_000


def test_self_exclusion_blocks_deposits_but_not_withdrawals(
    client: TestClient, admin: User, sign_up: Callable[..., User]
) -> None:
    player = sign_up()
    deposit(client, admin, player, 1_000)
    response = client.post("/api/me/self-exclusion", headers=player.headers, json={"days": 7})
    assert response.status_code == 200
    refused = deposit(client, admin, player, 100)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "self_excluded"
    out = client.post(
        WITHDRAWALS,
        headers={**admin.headers, **key()},
        json={"player_id": player.id, "amount": 1_000},
    )
    assert out.status_code == 201
    assert balance(client, player) == 0
    shorter = client.post("/api/me/self-exclusion", headers=player.headers, json={"days": 0})
    assert shorter.status_code == 422


def test_every_money_movement_is_in_the_audit_log(
    client: TestClient, admin: User, sign_up: Callable[..., User]
) -> None:
    player = sign_up()
    transfer = deposit(client, admin, player, 250).json()
    log = client.get(
        "/api/admin/audit",
        headers=admin.headers,
        params={"action": "transfer.deposit", "limit": 500},
    ).json()
    entry = next(e for e in log["entries"] if e["target"] == str(transfer["id"]))
    assert entry["actor_id"] == admin.id
    assert entry["actor_role"] == "admin"
    assert entry["ip"] == "testclient"
    refused = client.get("/api/admin/audit", headers=player.headers)
    assert refused.status_code == 403


def test_play_money_is_off_unless_the_server_offers_it(
    client: TestClient, sign_up: Callable[..., User]
) -> None:
    player = sign_up()
    response = client.post("/api/me/play-money", headers={**player.headers, **key()})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "play_money_disabled"
    assert balance(client, player) == 0


def test_play_money_tops_the_wallet_up_once_per_key(
    settings: Settings, unique: Callable[[str], str]
) -> None:
    offered = dataclasses.replace(settings, play_money=5_000)
    with TestClient(create_app(settings=offered)) as client:
        body = client.post(
            "/api/auth/register", json={"username": unique("pm"), "password": PASSWORD}
        ).json()
        player = User(body["player"]["id"], "pm", body["tokens"]["access_token"], "")
        headers = {**player.headers, **key()}
        first = client.post("/api/me/play-money", headers=headers).json()
        assert (first["added"], first["balance"]) == (5_000, 5_000)
        replay = client.post("/api/me/play-money", headers=headers).json()
        assert (replay["added"], replay["balance"]) == (0, 5_000)
        full = client.post("/api/me/play-money", headers={**player.headers, **key()}).json()
        assert (full["added"], full["balance"]) == (0, 5_000)
        assert balance(client, player) == 5_000
