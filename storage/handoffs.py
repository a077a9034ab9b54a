"""Work one skill hands to another: a meeting's decisions and ``#faq`` lines to the
knowledge base, a draft nobody reviewed to the Community Hat. Skills never call each
other; the giver writes a row here in its own transaction (``ctx.hand_off``), so the
work exists exactly when the giver's change does, and the skill that takes that kind
(``@takes``) takes it in its own transaction, which also marks it taken: once, even if
the bot stops in between (what was not taken is taken at the next start).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base
from hatbot.storage.types import UtcDateTime

ATTEMPTS = 5  # a handoff its taker failed on this often is left for a person to look at
BATCH = 100


class Handoff(Base):
    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # JSON
    made_at: Mapped[datetime] = mapped_column(UtcDateTime)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


def give(session: AsyncSession, kind: str, payload: dict[str, Any], now: datetime) -> None:
    """Add the handoff to ``session``'s transaction; it is there once that commits."""
    session.add(Handoff(kind=kind, payload=json.dumps(payload), made_at=now, attempts=0))


async def waiting(session: AsyncSession, kinds: list[str]) -> list[Handoff]:
    """Handoffs of ``kinds`` not yet taken, oldest first."""
    if not kinds:
        return []
    return list(await session.scalars(
        select(Handoff).where(Handoff.taken_at.is_(None), Handoff.kind.in_(kinds),
                              Handoff.attempts < ATTEMPTS)
        .order_by(Handoff.id).limit(BATCH)))


async def taken(session: AsyncSession, handoff_id: int, now: datetime) -> None:
    await session.execute(update(Handoff).where(Handoff.id == handoff_id)
                          .values(taken_at=now))


async def failed(session: AsyncSession, handoff_id: int) -> None:
    await session.execute(update(Handoff).where(Handoff.id == handoff_id)
                          .values(attempts=Handoff.attempts + 1))
