"""Players in the database: accounts, login and sessions, profiles, roles and statistics.

The shell around the pure player modules (``profile``, ``levels``, ``stats``, ``tokens``): it
validates, hashes, throttles, runs one transaction per method, counts metrics and logs. Changes to
players, roles and sessions append their audit row in the same transaction as the change.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import RowMapping, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tablium.clock import Clock, utc_now
from tablium.db import audit
from tablium.db.audit import Actor
from tablium.db.schema import player_stats, players, server_keys
from tablium.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from tablium.players import counters
from tablium.players.levels import XP_PER_HAND, level_for
from tablium.players.passwords import Passwords
from tablium.players.profile import (
    Preferences,
    Role,
    email_key,
    username_key,
    validate_avatar_url,
    validate_country,
    validate_display_name,
    validate_email,
    validate_password,
    validate_preferences,
    validate_username,
)
from tablium.players.sessions import (
    Principal,
    SessionStore,
    TokenPair,
    check_session,
    revoke_sessions,
)
from tablium.players.stats import (
    PlayerStats,
    TournamentResult,
    hand_stat_deltas,
    tournament_stat_deltas,
)
from tablium.players.throttle import LoginThrottle
from tablium.players.tokens import MIN_SECRET_BYTES, decode_access_token, new_signing_key
from tablium.poker.history import HandHistory
from tablium.settings import Settings, SettingsError

logger = logging.getLogger("tablium.auth")

SIGNING_KEY_NAME = "jwt"
CURRENCY_MAX = 16
"""Length of ``player_winnings.currency``."""
LOGIN_PASSWORD_LIMIT = 1024
"""Longer login passwords cannot match (registration caps them far lower): refused unhashed."""


class Player(msgspec.Struct, frozen=True, kw_only=True):
    """A player as they see themselves (and as admins see them)."""

    id: str
    username: str
    display_name: str
    role: Role
    avatar_url: str | None
    country: str | None
    preferences: Preferences
    xp: int
    level: int
    created_at: datetime
    self_excluded_until: datetime | None = None
    email: str | None = None
    disabled: bool = False


class PublicPlayer(msgspec.Struct, frozen=True, kw_only=True):
    """What other players may see of a player."""

    id: str
    username: str
    display_name: str
    avatar_url: str | None
    country: str | None
    xp: int
    level: int


class ProfileUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A partial profile change: fields left unset keep their value; ``None`` clears a field."""

    display_name: str | msgspec.UnsetType = msgspec.UNSET
    avatar_url: str | msgspec.UnsetType | None = msgspec.UNSET
    country: str | msgspec.UnsetType | None = msgspec.UNSET
    preferences: Preferences | msgspec.UnsetType = msgspec.UNSET


_PLAYER_COLUMNS = [
    column
    for column in players.c
    if column.name not in ("password_hash", "username_key", "email_key")
]
_PREFERENCE_FIELDS = frozenset(Preferences.__struct_fields__)


def _player(row: RowMapping) -> Player:
    # Preference keys written by another version of the server are dropped rather than
    # refused; missing ones take their defaults.
    stored = row["preferences"] or {}
    preferences = msgspec.convert(
        {key: value for key, value in stored.items() if key in _PREFERENCE_FIELDS}, Preferences
    )
    return Player(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        avatar_url=row["avatar_url"],
        country=row["country"],
        preferences=preferences,
        xp=row["xp"],
        level=level_for(row["xp"]),
        created_at=row["created_at"],
        self_excluded_until=row["self_excluded_until"],
        email=row["email"],
        disabled=row["disabled"],
    )


def public_view(player: Player) -> PublicPlayer:
    return PublicPlayer(
        id=player.id,
        username=player.username,
        display_name=player.display_name,
        avatar_url=player.avatar_url,
        country=player.country,
        xp=player.xp,
        level=player.level,
    )


