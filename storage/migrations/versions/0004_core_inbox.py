"""core: what reached a standby replica for the leader's adapters (storage/inbox.py)

Revision ID: 0004_core_inbox
Revises: 0003_core_outbox
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_core_inbox"
down_revision = "0003_core_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adapter", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbox"),
    )


def downgrade() -> None:
    op.drop_table("inbox")
