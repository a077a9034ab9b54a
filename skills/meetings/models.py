"""What the meetings skill stores: each meeting, every line said in it, its action items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime


class MeetingRecord(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Set once every minutes file exists; an ended meeting without it is written again.
    minutes_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # What the archive shows, set with ``minutes_at`` (``archive.summary``): where the
    # files are under minutes_dir (``nova/2026/nova.2026-01-05-16.00``), the title, whether
    # the log is kept from the public (#restrictlogs), how many lines and people.
    base: Mapped[str | None] = mapped_column(String(400), nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    line_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attendance: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The last of its lines in the search index (``archive.index_lines``).
    indexed_to: Mapped[int | None] = mapped_column(Integer, nullable=True)

    # The archive pages: newest first, all or of one series, read by index at any size.
    __table_args__ = (
        Index("ix_meetings_base", "base", unique=True),
        Index("ix_meetings_archive", "started_at", "id"),
        Index("ix_meetings_series_archive", "name", "started_at", "id"),
    )


class MeetingLine(Base):
    """One line of a meeting's log, committed as it arrives (a group commit, before the bot
    answers in that channel again): the meeting is rebuilt from these."""

    __tablename__ = "meeting_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    ts: Mapped[datetime] = mapped_column(UtcDateTime)
    key: Mapped[str] = mapped_column(String(255))
    nick: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_action: Mapped[bool] = mapped_column(Boolean, default=False)


class ActionItem(Base):
    """An ``#action`` of an ended meeting, tracked until someone marks it done."""

    __tablename__ = "meeting_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    meeting_name: Mapped[str] = mapped_column(String(255), index=True)
    said_at: Mapped[datetime] = mapped_column(UtcDateTime)
    text: Mapped[str] = mapped_column(Text)
    assignees: Mapped[str] = mapped_column(Text, default="")  # space-separated nicks
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    people: Mapped[list[ActionAssignee]] = relationship(cascade="all, delete-orphan")

    # The open items, newest first or of one series, read without a scan at any size.
    __table_args__ = (
        Index("ix_meeting_actions_open", "done_at", "id"),
        Index("ix_meeting_actions_series_open", "meeting_name", "done_at", "id"),
    )


class ActionAssignee(Base):
    """One person an action item names, so ``!actions NICK`` is an index lookup."""

    __tablename__ = "meeting_action_assignees"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_actions.id", ondelete="CASCADE"), primary_key=True)
    nick: Mapped[str] = mapped_column(String(255), primary_key=True)  # lower case

    __table_args__ = (Index("ix_meeting_action_assignees_nick", "nick", "action_id"),)
