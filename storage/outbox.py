"""What replicas on PostgreSQL have to say without a chat event to answer (a webhook's
post, a scheduled job's), kept in the transaction of the change that caused it: the
leader posts it and deletes the row; a standby leaves it for the leader (only the leader
is connected to chat). So a leader killed between its commit and its post loses nothing:
the next one posts what it left."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, Text, delete, or_, select
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
    # Who wrote it: "leader:ID" posts it itself at once; anything else waits for the leader.
    owner: Mapped[str] = mapped_column(String(64), default="")


def keep(session: AsyncSession, event: dict[str, Any], now: datetime, owner: str
         ) -> Outgoing:
    row = Outgoing(event=json.dumps(event), made_at=now, owner=owner)
    session.add(row)
    return row


async def waiting(session: AsyncSession, mine: str, now: datetime, grace: timedelta
                  ) -> list[tuple[int, dict[str, Any]]]:
    """What the leader has to post: everything but what it wrote itself a moment ago
    (it is posting that now)."""
    rows = await session.execute(
        select(Outgoing.id, Outgoing.event)
        .where(or_(Outgoing.owner != mine, Outgoing.made_at < now - grace))
        .order_by(Outgoing.id).limit(BATCH))
    return [(row.id, json.loads(row.event)) for row in rows]


async def sent(session: AsyncSession, outgoing_id: int) -> None:
    await session.execute(delete(Outgoing).where(Outgoing.id == outgoing_id))
