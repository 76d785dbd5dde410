"""The ledger audit passes on a real ledger and names exactly what is wrong with a corrupted one.

Each test corrupts a fresh database of its own directly with SQL, the way a bug or a hand-edit
would, and checks the exact failures reported.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tablium.db.audit import Actor
from tablium.db.engine import create_engine
from tablium.db.schema import accounts, players, postings, transfers
from tablium.money.audit import AuditFailure, AuditReport, audit_ledger, main
from tablium.money.ledger import TransferKind, house, move, wallet
from tablium.money.service import Account, Ledger

NOW = datetime(2026, 3, 1, tzinfo=UTC)
SYSTEM = Actor.system("test")


@dataclass
class Books:
    """A small, correct ledger: two funded wallets and the house, four transfers."""

    engine: AsyncEngine
    ledger: Ledger
    alice: Account
    bob: Account
    house: Account

    async def refresh(self) -> None:
        self.alice, self.bob, self.house = [
            await self.ledger.account_by_id(a.id) for a in (self.alice, self.bob, self.house)
        ]


@pytest.fixture
async def books(empty_database_url: str) -> AsyncIterator[Books]:
    engine = create_engine(empty_database_url, pool_size=2)
    ledger = Ledger(engine)
    names = []
    async with engine.begin() as connection:
        for name in ("alice", "bob"):
            player_id = uuid.uuid4().hex
            names.append(player_id)
            await connection.execute(
                players.insert().values(
                    id=player_id,
                    username=name,
                    username_key=name,
                    password_hash="-",
                    display_name=name,
                    preferences={},
                    created_at=NOW,
                )
            )
    alice, bob = names
    await ledger.deposit(
        player_id=alice, currency="CHIP", amount=500, idempotency_key="d1", actor=SYSTEM
    )
    await ledger.deposit(
        player_id=bob, currency="CHIP", amount=300, idempotency_key="d2", actor=SYSTEM
    )
    await ledger.transfer(
        move(
            TransferKind.ADJUSTMENT,
            wallet(alice, "CHIP"),
            wallet(bob, "CHIP"),
            100,
            idempotency_key="a1",
        ),
        actor=SYSTEM,
    )
    await ledger.withdraw(
        player_id=bob, currency="CHIP", amount=50, idempotency_key="w1", actor=SYSTEM
    )
    yield Books(
        engine,
        ledger,
        await ledger.account(wallet(alice, "CHIP")),
        await ledger.account(wallet(bob, "CHIP")),
        await ledger.account(house("CHIP")),
    )
    await engine.dispose()


def name(account: Account) -> str:
    return f"account {account.id} ({account.kind} {account.owner} {account.currency})"


async def insert_transfer(
    connection: AsyncConnection,
    amount: int,
    lines: list[tuple[Account, int, int]],
    *,
    currency: str = "CHIP",
    move_balances: bool = True,
) -> int:
    """A transfer written by hand: (account, amount, balance_after) per posting."""
    result = await connection.execute(
        transfers.insert().values(
            idempotency_key=uuid.uuid4().hex,
            request_hash="0" * 64,
            kind="adjustment",
            currency=currency,
            amount=amount,
            created_at=NOW,
        )
    )
    transfer_id = int(result.inserted_primary_key[0])
    for account, posted, after in lines:
        await connection.execute(
            postings.insert().values(
                transfer_id=transfer_id, account_id=account.id, amount=posted, balance_after=after
            )
        )
        if move_balances:
            await connection.execute(
                update(accounts)
                .where(accounts.c.id == account.id)
                .values(balance=accounts.c.balance + posted)
            )
    return transfer_id


async def test_a_correct_ledger_passes(books: Books) -> None:
    report = await audit_ledger(books.engine)
    assert report == AuditReport(
        ok=True,
        checked={"accounts": 3, "transfers": 4, "postings": 8, "currencies": 1},
        failures=[],
    )
    assert report.format() == (
        "ledger audit: OK (3 accounts, 4 transfers, 8 postings, 1 currencies)"
    )
    assert (books.alice.balance, books.bob.balance, books.house.balance) == (400, 350, -750)


async def test_an_empty_ledger_passes(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url, pool_size=1)
    try:
        report = await audit_ledger(engine)
    finally:
        await engine.dispose()
    assert report.ok
    assert report.checked == {"accounts": 0, "transfers": 0, "postings": 0, "currencies": 0}


async def test_a_tampered_balance_fails_three_checks(books: Books) -> None:
    async with books.engine.begin() as connection:
        await connection.execute(
            update(accounts).where(accounts.c.id == books.alice.id).values(balance=405)
        )
    report = await audit_ledger(books.engine)
    assert not report.ok
    assert report.failures == [
        AuditFailure("balances_sum_to_zero", "CHIP: account balances sum to 5, not 0"),
        AuditFailure(
            "balance_matches_postings",
            f"{name(books.alice)}: balance 405, but its postings sum to 400",
        ),
        AuditFailure(
            "last_balance_after", f"{name(books.alice)}: balance 405, but its last posting left 400"
        ),
    ]
    lines = report.format().splitlines()
    assert (
        lines[0]
        == "ledger audit: FAILED, 3 problem(s) (3 accounts, 4 transfers, 8 postings, 1 currencies)"
    )
    assert lines[1] == "  balances_sum_to_zero: CHIP: account balances sum to 5, not 0"
    assert len(lines) == 4


async def test_unbalanced_transfers_are_named(books: Books) -> None:
    async with books.engine.begin() as connection:
        single = await insert_transfer(connection, 10, [(books.alice, 10, 410)])
        lopsided = await insert_transfer(
            connection, 5, [(books.bob, 5, 355), (books.house, -3, -753)]
        )
    report = await audit_ledger(books.engine)
    assert report.failures == [
        AuditFailure("balances_sum_to_zero", "CHIP: account balances sum to 12, not 0"),
        AuditFailure("postings_sum_to_zero", "CHIP: postings sum to 12, not 0"),
        AuditFailure("transfer_balanced", f"transfer {single}: 1 posting(s)"),
        AuditFailure("transfer_balanced", f"transfer {lopsided}: postings sum to 2, not 0"),
    ]


async def test_a_transfer_amount_that_is_not_its_credits(books: Books) -> None:
    async with books.engine.begin() as connection:
        wrong = await insert_transfer(
            connection, 25, [(books.alice, -20, 380), (books.bob, 20, 370)]
        )
    report = await audit_ledger(books.engine)
    assert report.failures == [
        AuditFailure("transfer_amount", f"transfer {wrong}: amount 25, but its credits sum to 20"),
    ]


async def test_a_posting_in_another_currency(books: Books) -> None:
    async with books.engine.begin() as connection:
        wrong = await insert_transfer(
            connection, 20, [(books.alice, -20, 380), (books.bob, 20, 370)], currency="USD"
        )
    report = await audit_ledger(books.engine)
    assert report.failures == [
        AuditFailure(
            "transfer_currency",
            f"transfer {wrong} in USD posts to account {books.alice.id} in CHIP",
        ),
        AuditFailure(
            "transfer_currency", f"transfer {wrong} in USD posts to account {books.bob.id} in CHIP"
        ),
    ]


async def test_a_wrong_balance_after(books: Books) -> None:
    async with books.engine.begin() as connection:
        await insert_transfer(connection, 20, [(books.alice, -20, 380), (books.bob, 20, 371)])
        result = await connection.execute(postings.select().where(postings.c.balance_after == 371))
        posting_id = result.one().id
    await books.refresh()
    report = await audit_ledger(books.engine)
    assert report.failures == [
        AuditFailure(
            "balance_after_running_sum",
            f"posting {posting_id} on account {books.bob.id}: balance_after 371, "
            "but the postings up to it sum to 370",
        ),
        AuditFailure(
            "last_balance_after", f"{name(books.bob)}: balance 370, but its last posting left 371"
        ),
    ]


async def test_a_negative_balance_without_overdraft(books: Books) -> None:
    async with books.engine.begin() as connection:
        # The schema refuses this; a broken migration or a hand-edit might not.
        if books.engine.dialect.name == "postgresql":
            await connection.exec_driver_sql(
                "ALTER TABLE accounts DROP CONSTRAINT ck_accounts_balance"
            )
        else:
            await connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
        await insert_transfer(connection, 450, [(books.alice, -450, -50), (books.house, 450, -300)])
    await books.refresh()
    report = await audit_ledger(books.engine)
    assert report.failures == [
        AuditFailure(
            "no_negative_balance",
            f"{name(books.alice)}: balance -50, and it may not go below zero",
        ),
    ]


async def test_many_failures_are_capped(books: Books) -> None:
    async with books.engine.begin() as connection:
        for _ in range(60):
            await insert_transfer(connection, 1, [(books.alice, 1, 0)], move_balances=False)
    report = await audit_ledger(books.engine)
    unbalanced = [f for f in report.failures if f.check == "transfer_balanced"]
    assert len(unbalanced) == 51
    assert unbalanced[-1].detail == "more than 50 failures, not listed"


async def test_main_prints_the_report_and_says_how_it_went(
    books: Books, empty_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, empty_database_url) == 0
    assert capsys.readouterr().out.startswith("ledger audit: OK (3 accounts")
    async with books.engine.begin() as connection:
        await connection.execute(
            update(accounts).where(accounts.c.id == books.bob.id).values(balance=0)
        )
    assert await asyncio.to_thread(main, empty_database_url) == 1
    out = capsys.readouterr().out
    assert out.startswith("ledger audit: FAILED, 3 problem(s)")
    assert "CHIP: account balances sum to -350, not 0" in out
