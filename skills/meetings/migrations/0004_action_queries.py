"""meetings: open action items read by index, and their people in a table of their own

Revision ID: 0004_action_queries
Revises: 0003_action_lines
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_action_queries"
down_revision = "0003_action_lines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_meeting_actions_open", "meeting_actions", ["done_at", "id"])
    op.create_index("ix_meeting_actions_series_open", "meeting_actions",
                    ["meeting_name", "done_at", "id"])
    assignees = op.create_table(
        "meeting_action_assignees",
        sa.Column("action_id", sa.Integer(),
                  sa.ForeignKey("meeting_actions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("nick", sa.String(255), primary_key=True),
    )
    op.create_index("ix_meeting_action_assignees_nick", "meeting_action_assignees",
                    ["nick", "action_id"])
    # The people of the items already recorded, from their space-separated column.
    rows = op.get_bind().execute(sa.text(
        "select id, assignees from meeting_actions where assignees != ''")).all()
    op.bulk_insert(assignees, [{"action_id": action_id, "nick": nick}
                               for action_id, names in rows
                               for nick in dict.fromkeys(names.lower().split())])


def downgrade() -> None:
    op.drop_table("meeting_action_assignees")
    op.drop_index("ix_meeting_actions_series_open", "meeting_actions")
    op.drop_index("ix_meeting_actions_open", "meeting_actions")
