"""Argon2 password hashing: round trip, refusal of malformed hashes, rehash detection."""

from __future__ import annotations

import asyncio
import threading

import pytest
from argon2 import PasswordHasher

from tablium.players.passwords import Passwords

CHEAP = {"time_cost": 1, "memory_kib": 8}


async def test_a_hash_verifies_its_password_and_no_other() -> None:
    passwords = Passwords(**CHEAP)
    stored = await passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert await passwords.verify(stored, "correct horse battery")
    assert not await passwords.verify(stored, "correct horse batterY")
    assert await passwords.hash("correct horse battery") != stored  # salted


@pytest.mark.parametrize("stored", ["", "plain text", "$argon2id$v=19$garbage", "$2b$12$abc"])
async def test_a_malformed_hash_matches_nothing_and_needs_replacing(stored: str) -> None:
    passwords = Passwords(**CHEAP)
    assert not await passwords.verify(stored, "anything at all")
    assert passwords.needs_rehash(stored)


async def test_a_hash_made_with_other_parameters_needs_a_rehash() -> None:
    old, new = Passwords(**CHEAP), Passwords(time_cost=2, memory_kib=16)
    stored = await old.hash("correct horse battery")
    assert not old.needs_rehash(stored)
    assert new.needs_rehash(stored)
    assert await new.verify(stored, "correct horse battery")  # still verifies meanwhile


async def test_hashing_runs_off_the_event_loop_and_at_most_n_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passwords = Passwords(**CHEAP, concurrency=2)
    loop_thread = threading.get_ident()
    running, peak, threads = 0, 0, set()
    lock = threading.Lock()
    real_hash = PasswordHasher.hash

    def tracked_hash(hasher: PasswordHasher, password: str | bytes) -> str:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
            threads.add(threading.get_ident())
        try:
            threading.Event().wait(0.05)
            return real_hash(hasher, password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(PasswordHasher, "hash", tracked_hash)
    await asyncio.gather(*(passwords.hash(f"password {n}!") for n in range(6)))
    assert loop_thread not in threads
    assert peak == 2


async def test_the_dummy_verification_is_ready_after_prepare() -> None:
    passwords = Passwords(**CHEAP)
    await passwords.prepare()
    await passwords.verify_dummy("whatever was typed")
