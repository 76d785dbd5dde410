"""``tablium audit``: check the ledger's invariants on a live database.

1. Per currency, the account balances sum to zero (money is only moved, never made or lost).
2. Per currency the postings sum to zero; every transfer has at least two postings, in its own
   currency, summing to zero, and its ``amount`` is the sum of its credits.
3. Every account's balance is the sum of its postings, each posting's ``balance_after`` is the
   running sum of the account's postings, and the last one equals the balance.
4. No account that may not go below zero is below zero.

Every check is one set-based query (GROUP BY, a window function), so the audit runs on millions of
postings; all of them read one snapshot, so transfers made meanwhile cannot cause false alarms.
At most ``MAX_REPORTED`` failures of each check are listed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tablium.db.engine import create_engine
from tablium.db.schema import accounts, postings, transfers

MAX_REPORTED = 50


class AuditFailure(msgspec.Struct, frozen=True):
    check: str
    detail: str


class AuditReport(msgspec.Struct, kw_only=True):
    ok: bool
    checked: dict[str, int]
    failures: list[AuditFailure]

    def format(self) -> str:
        """A summary line, then one line per failure."""
        counts = ", ".join(f"{n} {what}" for what, n in self.checked.items())
        if self.ok:
            lines = [f"ledger audit: OK ({counts})"]
        else:
            lines = [f"ledger audit: FAILED, {len(self.failures)} problem(s) ({counts})"]
        lines += [f"  {failure.check}: {failure.detail}" for failure in self.failures]
        return "\n".join(lines)


def _account_name(row: Any) -> str:
    return f"account {row.id} ({row.kind} {row.owner} {row.currency})"


async def audit_ledger(engine: AsyncEngine) -> AuditReport:
    """Run every check in one read-only snapshot of the database."""
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    async with engine.begin() as connection:
        if postgres:
            await connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        return await _audit(connection)


async def _audit(connection: AsyncConnection) -> AuditReport:
    failures: list[AuditFailure] = []

    async def collect(check: str, query: Select[Any], describe: Any) -> None:
        rows = (await connection.execute(query.limit(MAX_REPORTED + 1))).all()
        failures.extend(AuditFailure(check, describe(row)) for row in rows[:MAX_REPORTED])
        if len(rows) > MAX_REPORTED:
            failures.append(AuditFailure(check, f"more than {MAX_REPORTED} failures, not listed"))

    counts = (
        await connection.execute(
            select(
                select(func.count()).select_from(accounts).scalar_subquery().label("accounts"),
                select(func.count()).select_from(transfers).scalar_subquery().label("transfers"),
                select(func.count()).select_from(postings).scalar_subquery().label("postings"),
                select(func.count(accounts.c.currency.distinct()))
                .scalar_subquery()
                .label("currencies"),
            )
        )
    ).one()
    checked = {name: int(value) for name, value in counts._mapping.items()}

    # 1. Balances per currency.
    total = func.sum(accounts.c.balance)
    await collect(
        "balances_sum_to_zero",
        select(accounts.c.currency, total.label("total"))
        .group_by(accounts.c.currency)
        .having(total != 0)
        .order_by(accounts.c.currency),
        lambda r: f"{r.currency}: account balances sum to {r.total}, not 0",
    )

    # 2. Postings per currency, then per transfer.
    total = func.sum(postings.c.amount)
    await collect(
        "postings_sum_to_zero",
        select(accounts.c.currency, total.label("total"))
        .join(accounts, accounts.c.id == postings.c.account_id)
        .group_by(accounts.c.currency)
        .having(total != 0)
        .order_by(accounts.c.currency),
        lambda r: f"{r.currency}: postings sum to {r.total}, not 0",
    )
    net = func.coalesce(func.sum(postings.c.amount), 0)
    count = func.count(postings.c.id)
    await collect(
        "transfer_balanced",
        select(transfers.c.id, net.label("total"), count.label("count"))
        .outerjoin(postings, postings.c.transfer_id == transfers.c.id)
        .group_by(transfers.c.id)
        .having((net != 0) | (count < 2))
        .order_by(transfers.c.id),
        lambda r: (
            f"transfer {r.id}: {r.count} posting(s)"
            if r.count < 2
            else f"transfer {r.id}: postings sum to {r.total}, not 0"
        ),
    )
    credits = func.coalesce(
        func.sum(case((postings.c.amount > 0, postings.c.amount), else_=literal(0))), 0
    )
    await collect(
        "transfer_amount",
        select(transfers.c.id, transfers.c.amount, credits.label("credits"))
        .outerjoin(postings, postings.c.transfer_id == transfers.c.id)
        .group_by(transfers.c.id, transfers.c.amount)
        .having(credits != transfers.c.amount)
        .order_by(transfers.c.id),
        lambda r: f"transfer {r.id}: amount {r.amount}, but its credits sum to {r.credits}",
    )
    await collect(
        "transfer_currency",
        select(
            transfers.c.id,
            transfers.c.currency,
            accounts.c.id.label("account_id"),
            accounts.c.currency.label("account_currency"),
        )
        .join(postings, postings.c.transfer_id == transfers.c.id)
        .join(accounts, accounts.c.id == postings.c.account_id)
        .where(accounts.c.currency != transfers.c.currency)
        .order_by(transfers.c.id, accounts.c.id),
        lambda r: (
            f"transfer {r.id} in {r.currency} posts to account {r.account_id} "
            f"in {r.account_currency}"
        ),
    )

    # 3. Balances against postings.
    sums = (
        select(postings.c.account_id, func.sum(postings.c.amount).label("total"))
        .group_by(postings.c.account_id)
        .subquery()
    )
    posted = func.coalesce(sums.c.total, 0)
    await collect(
        "balance_matches_postings",
        select(accounts, posted.label("posted"))
        .outerjoin(sums, sums.c.account_id == accounts.c.id)
        .where(accounts.c.balance != posted)
        .order_by(accounts.c.id),
        lambda r: f"{_account_name(r)}: balance {r.balance}, but its postings sum to {r.posted}",
    )
    running = (
        select(
            postings.c.id,
            postings.c.account_id,
            postings.c.balance_after,
            func.sum(postings.c.amount)
            .over(partition_by=postings.c.account_id, order_by=postings.c.id, rows=(None, 0))
            .label("running"),
        )
    ).subquery()
    await collect(
        "balance_after_running_sum",
        select(running).where(running.c.balance_after != running.c.running).order_by(running.c.id),
        lambda r: (
            f"posting {r.id} on account {r.account_id}: balance_after {r.balance_after}, "
            f"but the postings up to it sum to {r.running}"
        ),
    )
    last = (
        select(postings.c.account_id, func.max(postings.c.id).label("posting_id"))
        .group_by(postings.c.account_id)
        .subquery()
    )
    await collect(
        "last_balance_after",
        select(accounts, postings.c.balance_after)
        .join(last, last.c.account_id == accounts.c.id)
        .join(postings, postings.c.id == last.c.posting_id)
        .where(postings.c.balance_after != accounts.c.balance)
        .order_by(accounts.c.id),
        lambda r: (
            f"{_account_name(r)}: balance {r.balance}, but its last posting left {r.balance_after}"
        ),
    )

    # 4. Only overdraft accounts below zero.
    await collect(
        "no_negative_balance",
        select(accounts)
        .where(accounts.c.balance < 0, accounts.c.overdraft.is_(False))
        .order_by(accounts.c.id),
        lambda r: f"{_account_name(r)}: balance {r.balance}, and it may not go below zero",
    )
    return AuditReport(ok=not failures, checked=checked, failures=failures)


async def _run(url: str) -> AuditReport:
    engine = create_engine(url, pool_size=1)
    try:
        return await audit_ledger(engine)
    finally:
        await engine.dispose()


def main(url: str) -> int:
    """Audit the ledger at ``url``, print the report; 0 if every check passed, else 1."""
    report = asyncio.run(_run(url))
    print(report.format())
    return 0 if report.ok else 1
