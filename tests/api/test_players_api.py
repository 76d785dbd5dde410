"""Profiles and statistics over HTTP, and who may read what."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from tests.api.conftest import User


def test_update_my_profile_and_preferences(
    client: TestClient, sign_up: Callable[..., User]
) -> None:
    user = sign_up("gina")
    response = client.patch(
        "/api/me",
        headers=user.headers,
        json={
            "display_name": "Gina",
            "avatar_url": "https://example.org/g.png",
            "country": "FR",
            "preferences": {"four_color_deck": True},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["country"] == "FR"
    assert body["preferences"]["four_color_deck"] is True
    cleared = client.patch("/api/me", headers=user.headers, json={"country": None})
    assert cleared.json()["country"] is None
    assert cleared.json()["display_name"] == "Gina"


def test_bad_profile_values_change_nothing(
    client: TestClient, sign_up: Callable[..., User]
) -> None:
    user = sign_up("hank")
    before = client.get("/api/me", headers=user.headers).json()
    for body in (
        {"country": "XX"},
        {"avatar_url": "javascript:alert(1)"},
        {"display_name": ""},
        {"preferences": {"no_such_preference": True}},
        {"role": "admin"},
        {"xp": 1000000},
    ):
        response = client.patch("/api/me", headers=user.headers, json=body)
        assert response.status_code == 422, body
    assert client.get("/api/me", headers=user.headers).json() == before


def test_other_players_see_the_public_profile_and_stats_only(
    client: TestClient, sign_up: Callable[..., User]
) -> None:
    ivy, jack = sign_up("ivy"), sign_up("jack")
    response = client.get(f"/api/players/{ivy.id}", headers=jack.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["player"]["username"] == ivy.username
    assert "preferences" not in body["player"] and "email" not in body["player"]
    assert body["stats"]["hands_played"] == 0
    missing = client.get("/api/players/" + "0" * 32, headers=jack.headers)
    assert missing.status_code == 404
    assert client.get(f"/api/players/{ivy.id}").status_code == 401


def test_admin_endpoints_check_the_role(client: TestClient, sign_up: Callable[..., User]) -> None:
    player, director, admin = sign_up("p"), sign_up("d", "director"), sign_up("a", "admin")
    file_path = f"/api/admin/players/{player.id}"
    assert client.get(file_path, headers=player.headers).status_code == 403
    assert client.get(file_path, headers=director.headers).status_code == 200
    assert client.get(file_path, headers=admin.headers).status_code == 200
    role_path = f"/api/admin/players/{player.id}/role"
    refused = client.put(role_path, headers=director.headers, json={"role": "admin"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden_role"
    granted = client.put(role_path, headers=admin.headers, json={"role": "director"})
    assert granted.status_code == 200
    # The new role applies to the player's current token at once.
    assert client.get(file_path, headers=player.headers).status_code == 200
    audit = client.get(
        "/api/admin/audit",
        headers=admin.headers,
        params={"target": player.id, "action": "player.role"},
    )
    entry = audit.json()["entries"][0]
    assert entry["actor_id"] == admin.id
    assert entry["ip"] == "testclient"


def test_disabled_accounts_cannot_sign_in(client: TestClient, sign_up: Callable[..., User]) -> None:
    player, admin = sign_up("kim"), sign_up("a", "admin")
    response = client.put(
        f"/api/admin/players/{player.id}/disabled", headers=admin.headers, json={"disabled": True}
    )
    assert response.status_code == 200
    assert client.get("/api/me", headers=player.headers).status_code == 401
    login = client.post(
        "/api/auth/login", json={"username": player.username, "password": "correct horse battery"}
    )
    assert login.status_code == 403
    assert login.json()["error"]["code"] == "account_disabled"
