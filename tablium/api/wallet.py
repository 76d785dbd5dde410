"""The caller's wallet: balances, statement, responsible-gambling limits and self-exclusion."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import msgspec

from tablium.api.endpoints import SIGNED_IN, Call, Endpoint
from tablium.errors import Forbidden
from tablium.money.ledger import MAX_AMOUNT, AccountKind, AccountRef, UnknownAccount
from tablium.money.limits import Limit, LimitKind, LimitPeriod
from tablium.money.service import StatementLine

Amount = Annotated[int, msgspec.Meta(gt=0, le=MAX_AMOUNT)]
"""A positive whole number of minor units; fractions, zero, negatives and huge values fail."""
Currency = Annotated[str, msgspec.Meta(min_length=1, max_length=16, examples=["CHIP"])]


class Balance(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    balance: int


class Wallet(msgspec.Struct, frozen=True, kw_only=True):
    balances: list[Balance]


class StatementQuery(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    limit: Annotated[int, msgspec.Meta(ge=1, le=200)] = 50
    before: Annotated[int, msgspec.Meta(ge=1)] | None = None


class Statement(msgspec.Struct, frozen=True, kw_only=True):
    """Newest first; pass ``next_before`` as ``before`` for the next page (absent at the end)."""

    currency: str
    lines: list[StatementLine]
    next_before: int | None = None


class LimitsQuery(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    currency: Currency | None = None


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    limits: list[Limit]
    self_excluded_until: datetime | None = None


class SetLimit(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Set a limit (``amount``) or remove it (``amount: null``). Lowering applies at once;
    raising or removing applies only after the server's delay (24 hours by default)."""

    kind: LimitKind
    period: LimitPeriod
    amount: Amount | None
    currency: Currency | None = None


class SelfExclude(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    days: Annotated[int, msgspec.Meta(ge=1, le=3650)]


class SelfExclusion(msgspec.Struct, frozen=True, kw_only=True):
    self_excluded_until: datetime


class PlayMoney(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    added: int
    balance: int


async def claim_play_money(call: Call[None, None]) -> PlayMoney:
    """Top the caller's wallet up to the server's play-money amount in the house currency
    (only where the server offers play money: ``TABLIUM_PLAY_MONEY``)."""
    settings = call.services.settings
    if settings.play_money <= 0:
        raise Forbidden("this server has no play money", code="play_money_disabled")
    ledger, me, currency = call.services.ledger, call.me.player_id, settings.currency
    balances = {a.currency: a.balance for a in await ledger.wallets(me)}
    missing = settings.play_money - balances.get(currency, 0)
    if missing <= 0:
        return PlayMoney(currency=currency, added=0, balance=balances[currency])
    result = await ledger.deposit(
        player_id=me,
        currency=currency,
        amount=missing,
        idempotency_key=call.idempotency_key(),
        actor=call.actor,
        memo="play money",
    )
    balance = next(p.balance_after for p in result.postings if p.owner == me)
    return PlayMoney(currency=currency, added=0 if result.replayed else missing, balance=balance)


async def get_wallet(call: Call[None, None]) -> Wallet:
    """Balances of the caller's wallets; the house currency is always listed."""
    accounts = await call.services.ledger.wallets(call.me.player_id)
    balances = {account.currency: account.balance for account in accounts}
    balances.setdefault(call.services.settings.currency, 0)
    return Wallet(balances=[Balance(currency=c, balance=b) for c, b in sorted(balances.items())])


async def get_statement(call: Call[None, StatementQuery]) -> Statement:
    """Every movement of one of the caller's wallets, newest first."""
    currency = call.path["currency"]
    ledger = call.services.ledger
    try:
        account = await ledger.account(AccountRef(AccountKind.WALLET, call.me.player_id, currency))
    except UnknownAccount:
        return Statement(currency=currency, lines=[])
    lines = await ledger.statement(account.id, limit=call.query.limit, before=call.query.before)
    more = len(lines) == call.query.limit
    return Statement(
        currency=currency, lines=lines, next_before=lines[-1].transfer_id if more else None
    )


async def get_limits(call: Call[None, LimitsQuery]) -> Limits:
    """The caller's deposit and loss limits (with any raise waiting to apply) and self-exclusion."""
    currency = call.query.currency or call.services.settings.currency
    me = call.me.player_id
    player = await call.services.players.get(me)
    return Limits(
        currency=currency,
        limits=await call.services.ledger.limits(me, currency),
        self_excluded_until=player.self_excluded_until,
    )


async def set_limit(call: Call[SetLimit, None]) -> Limit:
    """Set, lower, raise or remove one deposit or loss limit."""
    body = call.body
    return await call.services.ledger.set_limit(
        player_id=call.me.player_id,
        currency=body.currency or call.services.settings.currency,
        kind=body.kind,
        period=body.period,
        amount=body.amount,
        actor=call.actor,
    )


async def self_exclude(call: Call[SelfExclude, None]) -> SelfExclusion:
    """Exclude yourself from deposits and play for a number of days. It cannot be undone or
    shortened, only extended; withdrawals stay possible."""
    until = await call.services.ledger.self_exclude(
        player_id=call.me.player_id, duration=timedelta(days=call.body.days), actor=call.actor
    )
    return SelfExclusion(self_excluded_until=until)


ENDPOINTS = (
    Endpoint(
        method="POST",
        path="/api/me/play-money",
        handler=claim_play_money,
        summary="Top up with play money",
        tag="wallet",
        roles=SIGNED_IN,
        response=PlayMoney,
        errors=(403,),
        idempotent_key=True,
    ),
    Endpoint(
        method="GET",
        path="/api/me/wallet",
        handler=get_wallet,
        summary="My balances",
        tag="wallet",
        roles=SIGNED_IN,
        response=Wallet,
    ),
    Endpoint(
        method="GET",
        path="/api/me/wallet/{currency}/statement",
        handler=get_statement,
        summary="My wallet statement",
        tag="wallet",
        roles=SIGNED_IN,
        query=StatementQuery,
        response=Statement,
    ),
    Endpoint(
        method="GET",
        path="/api/me/limits",
        handler=get_limits,
        summary="My limits",
        tag="responsible gambling",
        roles=SIGNED_IN,
        query=LimitsQuery,
        response=Limits,
    ),
    Endpoint(
        method="PUT",
        path="/api/me/limits",
        handler=set_limit,
        summary="Set a limit",
        tag="responsible gambling",
        roles=SIGNED_IN,
        body=SetLimit,
        response=Limit,
    ),
    Endpoint(
        method="POST",
        path="/api/me/self-exclusion",
        handler=self_exclude,
        summary="Exclude myself",
        tag="responsible gambling",
        roles=SIGNED_IN,
        body=SelfExclude,
        response=SelfExclusion,
    ),
)
