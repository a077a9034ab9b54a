"""Community Hat tasks, what was done, who volunteers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime


class HatTask(Base):
    __tablename__ = "hat_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    area: Mapped[str] = mapped_column(String(32), index=True)
    every_days: Mapped[int | None] = mapped_column(Integer, nullable=True)  # recurring
    channel: Mapped[str] = mapped_column(String(255))  # where it was added; news go there
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    unowned_since: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(255), nullable=True)  # identity
    owner_address: Mapped[str | None] = mapped_column(String(255), nullable=True)
    owner_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_activity_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    nudged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class HatDone(Base):
    """A task done (one row each time a recurring task is done)."""

    __tablename__ = "hat_done"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("hat_tasks.id", ondelete="CASCADE"),
                                         index=True)
    area: Mapped[str] = mapped_column(String(32))
    who: Mapped[str] = mapped_column(String(255))
    who_name: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    note: Mapped[str] = mapped_column(Text, default="")


class HatClaim(Base):
    """A claim, and how long the task had waited for it (for "median time unowned")."""

    __tablename__ = "hat_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("hat_tasks.id", ondelete="CASCADE"),
                                         index=True)
    who: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    waited_seconds: Mapped[int] = mapped_column(Integer)


class HatVolunteer(Base):
    __tablename__ = "hat_volunteers"

    person: Mapped[str] = mapped_column(String(255), primary_key=True)
    address: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    areas: Mapped[str] = mapped_column(String(255), default="")  # empty: any area
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_hat_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_suggested_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
