"""What a standby replica had to say (a webhook's message, a reply to a web request),
kept for the leader to post: only the leader is connected to chat (bot/leader.py).
A row is written in the transaction of the change that caused it; the leader posts it
and deletes it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Text, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime

BATCH = 100


class Outgoing(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(Text)  # JSON: {"type": "Reply", ...}
    made_at: Mapped[datetime] = mapped_column(UtcDateTime)


def keep(session: AsyncSession, event: dict[str, Any], now: datetime) -> None:
    session.add(Outgoing(event=json.dumps(event), made_at=now))


async def waiting(session: AsyncSession) -> list[tuple[int, dict[str, Any]]]:
    rows = await session.execute(select(Outgoing.id, Outgoing.event)
                                 .order_by(Outgoing.id).limit(BATCH))
    return [(row.id, json.loads(row.event)) for row in rows]


async def sent(session: AsyncSession, outgoing_id: int) -> None:
    await session.execute(delete(Outgoing).where(Outgoing.id == outgoing_id))
