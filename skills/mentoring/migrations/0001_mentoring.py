"""mentoring: mentors, mentee requests, mentorships

Revision ID: 0001_mentoring
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_mentoring"
down_revision = None
branch_labels = ("mentoring",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mentors",
        sa.Column("person", sa.String(255), nullable=False),
        sa.Column("address", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("tags", sa.String(1000), nullable=False),
        sa.Column("tz", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_mentored_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("person", name="pk_mentors"),
    )
    op.create_table(
        "mentee_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(255), nullable=False),
        sa.Column("address", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("tags", sa.String(1000), nullable=False),
        sa.Column("tz", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mentee_requests"),
    )
    op.create_index("ix_mentee_requests_person", "mentee_requests", ["person"])
    op.create_index("ix_mentee_requests_status", "mentee_requests", ["status"])
    op.create_table(
        "mentorships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor", sa.String(255), nullable=False),
        sa.Column("mentee", sa.String(255), nullable=False),
        sa.Column("mentor_name", sa.String(255), nullable=False),
        sa.Column("mentee_name", sa.String(255), nullable=False),
        sa.Column("tags", sa.String(1000), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mentorships"),
    )
    op.create_index("ix_mentorships_mentor", "mentorships", ["mentor"])
    op.create_index("ix_mentorships_mentee", "mentorships", ["mentee"])


def downgrade() -> None:
    op.drop_table("mentorships")
    op.drop_table("mentee_requests")
    op.drop_table("mentors")
