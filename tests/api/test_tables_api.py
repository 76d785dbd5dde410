"""The table listing shows every running table with the summary its snapshots carry."""

from __future__ import annotations

import dataclasses

from starlette.testclient import TestClient

from tablium.app import create_app
from tablium.settings import Settings


def test_the_demo_tables_are_listed_with_their_stakes(settings: Settings) -> None:
    with TestClient(create_app(settings=dataclasses.replace(settings, demo_tables=True))) as client:
        response = client.get("/api/tables")
    assert response.status_code == 200
    tables = {table["id"]: table for table in response.json()["tables"]}
    assert set(tables) == {"nlhe-1-2", "nlhe-1-2-full", "plo-2-5"}
    omaha = tables["plo-2-5"]
    assert omaha["config"]["variant"] == "PLO"
    assert (omaha["config"]["small_blind"], omaha["config"]["big_blind"]) == (2, 5)
    assert (omaha["config"]["buy_in_min"], omaha["config"]["buy_in_max"]) == (200, 500)
    assert (omaha["seated"], omaha["waiting"], omaha["hand"]) == (0, 0, None)


def test_without_demo_tables_there_are_none(client: TestClient) -> None:
    assert client.get("/api/tables").json() == {"tables": []}
