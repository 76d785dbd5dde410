"""The ledger's pure rules: what makes a transfer valid, and the balances it leaves."""

from __future__ import annotations

import doctest
from typing import Any

import pytest

from tablium.errors import Conflict, InvalidInput, NotFound
from tablium.money import ledger
from tablium.money.ledger import (
    BALANCE_MAX,
    BALANCE_MIN,
    MAX_AMOUNT,
    PLAY_KINDS,
    RETURN_KINDS,
    AccountKind,
    AccountRef,
    Balance,
    BalanceOverflow,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidCurrency,
    InvalidTransfer,
    Posting,
    TransferKind,
    TransferRequest,
    UnbalancedTransfer,
    UnknownAccount,
    check_amount,
    check_currency,
    house,
    move,
    plan_transfer,
    request_hash,
    validate_request,
    wallet,
)

HOUSE = house("CHIP")
ALICE = wallet("alice", "CHIP")
BOB = wallet("bob", "CHIP")
TABLE = AccountRef(AccountKind.TABLE_ESCROW, "t-1", "CHIP")
BALANCES = {HOUSE: Balance(-1_000, overdraft=True), ALICE: Balance(600), BOB: Balance(400)}


def request(*postings: tuple[AccountRef, Any], **fields: Any) -> TransferRequest:
    fields.setdefault("idempotency_key", "k-1")
    fields.setdefault("kind", TransferKind.ADJUSTMENT)
    fields.setdefault("currency", "CHIP")
    return TransferRequest(postings=tuple(Posting(a, n) for a, n in postings), **fields)


def test_a_transfer_moves_money_between_its_accounts() -> None:
    planned = plan_transfer(request((ALICE, -250), (BOB, 200), (HOUSE, 50)), BALANCES)
    assert planned == {ALICE: 350, BOB: 600, HOUSE: -950}


def test_the_amount_of_a_transfer_is_the_sum_of_its_credits() -> None:
    assert validate_request(request((ALICE, -250), (BOB, 200), (HOUSE, 50))) == 250
    assert validate_request(request((HOUSE, -MAX_AMOUNT), (ALICE, MAX_AMOUNT))) == MAX_AMOUNT


@pytest.mark.parametrize(
    "amount",
    [0, True, False, 1.0, 2.5, "5", None, MAX_AMOUNT + 1, -(MAX_AMOUNT + 1), 10**30],
    ids=repr,
)
def test_bad_amounts_are_refused(amount: Any) -> None:
    with pytest.raises(InvalidAmount) as caught:
        plan_transfer(request((ALICE, amount), (BOB, 1)), BALANCES)
    assert caught.value.code == "invalid_amount"
    assert isinstance(caught.value, InvalidInput)


def test_check_amount_allows_a_sign_only_when_asked() -> None:
    assert check_amount(1) == 1
    assert check_amount(MAX_AMOUNT) == MAX_AMOUNT
    assert check_amount(-MAX_AMOUNT, signed=True) == -MAX_AMOUNT
    for bad in (-1, 0, True, 1.0):
        with pytest.raises(InvalidAmount):
            check_amount(bad)


def test_a_transfer_larger_than_the_maximum_is_refused_even_split_in_postings() -> None:
    split = request((HOUSE, -MAX_AMOUNT), (wallet("x", "CHIP"), MAX_AMOUNT), (ALICE, 1), (BOB, -1))
    with pytest.raises(InvalidAmount, match="moves at most"):
        validate_request(split)


@pytest.mark.parametrize(
    "postings",
    [
        [(ALICE, -100), (BOB, 99)],
        [(ALICE, -100)],
        [],
        [(ALICE, -100), (ALICE, 100)],
        [(ALICE, -100), (wallet("bob", "USD"), 100)],
    ],
    ids=["not zero", "one posting", "no posting", "same account twice", "mixed currencies"],
)
def test_unbalanced_transfers_are_refused(postings: list[tuple[AccountRef, int]]) -> None:
    with pytest.raises(UnbalancedTransfer) as caught:
        plan_transfer(request(*postings), BALANCES)
    assert caught.value.code == "unbalanced_transfer"


@pytest.mark.parametrize("currency", ["", "chip", "A" * 17, "CH IP", "€", 5, None], ids=repr)
def test_bad_currencies_are_refused(currency: Any) -> None:
    with pytest.raises(InvalidCurrency):
        check_currency(currency)
    with pytest.raises(InvalidCurrency):
        validate_request(request((ALICE, -1), (BOB, 1), currency=currency))


@pytest.mark.parametrize("currency", ["CHIP", "USD", "A", "CLUB-7F3A", "X.Y:Z_1", "A" * 16])
def test_good_currencies_pass(currency: str) -> None:
    assert check_currency(currency) == currency


@pytest.mark.parametrize(
    "fields",
    [
        {"idempotency_key": ""},
        {"idempotency_key": "k" * 129},
        {"idempotency_key": 7},
        {"kind": "gift"},
        {"memo": "m" * 257},
    ],
    ids=["empty key", "long key", "key not text", "unknown kind", "long memo"],
)
def test_malformed_requests_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidTransfer):
        validate_request(request((ALICE, -1), (BOB, 1), **fields))


