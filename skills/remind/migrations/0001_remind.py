"""remind: reminders kept by number (list, cancel, weekly)

Revision ID: 0001_remind
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_remind"
down_revision = None
branch_labels = ("remind",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("by_name", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("at", sa.String(5), nullable=True),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("next_at", sa.DateTime(), nullable=False),
        sa.Column("job", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reminders"),
    )
    op.create_index("ix_reminders_target", "reminders", ["target"])


def downgrade() -> None:
    op.drop_table("reminders")
