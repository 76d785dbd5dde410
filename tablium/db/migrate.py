"""Alembic, driven from code: ``tablium db upgrade`` and ``tablium serve`` call ``upgrade``.

There is no alembic.ini: the configuration is built here, with the migrations shipped inside the
package, so an installed server can migrate its database without a source checkout.
"""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from tablium.db.engine import create_engine

logger = logging.getLogger("tablium.db")
SCRIPT_LOCATION = "tablium.db:migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(url: str, revision: str = "head") -> str | None:
    """Bring the database at ``url`` to ``revision``; returns the revision it is at afterwards."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, revision)
        async with engine.connect() as connection:
            current = await connection.run_sync(_current)
    finally:
        await engine.dispose()
    logger.info("database migrated", extra={"revision": current})
    return current


async def current_revision(url: str) -> str | None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            revision: str | None = await connection.run_sync(_current)
            return revision
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _current(connection: Connection) -> str | None:
    revision: str | None = MigrationContext.configure(connection).get_current_revision()
    return revision
