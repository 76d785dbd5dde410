"""Access tokens: what they carry, when they expire, and the forgeries they refuse."""

from __future__ import annotations

import base64
import doctest
import json
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from jwt.warnings import InsecureKeyLengthWarning

from tablium.errors import Unauthenticated
from tablium.players import tokens
from tablium.players.tokens import (
    AccessClaims,
    decode_access_token,
    hash_refresh_token,
    issue_access_token,
    new_refresh_token,
    new_signing_key,
)

SECRET = "a-test-signing-key-that-is-long-enough-0123456789"
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
TTL = timedelta(minutes=15)


def issue(**overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "secret": SECRET,
        "player_id": "p1",
        "role": "player",
        "session_id": "s1",
        "now": NOW,
        "ttl": TTL,
    }
    return issue_access_token(**(arguments | overrides))


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def signed(payload: dict[str, Any], *, secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, secret, algorithm=algorithm)


def refused(code: str) -> pytest.RaisesExc[Unauthenticated]:
    return pytest.raises(Unauthenticated, check=lambda exc: exc.code == code)


def test_the_doctests_pass() -> None:
    failures, tried = doctest.testmod(tokens)
    assert tried > 0
    assert failures == 0


def test_a_token_decodes_to_what_was_issued() -> None:
    token = issue()
    assert decode_access_token(token, secret=SECRET, now=NOW) == AccessClaims(
        player_id="p1",
        role="player",
        session_id="s1",
        issued_at=NOW,
        expires_at=NOW + TTL,
    )


def test_a_token_carries_the_standard_claims() -> None:
    claims = claims_of(issue())
    assert claims == {
        "iss": "tablium",
        "sub": "p1",
        "role": "player",
        "sid": "s1",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + TTL).timestamp()),
        "jti": claims["jti"],
        "typ": "access",
    }
    assert jwt.get_unverified_header(issue())["alg"] == "HS256"


def test_every_token_has_its_own_id() -> None:
    assert claims_of(issue())["jti"] != claims_of(issue())["jti"]


def test_expiry_is_decided_by_the_injected_time_with_no_leeway() -> None:
    token = issue()
    last_moment = NOW + TTL - timedelta(microseconds=1)
    assert decode_access_token(token, secret=SECRET, now=last_moment).player_id == "p1"
    with refused("token_expired"):
        decode_access_token(token, secret=SECRET, now=NOW + TTL)
    with refused("token_expired"):
        decode_access_token(token, secret=SECRET, now=NOW + timedelta(days=365))


def test_a_token_long_expired_by_the_real_clock_is_accepted_at_its_injected_time() -> None:
    old = datetime(2001, 1, 1, tzinfo=UTC)
    token = issue(now=old)
    assert decode_access_token(token, secret=SECRET, now=old + timedelta(minutes=1)).role == (
        "player"
    )


def test_a_tampered_payload_is_refused() -> None:
    token = issue()
    header, _, signature = token.split(".")
    claims = claims_of(token)
    claims["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with refused("token_invalid"):
        decode_access_token(f"{header}.{forged}.{signature}", secret=SECRET, now=NOW)


def test_a_tampered_signature_is_refused() -> None:
    token = issue()
    last = "A" if token[-1] != "A" else "B"
    with refused("token_invalid"):
        decode_access_token(token[:-1] + last, secret=SECRET, now=NOW)


def test_a_token_signed_with_another_key_is_refused() -> None:
    token = issue(secret="another-signing-key-that-is-long-enough-9876543210")
    with refused("token_invalid"):
        decode_access_token(token, secret=SECRET, now=NOW)


def test_a_refresh_or_other_typed_token_is_not_an_access_token() -> None:
    claims = claims_of(issue())
    for typ in ("refresh", "ACCESS", ""):
        with refused("token_invalid"):
            decode_access_token(signed(claims | {"typ": typ}), secret=SECRET, now=NOW)


def test_alg_none_is_refused() -> None:
    claims = claims_of(issue())

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    unsigned = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
    with refused("token_invalid"):
        decode_access_token(unsigned, secret=SECRET, now=NOW)


def test_another_hmac_algorithm_is_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)  # HS512 wants a longer key
        token = signed(claims_of(issue()), algorithm="HS512")
    with refused("token_invalid"):
        decode_access_token(token, secret=SECRET, now=NOW)


@pytest.mark.parametrize("missing", ["sub", "sid", "role", "exp", "iat", "jti", "typ", "iss"])
def test_a_token_missing_a_claim_is_refused(missing: str) -> None:
    claims = claims_of(issue())
    del claims[missing]
    with refused("token_invalid"):
        decode_access_token(signed(claims), secret=SECRET, now=NOW)


@pytest.mark.parametrize(
    "change",
    [
        {"iss": "someone-else"},
        {"sub": 42},
        {"exp": "tomorrow"},
        {"exp": 1e20},
        {"sid": None},
        {"extra": "claim"},
    ],
)
def test_a_token_with_odd_claims_is_refused(change: dict[str, Any]) -> None:
    with refused("token_invalid"):
        decode_access_token(signed(claims_of(issue()) | change), secret=SECRET, now=NOW)


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a.b.c", "Bearer x.y.z", "é.é.é"])
def test_garbage_is_refused(garbage: str) -> None:
    with refused("token_invalid"):
        decode_access_token(garbage, secret=SECRET, now=NOW)


def test_refresh_tokens_are_random_and_stored_hashed() -> None:
    first, second = new_refresh_token(), new_refresh_token()
    assert first != second
    assert len(first) >= 43  # 256 bits, base64
    assert hash_refresh_token(first) == hash_refresh_token(first)
    assert hash_refresh_token(first) != hash_refresh_token(second)
    assert len(hash_refresh_token(first)) == 64
    assert first not in hash_refresh_token(first)


def test_generated_signing_keys_are_64_random_bytes() -> None:
    key = new_signing_key()
    assert len(bytes.fromhex(key)) == 64
    assert key != new_signing_key()
