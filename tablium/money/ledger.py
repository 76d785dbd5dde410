"""The double-entry ledger's rules: accounts, transfers, postings, and what makes a transfer valid.

Pure: no I/O, no clock. The shell (``tablium.money.service``) reads the balances of the accounts a
transfer touches, asks :func:`plan_transfer` for their new balances, and writes them with the
postings in one database transaction.

Amounts are integers in minor units. A posting is signed: positive credits its account, negative
debits it; the postings of a transfer sum to zero, so money is only ever moved, never made or
lost. Only overdraft accounts (the house, issuers of club chips) may go below zero: they are where
money enters and leaves the ledger.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum

import msgspec

from tablium.errors import Conflict, InvalidInput, NotFound

MAX_AMOUNT = 10**12
"""The largest amount of one posting or one transfer, in minor units."""

MAX_POSTINGS = 1_000
"""The most postings in one transfer (a prize pool paid out to every place in one go)."""

BALANCE_MIN = -(2**63)
BALANCE_MAX = 2**63 - 1
"""Balances are signed 64-bit integers (``BIGINT``)."""

MAX_OWNER_LENGTH = 64
MAX_KEY_LENGTH = 128
MAX_MEMO_LENGTH = 256

HOUSE_OWNER = "house"
"""The owner of the house accounts, one per currency."""

_CURRENCY = re.compile(r"[A-Z0-9_\-.:]{1,16}")


class AccountKind(StrEnum):
    """What an account holds money for; with an owner and a currency it names one account."""

    WALLET = "wallet"
    """A player's money; the owner is the player id."""
    TABLE_ESCROW = "table_escrow"
    """Chips on a cash table (seats and pot); the owner is the table id."""
    PRIZE_POOL = "prize_pool"
    """A tournament's buy-ins waiting to be paid out; the owner is the tournament id."""
    RAKE = "rake"
    """Rake taken from pots; the owner is the house or a club."""
    FEES = "fees"
    """Tournament entry fees."""
    CLUB_TREASURY = "club_treasury"
    """A club's own money; as the issuer of club chips it may be an overdraft account."""
    HOUSE = "house"
    """The operator: where money enters and leaves the ledger (an overdraft account)."""


class TransferKind(StrEnum):
    """Why money moved."""

    DEPOSIT = "deposit"
    """House → wallet: money paid in from outside."""
    WITHDRAWAL = "withdrawal"
    """Wallet → house: money paid out."""
    BUY_IN = "buy_in"
    """Wallet → table escrow: sitting down or topping up."""
    CASH_OUT = "cash_out"
    """Table escrow → wallet: standing up."""
    RAKE = "rake"
    """Table escrow → rake."""
    TOURNAMENT_ENTRY = "tournament_entry"
    """Wallet → prize pool (and fees)."""
    PRIZE = "prize"
    """Prize pool → wallet."""
    FEE = "fee"
    """Any account → fees."""
    ADJUSTMENT = "adjustment"
    """A correction by an administrator, with a memo saying why."""


PLAY_KINDS: frozenset[TransferKind] = frozenset(
    {TransferKind.BUY_IN, TransferKind.TOURNAMENT_ENTRY}
)
"""Money from a wallet into play: subject to loss limits and refused while self-excluded."""

RETURN_KINDS: frozenset[TransferKind] = frozenset({TransferKind.CASH_OUT, TransferKind.PRIZE})
"""Money back from play into a wallet: it offsets the money put into play in a loss window."""


class AccountRef(msgspec.Struct, frozen=True):
    """Names one account: what it is for, whose it is, and its currency."""

    kind: AccountKind
    owner: str
    currency: str


class Posting(msgspec.Struct, frozen=True):
    """One line of a transfer: ``amount`` is signed, + credits the account, - debits it."""

    account: AccountRef
    amount: int


class TransferRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A transfer to make. The same ``idempotency_key`` never moves money twice."""

    idempotency_key: str
    kind: TransferKind
    currency: str
    postings: tuple[Posting, ...]
    memo: str | None = None


class Balance(msgspec.Struct, frozen=True):
    """What :func:`plan_transfer` needs to know of an account: its balance and whether it may go
    below zero."""

    amount: int
    overdraft: bool = False


# --- Errors ---------------------------------------------------------------------------------------


class InvalidAmount(InvalidInput):
    """Not a whole number of minor units from 1 to ``MAX_AMOUNT`` (sign aside where allowed)."""

    code = "invalid_amount"


class UnbalancedTransfer(InvalidInput):
    """Postings that do not sum to zero, fewer than two, one account twice, or mixed currencies."""

    code = "unbalanced_transfer"


class InvalidCurrency(InvalidInput):
    """A currency code is 1-16 characters of ``A-Z 0-9 _ - . :``."""

    code = "invalid_currency"


class InvalidTransfer(InvalidInput):
    """A malformed transfer: unknown kind, bad account name, idempotency key or memo."""

    code = "invalid_transfer"


class InsufficientFunds(Conflict):
    """A debit larger than the balance of an account that may not go below zero."""

    code = "insufficient_funds"

    def __init__(self, account: AccountRef, balance: int, needed: int) -> None:
        super().__init__(
            f"insufficient funds in {account.kind} {account.owner} ({account.currency}): "
            f"balance {balance}, needed {needed}"
        )
        self.account = account
        self.balance = balance
        self.needed = needed


class BalanceOverflow(InvalidInput):
    """A balance would leave the signed 64-bit range."""

    code = "balance_overflow"


class UnknownAccount(NotFound):
    """No such account (or a wallet of a player who does not exist)."""

    code = "unknown_account"

    def __init__(self, message: str, *, account: AccountRef | None = None) -> None:
        super().__init__(message)
        self.account = account


class IdempotencyConflict(Conflict):
    """The idempotency key was already used for a different request."""

    code = "idempotency_conflict"


# --- Rules ----------------------------------------------------------------------------------------


def check_amount(amount: object, *, signed: bool = False) -> int:
    """``amount`` as an int if it is a whole number from 1 to ``MAX_AMOUNT`` (or down to
    ``-MAX_AMOUNT``, zero excluded, when ``signed``); raises :class:`InvalidAmount` otherwise.

    >>> check_amount(250)
    250
    >>> check_amount(-250, signed=True)
    -250
    >>> check_amount(True)
    Traceback (most recent call last):
    ...
    tablium.money.ledger.InvalidAmount: an amount is a whole number of minor units, not True
    """
    # bool is an int subclass, and numpy-like integers are not ours to accept: the exact type only.
    if type(amount) is not int:
        raise InvalidAmount(f"an amount is a whole number of minor units, not {amount!r}")
    size = abs(amount) if signed else amount
    if not 1 <= size <= MAX_AMOUNT:
        allowed = f"±1 to ±{MAX_AMOUNT}" if signed else f"1 to {MAX_AMOUNT}"
        raise InvalidAmount(f"an amount must be from {allowed}, not {amount}")
    return amount


def check_currency(currency: object) -> str:
    """``currency`` if it is a valid currency code, else :class:`InvalidCurrency`.

    >>> check_currency("CHIP")
    'CHIP'
    >>> check_currency("usd")
    Traceback (most recent call last):
    ...
    tablium.money.ledger.InvalidCurrency: not a currency code: 'usd' (1-16 of A-Z 0-9 _ - . :)
    """
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise InvalidCurrency(f"not a currency code: {currency!r} (1-16 of A-Z 0-9 _ - . :)")
    return currency


def check_account(account: object) -> AccountRef:
    """``account`` if it names an account properly (kind, owner of 1-64 characters, currency)."""
    if not isinstance(account, AccountRef):
        raise InvalidTransfer(f"a posting's account is an AccountRef, not {account!r}")
    if account.kind not in AccountKind.__members__.values():
        raise InvalidTransfer(f"unknown account kind {account.kind!r}")
    owner = account.owner
    if not isinstance(owner, str) or not 1 <= len(owner) <= MAX_OWNER_LENGTH:
        raise InvalidTransfer(f"an account owner is 1-{MAX_OWNER_LENGTH} characters: {owner!r}")
    check_currency(account.currency)
    return account


def validate_request(request: TransferRequest) -> int:
    """Check everything about a transfer that does not depend on balances; return its amount
    (the sum of its credits).

    >>> house, wallet = AccountRef(AccountKind.HOUSE, "house", "CHIP"), AccountRef(
    ...     AccountKind.WALLET, "p1", "CHIP")
    >>> validate_request(TransferRequest(idempotency_key="k", kind=TransferKind.DEPOSIT,
    ...     currency="CHIP", postings=(Posting(house, -500), Posting(wallet, 500))))
    500
    """
    key = request.idempotency_key
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise InvalidTransfer(f"an idempotency key is 1-{MAX_KEY_LENGTH} characters: {key!r}")
    if request.kind not in TransferKind.__members__.values():
        raise InvalidTransfer(f"unknown transfer kind {request.kind!r}")
    memo = request.memo
    if memo is not None and (not isinstance(memo, str) or len(memo) > MAX_MEMO_LENGTH):
        raise InvalidTransfer(f"a memo is at most {MAX_MEMO_LENGTH} characters")
    currency = check_currency(request.currency)
    postings = request.postings
    if not isinstance(postings, Sequence) or not 2 <= len(postings) <= MAX_POSTINGS:
        count = len(postings) if isinstance(postings, Sequence) else postings
        raise UnbalancedTransfer(f"a transfer has 2 to {MAX_POSTINGS} postings, not {count}")
    seen: set[AccountRef] = set()
    total = credits = 0
    for posting in postings:
        if not isinstance(posting, Posting):
            raise InvalidTransfer(f"a posting is a Posting, not {posting!r}")
        account = check_account(posting.account)
        if account.currency != currency:
            raise UnbalancedTransfer(
                f"a {currency} transfer cannot post to a {account.currency} account"
            )
        if account in seen:
            raise UnbalancedTransfer(
                f"{account.kind} {account.owner} appears twice in one transfer"
            )
        seen.add(account)
        amount = check_amount(posting.amount, signed=True)
        total += amount
        credits += max(amount, 0)
    if total != 0:
        raise UnbalancedTransfer(f"the postings of a transfer sum to zero, not {total}")
    if credits > MAX_AMOUNT:
        raise InvalidAmount(f"a transfer moves at most {MAX_AMOUNT}, not {credits}")
    return credits


def plan_transfer(
    request: TransferRequest, balances: Mapping[AccountRef, Balance]
) -> dict[AccountRef, int]:
    """The new balance of every account the transfer touches; raises if it may not be made.

    ``balances`` holds (at least) the accounts of the request; an account missing from it is
    unknown. Nothing is changed: the caller writes the result.

    >>> house, wallet = AccountRef(AccountKind.HOUSE, "house", "CHIP"), AccountRef(
    ...     AccountKind.WALLET, "p1", "CHIP")
    >>> request = TransferRequest(idempotency_key="k", kind=TransferKind.WITHDRAWAL,
    ...     currency="CHIP", postings=(Posting(wallet, -300), Posting(house, 300)))
    >>> new = plan_transfer(request, {house: Balance(-1000, overdraft=True), wallet: Balance(1000)})
    >>> new[wallet], new[house]
    (700, -700)
    >>> broke = {house: Balance(0, overdraft=True), wallet: Balance(200)}
    >>> plan_transfer(request, broke)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tablium.money.ledger.InsufficientFunds: insufficient funds in wallet p1 (CHIP): ...
    """
    validate_request(request)
    planned: dict[AccountRef, int] = {}
    for posting in request.postings:
        account = posting.account
        current = balances.get(account)
        if current is None:
            raise UnknownAccount(
                f"no {account.kind} account of {account.owner!r} in {account.currency}",
                account=account,
            )
        after = current.amount + posting.amount
        if not BALANCE_MIN <= after <= BALANCE_MAX:
            raise BalanceOverflow(
                f"the balance of {account.kind} {account.owner} would leave the 64-bit range"
            )
        if after < 0 and not current.overdraft:
            raise InsufficientFunds(account, current.amount, -posting.amount)
        planned[account] = after
    return planned


def request_hash(request: TransferRequest) -> str:
    """A SHA-256 hex digest of what the request asks for, to tell a retry (same digest) from a
    different request reusing an idempotency key. The order of the postings does not matter.

    >>> house, wallet = AccountRef(AccountKind.HOUSE, "house", "CHIP"), AccountRef(
    ...     AccountKind.WALLET, "p1", "CHIP")
    >>> a = TransferRequest(idempotency_key="k", kind=TransferKind.DEPOSIT, currency="CHIP",
    ...     postings=(Posting(house, -5), Posting(wallet, 5)))
    >>> b = TransferRequest(idempotency_key="k", kind=TransferKind.DEPOSIT, currency="CHIP",
    ...     postings=(Posting(wallet, 5), Posting(house, -5)))
    >>> request_hash(a) == request_hash(b)
    True
    """
    postings = sorted(
        [str(p.account.kind), p.account.owner, p.account.currency, p.amount]
        for p in request.postings
    )
    canonical = ["transfer/1", str(request.kind), request.currency, request.memo, postings]
    return hashlib.sha256(msgspec.json.encode(canonical)).hexdigest()


def house(currency: str) -> AccountRef:
    """The house account of a currency."""
    return AccountRef(AccountKind.HOUSE, HOUSE_OWNER, currency)


def wallet(player_id: str, currency: str) -> AccountRef:
    """A player's wallet in a currency."""
    return AccountRef(AccountKind.WALLET, player_id, currency)


def move(
    kind: TransferKind,
    source: AccountRef,
    destination: AccountRef,
    amount: int,
    *,
    idempotency_key: str,
    memo: str | None = None,
) -> TransferRequest:
    """A two-posting transfer of ``amount`` (1 to ``MAX_AMOUNT``) from one account to another.

    >>> request = move(TransferKind.DEPOSIT, house("CHIP"), wallet("p1", "CHIP"), 5,
    ...                idempotency_key="k")
    >>> [(str(p.account.kind), p.amount) for p in request.postings]
    [('house', -5), ('wallet', 5)]
    """
    check_amount(amount)
    return TransferRequest(
        idempotency_key=idempotency_key,
        kind=kind,
        currency=source.currency,
        postings=(Posting(source, -amount), Posting(destination, amount)),
        memo=memo,
    )


def may_overdraw(kind: AccountKind, requested: bool) -> bool:
    """Whether a new account may go below zero: house accounts always, others when asked."""
    return kind == AccountKind.HOUSE or requested