@pytest.mark.parametrize(
    "account",
    [
        AccountRef("purse", "alice", "CHIP"),  # type: ignore[arg-type]
        AccountRef(AccountKind.WALLET, "", "CHIP"),
        AccountRef(AccountKind.WALLET, "a" * 65, "CHIP"),
    ],
    ids=["unknown kind", "no owner", "long owner"],
)
def test_malformed_accounts_are_refused(account: AccountRef) -> None:
    with pytest.raises(InvalidTransfer):
        validate_request(request((account, -1), (BOB, 1)))


def test_only_overdraft_accounts_may_go_below_zero() -> None:
    with pytest.raises(InsufficientFunds) as caught:
        plan_transfer(request((ALICE, -601), (BOB, 601)), BALANCES)
    error = caught.value
    assert (error.code, error.account, error.balance, error.needed) == (
        "insufficient_funds",
        ALICE,
        600,
        601,
    )
    assert isinstance(error, Conflict)
    assert plan_transfer(request((ALICE, -600), (BOB, 600)), BALANCES)[ALICE] == 0
    assert plan_transfer(request((HOUSE, -5_000), (BOB, 5_000)), BALANCES)[HOUSE] == -6_000
    overdrawn_club = AccountRef(AccountKind.CLUB_TREASURY, "club", "CHIP")
    plan = plan_transfer(
        request((overdrawn_club, -50), (BOB, 50)),
        {overdrawn_club: Balance(0, True), BOB: Balance(0)},
    )
    assert plan == {overdrawn_club: -50, BOB: 50}


def test_balances_stay_in_64_bits() -> None:
    near_top = {HOUSE: Balance(BALANCE_MIN + 5, overdraft=True), ALICE: Balance(BALANCE_MAX - 5)}
    with pytest.raises(BalanceOverflow) as caught:
        plan_transfer(request((HOUSE, -6), (ALICE, 6)), near_top)
    assert caught.value.code == "balance_overflow"
    assert plan_transfer(request((HOUSE, -5), (ALICE, 5)), near_top) == {
        HOUSE: BALANCE_MIN,
        ALICE: BALANCE_MAX,
    }


def test_an_account_missing_from_the_balances_is_unknown() -> None:
    with pytest.raises(UnknownAccount) as caught:
        plan_transfer(request((ALICE, -1), (TABLE, 1)), BALANCES)
    assert caught.value.account == TABLE
    assert isinstance(caught.value, NotFound)
    assert caught.value.code == "unknown_account"


def test_planning_changes_nothing() -> None:
    balances = dict(BALANCES)
    plan_transfer(request((ALICE, -100), (BOB, 100)), balances)
    with pytest.raises(InsufficientFunds):
        plan_transfer(request((BOB, -1_000), (ALICE, 1_000)), balances)
    assert balances == BALANCES


def test_the_request_hash_tells_retries_from_other_requests() -> None:
    base = request((ALICE, -100), (BOB, 100), memo="m")
    assert request_hash(base) == request_hash(request((BOB, 100), (ALICE, -100), memo="m"))
    assert request_hash(base) == request_hash(
        request((ALICE, -100), (BOB, 100), memo="m", idempotency_key="other key")
    )
    assert len(request_hash(base)) == 64
    others = [
        request((ALICE, -101), (BOB, 101), memo="m"),
        request((ALICE, -100), (BOB, 100), memo=None),
        request((ALICE, -100), (BOB, 100), memo="m", kind=TransferKind.BUY_IN),
        request((ALICE, -100), (TABLE, 100), memo="m"),
        request(
            (wallet("alice", "USD"), -100), (wallet("bob", "USD"), 100), memo="m", currency="USD"
        ),
    ]
    assert len({request_hash(r) for r in [base, *others]}) == 6


def test_move_builds_a_two_posting_transfer() -> None:
    made = move(TransferKind.BUY_IN, ALICE, TABLE, 300, idempotency_key="sit", memo="seat 3")
    assert made == TransferRequest(
        idempotency_key="sit",
        kind=TransferKind.BUY_IN,
        currency="CHIP",
        postings=(Posting(ALICE, -300), Posting(TABLE, 300)),
        memo="seat 3",
    )
    with pytest.raises(InvalidAmount):
        move(TransferKind.BUY_IN, ALICE, TABLE, -300, idempotency_key="sit")


def test_play_kinds_are_money_into_play_and_return_kinds_money_back() -> None:
    assert sorted(PLAY_KINDS) == [TransferKind.BUY_IN, TransferKind.TOURNAMENT_ENTRY]
    assert sorted(RETURN_KINDS) == [TransferKind.CASH_OUT, TransferKind.PRIZE]


def test_error_categories_and_codes() -> None:
    assert IdempotencyConflict("x").code == "idempotency_conflict"
    assert isinstance(IdempotencyConflict("x"), Conflict)
    assert issubclass(BalanceOverflow, InvalidInput)
    assert issubclass(UnbalancedTransfer, InvalidInput)
    assert issubclass(InvalidCurrency, InvalidInput)


def test_the_doctests_pass() -> None:
    failures, tried = doctest.testmod(ledger)
    assert tried > 0
    assert failures == 0
