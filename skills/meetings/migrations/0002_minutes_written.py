"""meetings: remember when each meeting's minutes were written, to retry the ones that failed

Revision ID: 0002_minutes_written
Revises: 0001_meetings
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_minutes_written"
down_revision = "0001_meetings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("minutes_at", sa.DateTime(), nullable=True))
    # Meetings that ended before this revision had their files written then.
    op.execute("UPDATE meetings SET minutes_at = ended_at WHERE ended_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("minutes_at")
