"""Administration: deposits and withdrawals, ledger adjustments, accounts, roles, the audit log.

Every money movement here goes through the ledger with the caller's ``Idempotency-Key`` and is
recorded in the audit log with the caller and their address, like every change of role.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from starlette.responses import Response

from tablium.api.endpoints import ADMINS, DIRECTORS, Call, Endpoint, encode
from tablium.api.wallet import Amount, Balance, Currency, StatementQuery
from tablium.db import audit
from tablium.money.ledger import (
    MAX_AMOUNT,
    AccountRef,
    Posting,
    TransferKind,
    TransferRequest,
)
from tablium.money.service import Account, StatementLine, TransferResult
from tablium.players.profile import Role
from tablium.players.service import Player, PlayerStats

PlayerId = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Memo = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class Cashier(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A deposit into, or withdrawal from, a player's wallet."""

    player_id: PlayerId
    amount: Amount
    currency: Currency | None = None
    memo: Memo | None = None


class AccountPosting(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    account_id: Annotated[int, msgspec.Meta(ge=1)]
    amount: Annotated[int, msgspec.Meta(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
    """Signed: positive credits the account, negative debits it; never zero."""


class Adjustment(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A correction between any accounts of one currency; the postings must sum to zero."""

    currency: Currency
    postings: Annotated[list[AccountPosting], msgspec.Meta(min_length=2, max_length=16)]
    memo: Memo


class AccountStatement(msgspec.Struct, frozen=True, kw_only=True):
    account: Account
    lines: list[StatementLine]
    next_before: int | None = None


class PlayerQuery(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class PlayerFile(msgspec.Struct, frozen=True, kw_only=True):
    """Everything an administrator sees of a player."""

    player: Player
    stats: PlayerStats
    balances: list[Balance]
    disabled: bool


class SetRole(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    role: Role


class SetDisabled(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    disabled: bool


class AuditQuery(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    limit: Annotated[int, msgspec.Meta(ge=1, le=500)] = 50
    before: Annotated[int, msgspec.Meta(ge=1)] | None = None
    actor_id: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    action: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    target: Annotated[str, msgspec.Meta(max_length=128)] | None = None


class AuditLog(msgspec.Struct, frozen=True, kw_only=True):
    entries: list[audit.AuditEntry]
    next_before: int | None = None


def _moved(result: TransferResult) -> Response:
    """201 with the transfer; a replay answers with the first result and says so."""
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    return Response(encode(result), 201, headers=headers, media_type="application/json")


async def deposit(call: Call[Cashier, None]) -> Response:
    """Credit a player's wallet from the house account (a payment received off-platform)."""
    body = call.body
    result = await call.services.ledger.deposit(
        player_id=body.player_id,
        currency=body.currency or call.services.settings.currency,
        amount=body.amount,
        idempotency_key=call.idempotency_key(),
        actor=call.actor,
        memo=body.memo,
    )
    return _moved(result)


async def withdraw(call: Call[Cashier, None]) -> Response:
    """Debit a player's wallet to the house account (a payment sent off-platform)."""
    body = call.body
    result = await call.services.ledger.withdraw(
        player_id=body.player_id,
        currency=body.currency or call.services.settings.currency,
        amount=body.amount,
        idempotency_key=call.idempotency_key(),
        actor=call.actor,
        memo=body.memo,
    )
    return _moved(result)


async def adjust(call: Call[Adjustment, None]) -> Response:
    """Move money between any accounts of one currency, with a memo saying why."""
    ledger = call.services.ledger
    postings = []
    for posting in call.body.postings:
        account = await ledger.account_by_id(posting.account_id)
        ref = AccountRef(account.kind, account.owner, account.currency)
        postings.append(Posting(ref, posting.amount))
    request = TransferRequest(
        idempotency_key=call.idempotency_key(),
        kind=TransferKind.ADJUSTMENT,
        currency=call.body.currency,
        postings=tuple(postings),
        memo=call.body.memo,
    )
    return _moved(await ledger.transfer(request, actor=call.actor))


def _account_id(call: Call[Any, Any]) -> int:
    raw = call.path["account_id"]
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


async def get_account(call: Call[None, None]) -> Account:
    """One ledger account and its balance."""
    return await call.services.ledger.account_by_id(_account_id(call))


async def get_account_statement(call: Call[None, StatementQuery]) -> AccountStatement:
    """Every posting on one account, newest first."""
    ledger = call.services.ledger
    account = await ledger.account_by_id(_account_id(call))
    lines = await ledger.statement(account.id, limit=call.query.limit, before=call.query.before)
    more = len(lines) == call.query.limit
    return AccountStatement(
        account=account, lines=lines, next_before=lines[-1].transfer_id if more else None
    )


async def _player_file(call: Call[Any, Any], player: Player) -> PlayerFile:
    services = call.services
    wallets = await services.ledger.wallets(player.id)
    return PlayerFile(
        player=player,
        stats=await services.players.stats(player.id),
        balances=[Balance(currency=a.currency, balance=a.balance) for a in wallets],
        disabled=await services.players.is_disabled(player.id),
    )


async def get_player_file(call: Call[None, None]) -> PlayerFile:
    """A player's full profile, statistics and balances."""
    return await _player_file(call, await call.services.players.get(call.path["player_id"]))


async def find_player(call: Call[None, PlayerQuery]) -> PlayerFile:
    """Look a player up by username (case-insensitive)."""
    player = await call.services.players.find_by_username(call.query.username)
    return await _player_file(call, player)


async def set_role(call: Call[SetRole, None]) -> Player:
    """Make a player a player, a tournament director or an administrator."""
    return await call.services.players.set_role(
        actor=call.actor, player_id=call.path["player_id"], role=call.body.role
    )


async def set_disabled(call: Call[SetDisabled, None]) -> Player:
    """Disable an account (ending all its sessions) or enable it again."""
    return await call.services.players.set_disabled(
        actor=call.actor, player_id=call.path["player_id"], disabled=call.body.disabled
    )


async def get_audit_log(call: Call[None, AuditQuery]) -> AuditLog:
    """The audit log, newest first, filtered by actor, action or target."""
    query = call.query
    found = await audit.entries(
        call.services.engine,
        limit=query.limit,
        before=query.before,
        actor_id=query.actor_id,
        action=query.action,
        target=query.target,
    )
    more = len(found) == query.limit
    return AuditLog(entries=found, next_before=found[-1].id if more else None)


def _admin(method: str, path: str, handler: Any, summary: str, **options: Any) -> Endpoint:
    options.setdefault("roles", ADMINS)
    return Endpoint(
        method=method, path=path, handler=handler, summary=summary, tag="admin", **options
    )


ENDPOINTS = (
    _admin(
        "POST",
        "/api/admin/deposits",
        deposit,
        "Deposit into a wallet",
        body=Cashier,
        response=TransferResult,
        status=201,
        errors=(403, 404),
        idempotent_key=True,
    ),
    _admin(
        "POST",
        "/api/admin/withdrawals",
        withdraw,
        "Withdraw from a wallet",
        body=Cashier,
        response=TransferResult,
        status=201,
        errors=(404,),
        idempotent_key=True,
    ),
    _admin(
        "POST",
        "/api/admin/transfers",
        adjust,
        "Adjust between accounts",
        body=Adjustment,
        response=TransferResult,
        status=201,
        errors=(404,),
        idempotent_key=True,
    ),
    _admin(
        "GET",
        "/api/admin/accounts/{account_id}",
        get_account,
        "An account",
        response=Account,
        errors=(404,),
    ),
    _admin(
        "GET",
        "/api/admin/accounts/{account_id}/statement",
        get_account_statement,
        "An account's statement",
        query=StatementQuery,
        response=AccountStatement,
        errors=(404,),
    ),
    _admin(
        "GET",
        "/api/admin/players",
        find_player,
        "Find a player",
        roles=DIRECTORS,
        query=PlayerQuery,
        response=PlayerFile,
        errors=(404,),
    ),
    _admin(
        "GET",
        "/api/admin/players/{player_id}",
        get_player_file,
        "A player's file",
        roles=DIRECTORS,
        response=PlayerFile,
        errors=(404,),
    ),
    _admin(
        "PUT",
        "/api/admin/players/{player_id}/role",
        set_role,
        "Set a player's role",
        body=SetRole,
        response=Player,
        errors=(404, 409),
    ),
    _admin(
        "PUT",
        "/api/admin/players/{player_id}/disabled",
        set_disabled,
        "Disable or enable an account",
        body=SetDisabled,
        response=Player,
        errors=(404,),
    ),
    _admin(
        "GET",
        "/api/admin/audit",
        get_audit_log,
        "The audit log",
        query=AuditQuery,
        response=AuditLog,
    ),
)
