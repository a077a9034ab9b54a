"""The schedule's own records: meetings declared in chat, dates called off, what the bot
did for each occurrence (so it never does it twice), and chair rotations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime


class DeclaredMeeting(Base):
    """``!schedule add NAME every tuesday 16:00 UTC in #chan [biweekly-odd]``."""

    __tablename__ = "schedule_declared"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 is Monday
    at: Mapped[str] = mapped_column(String(5))  # "16:00" in ``zone``
    zone: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(255))  # a chat address
    frequency: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(255))  # identity of who declared it
    by_name: Mapped[str] = mapped_column(String(255))
    by_address: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Skip(Base):
    """``!schedule skip NAME DATE``: that day's meeting is called off."""

    __tablename__ = "schedule_skips"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Mark(Base):
    """One thing that happened for one occurrence of a meeting: ``remind`` (the channel
    was reminded), ``chair`` (the chair was told the day before), ``started`` (someone
    said #startmeeting), ``late`` (the chair was told it did not start), ``ended``. The
    key makes each happen once, whatever restarts come between."""

    __tablename__ = "schedule_marks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    who: Mapped[str] = mapped_column(String(255), default="")  # the chair, for ``ended``


class Rotation(Base):
    """Whose turn it is to chair a meeting: ``people`` in order, ``turn`` an index."""

    __tablename__ = "schedule_rotations"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    people: Mapped[str] = mapped_column(Text)  # one per line, as configured or set in chat
    turn: Mapped[int] = mapped_column(Integer, default=0)
