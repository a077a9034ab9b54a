"""meetings: meetings, their lines and action items

Revision ID: 0001_meetings
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_meetings"
down_revision = None
branch_labels = ("meetings",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_meetings"),
    )
    op.create_index("ix_meetings_channel", "meetings", ["channel"])
    op.create_index("ix_meetings_name", "meetings", ["name"])
    op.create_table(
        "meeting_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.DateTime(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("nick", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE",
                                name="fk_meeting_lines_meeting_id_meetings"),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_lines"),
    )
    op.create_index("ix_meeting_lines_meeting_id", "meeting_lines", ["meeting_id"])
    op.create_table(
        "meeting_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("meeting_name", sa.String(255), nullable=False),
        sa.Column("said_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("assignees", sa.Text(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.String(255), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE",
                                name="fk_meeting_actions_meeting_id_meetings"),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_actions"),
    )
    op.create_index("ix_meeting_actions_meeting_id", "meeting_actions", ["meeting_id"])
    op.create_index("ix_meeting_actions_meeting_name", "meeting_actions", ["meeting_name"])


def downgrade() -> None:
    op.drop_table("meeting_actions")
    op.drop_table("meeting_lines")
    op.drop_table("meetings")
