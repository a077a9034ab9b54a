"""welcome: welcomes sent and newcomers

Revision ID: 0001_welcome
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_welcome"
down_revision = None
branch_labels = ("welcome",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "welcome_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(255), nullable=False),
        sa.Column("message_hash", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_welcome_sent"),
        sa.UniqueConstraint("person", "message_hash", name="uq_welcome_sent_person"),
    )
    op.create_index("ix_welcome_sent_person", "welcome_sent", ["person"])
    op.create_table(
        "welcome_newcomers",
        sa.Column("person", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("first_message_at", sa.DateTime(), nullable=True),
        sa.Column("first_response_at", sa.DateTime(), nullable=True),
        sa.Column("responder", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("person", name="pk_welcome_newcomers"),
    )
    op.create_index("ix_welcome_newcomers_channel", "welcome_newcomers", ["channel"])
    op.create_index("ix_welcome_newcomers_joined_at", "welcome_newcomers", ["joined_at"])


def downgrade() -> None:
    op.drop_table("welcome_newcomers")
    op.drop_table("welcome_sent")
