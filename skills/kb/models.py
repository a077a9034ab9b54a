"""Entries with every revision, the decisions meetings took, and what the suggestions
remember (who was told what today, which suggestions were wrong)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime

DRAFT, APPROVED, REJECTED = "draft", "approved", "rejected"


class KbEntry(Base):
    """A question and its answer. Only approved entries are searched and suggested."""

    __tablename__ = "kb_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(400), default="")  # lower case, space between
    status: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)
    author: Mapped[str] = mapped_column(String(255))  # identity
    author_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reviewer: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reviewer_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was rejected
    # Where it came from: "chat" (!kb add), "capture", "reaction", "faq", "import".
    origin: Mapped[str] = mapped_column(String(16), default="chat")
    channel: Mapped[str] = mapped_column(String(255), default="")
    source_url: Mapped[str] = mapped_column(Text, default="")  # the minutes line, a file
    source_text: Mapped[str] = mapped_column(Text, default="")  # the chat it came from
    # The message a reaction captured (its platform id), so a second 📌 adds nothing.
    source_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    # Drafts left unreviewed too long were handed to the Community Hat (once).
    hat_task_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class KbRevision(Base):
    """Each change to an entry: who, when, what it became."""

    __tablename__ = "kb_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("kb_entries.id", ondelete="CASCADE"),
                                          index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(255))
    by_name: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(16))  # created edited approved rejected imported
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(400), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class KbDecision(Base):
    """An ``#agreed``/``#accepted`` line of a meeting, with its line in the minutes."""

    __tablename__ = "kb_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series: Mapped[str] = mapped_column(String(100), index=True)
    meeting: Mapped[str] = mapped_column(Text)  # the meeting's title
    kind: Mapped[str] = mapped_column(String(16))  # AGREED, ACCEPTED
    text: Mapped[str] = mapped_column(Text)
    by_name: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    url: Mapped[str] = mapped_column(Text, default="")
    key: Mapped[str] = mapped_column(String(255), unique=True)  # the minutes line: once


class KbSuggested(Base):
    """An entry suggested to a person on a day: never twice the same day."""

    __tablename__ = "kb_suggested"
    __table_args__ = (Index("ix_kb_suggested_once", "entry_id", "person", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("kb_entries.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(255))
    day: Mapped[str] = mapped_column(String(10))  # 2026-12-06 (UTC)
    channel: Mapped[str] = mapped_column(String(255), index=True)
    question: Mapped[str] = mapped_column(Text)  # what they asked
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class KbWrong(Base):
    """A question an entry was wrongly suggested for (``!kb wrong ID``): that entry is
    not suggested again for that question, nor for one worded nearly the same."""

    __tablename__ = "kb_wrong"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("kb_entries.id", ondelete="CASCADE"),
                                          index=True)
    question: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
