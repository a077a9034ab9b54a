"""kb: knowledge-base entries, revisions, decisions, suggestions, and search over them

Revision ID: 0001_kb
Revises:
Create Date: 2026-12-06

SQLite searches with an FTS5 table over question, answer and tags (external content,
kept by triggers: entries change a few times a day, not hundreds of times a second like
meeting lines), with Porter stemming so that "tests" finds "testing". PostgreSQL uses a
GIN index over the same three, weighted, in its "english" configuration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_kb"
down_revision = None
branch_labels = ("kb",)
depends_on = None

_SQLITE = (
    "CREATE VIRTUAL TABLE kb_fts USING fts5(question, answer, tags, content='kb_entries', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER kb_entries_ai AFTER INSERT ON kb_entries BEGIN "
    "INSERT INTO kb_fts(rowid, question, answer, tags) "
    "VALUES (new.id, new.question, new.answer, new.tags); END",
    "CREATE TRIGGER kb_entries_ad AFTER DELETE ON kb_entries BEGIN "
    "INSERT INTO kb_fts(kb_fts, rowid, question, answer, tags) "
    "VALUES ('delete', old.id, old.question, old.answer, old.tags); END",
    "CREATE TRIGGER kb_entries_au AFTER UPDATE OF question, answer, tags ON kb_entries BEGIN "
    "INSERT INTO kb_fts(kb_fts, rowid, question, answer, tags) "
    "VALUES ('delete', old.id, old.question, old.answer, old.tags); "
    "INSERT INTO kb_fts(rowid, question, answer, tags) "
    "VALUES (new.id, new.question, new.answer, new.tags); END",
)
PG_DOCUMENT = ("setweight(to_tsvector('english', question), 'A') || "
               "setweight(to_tsvector('english', tags), 'B') || "
               "setweight(to_tsvector('english', answer), 'C')")
_POSTGRESQL = (f"CREATE INDEX ix_kb_entries_search ON kb_entries USING gin (({PG_DOCUMENT}))",)


def upgrade() -> None:
    op.create_table(
        "kb_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("tags", sa.String(400), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("author_name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("reviewer", sa.String(255), nullable=True),
        sa.Column("reviewer_name", sa.String(255), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source_id", sa.String(255), nullable=False),
        sa.Column("hat_task_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kb_entries"),
    )
    op.create_index("ix_kb_entries_status", "kb_entries", ["status"])
    op.create_index("ix_kb_entries_created_at", "kb_entries", ["created_at"])
    op.create_index("ix_kb_entries_source_id", "kb_entries", ["source_id"])
    op.create_table(
        "kb_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("by_name", sa.String(255), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("tags", sa.String(400), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["kb_entries.id"], ondelete="CASCADE",
                                name="fk_kb_revisions_entry_id_kb_entries"),
        sa.PrimaryKeyConstraint("id", name="pk_kb_revisions"),
    )
    op.create_index("ix_kb_revisions_entry_id", "kb_revisions", ["entry_id"])
    op.create_table(
        "kb_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(100), nullable=False),
        sa.Column("meeting", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by_name", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_decisions"),
        sa.UniqueConstraint("key", name="uq_kb_decisions_key"),
    )
    op.create_index("ix_kb_decisions_series", "kb_decisions", ["series"])
    op.create_index("ix_kb_decisions_at", "kb_decisions", ["at"])
    op.create_table(
        "kb_suggested",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(255), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["kb_entries.id"], ondelete="CASCADE",
                                name="fk_kb_suggested_entry_id_kb_entries"),
        sa.PrimaryKeyConstraint("id", name="pk_kb_suggested"),
    )
    op.create_index("ix_kb_suggested_channel", "kb_suggested", ["channel"])
    op.create_index("ix_kb_suggested_once", "kb_suggested", ["entry_id", "person", "day"])
    op.create_table(
        "kb_wrong",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["kb_entries.id"], ondelete="CASCADE",
                                name="fk_kb_wrong_entry_id_kb_entries"),
        sa.PrimaryKeyConstraint("id", name="pk_kb_wrong"),
    )
    op.create_index("ix_kb_wrong_entry_id", "kb_wrong", ["entry_id"])
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE if dialect == "sqlite" else \
            _POSTGRESQL if dialect == "postgresql" else ():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("kb_entries_ai", "kb_entries_ad", "kb_entries_au"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE kb_fts")
    for table in ("kb_wrong", "kb_suggested", "kb_decisions", "kb_revisions", "kb_entries"):
        op.drop_table(table)
