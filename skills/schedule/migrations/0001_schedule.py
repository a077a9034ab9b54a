"""schedule: meetings declared in chat, skipped dates, marks, chair rotations

Revision ID: 0001_schedule
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_schedule"
down_revision = None
branch_labels = ("schedule",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedule_declared",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(5), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("frequency", sa.String(32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("by_name", sa.String(255), nullable=False),
        sa.Column("by_address", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_schedule_declared"),
    )
    op.create_table(
        "schedule_skips",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", "day", name="pk_schedule_skips"),
    )
    op.create_table(
        "schedule_marks",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("name", "starts_at", "kind", name="pk_schedule_marks"),
    )
    op.create_index("ix_schedule_marks_starts_at", "schedule_marks", ["starts_at"])
    op.create_table(
        "schedule_rotations",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("people", sa.Text(), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_schedule_rotations"),
    )


def downgrade() -> None:
    for table in ("schedule_rotations", "schedule_marks", "schedule_skips",
                  "schedule_declared"):
        op.drop_table(table)