class Players:
    """Registration, login and sessions, profiles, roles, and statistics of players."""

    def __init__(
        self,
        engine: AsyncEngine,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._clock = clock
        self._passwords = Passwords.from_settings(settings)
        self._throttle = LoginThrottle()
        self._sessions: SessionStore | None = None
        registry = registry if registry is not None else CollectorRegistry()
        self._logins = Counter(
            "tablium_auth_logins", "Login attempts by outcome.", ["outcome"], registry=registry
        )
        self._refreshes = Counter(
            "tablium_auth_refreshes",
            "Refresh-token rotations by outcome.",
            ["outcome"],
            registry=registry,
        )
        self._registered = Counter(
            "tablium_players_registered", "Players registered.", registry=registry
        )
        for outcome in ("ok", "invalid", "throttled", "disabled"):
            self._logins.labels(outcome)
        for outcome in ("ok", "reused", "invalid", "expired"):
            self._refreshes.labels(outcome)

    async def start(self) -> None:
        """Load the token signing key: the configured one, else the one kept in the database.

        The first process to start generates the key; ``INSERT … ON CONFLICT DO NOTHING`` then
        ``SELECT`` makes processes starting at the same moment all end up with the same key.
        """
        await self._passwords.prepare()
        secret = self._settings.jwt_secret
        if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"TABLIUM_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        if secret is None:
            now = self._clock()
            async with self._engine.begin() as connection:
                await connection.execute(
                    counters.upsert(connection, server_keys)
                    .values(name=SIGNING_KEY_NAME, value=new_signing_key(), created_at=now)
                    .on_conflict_do_nothing(index_elements=[server_keys.c.name])
                )
                secret = await connection.scalar(
                    select(server_keys.c.value).where(server_keys.c.name == SIGNING_KEY_NAME)
                )
        assert secret is not None
        self._sessions = SessionStore(
            secret=secret,
            access_ttl=timedelta(seconds=self._settings.access_token_ttl),
            refresh_ttl=timedelta(seconds=self._settings.refresh_token_ttl),
        )

    async def _session_store(self) -> SessionStore:
        if self._sessions is None:
            await self.start()
        assert self._sessions is not None
        return self._sessions

    # --- Registration and login ----------------------------------------------------------------

    async def register(
        self,
        *,
        username: str,
        password: str,
        display_name: str | None = None,
        email: str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> tuple[Player, TokenPair]:
        """Create a player account (role ``player``) and log it in."""
        validate_username(username)
        validate_password(password, username=username)
        display_name = validate_display_name(username if display_name is None else display_name)
        if email is not None:
            validate_email(email)
        password_hash = await self._passwords.hash(password)
        store = await self._session_store()
        now = self._clock()
        player_id = uuid.uuid4().hex
        try:
            async with self._engine.begin() as connection:
                await self._insert_player(
                    connection,
                    player_id=player_id,
                    username=username,
                    password_hash=password_hash,
                    display_name=display_name,
                    email=email,
                    role=Role.PLAYER,
                    now=now,
                )
                await audit.record(
                    connection,
                    at=now,
                    actor=Actor(id=player_id, role=Role.PLAYER, ip=ip),
                    action="player.register",
                    target=player_id,
                    details={"username": username, "role": Role.PLAYER},
                )
                tokens = await store.open(
                    connection,
                    player_id=player_id,
                    role=Role.PLAYER,
                    now=now,
                    ip=ip,
                    user_agent=user_agent,
                )
                player = await self._fetch(connection, player_id)
        except IntegrityError as exc:
            # Two registrations of one name at the same moment: the unique index decides.
            raise _taken(exc) from None
        self._registered.inc()
        logger.info("player registered", extra={"player_id": player_id, "ip": ip})
        return player, tokens

    async def login(
        self,
        *,
        username: str,
        password: str,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> tuple[Player, TokenPair]:
        """Check a username and password and open a session.

        An unknown username and a wrong password give the same error in about the same time.
        Attempts are throttled per account and per address (``LoginThrottle``). That an account
        is disabled is told only to someone who knows its password.
        """
        key = username_key(username)
        now = self._clock()
        attempt = self._throttle.try_attempt(now, account=key, ip=ip)
        if attempt is None:
            self._logins.labels("throttled").inc()
            logger.warning("login throttled", extra={"username_key": key[:64], "ip": ip})
            wait = self._throttle.retry_after(now, account=key, ip=ip)
            seconds = max(1, math.ceil(wait.total_seconds()))
            raise TooManyRequests(
                f"too many failed login attempts; try again in {seconds} s",
                code="too_many_attempts",
                retry_after=seconds,
            )
        async with self._engine.connect() as connection:
            result = await connection.execute(
                select(players.c.id, players.c.password_hash).where(players.c.username_key == key)
            )
            row = result.mappings().one_or_none()
        if len(password) > LOGIN_PASSWORD_LIMIT:
            valid = False
        elif row is None:
            await self._passwords.verify_dummy(password)
            valid = False
        else:
            valid = await self._passwords.verify(row["password_hash"], password)
        if not valid or row is None:
            self._logins.labels("invalid").inc()
            logger.info("login failed", extra={"username_key": key[:64], "ip": ip})
            raise Unauthenticated("wrong username or password", code="invalid_credentials")
        self._throttle.succeeded(attempt)
        player_id = row["id"]
        new_hash = None
        if self._passwords.needs_rehash(row["password_hash"]):
            new_hash = await self._passwords.hash(password)
        store = await self._session_store()
        now = self._clock()
        async with self._engine.begin() as connection:
            player = await self._fetch(connection, player_id)
            if player.disabled:
                self._logins.labels("disabled").inc()
                logger.info("login refused: account disabled", extra={"player_id": player_id})
                raise Forbidden("this account is disabled", code="account_disabled")
            if new_hash is not None:
                await connection.execute(
                    sa.update(players)
                    .where(players.c.id == player_id)
                    .values(password_hash=new_hash)
                )
            tokens = await store.open(
                connection,
                player_id=player_id,
                role=player.role,
                now=now,
                ip=ip,
                user_agent=user_agent,
            )
        self._logins.labels("ok").inc()
        logger.info(
            "login succeeded",
            extra={"player_id": player_id, "ip": ip, "rehashed": new_hash is not None},
        )
        return player, tokens

    async def create_admin(self, *, username: str, password: str) -> Player:
        """Make ``username`` an administrator who can log in with ``password``.

        For the operator at the command line: creates the account, or promotes an existing one,
        sets its password and re-enables it, so it is also the way back in for an operator
        locked out of every admin account. Each change is audited with the actor ``cli``.
        """
        validate_username(username)
        validate_password(password, username=username)
        password_hash = await self._passwords.hash(password)
        now = self._clock()
        actor = Actor.system("cli")
        async with self._engine.begin() as connection:
            result = await connection.execute(
                select(players.c.id, players.c.role, players.c.disabled)
                .where(players.c.username_key == username_key(username))
                .with_for_update()
            )
            row = result.mappings().one_or_none()
            if row is None:
                player_id = uuid.uuid4().hex
                await self._insert_player(
                    connection,
                    player_id=player_id,
                    username=username,
                    password_hash=password_hash,
                    display_name=validate_display_name(username),
                    email=None,
                    role=Role.ADMIN,
                    now=now,
                )
                changes: list[tuple[str, dict[str, Any]]] = [
                    ("player.register", {"username": username, "role": Role.ADMIN})
                ]
            else:
                player_id = row["id"]
                await connection.execute(
                    sa.update(players)
                    .where(players.c.id == player_id)
                    .values(role=Role.ADMIN, password_hash=password_hash, disabled=False)
                )
                changes = [("player.password", {"reset": True})]
                if row["role"] != Role.ADMIN:
                    changes.append(("player.role", {"old": row["role"], "new": Role.ADMIN}))
                if row["disabled"]:
                    changes.append(("player.disabled", {"old": True, "new": False}))
            for action, details in changes:
                await audit.record(
                    connection,
                    at=now,
                    actor=actor,
                    action=action,
                    target=player_id,
                    details=details,
                )
            player = await self._fetch(connection, player_id)
        logger.info("admin created", extra={"player_id": player_id, "new": row is None})
        return player

    async def _insert_player(
        self,
        connection: AsyncConnection,
        *,
        player_id: str,
        username: str,
        password_hash: str,
        display_name: str,
        email: str | None,
        role: Role,
        now: datetime,
    ) -> None:
        key = username_key(username)
        mail_key = email_key(email) if email is not None else None
        clash = players.c.username_key == key
        if mail_key is not None:
            clash = clash | (players.c.email_key == mail_key)
        taken = (await connection.scalars(select(players.c.username_key).where(clash))).all()
        if key in taken:
            raise Conflict(f"the username {username!r} is taken", code="username_taken")
        if taken:
            raise Conflict("an account with this email address exists", code="email_taken")
        await connection.execute(
            players.insert().values(
                id=player_id,
                username=username,
                username_key=key,
                email=email,
                email_key=mail_key,
                password_hash=password_hash,
                role=role,
                display_name=display_name,
                preferences=msgspec.to_builtins(Preferences()),
                created_at=now,
            )
        )
        await connection.execute(player_stats.insert().values(player_id=player_id))

    # --- Sessions --------------------------------------------------------------------------------

    async def refresh(self, refresh_token: str, *, ip: str | None = None) -> TokenPair:
        """Rotate a refresh token: mark it used and issue a new pair in the same session.

        A token used a second time ends its whole session (``token_reused``).
        """
        store = await self._session_store()
        now = self._clock()
        try:
            async with self._engine.begin() as connection:
                outcome = await store.rotate(connection, refresh_token, now=now, ip=ip)
        except DomainError as exc:
            self._refreshes.labels("expired" if exc.code == "token_expired" else "invalid").inc()
            logger.info("refresh refused", extra={"code": exc.code, "ip": ip})
            raise
        if isinstance(outcome, DomainError):
            # Raised only now: the revocation of the session had to be committed first.
            self._refreshes.labels("reused").inc()
            raise outcome
        self._refreshes.labels("ok").inc()
        return outcome

    async def logout(self, refresh_token: str, *, ip: str | None = None) -> None:
        """End the session of ``refresh_token``; ending an ended session does nothing."""
        async with self._engine.begin() as connection:
            ended = await (await self._session_store()).end(
                connection, refresh_token, now=self._clock(), ip=ip
            )
        if ended is not None:
            logger.info("logged out", extra={"session_id": ended})

    async def authenticate(self, access_token: str) -> Principal:
        """The caller behind an access token, with their current role.

        ``Unauthenticated`` when the token is invalid or expired or its session has ended;
        ``Forbidden`` when the account is disabled.
        """
        store = await self._session_store()
        claims = decode_access_token(access_token, secret=store.secret, now=self._clock())
        async with self._engine.connect() as connection:
            return await check_session(connection, claims)

    # --- Reading players -----------------------------------------------------------------------

    async def get(self, player_id: str) -> Player:
        async with self._engine.connect() as connection:
            return await self._fetch(connection, player_id)

    async def public(self, player_id: str) -> PublicPlayer:
        return public_view(await self.get(player_id))

    async def is_disabled(self, player_id: str) -> bool:
        """Whether the account is disabled (also ``Player.disabled``)."""
        return (await self.get(player_id)).disabled

    async def find_by_username(self, username: str) -> Player:
        async with self._engine.connect() as connection:
            result = await connection.execute(
                select(*_PLAYER_COLUMNS).where(players.c.username_key == username_key(username))
            )
            row = result.mappings().one_or_none()
        if row is None:
            raise NotFound(f"no player is called {username!r}", code="unknown_player")
        return _player(row)

    async def _fetch(self, connection: AsyncConnection, player_id: str) -> Player:
        result = await connection.execute(select(*_PLAYER_COLUMNS).where(players.c.id == player_id))
        row = result.mappings().one_or_none()
        if row is None:
            raise NotFound(f"no player {player_id}", code="unknown_player")
        return _player(row)

    # --- Changing players ----------------------------------------------------------------------

    async def update_profile(self, player_id: str, update: ProfileUpdate) -> Player:
        """Change the fields set in ``update``, each validated; audited as ``player.profile``."""
        values: dict[str, Any] = {}
        if update.display_name is not msgspec.UNSET:
            values["display_name"] = validate_display_name(update.display_name)
        if update.avatar_url is not msgspec.UNSET:
            url = update.avatar_url
            values["avatar_url"] = None if url is None else validate_avatar_url(url)
        if update.country is not msgspec.UNSET:
            country = update.country
            values["country"] = None if country is None else validate_country(country)
        if update.preferences is not msgspec.UNSET:
            values["preferences"] = msgspec.to_builtins(validate_preferences(update.preferences))
        async with self._engine.begin() as connection:
            if values:
                await connection.execute(
                    sa.update(players).where(players.c.id == player_id).values(**values)
                )
            player = await self._fetch(connection, player_id)
            if values:
                await audit.record(
                    connection,
                    at=self._clock(),
                    actor=Actor(id=player_id, role=player.role),
                    action="player.profile",
                    target=player_id,
                    details={"fields": sorted(values)},
                )
        return player

    async def set_role(self, *, actor: Actor, player_id: str, role: Role) -> Player:
        """Give a player a server role; audited as ``player.role``. The caller has checked that
        ``actor`` is an admin. The last enabled admin cannot be demoted (``last_admin``)."""
        try:
            role = Role(role)
        except ValueError:
            raise InvalidInput(f"no role {role!r}", code="invalid_role") from None
        now = self._clock()
        async with self._engine.begin() as connection:
            admins = await self._lock_enabled_admins(connection)
            row = await self._lock_player(connection, player_id)
            old = Role(row["role"])
            if old is not role:
                if admins == {player_id}:
                    raise Conflict("the last admin cannot be demoted", code="last_admin")
                await connection.execute(
                    sa.update(players).where(players.c.id == player_id).values(role=role)
                )
                await audit.record(
                    connection,
                    at=now,
                    actor=actor,
                    action="player.role",
                    target=player_id,
                    details={"old": old, "new": role},
                )
            player = await self._fetch(connection, player_id)
        if old is not role:
            logger.info(
                "role changed",
                extra={"player_id": player_id, "old": old, "new": role, "actor": actor.id},
            )
        return player

    async def set_disabled(self, *, actor: Actor, player_id: str, disabled: bool) -> Player:
        """Disable an account, ending all its sessions, or enable it again; audited as
        ``player.disabled``. The last enabled admin cannot be disabled (``last_admin``)."""
        now = self._clock()
        async with self._engine.begin() as connection:
            admins = await self._lock_enabled_admins(connection)
            row = await self._lock_player(connection, player_id)
            changed = row["disabled"] != disabled
            if changed:
                if disabled and admins == {player_id}:
                    raise Conflict("the last admin cannot be disabled", code="last_admin")
                await connection.execute(
                    sa.update(players).where(players.c.id == player_id).values(disabled=disabled)
                )
                revoked = 0
                if disabled:
                    revoked = await revoke_sessions(
                        connection, now=now, reason="disabled", player_id=player_id
                    )
                await audit.record(
                    connection,
                    at=now,
                    actor=actor,
                    action="player.disabled",
                    target=player_id,
                    details={"old": row["disabled"], "new": disabled, "sessions_revoked": revoked},
                )
            player = await self._fetch(connection, player_id)
        if changed:
            logger.info(
                "account disabled" if disabled else "account enabled",
                extra={"player_id": player_id, "actor": actor.id},
            )
        return player

    async def _lock_enabled_admins(self, connection: AsyncConnection) -> set[str]:
        # Every role or account change locks the enabled admins first, in id order: two admins
        # demoting each other at once are serialised (the second sees it would leave none), and
        # the fixed order rules out deadlocks between such transactions.
        rows = await connection.scalars(
            select(players.c.id)
            .where(players.c.role == Role.ADMIN, players.c.disabled.is_not(true()))
            .order_by(players.c.id)
            .with_for_update()
        )
        return set(rows)

    async def _lock_player(self, connection: AsyncConnection, player_id: str) -> RowMapping:
        result = await connection.execute(
            select(players.c.role, players.c.disabled)
            .where(players.c.id == player_id)
            .with_for_update()
        )
        row = result.mappings().one_or_none()
        if row is None:
            raise NotFound(f"no player {player_id}", code="unknown_player")
        return row

    # --- Statistics ----------------------------------------------------------------------------

    async def stats(self, player_id: str) -> PlayerStats:
        async with self._engine.connect() as connection:
            return await counters.read_stats(connection, player_id)

    async def record_hand(self, history: HandHistory, *, currency: str) -> bool:
        """Count a finished cash-game hand in its players' statistics and experience.

        Idempotent: a hand already counted changes nothing and returns False. Seats whose
        player id is not a registered player's (bots, guests) are left out.
        """
        if not 1 <= len(currency) <= CURRENCY_MAX:
            raise InvalidInput(f"invalid currency {currency!r}", code="invalid_currency")
        deltas = hand_stat_deltas(history)
        async with self._engine.begin() as connection:
            source = f"hand:{history.hand_id}"
            if not await counters.claim_source(connection, source, self._clock()):
                return False
            ids = await counters.registered(connection, deltas)
            await counters.add_counters(
                connection,
                {
                    pid: {
                        "hands_played": deltas[pid].hands,
                        "vpip_hands": deltas[pid].vpip,
                        "pfr_hands": deltas[pid].pfr,
                    }
                    for pid in ids
                },
            )
            await counters.add_winnings(
                connection, currency, {pid: deltas[pid].net_won for pid in ids}
            )
            await counters.add_xp(connection, dict.fromkeys(ids, XP_PER_HAND))
        return True

    async def record_tournament(
        self, tournament_id: str, results: Sequence[TournamentResult], *, cashed_places: int
    ) -> bool:
        """Count a finished tournament in its players' statistics and experience.

        Idempotent per tournament (False when already counted); results of players who are not
        registered are left out.
        """
        deltas = tournament_stat_deltas(results, cashed_places=cashed_places)
        async with self._engine.begin() as connection:
            source = f"tournament:{tournament_id}"
            if not await counters.claim_source(connection, source, self._clock()):
                return False
            ids = await counters.registered(connection, deltas)
            await counters.add_counters(
                connection,
                {
                    pid: {
                        "tournaments_played": deltas[pid].played,
                        "tournaments_cashed": deltas[pid].cashed,
                        "tournaments_won": deltas[pid].won,
                    }
                    for pid in ids
                },
            )
            await counters.add_xp(connection, {pid: deltas[pid].xp for pid in ids})
        return True


def _taken(error: IntegrityError) -> Conflict:
    """Which unique index refused a new player (the message names it on both databases)."""
    if "email_key" in str(error.orig):
        return Conflict("an account with this email address exists", code="email_taken")
    return Conflict("this username is taken", code="username_taken")


__all__ = [
    "Player",
    "PlayerStats",
    "Players",
    "Principal",
    "ProfileUpdate",
    "PublicPlayer",
    "TokenPair",
    "TournamentResult",
    "public_view",
]
