"""The SQL schema, as SQLAlchemy Core tables. Migrations in ``migrations/versions`` create it.

Conventions:
- money and chips are BIGINT minor units, never floats;
- times are UTC (``UtcDateTime``);
- player, session and other opaque ids are 32-character hex strings made by the shell;
- ledger rows (``transfers``, ``postings``) and ``audit_log`` are append-only: database triggers
  refuse UPDATE and DELETE on them (see the first migration).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from tablium.db.types import Id, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ROLES = ("player", "director", "admin")
"""Server-wide roles. Club roles (owner, manager, agent, member) live with the clubs."""

APPEND_ONLY_TABLES = ("transfers", "postings", "audit_log")

# --- Players and sessions -------------------------------------------------------------------------

players = Table(
    "players",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("username", String(32), nullable=False),
    Column("username_key", String(32), nullable=False, unique=True),  # casefolded: one per person
    Column("email", String(254), nullable=True),
    Column("email_key", String(254), nullable=True, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False, server_default="player"),
    Column("display_name", String(64), nullable=False),
    Column("avatar_url", String(512), nullable=True),
    Column("country", String(2), nullable=True),
    Column("preferences", JSON, nullable=False),
    Column("xp", BigInteger, nullable=False, server_default="0"),
    Column("self_excluded_until", UtcDateTime, nullable=True),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("role IN ('player', 'director', 'admin')", name="role"),
    CheckConstraint("xp >= 0", name="xp"),
)

player_stats = Table(
    "player_stats",
    metadata,
    Column("player_id", String(32), ForeignKey("players.id"), primary_key=True),
    Column("hands_played", BigInteger, nullable=False, server_default="0"),
    Column("vpip_hands", BigInteger, nullable=False, server_default="0"),
    Column("pfr_hands", BigInteger, nullable=False, server_default="0"),
    Column("tournaments_played", BigInteger, nullable=False, server_default="0"),
    Column("tournaments_cashed", BigInteger, nullable=False, server_default="0"),
    Column("tournaments_won", BigInteger, nullable=False, server_default="0"),
)

player_winnings = Table(
    "player_winnings",
    metadata,
    Column("player_id", String(32), ForeignKey("players.id"), primary_key=True),
    Column("currency", String(16), primary_key=True),
    Column("net_won", BigInteger, nullable=False, server_default="0"),
)
"""Net won or lost at cash tables, per currency (chips of different currencies never add up)."""

stats_sources = Table(
    "stats_sources",
    metadata,
    Column("source", String(128), primary_key=True),  # "hand:<id>", "tournament:<id>"
    Column("applied_at", UtcDateTime, nullable=False),
)
"""Results already counted in the statistics: applying the same hand twice changes nothing."""

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),  # a refresh-token family
    Column("player_id", String(32), ForeignKey("players.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("revoked_reason", String(32), nullable=True),
    Column("ip", String(64), nullable=True),
    Column("user_agent", String(256), nullable=True),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 hex; the token itself is not kept
    Column("session_id", String(32), ForeignKey("sessions.id"), nullable=False, index=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),  # set when rotated; a second use is a reuse
)

server_keys = Table(
    "server_keys",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
"""Secrets the server generates once and shares between its processes (the JWT signing key)."""

# --- Money ----------------------------------------------------------------------------------------

accounts = Table(
    "accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(24), nullable=False),
    Column("owner", String(64), nullable=False),
    Column("currency", String(16), nullable=False),
    Column("balance", BigInteger, nullable=False, server_default="0"),
    Column("overdraft", Boolean, nullable=False, server_default=false()),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("kind", "owner", "currency", name="uq_accounts_kind_owner_currency"),
    CheckConstraint("overdraft OR balance >= 0", name="balance"),
)
"""One row per owner, kind and currency. Only overdraft accounts (the house, issuers of club chips)
may go below zero: they are where money enters and leaves the ledger."""

transfers = Table(
    "transfers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("request_hash", String(64), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("currency", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False),  # the sum of the credits (= of the debits)
    Column("actor_id", String(64), nullable=True),
    Column("memo", String(256), nullable=True),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    CheckConstraint("amount > 0", name="amount"),
)

postings = Table(
    "postings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("transfer_id", Id, ForeignKey("transfers.id"), nullable=False, index=True),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),  # signed: + credits the account, - debits it
    Column("balance_after", BigInteger, nullable=False),
    CheckConstraint("amount <> 0", name="amount"),
    Index("ix_postings_account_transfer", "account_id", "transfer_id"),
)

player_limits = Table(
    "player_limits",
    metadata,
    Column("player_id", String(32), ForeignKey("players.id"), primary_key=True),
    Column("currency", String(16), primary_key=True),
    Column("kind", String(16), primary_key=True),  # deposit | loss
    Column("period", String(16), primary_key=True),  # day | week | month
    Column("amount", BigInteger, nullable=True),  # in force now; NULL: no limit
    Column("pending_amount", BigInteger, nullable=True),  # a raise waiting for its delay
    Column("pending_from", UtcDateTime, nullable=True),  # NULL: nothing pending
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('deposit', 'loss')", name="kind"),
    CheckConstraint("period IN ('day', 'week', 'month')", name="period"),
)

# --- Audit ----------------------------------------------------------------------------------------

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_id", String(64), nullable=True),  # a player id, or "cli", "system"
    Column("actor_role", String(16), nullable=True),
    Column("action", String(64), nullable=False),  # "transfer.deposit", "player.role", ...
    Column("target", String(128), nullable=True),
    Column("ip", String(64), nullable=True),
    Column("details", JSON, nullable=False),
    Index("ix_audit_log_target", "target"),
)

# --- Hands ----------------------------------------------------------------------------------------

hands = Table(
    "hands",
    metadata,
    Column("id", String(100), primary_key=True),  # "<table id>#<number>"
    Column("table_id", String(64), nullable=False),
    Column("number", BigInteger, nullable=False),  # the table's own count, the wire's `hand`
    Column("currency", String(16), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=False),
    Column("rake", BigInteger, nullable=False),
    Column("commitment", String(64), nullable=True),  # SHA-256 hex of the server seed
    Column("history", Text, nullable=False),  # msgspec JSON of tablium.poker.history.HandHistory
    UniqueConstraint("table_id", "number", name="uq_hands_table_id_number"),
    CheckConstraint("rake >= 0", name="rake"),
)
"""Finished cash-table hands with their full history (every hole card and the revealed seed)."""

hand_players = Table(
    "hand_players",
    metadata,
    Column("hand_id", String(100), ForeignKey("hands.id"), primary_key=True),
    Column("player_id", String(64), primary_key=True),
    Column("seat", Integer, nullable=False),  # table seat, 0-based
    Column("net", BigInteger, nullable=False),  # chips won (+) or lost (-), after rake
    Column("rake_share", BigInteger, nullable=False),  # this player's part of the rake
    Index("ix_hand_players_player_hand", "player_id", "hand_id"),
)
"""One row per player dealt into a hand; rakeback sums ``rake_share`` per player."""

__all__ = [
    "APPEND_ONLY_TABLES",
    "ROLES",
    "accounts",
    "audit_log",
    "hand_players",
    "hands",
    "metadata",
    "player_limits",
    "player_stats",
    "player_winnings",
    "players",
    "postings",
    "refresh_tokens",
    "server_keys",
    "sessions",
    "stats_sources",
    "transfers",
]
