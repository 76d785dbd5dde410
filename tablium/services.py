"""The services a server process runs on, opened and closed together (the composition root's
half that is not HTTP): the database engine, players and authentication, the ledger, and the
cash tables with their actors."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
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
from tablium.table.archive import HandArchive
from tablium.table.bank import LedgerBank, player_names
from tablium.table.demo import demo_tables
from tablium.table.registry import Tables

logger = logging.getLogger("tablium.services")


@dataclass(frozen=True, kw_only=True)
class Services:
    settings: Settings
    engine: AsyncEngine
    players: Players
    ledger: Ledger
    tables: Tables
    clock: Clock
    _stack: contextlib.AsyncExitStack = field(repr=False)

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        registry: CollectorRegistry,
        clock: Clock = utc_now,
        migrate: bool = True,
    ) -> Services:
        """Migrate the database (unless told not to), connect, start every service, and open the
        demo tables when the settings ask for them."""
        if migrate:
            await upgrade(settings.database_url)
        engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
        stack = contextlib.AsyncExitStack()
        stack.push_async_callback(engine.dispose)
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
            # Closed before the engine (the stack unwinds in reverse): tables cash their players
            # out through the ledger when they stop.
            tables = await stack.enter_async_context(
                Tables(
                    bank=LedgerBank(ledger, HandArchive(engine), players),
                    names=player_names(players),
                    clock=clock,
                    registry=registry,
                )
            )
            if settings.demo_tables:
                for config in demo_tables(settings.currency):
                    tables.create(config)
        except BaseException:
            await stack.aclose()
            raise
        logger.info(
            "services started", extra={"database": engine.dialect.name, "tables": len(tables)}
        )
        return cls(
            settings=settings,
            engine=engine,
            players=players,
            ledger=ledger,
            tables=tables,
            clock=clock,
            _stack=stack,
        )

    async def check_database(self) -> None:
        """Raises if the database does not answer."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Stop the tables (cashing their players out), then close the database."""
        await self._stack.aclose()
        logger.info("services stopped")
