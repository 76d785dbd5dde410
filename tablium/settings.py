"""Settings from environment variables, each with a default that works on a laptop.

Every variable is documented in docs/operations.md. ``Settings.from_env()`` is called once, by the
composition root or a sub-command; nothing else reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("tablium-data")


class SettingsError(ValueError):
    """An environment variable holds a value that cannot be used."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The server's configuration. Durations are in seconds, amounts in minor units."""

    database_url: str
    """``TABLIUM_DATABASE_URL``; default: a SQLite file in ``TABLIUM_DATA_DIR``."""
    data_dir: Path = DEFAULT_DATA_DIR
    """``TABLIUM_DATA_DIR``: where the embedded database lives (default ``./tablium-data``)."""
    jwt_secret: str | None = None
    """``TABLIUM_JWT_SECRET``; unset: a random key generated once and kept in the database."""
    access_token_ttl: int = 15 * 60
    """``TABLIUM_ACCESS_TOKEN_TTL``: lifetime of a JWT access token."""
    refresh_token_ttl: int = 30 * 24 * 3600
    """``TABLIUM_REFRESH_TOKEN_TTL``: lifetime of a refresh token (and of an idle session)."""
    limit_increase_delay: int = 24 * 3600
    """``TABLIUM_LIMIT_INCREASE_DELAY``: wait before a raised or removed limit takes effect."""
    min_self_exclusion: int = 24 * 3600
    """``TABLIUM_MIN_SELF_EXCLUSION``: the shortest self-exclusion (the cool-off period)."""
    currency: str = "CHIP"
    """``TABLIUM_CURRENCY``: the house currency of cash tables and wallets."""
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    """``TABLIUM_ARGON2_TIME_COST`` / ``TABLIUM_ARGON2_MEMORY_KIB``: password hashing cost."""
    db_pool_size: int = 10
    """``TABLIUM_DB_POOL_SIZE``: connections to PostgreSQL per process (SQLite uses one)."""
    log_level: str = "INFO"
    """``TABLIUM_LOG_LEVEL``."""
    demo_tables: bool = False
    """``TABLIUM_DEMO_TABLES``: open the demo cash tables at start (``1``, the default of
    ``Settings.from_env``) or not (``0``)."""
    play_money: int = 0
    """``TABLIUM_PLAY_MONEY``: when above 0, players may top their wallet in the house currency up
    to this amount themselves (``POST /api/me/play-money``). Default: 100,000 on the embedded
    database (a demo or home game), 0 (off) when ``TABLIUM_DATABASE_URL`` is set."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("TABLIUM_DATA_DIR") or DEFAULT_DATA_DIR)
        configured = env.get("TABLIUM_DATABASE_URL")
        url = configured or sqlite_url(data_dir / "tablium.db")
        return cls(
            database_url=normalise_database_url(url),
            data_dir=data_dir,
            jwt_secret=env.get("TABLIUM_JWT_SECRET") or None,
            access_token_ttl=_int(env, "TABLIUM_ACCESS_TOKEN_TTL", 15 * 60, minimum=1),
            refresh_token_ttl=_int(env, "TABLIUM_REFRESH_TOKEN_TTL", 30 * 24 * 3600, minimum=1),
            limit_increase_delay=_int(env, "TABLIUM_LIMIT_INCREASE_DELAY", 24 * 3600),
            min_self_exclusion=_int(env, "TABLIUM_MIN_SELF_EXCLUSION", 24 * 3600, minimum=1),
            currency=env.get("TABLIUM_CURRENCY") or "CHIP",
            argon2_time_cost=_int(env, "TABLIUM_ARGON2_TIME_COST", 3, minimum=1),
            argon2_memory_kib=_int(env, "TABLIUM_ARGON2_MEMORY_KIB", 64 * 1024, minimum=8),
            db_pool_size=_int(env, "TABLIUM_DB_POOL_SIZE", 10, minimum=1),
            log_level=(env.get("TABLIUM_LOG_LEVEL") or "INFO").upper(),
            play_money=_int(env, "TABLIUM_PLAY_MONEY", 0 if configured else 100_000),
            demo_tables=_int(env, "TABLIUM_DEMO_TABLES", 1) > 0,
        )


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def normalise_database_url(url: str) -> str:
    """Pick the async driver for the plain URLs people write.

    >>> normalise_database_url("postgresql://u@db/tablium")
    'postgresql+asyncpg://u@db/tablium'
    >>> normalise_database_url("sqlite:///x.db")
    'sqlite+aiosqlite:///x.db'
    """
    for plain, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    scheme = url.partition(":")[0]
    raise SettingsError(
        f"TABLIUM_DATABASE_URL must be a postgresql:// or sqlite:// URL, not {scheme!r}"
    )
