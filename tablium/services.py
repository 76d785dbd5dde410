"""The services a server process runs on, opened and closed together (the composition root's
half that is not HTTP): the database engine, players and authentication, the ledger."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tablium.clock import Clock, utc_now
from tablium.db.engine import create_engine
from tablium.db.migrate import upgrade
from tablium.money.service import Ledger
from tablium.players.service import Players
from tablium.settings import Settings

logger = logging.getLogger("tablium.services")


@dataclass(frozen=True, kw_only=True)
class Services:
    settings: Settings
    engine: AsyncEngine
    players: Players
    ledger: Ledger
    clock: Clock

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        registry: CollectorRegistry,
        clock: Clock = utc_now,
        migrate: bool = True,
    ) -> Services:
        """Migrate the database (unless told not to), connect, and start every service."""
        if migrate:
            await upgrade(settings.database_url)
        engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
        try:
            players = Players(engine, settings, clock=clock, registry=registry)
            await players.start()
            ledger = Ledger(
                engine,
                clock=clock,
                limit_increase_delay=timedelta(seconds=settings.limit_increase_delay),
                min_self_exclusion=timedelta(seconds=settings.min_self_exclusion),
                registry=registry,
            )
        except BaseException:
            await engine.dispose()
            raise
        logger.info("services started", extra={"database": engine.dialect.name})
        return cls(settings=settings, engine=engine, players=players, ledger=ledger, clock=clock)

    async def check_database(self) -> None:
        """Raises if the database does not answer."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
        logger.info("services stopped")
