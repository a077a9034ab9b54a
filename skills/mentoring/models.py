"""Mentors, mentees waiting for one, and mentorships."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime


class MentorRecord(Base):
    __tablename__ = "mentors"

    person: Mapped[str] = mapped_column(String(255), primary_key=True)  # verified identity
    address: Mapped[str] = mapped_column(String(255))  # where to reach them
    name: Mapped[str] = mapped_column(String(255))
    tags: Mapped[str] = mapped_column(String(1000))  # space-separated, lower case
    tz: Mapped[int | None] = mapped_column(Integer, nullable=True)  # minutes east of UTC
    # A zone name (Europe/Berlin) when one was given: its offset is taken at each match,
    # as it changes with daylight saving; ``tz`` is then unset.
    zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    capacity: Mapped[int] = mapped_column(Integer, default=2)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_mentored_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class MenteeRequest(Base):
    __tablename__ = "mentee_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(255), index=True)
    address: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    tags: Mapped[str] = mapped_column(String(1000))
    tz: Mapped[int | None] = mapped_column(Integer, nullable=True)
    zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="waiting", index=True)


class Mentorship(Base):
    __tablename__ = "mentorships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentor: Mapped[str] = mapped_column(String(255), index=True)
    mentee: Mapped[str] = mapped_column(String(255), index=True)
    mentor_name: Mapped[str] = mapped_column(String(255))
    mentee_name: Mapped[str] = mapped_column(String(255))
    tags: Mapped[str] = mapped_column(String(1000))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
