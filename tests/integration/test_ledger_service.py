"""The ledger service on SQLite and PostgreSQL: money moves exactly, or not at all."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tablium.clock import ManualClock
from tablium.db.audit import Actor
from tablium.db.schema import audit_log, players, transfers
from tablium.errors import InvalidInput
from tablium.money.ledger import (
    MAX_AMOUNT,
    AccountKind,
    AccountRef,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidCurrency,
    Posting,
    TransferKind,
    TransferRequest,
    UnbalancedTransfer,
    UnknownAccount,
    house,
    move,
    wallet,
)
from tablium.money.service import Ledger, PostingView, in_transaction

ADMIN = Actor(id="admin-1", role="admin", ip="203.0.113.9")


async def add_player(engine: AsyncEngine) -> str:
    player_id = uuid.uuid4().hex
    async with engine.begin() as connection:
        await connection.execute(
            players.insert().values(
                id=player_id,
                username=player_id,
                username_key=player_id,
                password_hash="-",
                display_name="Player",
                preferences={},
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
    return player_id


@pytest.fixture
def currency() -> str:
    """A currency of the test's own, so the shared database's other rows never add up here."""
    return "T" + uuid.uuid4().hex[:12].upper()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 1, 12, tzinfo=UTC))


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def ledger(
    engine: AsyncEngine, clock: ManualClock, registry: CollectorRegistry
) -> AsyncIterator[Ledger]:
    yield Ledger(engine, clock=clock, registry=registry)


def key() -> str:
    return uuid.uuid4().hex


async def count_transfers(engine: AsyncEngine, idempotency_key: str) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).where(transfers.c.idempotency_key == idempotency_key)
        return int((await connection.execute(query)).scalar_one())


async def balances(ledger: Ledger, *refs: AccountRef) -> list[int]:
    return [(await ledger.account(ref)).balance for ref in refs]


async def test_deposit_credits_the_wallet_from_the_house(
    ledger: Ledger, engine: AsyncEngine, currency: str, clock: ManualClock
) -> None:
    player = await add_player(engine)
    result = await ledger.deposit(
        player_id=player,
        currency=currency,
        amount=1_500,
        idempotency_key="dep-" + player,
        actor=ADMIN,
        memo="bank transfer 42",
    )
    the_house = await ledger.account(house(currency))
    the_wallet = await ledger.account(wallet(player, currency))
    assert (the_wallet.balance, the_wallet.overdraft) == (1_500, False)
    assert (the_house.balance, the_house.overdraft) == (-1_500, True)
    assert result.kind is TransferKind.DEPOSIT
    assert (result.currency, result.amount, result.replayed) == (currency, 1_500, False)
    assert result.idempotency_key == "dep-" + player
    assert result.created_at == clock()
    assert result.postings == (
        PostingView(
            account_id=the_house.id,
            kind=AccountKind.HOUSE,
            owner="house",
            amount=-1_500,
            balance_after=-1_500,
        ),
        PostingView(
            account_id=the_wallet.id,
            kind=AccountKind.WALLET,
            owner=player,
            amount=1_500,
            balance_after=1_500,
        ),
    )
    assert await ledger.wallets(player) == [the_wallet]


async def test_withdrawal_debits_the_wallet_to_the_house(
    ledger: Ledger, engine: AsyncEngine, currency: str
) -> None:
    player = await add_player(engine)
    await ledger.deposit(
        player_id=player, currency=currency, amount=1_000, idempotency_key=key(), actor=ADMIN
    )
    result = await ledger.withdraw(
        player_id=player, currency=currency, amount=400, idempotency_key=key(), actor=ADMIN
    )
    assert [(p.kind, p.amount, p.balance_after) for p in result.postings] == [
        (AccountKind.WALLET, -400, 600),
        (AccountKind.HOUSE, 400, -600),
    ]
    assert await balances(ledger, wallet(player, currency), house(currency)) == [600, -600]


async def test_a_transfer_between_several_accounts_moves_exact_amounts(
    ledger: Ledger, engine: AsyncEngine, currency: str
) -> None:
    alice, bob = await add_player(engine), await add_player(engine)
    for player in (alice, bob):
        await ledger.deposit(
            player_id=player, currency=currency, amount=1_000, idempotency_key=key(), actor=ADMIN
        )
    table = AccountRef(AccountKind.TABLE_ESCROW, "table-" + key(), currency)
    rake = AccountRef(AccountKind.RAKE, "house", currency)
    buy_in = TransferRequest(
        idempotency_key=key(),
        kind=TransferKind.BUY_IN,
        currency=currency,
        postings=(
            Posting(wallet(alice, currency), -300),
            Posting(wallet(bob, currency), -500),
            Posting(table, 800),
        ),
    )
    with pytest.raises(UnknownAccount):
        await ledger.transfer(buy_in, actor=ADMIN)
    result = await ledger.transfer(buy_in, actor=ADMIN, create_accounts=True)
    assert result.amount == 800
    settle = TransferRequest(
        idempotency_key=key(),
        kind=TransferKind.CASH_OUT,
        currency=currency,
        postings=(
            Posting(table, -800),
            Posting(wallet(alice, currency), 770),
            Posting(rake, 30),
        ),
        memo="hand 1",
    )
    await ledger.transfer(settle, actor=ADMIN, create_accounts=True)
    assert await balances(
        ledger, wallet(alice, currency), wallet(bob, currency), table, rake, house(currency)
    ) == [1_470, 500, 0, 30, -2_000]


async def test_insufficient_funds_changes_nothing(
    ledger: Ledger, engine: AsyncEngine, currency: str
) -> None:
    player = await add_player(engine)
    await ledger.deposit(
        player_id=player, currency=currency, amount=100, idempotency_key=key(), actor=ADMIN
    )
    refused = key()
    with pytest.raises(InsufficientFunds) as caught:
        await ledger.withdraw(
            player_id=player, currency=currency, amount=101, idempotency_key=refused, actor=ADMIN
        )
    assert caught.value.code == "insufficient_funds"
    assert (caught.value.account, caught.value.balance, caught.value.needed) == (
        wallet(player, currency),
        100,
        101,
    )
    assert await balances(ledger, wallet(player, currency), house(currency)) == [100, -100]
    assert await count_transfers(engine, refused) == 0
    # A refused key is not spent: the same request can succeed once the money is there.
    await ledger.deposit(
        player_id=player, currency=currency, amount=1, idempotency_key=key(), actor=ADMIN
    )
    await ledger.withdraw(
        player_id=player, currency=currency, amount=101, idempotency_key=refused, actor=ADMIN
    )
    assert await balances(ledger, wallet(player, currency)) == [0]


async def test_unknown_accounts_and_players(
    ledger: Ledger, engine: AsyncEngine, currency: str
) -> None:
    ghost = uuid.uuid4().hex
    with pytest.raises(UnknownAccount):
        await ledger.deposit(
            player_id=ghost, currency=currency, amount=5, idempotency_key=key(), actor=ADMIN
        )
    with pytest.raises(UnknownAccount):
        await ledger.withdraw(
            player_id=ghost, currency=currency, amount=5, idempotency_key=key(), actor=ADMIN
        )
    with pytest.raises(UnknownAccount):
        await ledger.open_account(wallet(ghost, currency))
    with pytest.raises(UnknownAccount):
        await ledger.account(wallet(ghost, currency))
    with pytest.raises(UnknownAccount):
        await ledger.account_by_id(2**62)
    with pytest.raises(UnknownAccount):
        await ledger.statement(2**62)
    assert await ledger.wallets(ghost) == []
    # A player with no wallet yet: withdrawing opens it empty and finds nothing in it.
    player = await add_player(engine)
    with pytest.raises(InsufficientFunds):
        await ledger.withdraw(
            player_id=player, currency=currency, amount=5, idempotency_key=key(), actor=ADMIN
        )
    request = move(
        TransferKind.ADJUSTMENT,
        house(currency),
        AccountRef(AccountKind.CLUB_TREASURY, "club-" + key(), currency),
        5,
        idempotency_key=key(),
    )
    with pytest.raises(UnknownAccount):
        await ledger.transfer(request, actor=ADMIN)
    assert await count_transfers(engine, request.idempotency_key) == 0


async def test_open_account_gets_or_creates(ledger: Ledger, currency: str) -> None:
    the_house = await ledger.open_account(house(currency))
    assert (the_house.overdraft, the_house.balance) == (True, 0)
    assert await ledger.open_account(house(currency)) == the_house
    escrow = await ledger.open_account(AccountRef(AccountKind.TABLE_ESCROW, "t-1", currency))
    assert not escrow.overdraft
    club = await ledger.open_account(
        AccountRef(AccountKind.CLUB_TREASURY, "club-1", currency), overdraft=True
    )
    assert club.overdraft
    assert await ledger.account_by_id(club.id) == club
    with pytest.raises(InvalidCurrency):
        await ledger.open_account(AccountRef(AccountKind.RAKE, "house", "chip"))


async def test_replaying_a_key_returns_the_first_result_and_moves_nothing(
    ledger: Ledger, engine: AsyncEngine, currency: str, clock: ManualClock
) -> None:
    player = await add_player(engine)
    the_key = key()
    first = await ledger.deposit(
        player_id=player, currency=currency, amount=250, idempotency_key=the_key, actor=ADMIN
    )
    clock.advance(minutes=5)
    again = await ledger.deposit(
        player_id=player, currency=currency, amount=250, idempotency_key=the_key, actor=ADMIN
    )
    assert again.replayed
    assert again.id == first.id
    assert again.created_at == first.created_at
    assert (again.postings, again.amount, again.kind) == (first.postings, 250, first.kind)
    assert await balances(ledger, wallet(player, currency), house(currency)) == [250, -250]
    assert await count_transfers(engine, the_key) == 1


async def test_the_same_key_for_another_request_is_a_conflict(
    ledger: Ledger, engine: AsyncEngine, currency: str
) -> None:
    player = await add_player(engine)
    the_key = key()
    await ledger.deposit(
        player_id=player, currency=currency, amount=250, idempotency_key=the_key, actor=ADMIN
    )
    for amount, memo in ((251, None), (250, "changed")):
        with pytest.raises(IdempotencyConflict):
            await ledger.deposit(
                player_id=player,
                currency=currency,
                amount=amount,
                idempotency_key=the_key,
                actor=ADMIN,
                memo=memo,
            )
    with pytest.raises(IdempotencyConflict):
        await ledger.withdraw(
            player_id=player, currency=currency, amount=250, idempotency_key=the_key, actor=ADMIN
        )
    assert await balances(ledger, wallet(player, currency), house(currency)) == [250, -250]
    assert await count_transfers(engine, the_key) == 1


async def test_a_retry_is_answered_even_when_the_transfer_could_not_be_made_again(
    ledger: Ledger, engine: AsyncEngine, currency: str
) -> None:
    player = await add_player(engine)
    await ledger.deposit(
        player_id=player, currency=currency, amount=100, idempotency_key=key(), actor=ADMIN
    )
    the_key = key()
    everything = await ledger.withdraw(
        player_id=player, currency=currency, amount=100, idempotency_key=the_key, actor=ADMIN
    )
    retry = await ledger.withdraw(
        player_id=player, currency=currency, amount=100, idempotency_key=the_key, actor=ADMIN
    )
    assert (retry.id, retry.replayed) == (everything.id, True)
    with pytest.raises(IdempotencyConflict):  # not InsufficientFunds: the key is the problem
        await ledger.withdraw(
            player_id=player, currency=currency, amount=500, idempotency_key=the_key, actor=ADMIN
        )
    elsewhere = move(
        TransferKind.ADJUSTMENT,
        wallet(player, currency),
        AccountRef(AccountKind.CLUB_TREASURY, "no-such-club", currency),
        100,
        idempotency_key=the_key,
    )
    with pytest.raises(IdempotencyConflict):  # not UnknownAccount either
        await ledger.transfer(elsewhere, actor=ADMIN)
    assert await balances(ledger, wallet(player, currency)) == [0]
    assert await count_transfers(engine, the_key) == 1


@pytest.mark.parametrize("amount", [0, -5, True, 1.5, "10", MAX_AMOUNT + 1, None])
async def test_bad_amounts_are_refused_before_anything_moves(
    ledger: Ledger, engine: AsyncEngine, currency: str, amount: Any
) -> None:
    player = await add_player(engine)
    the_key = key()
    with pytest.raises(InvalidAmount):
        await ledger.deposit(
            player_id=player, currency=currency, amount=amount, idempotency_key=the_key, actor=ADMIN
        )
    assert await count_transfers(engine, the_key) == 0
    assert await ledger.wallets(player) == []


async def test_malformed_transfers_are_refused(ledger: Ledger, currency: str) -> None:
    a, b = house(currency), AccountRef(AccountKind.RAKE, "house", currency)
    await ledger.open_account(b)
    unbalanced = TransferRequest(
        idempotency_key=key(),
        kind=TransferKind.RAKE,
        currency=currency,
        postings=(Posting(a, -5), Posting(b, 4)),
    )
    with pytest.raises(UnbalancedTransfer):
        await ledger.transfer(unbalanced, actor=ADMIN, create_accounts=True)
    with pytest.raises(InvalidInput):
        await ledger.transfer(
            move(TransferKind.RAKE, a, b, 5, idempotency_key="x" * 129), actor=ADMIN
        )


async def test_every_transfer_has_its_audit_row(
    ledger: Ledger, engine: AsyncEngine, currency: str, clock: ManualClock
) -> None:
    player = await add_player(engine)
    deposit = await ledger.deposit(
        player_id=player, currency=currency, amount=70, idempotency_key=key(), actor=ADMIN
    )
    withdrawal = await ledger.withdraw(
        player_id=player, currency=currency, amount=20, idempotency_key=key(), actor=ADMIN
    )
    with pytest.raises(InsufficientFunds):
        await ledger.withdraw(
            player_id=player, currency=currency, amount=51, idempotency_key=key(), actor=ADMIN
        )
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(audit_log)
                .where(audit_log.c.target.in_([str(deposit.id), str(withdrawal.id)]))
                .where(audit_log.c.action.like("transfer.%"))
                .order_by(audit_log.c.id)
            )
        ).all()
    assert [(r.action, r.target, r.actor_id, r.actor_role, r.ip) for r in rows] == [
        ("transfer.deposit", str(deposit.id), "admin-1", "admin", "203.0.113.9"),
        ("transfer.withdrawal", str(withdrawal.id), "admin-1", "admin", "203.0.113.9"),
    ]
    assert rows[0].at == clock()
    assert rows[1].details["amount"] == 20
    assert rows[1].details["postings"] == [
        {
            "account_id": withdrawal.postings[0].account_id,
            "kind": "wallet",
            "owner": player,
            "amount": -20,
            "balance_after": 50,
        },
        {
            "account_id": withdrawal.postings[1].account_id,
            "kind": "house",
            "owner": "house",
            "amount": 20,
            "balance_after": -50,
        },
    ]


async def test_statement_pages_newest_first(
    ledger: Ledger, engine: AsyncEngine, currency: str, clock: ManualClock
) -> None:
    player = await add_player(engine)
    made = []
    for amount in (10, 20, 30, 40, 50):
        made.append(
            await ledger.deposit(
                player_id=player,
                currency=currency,
                amount=amount,
                idempotency_key=key(),
                actor=ADMIN,
                memo=f"deposit {amount}",
            )
        )
        clock.advance(minutes=1)
    made.append(
        await ledger.withdraw(
            player_id=player, currency=currency, amount=15, idempotency_key=key(), actor=ADMIN
        )
    )
    account = await ledger.account(wallet(player, currency))
    page = await ledger.statement(account.id, limit=4)
    assert [(line.kind, line.amount, line.balance_after) for line in page] == [
        (TransferKind.WITHDRAWAL, -15, 135),
        (TransferKind.DEPOSIT, 50, 150),
        (TransferKind.DEPOSIT, 40, 100),
        (TransferKind.DEPOSIT, 30, 60),
    ]
    assert [line.transfer_id for line in page] == [t.id for t in reversed(made)][:4]
    assert page[1].memo == "deposit 50"
    assert page[1].created_at == made[4].created_at
    rest = await ledger.statement(account.id, limit=4, before=page[-1].transfer_id)
    assert [line.amount for line in rest] == [20, 10]
    assert await ledger.statement(account.id, before=made[0].id) == []
    with pytest.raises(InvalidInput):
        await ledger.statement(account.id, limit=0)


async def test_metrics_and_log_lines(
    ledger: Ledger,
    engine: AsyncEngine,
    currency: str,
    registry: CollectorRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    player = await add_player(engine)
    the_key = key()
    with caplog.at_level(logging.INFO, logger="tablium.ledger"):
        first = await ledger.deposit(
            player_id=player, currency=currency, amount=5, idempotency_key=the_key, actor=ADMIN
        )
        await ledger.deposit(
            player_id=player, currency=currency, amount=5, idempotency_key=the_key, actor=ADMIN
        )
        with pytest.raises(InsufficientFunds):
            await ledger.withdraw(
                player_id=player, currency=currency, amount=6, idempotency_key=key(), actor=ADMIN
            )

    def sample(kind: str, outcome: str) -> float | None:
        labels = {"kind": kind, "outcome": outcome}
        return registry.get_sample_value("tablium_ledger_transfers_total", labels)

    assert sample("deposit", "ok") == 1
    assert sample("deposit", "replayed") == 1
    assert sample("withdrawal", "refused") == 1
    assert registry.get_sample_value("tablium_ledger_transfer_seconds_count") == 3
    assert registry.get_sample_value("tablium_ledger_retries_total") == 0
    lines = [r for r in caplog.records if r.name == "tablium.ledger"]
    assert [(r.getMessage(), getattr(r, "replayed", None)) for r in lines] == [
        ("transfer", False),
        ("transfer", True),
        ("transfer refused", None),
    ]
    made: Any = lines[0]
    assert (made.transfer_id, made.kind, made.currency, made.amount, made.idempotency_key) == (
        first.id,
        "deposit",
        currency,
        5,
        the_key,
    )
    assert getattr(lines[2], "code", None) == "insufficient_funds"


async def test_a_deadlock_is_retried_and_never_surfaces(engine: AsyncEngine) -> None:
    attempts: list[int] = []
    retries: list[int] = []

    async def flaky(connection: AsyncConnection) -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise DBAPIError("UPDATE ...", {}, SimpleNamespace(sqlstate="40P01"))
        return "done"

    assert await in_transaction(engine, flaky, on_retry=lambda: retries.append(1)) == "done"
    assert (len(attempts), len(retries)) == (3, 2)

    async def broken(connection: AsyncConnection) -> str:
        raise DBAPIError("UPDATE ...", {}, SimpleNamespace(sqlstate="23505"))

    with pytest.raises(DBAPIError):
        await in_transaction(engine, broken)
