"""The migrations build the schema the code declares, on both databases, and guard the ledger."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tablium.db.migrate import current_revision, head_revision, upgrade
from tablium.db.schema import (
    APPEND_ONLY_TABLES,
    accounts,
    audit_log,
    metadata,
    postings,
    transfers,
)


async def test_upgrade_reaches_head_and_is_idempotent(database_url: str) -> None:
    assert await current_revision(database_url) == head_revision()
    assert await upgrade(database_url) == head_revision()


async def test_migrated_tables_match_the_declared_schema(engine: AsyncEngine) -> None:
    def columns(connection: object) -> dict[str, set[str]]:
        inspector = inspect(connection)
        return {
            name: {column["name"] for column in inspector.get_columns(name)}
            for name in inspector.get_table_names()
            if name != "alembic_version"
        }

    async with engine.connect() as connection:
        found = await connection.run_sync(columns)
    declared = {table.name: {c.name for c in table.columns} for table in metadata.sorted_tables}
    assert found == declared


async def _insert_one_row_each(connection: AsyncConnection) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    key = uuid.uuid4().hex
    account = await connection.execute(
        accounts.insert().values(
            kind="house", owner=key, currency="T", overdraft=True, created_at=now
        )
    )
    transfer = await connection.execute(
        transfers.insert().values(
            idempotency_key=key,
            request_hash="0" * 64,
            kind="test",
            currency="T",
            amount=1,
            created_at=now,
        )
    )
    await connection.execute(
        postings.insert().values(
            transfer_id=transfer.inserted_primary_key[0],
            account_id=account.inserted_primary_key[0],
            amount=1,
            balance_after=1,
        )
    )
    await connection.execute(audit_log.insert().values(at=now, action="test", details={}))


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
@pytest.mark.parametrize("verb", ["UPDATE {} SET id = id", "DELETE FROM {}"])
async def test_append_only_tables_refuse_update_and_delete(
    engine: AsyncEngine, table: str, verb: str
) -> None:
    async with engine.connect() as connection:
        await _insert_one_row_each(connection)
        with pytest.raises(DBAPIError, match="append-only"):
            await connection.exec_driver_sql(verb.format(table))
        await connection.rollback()
