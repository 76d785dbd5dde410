"""Deposit and loss limits and self-exclusion, enforced by the ledger on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tablium.clock import ManualClock
from tablium.db.audit import Actor
from tablium.db.schema import audit_log, players
from tablium.errors import InvalidInput
from tablium.money.ledger import (
    AccountKind,
    AccountRef,
    TransferKind,
    house,
    move,
    wallet,
)
from tablium.money.limits import (
    Limit,
    LimitExceeded,
    LimitKind,
    LimitPeriod,
    SelfExcluded,
)
from tablium.money.service import Ledger, TransferResult, UnknownPlayer

START = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


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
                created_at=START,
            )
        )
    return player_id


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def currency() -> str:
    return "R" + uuid.uuid4().hex[:12].upper()


@pytest.fixture
def ledger(engine: AsyncEngine, clock: ManualClock) -> Ledger:
    return Ledger(engine, clock=clock, limit_increase_delay=DAY, min_self_exclusion=DAY)


@pytest.fixture
async def player(engine: AsyncEngine) -> str:
    return await add_player(engine)


class Cashier:
    """Short calls for the test scenarios, each with a fresh idempotency key."""

    def __init__(self, ledger: Ledger, player: str, currency: str) -> None:
        self.ledger, self.player, self.currency = ledger, player, currency
        self.actor = Actor(id=player, role="player")
        self.table = AccountRef(AccountKind.TABLE_ESCROW, "table-" + player[:8], currency)

    async def deposit(self, amount: int, key: str | None = None) -> TransferResult:
        return await self.ledger.deposit(
            player_id=self.player,
            currency=self.currency,
            amount=amount,
            idempotency_key=key or uuid.uuid4().hex,
            actor=self.actor,
        )

    async def withdraw(self, amount: int) -> TransferResult:
        return await self.ledger.withdraw(
            player_id=self.player,
            currency=self.currency,
            amount=amount,
            idempotency_key=uuid.uuid4().hex,
            actor=self.actor,
        )

    async def play(self, kind: TransferKind, amount: int) -> TransferResult:
        """Money between the wallet and a table (or a prize pool): + into play, - back."""
        other = self.table
        if kind in (TransferKind.TOURNAMENT_ENTRY, TransferKind.PRIZE):
            other = AccountRef(AccountKind.PRIZE_POOL, "mtt-" + self.player[:8], self.currency)
        mine = wallet(self.player, self.currency)
        source, destination = (mine, other) if amount > 0 else (other, mine)
        request = move(kind, source, destination, abs(amount), idempotency_key=uuid.uuid4().hex)
        return await self.ledger.transfer(request, actor=self.actor, create_accounts=True)

    async def limit(self, kind: LimitKind, period: LimitPeriod, amount: int | None) -> Limit:
        return await self.ledger.set_limit(
            player_id=self.player,
            currency=self.currency,
            kind=kind,
            period=period,
            amount=amount,
            actor=self.actor,
        )

    async def balance(self) -> int:
        return (await self.ledger.account(wallet(self.player, self.currency))).balance


@pytest.fixture
def cashier(ledger: Ledger, player: str, currency: str) -> Cashier:
    return Cashier(ledger, player, currency)


async def test_deposit_limits_count_over_rolling_windows(
    cashier: Cashier, clock: ManualClock
) -> None:
    await cashier.limit(LimitKind.DEPOSIT, LimitPeriod.DAY, 1_000)
    await cashier.limit(LimitKind.DEPOSIT, LimitPeriod.WEEK, 1_500)
    await cashier.deposit(600)
    clock.advance(hours=1)
    with pytest.raises(LimitExceeded, match="daily deposit limit of 1000: 400 left") as caught:
        await cashier.deposit(401)
    assert (caught.value.code, caught.value.remaining) == ("limit_exceeded", 400)
    await cashier.withdraw(600)  # withdrawing does not give deposits back
    with pytest.raises(LimitExceeded):
        await cashier.deposit(401)
    await cashier.deposit(400)
    assert await cashier.balance() == 400

    clock.advance(hours=23)  # the first deposit is exactly 24 hours old: out of the day
    with pytest.raises(LimitExceeded, match="weekly deposit limit of 1500: 500 left"):
        await cashier.deposit(600)
    await cashier.deposit(500)  # the day holds 400 + 500, the week 1,500
    clock.advance(days=6)  # a week after the first deposit: it is out, 400 + 500 are in
    with pytest.raises(LimitExceeded, match="weekly deposit limit of 1500: 600 left"):
        await cashier.deposit(601)
    clock.advance(hours=1)  # and now the 400 is out too
    await cashier.deposit(1_000)
    assert await cashier.balance() == 1_900


async def test_a_raise_waits_for_the_delay(cashier: Cashier, clock: ManualClock) -> None:
    await cashier.limit(LimitKind.DEPOSIT, LimitPeriod.WEEK, 100)
    await cashier.deposit(100)
    raised = await cashier.limit(LimitKind.DEPOSIT, LimitPeriod.WEEK, 300)
    assert (raised.amount, raised.pending_amount, raised.pending_from) == (100, 300, clock() + DAY)
    clock.advance(hours=23, minutes=59)
    with pytest.raises(LimitExceeded):
        await cashier.deposit(1)
    clock.advance(minutes=1)
    await cashier.deposit(200)
    with pytest.raises(LimitExceeded, match="0 left"):
        await cashier.deposit(1)
    assert await cashier.ledger.limits(cashier.player, cashier.currency) == [
        Limit(
            kind=LimitKind.DEPOSIT, period=LimitPeriod.WEEK, currency=cashier.currency, amount=300
        )
    ]


async def test_removal_waits_and_lowering_cancels_a_pending_change(
    cashier: Cashier, clock: ManualClock
) -> None:
    ledger, player, currency = cashier.ledger, cashier.player, cashier.currency
    await cashier.limit(LimitKind.DEPOSIT, LimitPeriod.DAY, 100)
    removal = await cashier.limit(LimitKind.DEPOSIT, LimitPeriod.DAY, None)
    assert (removal.amount, removal.pending_amount, removal.pending_from) == (
        100,
        None,
        clock() + DAY,
    )
    assert await ledger.limits(player, currency) == [removal]
    clock.advance(hours=2)
    lowered = await cashier.limit(LimitKind.DEPOSIT, LimitPeriod.DAY, 50)
    assert (lowered.amount, lowered.pending_from) == (50, None)
    clock.advance(days=2)  # the cancelled removal never happens
    with pytest.raises(LimitExceeded):
        await cashier.deposit(51)
    await cashier.limit(LimitKind.DEPOSIT, LimitPeriod.DAY, None)
    clock.advance(days=1)
    assert await ledger.limits(player, currency) == []
    await cashier.deposit(10_000)


async def test_loss_limit_counts_play_minus_money_back(
    cashier: Cashier, clock: ManualClock
) -> None:
    await cashier.deposit(5_000)
    await cashier.limit(LimitKind.LOSS, LimitPeriod.DAY, 500)
    await cashier.play(TransferKind.BUY_IN, 300)
    with pytest.raises(LimitExceeded, match="daily loss limit of 500: 200 left"):
        await cashier.play(TransferKind.BUY_IN, 300)
    await cashier.play(TransferKind.CASH_OUT, -200)  # loss so far: 300 - 200
    await cashier.play(TransferKind.BUY_IN, 300)  # 100 + 300 <= 500
    with pytest.raises(LimitExceeded):
        await cashier.play(TransferKind.TOURNAMENT_ENTRY, 101)
    await cashier.play(TransferKind.TOURNAMENT_ENTRY, 100)  # exactly at the limit
    with pytest.raises(LimitExceeded, match="0 left"):
        await cashier.play(TransferKind.BUY_IN, 1)
    await cashier.deposit(1_000)  # deposits are not play
    pool = AccountRef(AccountKind.PRIZE_POOL, "mtt-" + cashier.player[:8], cashier.currency)
    overlay = move(
        TransferKind.ADJUSTMENT,
        house(cashier.currency),
        pool,
        1_000,
        idempotency_key=uuid.uuid4().hex,
    )
    await cashier.ledger.transfer(overlay, actor=cashier.actor)
    await cashier.play(TransferKind.PRIZE, -1_000)  # winnings leave the loss at zero...
    with pytest.raises(LimitExceeded):
        await cashier.play(TransferKind.BUY_IN, 501)  # ...but buy no room beyond the limit
    await cashier.play(TransferKind.BUY_IN, 500)
    clock.advance(days=1)
    await cashier.play(TransferKind.BUY_IN, 500)
    assert await cashier.balance() == 5_000 + 1_000 - 300 + 200 - 300 - 100 + 1_000 - 500 - 500


async def test_limits_are_per_currency(cashier: Cashier, ledger: Ledger) -> None:
    await cashier.limit(LimitKind.DEPOSIT, LimitPeriod.DAY, 10)
    other = Cashier(ledger, cashier.player, "O" + uuid.uuid4().hex[:12].upper())
    await other.deposit(1_000)
    with pytest.raises(LimitExceeded):
        await cashier.deposit(11)


async def test_self_excluded_player_can_withdraw_but_not_deposit_or_play(
    cashier: Cashier, ledger: Ledger, clock: ManualClock, engine: AsyncEngine
) -> None:
    first_key = "before-" + cashier.player
    await cashier.deposit(1_000, key=first_key)
    await cashier.play(TransferKind.BUY_IN, 400)
    until = await ledger.self_exclude(
        player_id=cashier.player, duration=2 * DAY, actor=cashier.actor
    )
    assert until == clock() + 2 * DAY
    async with engine.connect() as connection:
        query = select(players.c.self_excluded_until).where(players.c.id == cashier.player)
        assert (await connection.execute(query)).scalar_one() == until
    with pytest.raises(SelfExcluded, match="2026-03-03T12:00:00") as caught:
        await cashier.deposit(1)
    assert caught.value.code == "self_excluded"
    with pytest.raises(SelfExcluded):
        await cashier.play(TransferKind.BUY_IN, 1)
    with pytest.raises(SelfExcluded):
        await cashier.play(TransferKind.TOURNAMENT_ENTRY, 1)
    assert (await cashier.deposit(1_000, key=first_key)).replayed  # a retry is no new deposit
    await cashier.play(TransferKind.CASH_OUT, -400)  # leaving the table is always possible
    await cashier.withdraw(300)
    assert await cashier.balance() == 700
    clock.advance(days=2)
    await cashier.deposit(5)
    await cashier.play(TransferKind.BUY_IN, 5)


async def test_self_exclusion_has_a_minimum_and_is_never_shortened(
    cashier: Cashier, ledger: Ledger, clock: ManualClock, engine: AsyncEngine
) -> None:
    player, actor = cashier.player, cashier.actor
    with pytest.raises(InvalidInput) as caught:
        await ledger.self_exclude(player_id=player, duration=timedelta(hours=23), actor=actor)
    assert caught.value.code == "exclusion_too_short"
    week = await ledger.self_exclude(player_id=player, duration=7 * DAY, actor=actor)
    clock.advance(days=1)
    assert await ledger.self_exclude(player_id=player, duration=2 * DAY, actor=actor) == week
    longer = await ledger.self_exclude(player_id=player, duration=30 * DAY, actor=actor)
    assert longer == clock() + 30 * DAY
    with pytest.raises(UnknownPlayer):
        await ledger.self_exclude(player_id=uuid.uuid4().hex, duration=7 * DAY, actor=actor)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(audit_log.c.action, audit_log.c.details)
                .where(audit_log.c.target == player)
                .order_by(audit_log.c.id)
            )
        ).all()
    assert [(action, details["until"]) for action, details in rows] == [
        ("player.self_exclude", week.isoformat()),
        ("player.self_exclude", week.isoformat()),
        ("player.self_exclude", longer.isoformat()),
    ]


async def test_limit_changes_are_audited_and_checked(
    cashier: Cashier, ledger: Ledger, engine: AsyncEngine
) -> None:
    await cashier.limit(LimitKind.LOSS, LimitPeriod.MONTH, 5_000)
    await cashier.limit(LimitKind.LOSS, LimitPeriod.MONTH, 9_000)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(audit_log)
                .where(audit_log.c.target == cashier.player, audit_log.c.action == "limit.set")
                .order_by(audit_log.c.id)
            )
        ).all()
    assert [(r.actor_id, r.details["requested"], r.details["amount"]) for r in rows] == [
        (cashier.player, 5_000, 5_000),
        (cashier.player, 9_000, 5_000),
    ]
    assert rows[1].details["pending_amount"] == 9_000
    with pytest.raises(InvalidInput):
        await cashier.limit(LimitKind.LOSS, LimitPeriod.MONTH, -1)
    with pytest.raises(InvalidInput):
        await cashier.limit(LimitKind.LOSS, "fortnight", 5)  # type: ignore[arg-type]
    with pytest.raises(UnknownPlayer):
        await ledger.set_limit(
            player_id=uuid.uuid4().hex,
            currency=cashier.currency,
            kind=LimitKind.LOSS,
            period=LimitPeriod.DAY,
            amount=1,
            actor=cashier.actor,
        )
