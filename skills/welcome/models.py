"""What the welcome skill remembers: who got which welcome, and how newcomers fared."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime


class Welcomed(Base):
    """A welcome message sent to a person: one row per distinct message, ever."""

    __tablename__ = "welcome_sent"
    __table_args__ = (UniqueConstraint("person", "message_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(255), index=True)
    message_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(255))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Newcomer(Base):
    """A person's first arrival in a welcome channel, and the first answer they got."""

    __tablename__ = "welcome_newcomers"

    person: Mapped[str] = mapped_column(String(255), primary_key=True)
    channel: Mapped[str] = mapped_column(String(255), index=True)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    first_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    responder: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The first time they spoke again, anywhere, RETURN_AFTER or more after arriving.
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
