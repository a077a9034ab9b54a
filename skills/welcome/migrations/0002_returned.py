"""welcome: when a newcomer came back (spoke again a month or more after arriving)

Revision ID: 0002_returned
Revises: 0001_welcome
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_returned"
down_revision = "0001_welcome"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("welcome_newcomers", sa.Column("returned_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("welcome_newcomers", "returned_at")
