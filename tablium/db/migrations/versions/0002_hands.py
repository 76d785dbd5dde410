"""hands and hand_players: finished cash-table hands and each player's result and rake share

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hands",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("table_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rake", sa.BigInteger(), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=True),
        sa.Column("history", sa.Text(), nullable=False),
        sa.CheckConstraint("rake >= 0", name=op.f("ck_hands_rake")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hands")),
        sa.UniqueConstraint("table_id", "number", name="uq_hands_table_id_number"),
    )
    op.create_table(
        "hand_players",
        sa.Column("hand_id", sa.String(length=100), nullable=False),
        sa.Column("player_id", sa.String(length=64), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("rake_share", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hand_id"], ["hands.id"], name=op.f("fk_hand_players_hand_id_hands")
        ),
        sa.PrimaryKeyConstraint("hand_id", "player_id", name=op.f("pk_hand_players")),
    )
    op.create_index("ix_hand_players_player_hand", "hand_players", ["player_id", "hand_id"])


def downgrade() -> None:
    op.drop_index("ix_hand_players_player_hand", table_name="hand_players")
    op.drop_table("hand_players")
    op.drop_table("hands")
