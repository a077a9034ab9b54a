"""Reminders waiting to be said: listed and cancelled by number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime


class Reminder(Base):
    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(255), index=True)  # channel, or person for DMs
    direct: Mapped[bool] = mapped_column(Boolean, default=False)
    by: Mapped[str] = mapped_column(String(255))  # identity of who asked
    by_name: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    # Weekly ones: the weekday (0 is Monday) and wall-clock time in ``zone``.
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[str | None] = mapped_column(String(5), nullable=True)
    zone: Mapped[str] = mapped_column(String(64), default="UTC")
    next_at: Mapped[datetime] = mapped_column(UtcDateTime)
    job: Mapped[str] = mapped_column(String(100), default="")
