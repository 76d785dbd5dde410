"""``tablium bench ledger``: transfers per second through the ledger, under contention.

Opens ``accounts`` funded wallets (one player each), then makes ``transfers`` wallet-to-wallet
transfers between random pairs from ``concurrency`` tasks at once: few accounts and many tasks
means many transfers waiting on the same rows, which is the point. Then audits the ledger and
prints a summary (JSON): throughput, latency percentiles, retries, CPU per transfer, audit result.

By default the configured database is left alone: the run uses a scratch database on the same
server (PostgreSQL: ``<name>_bench_<hex>``, dropped afterwards; SQLite: a temporary file next to
the configured one, deleted afterwards). ``in_place`` runs in the configured database itself,
in a currency of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from prometheus_client import CollectorRegistry
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tablium.db.audit import Actor
from tablium.db.engine import create_engine
from tablium.db.migrate import upgrade
from tablium.db.schema import players
from tablium.money.audit import audit_ledger
from tablium.money.ledger import InsufficientFunds, TransferKind, move, wallet
from tablium.money.service import Ledger
from tablium.settings import sqlite_url

FUNDING = 10_000_000
"""Opening deposit of every wallet: large enough that insufficient funds stay rare."""

ACTOR = Actor.system("bench")
_QUIET = ("tablium.ledger", "tablium.audit")
"""Loggers that write a line per transfer: silenced during the run, or they would be measured."""


@contextlib.asynccontextmanager
async def scratch_database(url: str) -> AsyncIterator[str]:
    """A migrated database of its own on the server (or beside the file) of ``url``, removed
    afterwards whatever happens."""
    parsed = make_url(url)
    suffix = secrets.token_hex(4)
    if parsed.get_backend_name() == "sqlite":
        configured = parsed.database
        if configured and configured != ":memory:":
            path = Path(configured)
            scratch = path.with_name(f"{path.stem}_bench_{suffix}{path.suffix or '.db'}")
        else:
            scratch = Path(tempfile.gettempdir()) / f"tablium_bench_{suffix}.db"
        try:
            await upgrade(sqlite_url(scratch))
            yield sqlite_url(scratch)
        finally:
            for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
                leftover.unlink(missing_ok=True)
        return
    name = f"{parsed.database}_bench_{suffix}"
    admin = create_engine(url, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            target = parsed.set(database=name).render_as_string(hide_password=False)
            await upgrade(target)
            yield target
        finally:
            async with admin.connect() as connection:
                await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.dispose()


async def _open_wallets(
    ledger: Ledger, engine: AsyncEngine, count: int, currency: str
) -> list[str]:
    run = secrets.token_hex(4)
    ids = [f"{run}{n:024x}" for n in range(count)]
    async with engine.begin() as connection:
        await connection.execute(
            players.insert(),
            [
                {
                    "id": player_id,
                    "username": f"bench-{run}-{n}",
                    "username_key": f"bench-{run}-{n}",
                    "password_hash": "-",  # no password: nobody can sign in as a bench player
                    "display_name": f"Bench {n}",
                    "preferences": {},
                    "created_at": datetime.now(UTC),
                }
                for n, player_id in enumerate(ids)
            ],
        )
    for player_id in ids:
        await ledger.deposit(
            player_id=player_id,
            currency=currency,
            amount=FUNDING,
            idempotency_key=f"bench-fund-{player_id}",
            actor=ACTOR,
        )
    return ids


async def run(
    engine: AsyncEngine, *, transfers: int, concurrency: int, accounts: int, seed: int | None
) -> dict[str, Any]:
    """Fund the wallets, time the transfers, audit; returns the figures."""
    registry = CollectorRegistry()
    ledger = Ledger(engine, registry=registry)
    currency = f"BENCH{secrets.token_hex(4).upper()}"
    ids = await _open_wallets(ledger, engine, accounts, currency)
    rng = random.Random(seed)
    plan: list[tuple[str, str, int]] = []
    for _ in range(transfers):
        source, destination = rng.sample(ids, 2)
        plan.append((source, destination, rng.randint(1, 1_000)))
    run_id = secrets.token_hex(4)
    latencies: list[float] = []
    refused = 0
    errors: list[str] = []
    cursor = iter(enumerate(plan))

    async def worker() -> None:
        nonlocal refused
        for n, (source, destination, amount) in cursor:
            request = move(
                TransferKind.ADJUSTMENT,
                wallet(source, currency),
                wallet(destination, currency),
                amount,
                idempotency_key=f"bench-{run_id}-{n}",
            )
            started = time.perf_counter()
            try:
                await ledger.transfer(request, actor=ACTOR)
            except InsufficientFunds:
                refused += 1
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append(time.perf_counter() - started)

    cpu_started, started = time.process_time(), time.perf_counter()
    async with asyncio.TaskGroup() as tasks:
        for _ in range(concurrency):
            tasks.create_task(worker())
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started

    report = await audit_ledger(engine)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "backend": engine.dialect.name,
        "transfers": transfers,
        "made": transfers - refused - len(errors),
        "refused": refused,
        "errors": len(errors),
        "first_errors": errors[:3],
        "concurrency": concurrency,
        "accounts": accounts,
        "pool_size": engine.pool.size() if hasattr(engine.pool, "size") else None,
        "seconds": round(seconds, 3),
        "transfers_per_s": round(transfers / seconds, 1) if seconds else None,
        "p50_ms": round(cuts[49] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
        "max_ms": round(max(latencies, default=0) * 1000, 2),
        "client_cpu_ms_per_transfer": round(cpu / transfers * 1000, 3) if transfers else None,
        "retries": int(registry.get_sample_value("tablium_ledger_retries_total") or 0),
        "audit_ok": report.ok,
        "audit_checked": report.checked,
        "audit_failures": [f"{f.check}: {f.detail}" for f in report.failures[:5]],
    }


async def _measure(url: str, pool_size: int, **options: Any) -> dict[str, Any]:
    engine = create_engine(url, pool_size=pool_size)
    try:
        return await run(engine, **options)
    finally:
        await engine.dispose()


async def _main(url: str, *, in_place: bool, pool_size: int, **options: Any) -> dict[str, Any]:
    if in_place:
        figures = await _measure(url, pool_size, **options)
    else:
        async with scratch_database(url) as scratch:
            figures = await _measure(scratch, pool_size, **options)
    figures["database"] = "configured (in place)" if in_place else "scratch"
    return figures


def main(
    url: str,
    *,
    transfers: int,
    concurrency: int,
    accounts: int,
    in_place: bool,
    pool_size: int = 10,
    seed: int | None = None,
) -> int:
    """Run the benchmark against the server of ``url`` and print the figures; 0 if every
    transfer was made or refused for want of funds and the audit passed afterwards."""
    if transfers < 1 or concurrency < 1 or accounts < 2:
        print("tablium bench ledger: needs 1 transfer, 1 task and 2 accounts at least")
        return 2
    quiet = [logging.getLogger(name) for name in _QUIET]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.WARNING)
    try:
        figures = asyncio.run(
            _main(
                url,
                transfers=transfers,
                concurrency=concurrency,
                accounts=accounts,
                in_place=in_place,
                pool_size=pool_size,
                seed=seed,
            )
        )
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
    print(msgspec.json.format(msgspec.json.encode(figures), indent=2).decode())
    return 0 if figures["audit_ok"] and not figures["errors"] else 1
