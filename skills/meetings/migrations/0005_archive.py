"""meetings: what the archive pages show, and full-text search over every line

Revision ID: 0005_archive
Revises: 0004_action_queries
Create Date: 2026-12-06

SQLite searches with an FTS5 table over ``meeting_lines.text`` (external content),
filled when a meeting's minutes are written, a chunk at a time (``archive.index_lines``),
not by a trigger on every line: a trigger nearly halved how many lines a second the bot
could take during meetings. ``meetings.indexed_to`` is the last line indexed, so an
indexing cut short goes on at the next start. PostgreSQL searches with a GIN index over
the lines' ``to_tsvector('simple', text)``. Meetings recorded before this get their
archive columns from the skill at its next start (``Meetings.setup``): the file names and
titles come from the meeting engine, not from SQL; their lines are indexed here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_archive"
down_revision = "0004_action_queries"
branch_labels = None
depends_on = None

_SQLITE = (
    "CREATE VIRTUAL TABLE meeting_lines_fts USING fts5(text, content='meeting_lines', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO meeting_lines_fts(meeting_lines_fts) VALUES ('rebuild')",
)
_POSTGRESQL = ("CREATE INDEX ix_meeting_lines_search ON meeting_lines "
               "USING gin (to_tsvector('simple', text))",)


def upgrade() -> None:
    # Plain ADD COLUMNs and indexes: a batch (copy and rename) of "meetings" on SQLite would
    # drop the old table, and its lines with it by their cascade.
    op.add_column("meetings", sa.Column("base", sa.String(400), nullable=True))
    op.add_column("meetings", sa.Column("title", sa.Text(), nullable=True))
    op.add_column("meetings", sa.Column("restricted", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.add_column("meetings", sa.Column("line_count", sa.Integer(), nullable=True))
    op.add_column("meetings", sa.Column("attendance", sa.Integer(), nullable=True))
    op.add_column("meetings", sa.Column("indexed_to", sa.Integer(), nullable=True))
    op.create_index("ix_meetings_base", "meetings", ["base"], unique=True)
    op.create_index("ix_meetings_archive", "meetings", ["started_at", "id"])
    op.create_index("ix_meetings_series_archive", "meetings", ["name", "started_at", "id"])
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE if dialect == "sqlite" else \
            _POSTGRESQL if dialect == "postgresql" else ():
        op.execute(statement)
    # Every line there is now is indexed (the rebuild above, or PostgreSQL's index).
    op.execute("UPDATE meetings SET indexed_to = (SELECT max(id) FROM meeting_lines "
               "WHERE meeting_lines.meeting_id = meetings.id)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE meeting_lines_fts")
    elif dialect == "postgresql":
        op.drop_index("ix_meeting_lines_search", "meeting_lines")
    op.drop_index("ix_meetings_series_archive", "meetings")
    op.drop_index("ix_meetings_archive", "meetings")
    op.drop_index("ix_meetings_base", "meetings")
    for column in ("indexed_to", "attendance", "line_count", "restricted", "title", "base"):
        op.drop_column("meetings", column)  # SQLite 3.35+ drops a column in place
