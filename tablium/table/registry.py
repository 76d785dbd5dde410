"""The tables of this process: created, found by id, and stopped in order.

:class:`Tables` owns every table's task in one ``asyncio.TaskGroup`` and is used as an async
context manager (the composition root enters it in the app's lifespan)::

    async with Tables(bank=LedgerBank(ledger, HandArchive(engine), players),
                      names=player_names(players), registry=metrics_registry) as tables:
        tables.create(TableConfig(id="nl-2", name="NL 2", blinds=Blinds(sb=1, bb=2)))
        ...   # the gateway finds tables with tables.get(table_id)

Ordered shutdown, on leaving the block (or :meth:`stop_all`): every table stops taking
commands first, then each voids a hand still in play and cashes its players out, then the tasks
are awaited. A table's step that fails is logged by the table itself, so one table's bug does
not cancel the others through the task group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import TracebackType

from prometheus_client import CollectorRegistry

from tablium.clock import Clock, utc_now
from tablium.entropy import new_server_seed
from tablium.table.actor import SeedSource, TableActor
from tablium.table.bank import DisplayNames, TableBank
from tablium.table.config import TableConfig
from tablium.table.metrics import TableMetrics
from tablium.timers import LoopTimer, Timer


class Tables:
    """Implements ``TableDirectory``: every table of this process, by id."""

    def __init__(
        self,
        *,
        bank: TableBank,
        names: DisplayNames | None = None,
        timer: Timer | None = None,
        clock: Clock = utc_now,
        seed_source: SeedSource = new_server_seed,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._bank = bank
        self._names = names
        self._timer: Timer = timer if timer is not None else LoopTimer()
        self._clock = clock
        self._seed_source = seed_source
        self.metrics = TableMetrics(registry if registry is not None else CollectorRegistry())
        self._tables: dict[str, TableActor] = {}
        self._group: asyncio.TaskGroup | None = None

    async def __aenter__(self) -> Tables:
        self._group = asyncio.TaskGroup()
        await self._group.__aenter__()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop_all()
        group, self._group = self._group, None
        assert group is not None
        await group.__aexit__(kind, value, traceback)

    def create(self, config: TableConfig) -> TableActor:
        """Start a table; ``ValueError`` if this process already runs one with that id."""
        if self._group is None:
            raise RuntimeError("enter `async with Tables(...)` before creating tables")
        if config.id in self._tables:
            raise ValueError(f"table {config.id!r} exists")
        table = TableActor(
            config,
            bank=self._bank,
            names=self._names,
            timer=self._timer,
            clock=self._clock,
            seed_source=self._seed_source,
            metrics=self.metrics,
        )
        self._tables[config.id] = table
        self._group.create_task(table.run(), name=f"table:{config.id}")
        return table

    def get(self, table_id: str) -> TableActor | None:
        return self._tables.get(table_id)

    def __iter__(self) -> Iterator[TableActor]:
        return iter(list(self._tables.values()))

    def __len__(self) -> int:
        return len(self._tables)

    async def stop(self, table_id: str) -> None:
        """Stop one table (its players are cashed out) and forget it."""
        table = self._tables.get(table_id)
        if table is None:
            return
        table.stop()
        await table.closed.wait()
        del self._tables[table_id]

    async def stop_all(self) -> None:
        """Stop intake everywhere first, then wait for each table to cash out and end."""
        tables = list(self._tables.values())
        for table in tables:
            table.stop()
        for table in tables:
            await table.closed.wait()
        self._tables.clear()
