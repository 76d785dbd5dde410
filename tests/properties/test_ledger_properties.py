"""Chip conservation: whatever transfers are asked for, valid or not, the ledger sums to zero.

Random sequences of transfers (balanced or not, with good and bad amounts, known and unknown
accounts, mixed currencies) go through ``plan_transfer``; an independent oracle says which must
succeed and with what balances. A refused transfer changes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict

from hypothesis import event, given, settings
from hypothesis import strategies as st

from tablium.errors import DomainError
from tablium.money.ledger import (
    BALANCE_MAX,
    BALANCE_MIN,
    MAX_AMOUNT,
    AccountKind,
    AccountRef,
    Balance,
    Posting,
    TransferKind,
    TransferRequest,
    house,
    plan_transfer,
    wallet,
)

WALLETS = [wallet(f"p{n}", "CHIP") for n in range(4)]
ESCROWS = [AccountRef(AccountKind.TABLE_ESCROW, f"t{n}", "CHIP") for n in range(2)]
CLUB = AccountRef(AccountKind.CLUB_TREASURY, "club", "CHIP")  # an issuer: may go below zero
HOUSE = house("CHIP")
USD = [house("USD"), wallet("p0", "USD")]
KNOWN_CHIP = [HOUSE, CLUB, *WALLETS, *ESCROWS]
UNKNOWN = AccountRef(AccountKind.PRIZE_POOL, "never-opened", "CHIP")
EVERY_ACCOUNT = [*KNOWN_CHIP, *USD, UNKNOWN]
CURRENCY = re.compile(r"[A-Z0-9_\-.:]{1,16}")

BAD_AMOUNTS = [0, True, False, 1.5, -2.0, "7", None, MAX_AMOUNT + 1, -(MAX_AMOUNT + 1)]
amounts = st.one_of(
    st.integers(-2_000, 2_000),
    st.sampled_from([MAX_AMOUNT, -MAX_AMOUNT, *BAD_AMOUNTS]),
)


@st.composite
def balanced(draw: st.DrawFn) -> TransferRequest:
    """Mostly valid: distinct CHIP accounts (one perhaps unknown), amounts summing to zero
    (funds may fall short)."""
    accounts = draw(
        st.lists(st.sampled_from([*KNOWN_CHIP, UNKNOWN]), min_size=2, max_size=5, unique=True)
    )
    parts = [draw(st.integers(-1_500, 1_500)) for _ in accounts[1:]]
    parts.append(-sum(parts))
    return TransferRequest(
        idempotency_key="k",
        kind=draw(st.sampled_from(list(TransferKind))),
        currency="CHIP",
        postings=tuple(Posting(a, n) for a, n in zip(accounts, parts, strict=True)),
    )


@st.composite
def anything(draw: st.DrawFn) -> TransferRequest:
    """Any shape at all: unbalanced, one posting, duplicates, bad amounts, other currencies."""
    postings = draw(
        st.lists(
            st.builds(Posting, st.sampled_from(EVERY_ACCOUNT), amounts), min_size=0, max_size=5
        )
    )
    return TransferRequest(
        idempotency_key="k",
        kind=TransferKind.ADJUSTMENT,
        currency=draw(st.sampled_from(["CHIP", "CHIP", "USD", "chip", ""])),
        postings=tuple(postings),
    )


@st.composite
def opening_balances(draw: st.DrawFn) -> dict[AccountRef, Balance]:
    """A balanced start; sometimes a wallet near the top of the 64-bit range."""
    held = [draw(st.integers(0, 250)) for _ in WALLETS]
    if draw(st.booleans()):
        held[0] = BALANCE_MAX - 1_000 - sum(held[1:])
    balances = {a: Balance(n) for a, n in zip(WALLETS, held, strict=True)}
    balances |= {a: Balance(0) for a in ESCROWS}
    balances[CLUB] = Balance(0, overdraft=True)
    balances[HOUSE] = Balance(-sum(held), overdraft=True)
    balances[USD[0]] = Balance(-100, overdraft=True)
    balances[USD[1]] = Balance(100)
    return balances


def oracle(
    request: TransferRequest, balances: dict[AccountRef, Balance]
) -> dict[AccountRef, int] | None:
    """The new balances if the transfer is allowed, else None; written apart from the ledger."""
    postings = request.postings
    if not (isinstance(request.currency, str) and CURRENCY.fullmatch(request.currency)):
        return None
    if len(postings) < 2 or len({p.account for p in postings}) != len(postings):
        return None
    for p in postings:
        if type(p.amount) is not int or p.amount == 0 or abs(p.amount) > MAX_AMOUNT:
            return None
        if p.account.currency != request.currency:
            return None
    if sum(p.amount for p in postings) != 0:
        return None
    if sum(p.amount for p in postings if p.amount > 0) > MAX_AMOUNT:
        return None
    after = {}
    for p in postings:
        if p.account not in balances:
            return None
        new = balances[p.account].amount + p.amount
        if not BALANCE_MIN <= new <= BALANCE_MAX:
            return None
        if new < 0 and not balances[p.account].overdraft:
            return None
        after[p.account] = new
    return after


def totals(balances: dict[AccountRef, Balance]) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for account, balance in balances.items():
        sums[account.currency] += balance.amount
    return dict(sums)


@settings(max_examples=300, deadline=None)
@given(opening_balances(), st.lists(st.one_of(balanced(), anything()), max_size=40))
def test_transfers_conserve_money_and_refusals_change_nothing(
    start: dict[AccountRef, Balance], requests: list[TransferRequest]
) -> None:
    balances = dict(start)
    assert totals(balances) == {"CHIP": 0, "USD": 0}
    made = 0
    for request in requests:
        before = dict(balances)
        expected = oracle(request, balances)
        try:
            planned = plan_transfer(request, balances)
        except DomainError as exc:
            event(f"refused: {exc.code}")
            assert expected is None, f"refused a valid transfer: {request}"
            assert balances == before
            continue
        event("made")
        assert planned == expected, request
        assert balances == before  # planning alone moves nothing
        for account, amount in planned.items():
            balances[account] = Balance(amount, balances[account].overdraft)
        made += 1
        assert totals(balances) == {"CHIP": 0, "USD": 0}
        assert all(b.amount >= 0 for b in balances.values() if not b.overdraft)
    assert made <= len(requests)


@settings(max_examples=200, deadline=None)
@given(st.lists(balanced(), min_size=1, max_size=20))
def test_every_balance_is_its_opening_plus_its_postings(requests: list[TransferRequest]) -> None:
    opening: dict[AccountRef, Balance] = {a: Balance(1_000) for a in WALLETS + ESCROWS}
    opening[HOUSE] = Balance(-1_000 * 6, overdraft=True)
    opening[CLUB] = Balance(0, overdraft=True)
    balances = dict(opening)
    posted: dict[AccountRef, int] = defaultdict(int)
    for request in requests:
        try:
            planned = plan_transfer(request, balances)
        except DomainError:
            continue
        for posting in request.postings:
            posted[posting.account] += posting.amount
        balances |= {a: Balance(n, balances[a].overdraft) for a, n in planned.items()}
    assert {a: b.amount for a, b in balances.items()} == {
        a: b.amount + posted[a] for a, b in opening.items()
    }
