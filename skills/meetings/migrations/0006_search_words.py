"""meetings: PostgreSQL's search finds the words inside links and paths, as SQLite's does

Revision ID: 0006_search_words
Revises: 0005_archive
Create Date: 2026-12-06

PostgreSQL's parser reads ``https://example.org/project/kanban`` as one URL token, so
"kanban" was not found in a line that links to the board, while SQLite's tokenizer,
splitting on punctuation, finds it. The GIN index is now over the line with every run of
characters that are neither letters nor digits made a space (``archive.PG_WORDS``), and
the search uses the same expression. SQLite is unchanged.
"""

from __future__ import annotations

from alembic import op

revision = "0006_search_words"
down_revision = "0005_archive"
branch_labels = None
depends_on = None

WORDS = "to_tsvector('simple', regexp_replace(text, '[^[:alnum:]]+', ' ', 'g'))"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_meeting_lines_search", "meeting_lines")
        op.execute(f"CREATE INDEX ix_meeting_lines_search ON meeting_lines USING gin ({WORDS})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_meeting_lines_search", "meeting_lines")
        op.execute("CREATE INDEX ix_meeting_lines_search ON meeting_lines "
                   "USING gin (to_tsvector('simple', text))")
