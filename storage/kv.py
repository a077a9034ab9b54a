"""A small key-value store for adapters' state (sync tokens, device ids, nick state).

Adapters never touch the database; the core hands each one a store scoped to its
own namespace.
"""

from __future__ import annotations

from sqlalchemy import String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from hatbot.storage.base import Base


class KeyValue(Base):
    __tablename__ = "kv"

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# Names kept off the web beyond the minutes (``!privacy optout``): key a name in lower
# case, value the identity that asked. Written by the privacy skill, read by the pages.
OPTED_OUT = "privacy"


async def opted_out(session: AsyncSession) -> set[str]:
    """The names, lower case, whose people asked to be left off the pages and reports."""
    return set(await session.scalars(select(KeyValue.key).where(
        KeyValue.namespace == OPTED_OUT)))


# Each person's time zone (``!tz Europe/Berlin``): key the identity the platform verified,
# value an IANA zone name. Written by the schedule skill, read by every skill that shows
# a time to a person or compares people's hours (mentoring).
TIMEZONE = "timezone"


async def timezone_of(session: AsyncSession, identity: str) -> str | None:
    """The zone name ``identity`` set with ``!tz``, if any."""
    row = await session.get(KeyValue, (TIMEZONE, identity))
    return None if row is None else row.value


class KeyValueStore:
    """Strings by key within one namespace; every ``set`` is committed at once."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], namespace: str) -> None:
        self._sessions = sessions
        self.namespace = namespace

    async def get(self, key: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(KeyValue, (self.namespace, key))
            return None if row is None else row.value

    async def set(self, key: str, value: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.merge(KeyValue(namespace=self.namespace, key=key, value=value))

    async def delete(self, key: str) -> None:
        async with self._sessions() as session, session.begin():
            row = await session.get(KeyValue, (self.namespace, key))
            if row is not None:
                await session.delete(row)

    async def keys(self) -> list[str]:
        async with self._sessions() as session:
            result = await session.scalars(
                select(KeyValue.key).where(KeyValue.namespace == self.namespace)
            )
            return list(result)
