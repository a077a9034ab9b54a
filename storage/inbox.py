"""What a standby replica received for a chat adapter it does not run (a Slack event
pushed over HTTP to whichever replica a load balancer picked), kept for the leader,
whose adapter of that name takes it as if it had come straight from the platform. The
mirror of ``storage/outbox.py``: the standby commits before it answers the platform, so
an event it accepted is not lost when it stops."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime

BATCH = 100


class Relayed(Base):
    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    adapter: Mapped[str] = mapped_column(String(64))  # its table name: "slack", "work"
    payload: Mapped[str] = mapped_column(Text)  # as the platform sent it, verified
    made_at: Mapped[datetime] = mapped_column(UtcDateTime)


def keep(session: AsyncSession, adapter: str, payload: str, now: datetime) -> None:
    session.add(Relayed(adapter=adapter, payload=payload, made_at=now))


async def waiting(session: AsyncSession) -> list[tuple[int, str, str]]:
    """(id, adapter, payload), oldest first."""
    rows = await session.execute(select(Relayed.id, Relayed.adapter, Relayed.payload)
                                 .order_by(Relayed.id).limit(BATCH))
    return [(row.id, row.adapter, row.payload) for row in rows]


async def taken(session: AsyncSession, relayed_id: int) -> None:
    await session.execute(delete(Relayed).where(Relayed.id == relayed_id))
