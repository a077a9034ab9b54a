"""CI state: deliveries seen, each pipeline's colour, mutes, and the red/green history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime


class CiDelivery(Base):
    """A webhook delivery taken in: a redelivery of the same id does nothing new."""

    __tablename__ = "ci_deliveries"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CiPipeline(Base):
    __tablename__ = "ci_pipelines"

    repo: Mapped[str] = mapped_column(String(255), primary_key=True)
    branch: Mapped[str] = mapped_column(String(255), primary_key=True)
    pipeline: Mapped[str] = mapped_column(String(255), primary_key=True)
    red: Mapped[bool] = mapped_column(default=False)
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    sha: Mapped[str] = mapped_column(String(64), default="")
    url: Mapped[str] = mapped_column(Text, default="")
    acked_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class CiMute(Base):
    __tablename__ = "ci_mutes"

    repo: Mapped[str] = mapped_column(String(255), primary_key=True)
    until: Mapped[datetime] = mapped_column(UtcDateTime)


class CiChange(Base):
    """A pipeline turning red or green, for ``!ci stats``."""

    __tablename__ = "ci_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repo: Mapped[str] = mapped_column(String(255), index=True)
    branch: Mapped[str] = mapped_column(String(255))
    pipeline: Mapped[str] = mapped_column(String(255))
    red: Mapped[bool] = mapped_column()
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # Back to green: who had said ``!ci ack`` ("I'm on it"), credited with the recovery.
    fixed_by: Mapped[str | None] = mapped_column(String(255), nullable=True)


class CiCursor(Base):
    """The newest Zuul build already seen, per source."""

    __tablename__ = "ci_cursors"

    source: Mapped[str] = mapped_column(String(512), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
