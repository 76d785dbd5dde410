"""An HTTP client on the real app (lifespan, migrations, services) over each test database."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from tablium.app import create_app
from tablium.settings import Settings

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class User:
    id: str
    username: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings=settings)) as test_client:
        yield test_client


def call_service(client: TestClient, function: Callable[..., Any], /, **kwargs: Any) -> Any:
    """Run one of the app's service coroutines on the app's own event loop."""
    assert client.portal is not None
    return client.portal.call(functools.partial(function, **kwargs))


@pytest.fixture
def sign_up(client: TestClient, unique: Callable[[str], str]) -> Callable[..., User]:
    def make(name: str = "player", role: str = "player") -> User:
        username = unique(name)
        response = client.post(
            "/api/auth/register", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        user = User(
            id=body["player"]["id"],
            username=username,
            access_token=body["tokens"]["access_token"],
            refresh_token=body["tokens"]["refresh_token"],
        )
        if role != "player":
            from tablium.db.audit import Actor
            from tablium.players.profile import Role

            players = client.app.state.services.players  # type: ignore[attr-defined]
            call_service(
                client,
                players.set_role,
                actor=Actor.system("test"),
                player_id=user.id,
                role=Role(role),
            )
        return user

    return make


@pytest.fixture
def admin(sign_up: Callable[..., User]) -> User:
    return sign_up("admin", role="admin")
