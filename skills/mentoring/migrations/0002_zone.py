"""mentoring: a zone name (Europe/Berlin) beside the fixed offset

Revision ID: 0002_zone
Revises: 0001_mentoring
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_zone"
down_revision = "0001_mentoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("mentors", "mentee_requests"):
        op.add_column(table, sa.Column("zone", sa.String(64), nullable=True))


def downgrade() -> None:
    for table in ("mentors", "mentee_requests"):
        op.drop_column(table, "zone")
