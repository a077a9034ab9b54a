"""meetings: remember which lines were "/me" actions, to log them as MeetBot does

Revision ID: 0003_action_lines
Revises: 0002_minutes_written
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_action_lines"
down_revision = "0002_minutes_written"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting_lines") as batch:
        batch.add_column(sa.Column("is_action", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("meeting_lines") as batch:
        batch.drop_column("is_action")
