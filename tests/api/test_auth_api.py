"""Registration, log-in, refresh rotation and log-out over HTTP."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from tests.api.conftest import PASSWORD, User


def test_register_signs_in_and_the_token_opens_my_profile(
    client: TestClient, unique: Callable[[str], str]
) -> None:
    username = unique("Alice")
    response = client.post(
        "/api/auth/register",
        json={"username": username, "password": PASSWORD, "display_name": "Alice A."},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["player"]["username"] == username
    assert body["player"]["role"] == "player"
    assert body["tokens"]["token_type"] == "Bearer"
    assert "password" not in response.text and "password_hash" not in response.text
    me = client.get(
        "/api/me", headers={"Authorization": f"Bearer {body['tokens']['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["display_name"] == "Alice A."


def test_a_username_is_taken_whatever_its_case(
    client: TestClient, sign_up: Callable[..., User]
) -> None:
    user = sign_up("bob")
    response = client.post(
        "/api/auth/register", json={"username": user.username.upper(), "password": PASSWORD}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "username_taken"


def test_weak_passwords_and_bad_usernames_are_refused(
    client: TestClient, unique: Callable[[str], str]
) -> None:
    weak = client.post("/api/auth/register", json={"username": unique("c"), "password": "short"})
    assert weak.status_code == 422
    assert weak.json()["error"]["code"] == "weak_password"
    bad = client.post("/api/auth/register", json={"username": "no spaces!", "password": PASSWORD})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_username"


def test_log_in_with_the_right_password_only(
    client: TestClient, sign_up: Callable[..., User]
) -> None:
    user = sign_up("carol")
    wrong = client.post("/api/auth/login", json={"username": user.username, "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert wrong.headers["www-authenticate"] == "Bearer"
    unknown = client.post("/api/auth/login", json={"username": "nobody_x1", "password": PASSWORD})
    assert unknown.json()["error"]["code"] == "invalid_credentials"
    right = client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert right.status_code == 200
    assert right.json()["player"]["id"] == user.id


def test_a_reused_refresh_token_ends_the_whole_session(
    client: TestClient, sign_up: Callable[..., User]
) -> None:
    user = sign_up("dave")
    first = client.post("/api/auth/refresh", json={"refresh_token": user.refresh_token})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != user.refresh_token
    new_headers = {"Authorization": f"Bearer {rotated['access_token']}"}
    assert client.get("/api/me", headers=new_headers).status_code == 200

    replay = client.post("/api/auth/refresh", json={"refresh_token": user.refresh_token})
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "token_reused"
    # Every token of that family is dead now, the newest included.
    again = client.post("/api/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert again.status_code == 401
    me = client.get("/api/me", headers=new_headers)
    assert me.status_code == 401
    assert me.json()["error"]["code"] == "session_revoked"


def test_log_out_revokes_the_session(client: TestClient, sign_up: Callable[..., User]) -> None:
    user = sign_up("erin")
    response = client.post("/api/auth/logout", json={"refresh_token": user.refresh_token})
    assert response.status_code == 204
    assert client.get("/api/me", headers=user.headers).status_code == 401
    refresh = client.post("/api/auth/refresh", json={"refresh_token": user.refresh_token})
    assert refresh.status_code == 401


def test_missing_and_forged_tokens_are_refused(
    client: TestClient, sign_up: Callable[..., User]
) -> None:
    missing = client.get("/api/me")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "token_missing"
    forged = client.get("/api/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "token_invalid"
    user = sign_up("frank")
    header, payload, signature = user.access_token.split(".")
    tampered = f"{header}.{payload}.{signature[::-1]}"
    response = client.get("/api/me", headers={"Authorization": f"Bearer {tampered}"})
    assert response.status_code == 401


def test_too_many_failed_log_ins_are_refused_with_retry_after(
    client: TestClient, sign_up: Callable[..., User]
) -> None:
    user = sign_up("greg")
    for _ in range(5):
        wrong = client.post("/api/auth/login", json={"username": user.username, "password": "x"})
        assert wrong.status_code == 401
    response = client.post(
        "/api/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert 1 <= int(response.headers["retry-after"]) <= 15 * 60
