"""What a leader kept in the outbox leaves it only once the adapter wrote it: a message
still in the adapter's paced queue keeps its row, so a leader killed then (or deposed)
leaves it to the next leader, and a leader that wrote it deletes the row."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from hatbot.adapters.flow import Outbox
from hatbot.events import Address, Outbound, Reply
from hatbot.replicas import Replicas
from hatbot.storage.outbox import Outgoing


class PacedAdapter:
    """Queues like the real adapters do; writes only once ``connected`` is set."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.written: list[str] = []
        self.queue: Outbox[str] = Outbox("paced", self._write, ready=self.connected)

    async def _write(self, target: str, text: str) -> None:
        self.written.append(text)

    async def send(self, event: Outbound) -> bool:
        assert isinstance(event, Reply)
        self.queue.put(event.target.id, event.markup_text)
        return True


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Outgoing.__table__.create)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def rows(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Outgoing)) or 0)


async def keep(replicas: Replicas, sessions: async_sessionmaker[AsyncSession],
               text: str) -> tuple[int, Reply]:
    event = Reply(Address("irc", "#ops"), text)
    async with sessions() as session:
        row = replicas.keep_in(session, event)
        await session.commit()
        return int(row.id), event


def leader(sessions: async_sessionmaker[AsyncSession], adapter: PacedAdapter) -> Replicas:
    replicas = Replicas("postgresql+psycopg://unused", sessions, adapter.send)
    replicas.leading = True  # no lock asked for: this test is about the outbox
    return replicas


async def test_the_row_goes_once_the_message_is_written(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    adapter = PacedAdapter()
    replicas = leader(sessions, adapter)
    row_id, event = await keep(replicas, sessions, "CI is red on main")
    assert await replicas.post_kept(row_id, event) is True
    await asyncio.sleep(0.05)
    assert adapter.written == [] and await rows(sessions) == 1  # queued, not written
    adapter.connected.set()
    for _ in range(100):
        if not await rows(sessions):
            break
        await asyncio.sleep(0.01)
    assert adapter.written == ["CI is red on main"] and await rows(sessions) == 0
    await replicas.close()


async def test_unwritten_at_shutdown_or_withdrawn_the_row_stays(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    adapter = PacedAdapter()
    replicas = leader(sessions, adapter)
    for text in ("first", "second"):
        await replicas.post_kept(*await keep(replicas, sessions, text))
    replicas.withdraw()  # deposed: "first" and "second" are the next leader's to post
    adapter.connected.set()
    await adapter.queue.close(flush_timeout=5)
    assert adapter.written == []

    adapter = PacedAdapter()
    replicas = leader(sessions, adapter)
    await replicas.post_kept(*await keep(replicas, sessions, "third"))
    await adapter.queue.close(flush_timeout=0)  # stopped while still not connected
    await replicas.close()
    assert adapter.written == [] and await rows(sessions) == 3


async def test_the_outbox_loop_leaves_rows_in_flight_alone(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    """A row this leader is still writing is not posted again by its outbox loop, however
    long the queue holds it."""
    adapter = PacedAdapter()
    replicas = leader(sessions, adapter)
    row_id, event = await keep(replicas, sessions, "slow line")
    await replicas.post_kept(row_id, event)
    async with sessions() as session:  # as if written long ago
        row = await session.get(Outgoing, row_id)
        assert row is not None
        row.made_at = datetime(2020, 1, 1, tzinfo=UTC)
        await session.commit()
    await replicas._post_kept()
    adapter.connected.set()
    await adapter.queue.close(flush_timeout=5)
    await replicas.close()
    assert adapter.written == ["slow line"] and await rows(sessions) == 0
