"""core: key-value store for adapters' state

Revision ID: 0001_core_kv
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core_kv"
down_revision = None
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kv",
        sa.Column("namespace", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("namespace", "key", name="pk_kv"),
    )


def downgrade() -> None:
    op.drop_table("kv")
