"""ci: deliveries, pipelines, mutes, changes, cursors

Revision ID: 0001_ci
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_ci"
down_revision = None
branch_labels = ("ci",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ci_deliveries",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ci_deliveries"),
    )
    op.create_table(
        "ci_pipelines",
        sa.Column("repo", sa.String(255), nullable=False),
        sa.Column("branch", sa.String(255), nullable=False),
        sa.Column("pipeline", sa.String(255), nullable=False),
        sa.Column("red", sa.Boolean(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("sha", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("acked_by", sa.String(255), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("repo", "branch", "pipeline", name="pk_ci_pipelines"),
    )
    op.create_table(
        "ci_mutes",
        sa.Column("repo", sa.String(255), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("repo", name="pk_ci_mutes"),
    )
    op.create_table(
        "ci_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo", sa.String(255), nullable=False),
        sa.Column("branch", sa.String(255), nullable=False),
        sa.Column("pipeline", sa.String(255), nullable=False),
        sa.Column("red", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ci_changes"),
    )
    op.create_index("ix_ci_changes_repo", "ci_changes", ["repo"])
    op.create_index("ix_ci_changes_at", "ci_changes", ["at"])
    op.create_table(
        "ci_cursors",
        sa.Column("source", sa.String(512), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_ci_cursors"),
    )


def downgrade() -> None:
    for table in ("ci_cursors", "ci_changes", "ci_mutes", "ci_pipelines", "ci_deliveries"):
        op.drop_table(table)
