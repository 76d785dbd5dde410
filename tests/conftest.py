"""Fixtures shared by the suites that touch a database.

Every database test runs twice: on the embedded SQLite and on the real PostgreSQL that
``scripts/test`` prepares (``TABLIUM_TEST_DATABASE_URL``, a database of this run's own). Both are
migrated once per run with the real migrations; tests keep out of each other's way by using fresh
names (``unique``). A test that needs an empty database asks for ``empty_database_url``.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tablium.db.engine import create_engine
from tablium.db.migrate import upgrade
from tablium.settings import Settings, sqlite_url

BACKENDS = ("sqlite", "postgresql")


def postgres_url() -> str:
    url = os.environ.get("TABLIUM_TEST_DATABASE_URL")
    if not url:
        pytest.fail(
            "TABLIUM_TEST_DATABASE_URL is not set: run the suite with `bash scripts/test`, "
            "which starts PostgreSQL and creates a database for the run",
            pytrace=False,
        )
    return url


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    urls = {
        "sqlite": sqlite_url(tmp_path_factory.mktemp("sqlite") / "tablium.db"),
        "postgresql": postgres_url(),
    }
    for url in urls.values():
        asyncio.run(upgrade(url))
    return urls


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, migrated_urls: dict[str, str]) -> str:
    """A migrated database shared by the run: SQLite, then PostgreSQL."""
    return migrated_urls[request.param]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


async def _create_postgres_database(base_url: str, name: str) -> str:
    admin = create_engine(base_url, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        await admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def _drop_postgres_database(base_url: str, name: str) -> None:
    admin = create_engine(base_url, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.dispose()


@pytest.fixture(params=BACKENDS)
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A freshly migrated database of this test's own, dropped afterwards."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "fresh.db")
        await upgrade(url)
        yield url
        return
    base = postgres_url()
    name = f"{make_url(base).database}_{uuid.uuid4().hex[:8]}"
    url = await _create_postgres_database(base, name)
    try:
        await upgrade(url)
        yield url
    finally:
        await _drop_postgres_database(base, name)


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Fresh names for rows in shared databases: ``unique("alice")`` → ``"alice_3f9c2a1b"``."""

    def make(prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex[:8]}"

    return make


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for tests: cheap password hashing, a fixed signing key."""
    return Settings(
        database_url=database_url,
        jwt_secret="test-signing-key-0123456789abcdef0123456789abcdef",
        argon2_time_cost=1,
        argon2_memory_kib=8,
    )
