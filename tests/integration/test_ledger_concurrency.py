"""Many transfers at once over few accounts: no money made or lost, no deadlock surfaces.

PostgreSQL is where transfers really run concurrently (a pool of 10 connections, rows locked in
id order); SQLite serialises writers on its one connection, so it gets a smaller run that shows
the same bookkeeping stays right when tasks queue for the connection.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tablium.db.audit import Actor
from tablium.db.engine import create_engine
from tablium.db.schema import players, transfers
from tablium.money.audit import audit_ledger
from tablium.money.ledger import (
    AccountKind,
    AccountRef,
    InsufficientFunds,
    TransferKind,
    house,
    move,
    wallet,
)
from tablium.money.service import Ledger, TransferResult

SYSTEM = Actor.system("test")
CURRENCY = "CHIP"
INITIAL = 1_000

# backend: (wallets, transfers, concurrent tasks)
SIZES = {"postgresql": (20, 2_000, 50), "sqlite": (10, 200, 20)}


async def add_players(engine: AsyncEngine, count: int) -> list[str]:
    ids = [uuid.uuid4().hex for _ in range(count)]
    async with engine.begin() as connection:
        await connection.execute(
            players.insert(),
            [
                {
                    "id": player_id,
                    "username": player_id,
                    "username_key": player_id,
                    "password_hash": "-",
                    "display_name": "Player",
                    "preferences": {},
                    "created_at": datetime(2026, 1, 1, tzinfo=UTC),
                }
                for player_id in ids
            ],
        )
    return ids


async def test_concurrent_random_transfers_conserve_every_chip(empty_database_url: str) -> None:
    backend = make_url(empty_database_url).get_backend_name()
    wallets, count, tasks = SIZES[backend]
    engine = create_engine(empty_database_url, pool_size=10)
    registry = CollectorRegistry()
    try:
        ledger = Ledger(engine, registry=registry)
        ids = await add_players(engine, wallets)
        for player in ids:
            await ledger.deposit(
                player_id=player,
                currency=CURRENCY,
                amount=INITIAL,
                idempotency_key=f"fund-{player}",
                actor=SYSTEM,
            )

        rng = random.Random(20260301)
        jobs = []
        for n in range(count):
            source, destination = rng.sample(ids, 2)
            # Large enough that a wallet often runs dry: some transfers must be refused.
            amount = rng.randint(1, 700)
            copies = 3 if n % 25 == 0 else 1  # the same request sent three times at once
            jobs.append((f"t-{n}", source, destination, amount, copies))
        rng.shuffle(jobs)
        pending = list(jobs)
        results: dict[str, list[TransferResult]] = {}
        refused: Counter[str] = Counter()
        unexpected: list[BaseException] = []

        async def send(job: tuple[str, str, str, int, int]) -> None:
            key, source, destination, amount, _ = job
            request = move(
                TransferKind.ADJUSTMENT,
                wallet(source, CURRENCY),
                wallet(destination, CURRENCY),
                amount,
                idempotency_key=key,
            )
            try:
                made = await ledger.transfer(request, actor=SYSTEM)
            except InsufficientFunds:
                refused[key] += 1
            except Exception as exc:
                unexpected.append(exc)
            else:
                results.setdefault(key, []).append(made)

        async def worker() -> None:
            while pending:
                job = pending.pop()
                await asyncio.gather(*(send(job) for _ in range(job[4])))

        async with asyncio.timeout(60):
            await asyncio.gather(*(worker() for _ in range(tasks)))

        assert unexpected == []
        # Locks are taken in id order, so no transaction ever waits on another in a cycle.
        assert registry.get_sample_value("tablium_ledger_retries_total") == 0
        expected = dict.fromkeys(ids, INITIAL)
        for key, source, destination, amount, copies in jobs:
            made = results.get(key, [])
            assert len(made) + refused[key] == copies
            if not made:
                continue
            assert len({result.id for result in made}) == 1, key
            assert sorted(result.replayed for result in made) == [False] + [True] * (len(made) - 1)
            first = next(result for result in made if not result.replayed)
            assert [(p.owner, p.amount) for p in first.postings] == [
                (source, -amount),
                (destination, amount),
            ]
            expected[source] -= amount
            expected[destination] += amount

        assert sum(refused.values()) > 0, "the run should have refused some transfers"
        assert len(results) > count // 2
        actual = {a.owner: a.balance for p in ids for a in await ledger.wallets(p)}
        assert actual == expected
        assert (await ledger.account(house(CURRENCY))).balance == -INITIAL * wallets
        async with engine.connect() as connection:
            keys = (
                await connection.execute(
                    select(transfers.c.idempotency_key, func.count())
                    .where(transfers.c.kind == "adjustment")
                    .group_by(transfers.c.idempotency_key)
                )
            ).all()
        assert dict(keys) == dict.fromkeys(results, 1)
        report = await audit_ledger(engine)
        assert report.ok, report.format()
        assert report.checked["transfers"] == wallets + len(results)
    finally:
        await engine.dispose()


async def test_concurrent_first_use_of_an_account_creates_it_once(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url, pool_size=10)
    try:
        ledger = Ledger(engine)
        ids = await add_players(engine, 12)
        for player in ids:
            await ledger.deposit(
                player_id=player, currency="USD", amount=100, idempotency_key=player, actor=SYSTEM
            )
        tables = [AccountRef(AccountKind.TABLE_ESCROW, f"table-{n}", "USD") for n in range(3)]

        async def sit_down(player: str, table: AccountRef) -> None:
            request = move(
                TransferKind.BUY_IN,
                wallet(player, "USD"),
                table,
                60,
                idempotency_key=f"sit-{player}-{table.owner}",
            )
            await ledger.transfer(request, actor=SYSTEM, create_accounts=True)

        async with asyncio.timeout(30):
            await asyncio.gather(*(sit_down(p, tables[n % 3]) for n, p in enumerate(ids)))
        assert [(await ledger.account(t)).balance for t in tables] == [240, 240, 240]
        report = await audit_ledger(engine)
        assert report.ok, report.format()
        assert report.checked["accounts"] == 1 + 12 + 3
    finally:
        await engine.dispose()


async def test_concurrent_duplicates_of_one_deposit_move_money_once(
    empty_database_url: str,
) -> None:
    copies = 8
    engine = create_engine(empty_database_url, pool_size=10)
    try:
        ledger = Ledger(engine)
        (player,) = await add_players(engine, 1)

        async def deposit() -> TransferResult:
            return await ledger.deposit(
                player_id=player, currency="USD", amount=75, idempotency_key="once", actor=SYSTEM
            )

        made = await asyncio.gather(*(deposit() for _ in range(copies)))
        assert len({result.id for result in made}) == 1
        assert sorted(result.replayed for result in made) == [False] + [True] * (copies - 1)
        assert (await ledger.account(wallet(player, "USD"))).balance == 75
        assert (await audit_ledger(engine)).ok
    finally:
        await engine.dispose()
