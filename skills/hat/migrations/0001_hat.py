"""hat: tasks, done history, claims, volunteers

Revision ID: 0001_hat
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_hat"
down_revision = None
branch_labels = ("hat",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hat_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("unowned_since", sa.DateTime(), nullable=True),
        sa.Column("owner", sa.String(255), nullable=True),
        sa.Column("owner_address", sa.String(255), nullable=True),
        sa.Column("owner_name", sa.String(255), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(), nullable=True),
        sa.Column("nudged_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_hat_tasks"),
    )
    op.create_index("ix_hat_tasks_area", "hat_tasks", ["area"])
    op.create_index("ix_hat_tasks_status", "hat_tasks", ["status"])
    op.create_table(
        "hat_done",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("who", sa.String(255), nullable=False),
        sa.Column("who_name", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["hat_tasks.id"], ondelete="CASCADE",
                                name="fk_hat_done_task_id_hat_tasks"),
        sa.PrimaryKeyConstraint("id", name="pk_hat_done"),
    )
    op.create_index("ix_hat_done_task_id", "hat_done", ["task_id"])
    op.create_index("ix_hat_done_at", "hat_done", ["at"])
    op.create_table(
        "hat_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("waited_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["hat_tasks.id"], ondelete="CASCADE",
                                name="fk_hat_claims_task_id_hat_tasks"),
        sa.PrimaryKeyConstraint("id", name="pk_hat_claims"),
    )
    op.create_index("ix_hat_claims_task_id", "hat_claims", ["task_id"])
    op.create_index("ix_hat_claims_at", "hat_claims", ["at"])
    op.create_table(
        "hat_volunteers",
        sa.Column("person", sa.String(255), nullable=False),
        sa.Column("address", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("areas", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_hat_at", sa.DateTime(), nullable=True),
        sa.Column("last_suggested_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("person", name="pk_hat_volunteers"),
    )


def downgrade() -> None:
    for table in ("hat_volunteers", "hat_claims", "hat_done", "hat_tasks"):
        op.drop_table(table)
