"""Registration, login, sessions and tokens against both databases.

The database is shared by the run: every test registers its own fresh usernames.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tablium.clock import ManualClock
from tablium.db.audit import Actor
from tablium.db.engine import create_engine
from tablium.db.schema import audit_log, players, server_keys, sessions
from tablium.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    TooManyRequests,
    Unauthenticated,
)
from tablium.players.passwords import Passwords
from tablium.players.profile import Role
from tablium.players.service import Player, Players, Principal, TokenPair
from tablium.players.sessions import SessionStore
from tablium.players.tokens import issue_access_token
from tablium.settings import Settings, SettingsError

PASSWORD = "correct horse battery"
ADMIN = Actor(id="admin-under-test", role="admin", ip="127.0.0.1")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def service(
    engine: AsyncEngine, settings: Settings, clock: ManualClock, registry: CollectorRegistry
) -> Players:
    players = Players(engine, settings, clock=clock, registry=registry)
    await players.start()
    return players


E = TypeVar("E", bound=DomainError)


def refused(kind: type[E], code: str) -> pytest.RaisesExc[E]:
    return pytest.raises(kind, check=lambda exc: exc.code == code)


async def register(
    service: Players, unique: Callable[[str], str], **extra: str
) -> tuple[Player, TokenPair]:
    return await service.register(username=unique("alice"), password=PASSWORD, **extra)


async def audit_actions(engine: AsyncEngine, target: str) -> list[tuple[str, dict[str, object]]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(audit_log.c.action, audit_log.c.details)
            .where(audit_log.c.target == target)
            .order_by(audit_log.c.id)
        )
        return [(action, details) for action, details in rows]


def metric(registry: CollectorRegistry, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels)
    assert value is not None, name
    return value


# --- Registration ------------------------------------------------------------------------------


async def test_registering_creates_a_player_and_logs_them_in(
    service: Players,
    engine: AsyncEngine,
    unique: Callable[[str], str],
    clock: ManualClock,
    registry: CollectorRegistry,
) -> None:
    name = unique("Alice")
    player, tokens = await service.register(
        username=name, password=PASSWORD, email=f"{name}@example.com", ip="10.1.1.1"
    )
    assert (player.username, player.display_name, player.role) == (name, name, Role.PLAYER)
    assert (player.xp, player.level, player.created_at) == (0, 1, clock.now)
    assert player.email == f"{name}@example.com"
    assert len(player.id) == 32
    assert (tokens.token_type, tokens.expires_in, tokens.refresh_expires_in) == (
        "Bearer",
        15 * 60,
        30 * 24 * 3600,
    )
    principal = await service.authenticate(tokens.access_token)
    assert principal == Principal(player.id, Role.PLAYER, principal.session_id)
    assert await audit_actions(engine, player.id) == [
        ("player.register", {"username": name, "role": "player"})
    ]
    assert metric(registry, "tablium_players_registered_total") == 1


async def test_a_username_is_taken_whatever_its_case(
    service: Players, unique: Callable[[str], str]
) -> None:
    name = unique("Bob")
    await service.register(username=name, password=PASSWORD)
    with refused(Conflict, "username_taken"):
        await service.register(username=name.upper(), password=PASSWORD)


async def test_an_email_is_taken_whatever_its_case(
    service: Players, unique: Callable[[str], str]
) -> None:
    email = f"{unique('carol')}@Example.com"
    await register(service, unique, email=email)
    with refused(Conflict, "email_taken"):
        await register(service, unique, email=email.upper())


async def test_simultaneous_registrations_of_one_name_let_exactly_one_through(
    service: Players, unique: Callable[[str], str]
) -> None:
    name = unique("twin")
    outcomes = await asyncio.gather(
        *(service.register(username=name, password=PASSWORD) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(isinstance(outcome, tuple) for outcome in outcomes) == 1
    failures = [outcome for outcome in outcomes if not isinstance(outcome, tuple)]
    assert all(isinstance(e, Conflict) and e.code == "username_taken" for e in failures)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"username": "no"}, "invalid_username"),
        ({"password": "short"}, "weak_password"),
        ({"password": "0123456789"}, "weak_password"),
        ({"email": "not-an-email"}, "invalid_email"),
        ({"display_name": "bad\u202ename"}, "invalid_display_name"),
    ],
)
async def test_invalid_registrations_are_refused_before_anything_is_written(
    service: Players,
    engine: AsyncEngine,
    unique: Callable[[str], str],
    fields: dict[str, str],
    code: str,
) -> None:
    arguments = {"username": unique("dan"), "password": PASSWORD} | fields
    with refused(InvalidInput, code):
        await service.register(**arguments)
    async with engine.connect() as connection:
        found = await connection.scalar(
            select(players.c.id).where(players.c.username == arguments["username"])
        )
    assert found is None


async def test_the_password_may_not_be_the_username(
    service: Players, unique: Callable[[str], str]
) -> None:
    name = unique("erin_long")
    with refused(InvalidInput, "weak_password"):
        await service.register(username=name, password=name.upper())


# --- Login -------------------------------------------------------------------------------------


async def test_login_opens_a_new_session_each_time(
    service: Players, unique: Callable[[str], str], registry: CollectorRegistry
) -> None:
    player, first = await register(service, unique)
    same, second = await service.login(username=player.username.upper(), password=PASSWORD)
    assert same == player
    sessions_seen = {
        (await service.authenticate(tokens.access_token)).session_id for tokens in (first, second)
    }
    assert len(sessions_seen) == 2
    assert metric(registry, "tablium_auth_logins_total", outcome="ok") == 1


async def test_a_wrong_password_and_an_unknown_user_look_the_same(
    service: Players, unique: Callable[[str], str], registry: CollectorRegistry
) -> None:
    player, _ = await register(service, unique)
    with refused(Unauthenticated, "invalid_credentials") as wrong:
        await service.login(username=player.username, password="wrong password!")
    with refused(Unauthenticated, "invalid_credentials") as unknown:
        await service.login(username=unique("nobody"), password=PASSWORD)
    assert str(wrong.value) == str(unknown.value)
    with refused(Unauthenticated, "invalid_credentials"):
        await service.login(username=player.username, password="x" * 5000)
    assert metric(registry, "tablium_auth_logins_total", outcome="invalid") == 3


async def test_an_unknown_user_costs_a_password_verification_like_a_known_one(
    service: Players, unique: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    player, _ = await register(service, unique)
    verified: list[str] = []
    real_verify = Passwords.verify

    async def counting_verify(self: Passwords, stored: str, password: str) -> bool:
        verified.append(password)
        return await real_verify(self, stored, password)

    monkeypatch.setattr(Passwords, "verify", counting_verify)
    with refused(Unauthenticated, "invalid_credentials"):
        await service.login(username=player.username, password="wrong password!")
    with refused(Unauthenticated, "invalid_credentials"):
        await service.login(username=unique("nobody"), password="wrong password?")
    assert verified == ["wrong password!", "wrong password?"]


async def test_five_failures_lock_an_account_until_the_window_passes(
    service: Players,
    unique: Callable[[str], str],
    clock: ManualClock,
    registry: CollectorRegistry,
) -> None:
    player, _ = await register(service, unique)
    first_failure = clock.now
    for _ in range(5):
        with refused(Unauthenticated, "invalid_credentials"):
            await service.login(username=player.username, password="wrong password!")
        clock.advance(seconds=30)
    # Locked: even the right password is refused, without being checked.
    with refused(TooManyRequests, "too_many_attempts"):
        await service.login(username=player.username, password=PASSWORD)
    clock.now = first_failure + timedelta(minutes=15, seconds=-1)
    with refused(TooManyRequests, "too_many_attempts"):
        await service.login(username=player.username, password=PASSWORD)
    clock.now = first_failure + timedelta(minutes=15)  # the first failure leaves the window
    await service.login(username=player.username, password=PASSWORD)
    assert metric(registry, "tablium_auth_logins_total", outcome="throttled") == 2


async def test_twenty_failures_from_one_address_lock_it(
    service: Players, unique: Callable[[str], str]
) -> None:
    player, _ = await register(service, unique)
    for _ in range(20):
        with refused(Unauthenticated, "invalid_credentials"):
            await service.login(username=unique("guess"), password=PASSWORD, ip="203.0.113.9")
    with refused(TooManyRequests, "too_many_attempts"):
        await service.login(username=player.username, password=PASSWORD, ip="203.0.113.9")
    await service.login(username=player.username, password=PASSWORD, ip="203.0.113.10")


async def test_a_success_forgives_the_accounts_earlier_failures(
    service: Players, unique: Callable[[str], str]
) -> None:
    player, _ = await register(service, unique)
    for _ in range(4):
        with refused(Unauthenticated, "invalid_credentials"):
            await service.login(username=player.username, password="wrong password!")
    await service.login(username=player.username, password=PASSWORD)
    for _ in range(4):
        with refused(Unauthenticated, "invalid_credentials"):
            await service.login(username=player.username, password="wrong password!")
    await service.login(username=player.username, password=PASSWORD)


async def test_a_hash_made_with_old_parameters_is_upgraded_at_login(
    engine: AsyncEngine, settings: Settings, clock: ManualClock, unique: Callable[[str], str]
) -> None:
    old = Players(engine, settings, clock=clock)
    player, _ = await register(old, unique)
    stronger = replace(settings, argon2_time_cost=2, argon2_memory_kib=16)
    new = Players(engine, stronger, clock=clock)

    async def stored_hash() -> str:
        async with engine.connect() as connection:
            value = await connection.scalar(
                select(players.c.password_hash).where(players.c.id == player.id)
            )
        assert isinstance(value, str)
        return value

    before = await stored_hash()
    await new.login(username=player.username, password=PASSWORD)
    after = await stored_hash()
    assert "t=1" in before and "m=8," in before
    assert "t=2" in after and "m=16," in after
    await new.login(username=player.username, password=PASSWORD)  # the new hash verifies
    assert await stored_hash() == after  # and is not rehashed again


# --- Refresh-token rotation ------------------------------------------------------------------


async def test_refreshing_rotates_within_the_same_session(
    service: Players, unique: Callable[[str], str], registry: CollectorRegistry
) -> None:
    _, first = await register(service, unique)
    second = await service.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token
    before = await service.authenticate(first.access_token)
    after = await service.authenticate(second.access_token)
    assert before == after
    third = await service.refresh(second.refresh_token)
    assert (await service.authenticate(third.access_token)).session_id == before.session_id
    assert metric(registry, "tablium_auth_refreshes_total", outcome="ok") == 2


async def test_reusing_a_rotated_token_ends_the_whole_family(
    service: Players,
    engine: AsyncEngine,
    unique: Callable[[str], str],
    registry: CollectorRegistry,
) -> None:
    player, first = await register(service, unique)
    _, elsewhere = await service.login(username=player.username, password=PASSWORD)
    second = await service.refresh(first.refresh_token)
    session_id = (await service.authenticate(second.access_token)).session_id

    with refused(Unauthenticated, "token_reused"):
        await service.refresh(first.refresh_token)  # the thief, or the player, comes back

    with refused(Unauthenticated, "session_revoked"):
        await service.refresh(second.refresh_token)  # the newest token of the family too
    for access in (first.access_token, second.access_token):
        with refused(Unauthenticated, "session_revoked"):
            await service.authenticate(access)
    # The player's other session is untouched.
    await service.authenticate(elsewhere.access_token)
    await service.refresh(elsewhere.refresh_token)

    assert ("session.reuse_detected", {"session_id": session_id, "revoked": True}) in (
        await audit_actions(engine, player.id)
    )
    async with engine.connect() as connection:
        reason = await connection.scalar(
            select(sessions.c.revoked_reason).where(sessions.c.id == session_id)
        )
    assert reason == "token_reused"
    assert metric(registry, "tablium_auth_refreshes_total", outcome="reused") == 1
    assert metric(registry, "tablium_auth_refreshes_total", outcome="invalid") == 1


async def test_two_simultaneous_uses_of_one_token_count_as_a_reuse(
    service: Players, unique: Callable[[str], str]
) -> None:
    _, tokens = await register(service, unique)
    outcomes = await asyncio.gather(
        service.refresh(tokens.refresh_token),
        service.refresh(tokens.refresh_token),
        return_exceptions=True,
    )
    winners = [outcome for outcome in outcomes if isinstance(outcome, TokenPair)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    assert len(winners) == 1
    assert [loser.code for loser in losers] == ["token_reused"]
    with refused(Unauthenticated, "session_revoked"):
        await service.authenticate(winners[0].access_token)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_of_two_transactions_rotating_one_token_the_second_finds_a_reuse(
    engine: AsyncEngine,
    settings: Settings,
    service: Players,
    unique: Callable[[str], str],
    clock: ManualClock,
) -> None:
    """Both read the token unused; the row lock makes the second UPDATE wait for the first to
    commit, then match no row. PostgreSQL only: SQLite runs one writer at a time, so this race
    cannot arise there."""
    _, tokens = await register(service, unique)
    assert settings.jwt_secret is not None
    store = SessionStore(
        secret=settings.jwt_secret, access_ttl=timedelta(minutes=1), refresh_ttl=timedelta(days=1)
    )
    now = clock.now
    async with engine.connect() as first, engine.connect() as second:
        await first.begin()
        await second.begin()
        assert isinstance(
            await store.rotate(first, tokens.refresh_token, now=now, ip=None), TokenPair
        )
        racing = asyncio.create_task(store.rotate(second, tokens.refresh_token, now=now, ip=None))
        await asyncio.sleep(0.2)
        assert not racing.done()  # waiting for the first transaction's row lock
        await first.commit()
        outcome = await racing
        await second.commit()
    assert isinstance(outcome, Unauthenticated)
    assert outcome.code == "token_reused"


async def test_a_rotated_token_presented_after_logout_is_still_reported_as_a_reuse(
    service: Players, engine: AsyncEngine, unique: Callable[[str], str]
) -> None:
    player, first = await register(service, unique)
    second = await service.refresh(first.refresh_token)
    await service.logout(second.refresh_token)
    with refused(Unauthenticated, "token_reused"):
        await service.refresh(first.refresh_token)
    reuses = [a for a in await audit_actions(engine, player.id) if a[0] == "session.reuse_detected"]
    assert [details["revoked"] for _, details in reuses] == [False]  # it had already ended


async def test_unknown_and_expired_refresh_tokens_are_refused(
    service: Players,
    unique: Callable[[str], str],
    clock: ManualClock,
    registry: CollectorRegistry,
) -> None:
    _, tokens = await register(service, unique)
    with refused(Unauthenticated, "token_invalid"):
        await service.refresh("no-such-token")
    clock.advance(days=30)
    with refused(Unauthenticated, "token_expired"):
        await service.refresh(tokens.refresh_token)
    assert metric(registry, "tablium_auth_refreshes_total", outcome="expired") == 1
    assert metric(registry, "tablium_auth_refreshes_total", outcome="invalid") == 1


async def test_a_refresh_token_works_until_its_last_second(
    service: Players, unique: Callable[[str], str], clock: ManualClock
) -> None:
    _, tokens = await register(service, unique)
    clock.advance(days=30, seconds=-1)
    await service.refresh(tokens.refresh_token)


async def test_an_expired_access_token_is_refused_and_a_refresh_gets_a_new_one(
    service: Players, unique: Callable[[str], str], clock: ManualClock
) -> None:
    _, tokens = await register(service, unique)
    clock.advance(minutes=15)
    with refused(Unauthenticated, "token_expired"):
        await service.authenticate(tokens.access_token)
    fresh = await service.refresh(tokens.refresh_token)
    await service.authenticate(fresh.access_token)


async def test_an_access_token_for_a_session_that_does_not_exist_is_refused(
    service: Players, settings: Settings, unique: Callable[[str], str], clock: ManualClock
) -> None:
    player, _ = await register(service, unique)
    assert settings.jwt_secret is not None
    forged = issue_access_token(
        secret=settings.jwt_secret,
        player_id=player.id,
        role="admin",
        session_id="0" * 32,
        now=clock.now,
        ttl=timedelta(minutes=5),
    )
    with refused(Unauthenticated, "token_invalid"):
        await service.authenticate(forged)


# --- Logout ------------------------------------------------------------------------------------


async def test_logout_ends_the_session_once_and_is_idempotent(
    service: Players, engine: AsyncEngine, unique: Callable[[str], str]
) -> None:
    player, tokens = await register(service, unique)
    session_id = (await service.authenticate(tokens.access_token)).session_id
    await service.logout(tokens.refresh_token)
    with refused(Unauthenticated, "session_revoked"):
        await service.authenticate(tokens.access_token)
    with refused(Unauthenticated, "session_revoked"):
        await service.refresh(tokens.refresh_token)
    await service.logout(tokens.refresh_token)  # again: nothing happens
    logouts = [a for a in await audit_actions(engine, player.id) if a[0] == "session.logout"]
    assert logouts == [("session.logout", {"session_id": session_id})]
    with refused(Unauthenticated, "token_invalid"):
        await service.logout("no-such-token")


# --- Roles and disabled accounts ---------------------------------------------------------------


async def test_a_role_change_applies_to_existing_tokens_at_once(
    service: Players, unique: Callable[[str], str]
) -> None:
    player, tokens = await register(service, unique)
    await service.set_role(actor=ADMIN, player_id=player.id, role=Role.DIRECTOR)
    assert (await service.authenticate(tokens.access_token)).role is Role.DIRECTOR
    await service.set_role(actor=ADMIN, player_id=player.id, role=Role.PLAYER)
    assert (await service.authenticate(tokens.access_token)).role is Role.PLAYER


async def test_a_disabled_account_loses_its_sessions_and_cannot_log_in(
    service: Players, unique: Callable[[str], str], registry: CollectorRegistry
) -> None:
    player, tokens = await register(service, unique)
    await service.set_disabled(actor=ADMIN, player_id=player.id, disabled=True)
    with refused(Unauthenticated, "session_revoked"):
        await service.authenticate(tokens.access_token)
    with refused(Unauthenticated, "session_revoked"):
        await service.refresh(tokens.refresh_token)
    with refused(Forbidden, "account_disabled"):
        await service.login(username=player.username, password=PASSWORD)
    # Only someone who knows the password learns that the account is disabled.
    with refused(Unauthenticated, "invalid_credentials"):
        await service.login(username=player.username, password="wrong password!")
    assert metric(registry, "tablium_auth_logins_total", outcome="disabled") == 1

    await service.set_disabled(actor=ADMIN, player_id=player.id, disabled=False)
    _, again = await service.login(username=player.username, password=PASSWORD)
    await service.authenticate(again.access_token)
    with refused(Unauthenticated, "session_revoked"):  # re-enabling revives no old session
        await service.authenticate(tokens.access_token)


# --- Signing key -------------------------------------------------------------------------------


async def test_without_a_configured_key_every_process_shares_one_generated_key(
    empty_database_url: str, unique: Callable[[str], str]
) -> None:
    settings = Settings(database_url=empty_database_url, argon2_time_cost=1, argon2_memory_kib=8)
    engines = [create_engine(empty_database_url, pool_size=2) for _ in range(3)]
    try:
        processes = [Players(engine, settings) for engine in engines]
        await asyncio.gather(*(process.start() for process in processes))
        _, tokens = await register(processes[0], unique)
        for process in processes[1:]:
            await process.authenticate(tokens.access_token)
        async with engines[0].connect() as connection:
            keys = (await connection.execute(select(server_keys.c.value))).scalars().all()
        assert len(keys) == 1
        assert len(bytes.fromhex(keys[0])) == 64
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_configured_key_must_be_long_enough(
    engine: AsyncEngine, settings: Settings
) -> None:
    with pytest.raises(SettingsError, match="at least 32 bytes"):
        await Players(engine, replace(settings, jwt_secret="short")).start()


async def test_tokens_signed_with_another_key_are_refused(
    service: Players, engine: AsyncEngine, settings: Settings, unique: Callable[[str], str]
) -> None:
    _, tokens = await register(service, unique)
    other = Players(engine, replace(settings, jwt_secret="another-key-" + "x" * 40))
    with refused(Unauthenticated, "token_invalid"):
        await other.authenticate(tokens.access_token)


# --- Logs --------------------------------------------------------------------------------------


async def test_auth_logs_never_carry_passwords_or_tokens(
    service: Players, unique: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    player, tokens = await register(service, unique)
    with refused(Unauthenticated, "invalid_credentials"):
        await service.login(username=player.username, password="wrong password!")
    _, second = await service.login(username=player.username, password=PASSWORD)
    rotated = await service.refresh(second.refresh_token)
    with refused(Unauthenticated, "token_reused"):
        await service.refresh(second.refresh_token)
    await service.logout(tokens.refresh_token)

    secrets = [PASSWORD, "wrong password!"] + [
        value
        for pair in (tokens, second, rotated)
        for value in (pair.access_token, pair.refresh_token)
    ]
    records = [r for r in caplog.records if r.name in ("tablium.auth", "tablium.audit")]
    assert {r.getMessage() for r in records} >= {
        "player registered",
        "login failed",
        "login succeeded",
        "refresh token reused; session revoked",
        "logged out",
    }
    for record in records:
        text = repr(record.__dict__)
        assert not [secret for secret in secrets if secret in text], record.getMessage()
