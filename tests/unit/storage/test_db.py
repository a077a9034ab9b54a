import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from hatbot.storage.db import async_engine, async_url, sessions, sync_url, upgrade
from hatbot.storage.kv import KeyValue, KeyValueStore


def test_url_drivers() -> None:
    assert async_url("sqlite:///./x/h.db") == "sqlite+aiosqlite:///./x/h.db"
    assert sync_url("sqlite+aiosqlite:///./x/h.db") == "sqlite:///./x/h.db"
    assert async_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert sync_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"


def test_upgrade_creates_schema_and_is_repeatable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/nested/hatbot.db"
    upgrade(url)
    upgrade(url)
    with sqlite3.connect(tmp_path / "nested" / "hatbot.db") as conn:
        tables = {row[0] for row in conn.execute("select name from sqlite_master")}
        (version,) = conn.execute("select version_num from alembic_version").fetchone()
    assert {"kv", "alembic_version"} <= tables
    assert version == "0004_core_inbox"


async def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/hatbot.db"
    engine = async_engine(url)
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    await engine.dispose()


async def test_key_value_store_is_namespaced_and_persistent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/hatbot.db"
    upgrade(url)
    engine = async_engine(url)
    matrix = KeyValueStore(sessions(engine), "adapter:matrix")
    irc = KeyValueStore(sessions(engine), "adapter:irc")
    await matrix.set("next_batch", "s1")
    await matrix.set("next_batch", "s2")
    await irc.set("nick", "hatbot_")
    assert await matrix.get("next_batch") == "s2"
    assert await irc.get("next_batch") is None
    await engine.dispose()

    engine = async_engine(url)
    reopened = KeyValueStore(sessions(engine), "adapter:matrix")
    assert await reopened.get("next_batch") == "s2"
    assert await reopened.keys() == ["next_batch"]
    await reopened.delete("next_batch")
    assert await reopened.get("next_batch") is None
    await engine.dispose()


def test_an_up_to_date_schema_starts_without_alembic(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The second start finds the schema as the first left it and skips Alembic; a
    database moved back (or a new migration) is upgraded again."""
    url = f"sqlite:///{tmp_path}/hatbot.db"
    upgrade(url)
    from alembic import command

    calls: list[str] = []
    real = command.upgrade
    monkeypatch.setattr(command, "upgrade", lambda cfg, rev: calls.append(rev) or real(cfg, rev))
    upgrade(url)
    assert calls == []
    with sqlite3.connect(tmp_path / "hatbot.db") as conn:
        conn.execute("delete from alembic_version")  # as if downgraded to nothing by hand
        conn.execute("drop table kv")
        conn.execute("drop table handoffs")
        conn.execute("drop table outbox")
        conn.execute("drop table inbox")
    upgrade(url)
    assert calls == ["heads"]
    with sqlite3.connect(tmp_path / "hatbot.db") as conn:
        (version,) = conn.execute("select version_num from alembic_version").fetchone()
    assert version == "0004_core_inbox"


async def test_sqlite_writers_take_turns_and_always_give_the_turn_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second writer waits for the first to end its transaction (instead of meeting it
    in SQLite's busy handler); a rollback or a close gives the turn back too."""
    import asyncio

    from sqlalchemy.exc import OperationalError

    from hatbot.storage import db

    url = f"sqlite:///{tmp_path}/hatbot.db"
    upgrade(url)
    engine = async_engine(url)
    make = sessions(engine)
    try:
        first, second = make(), make()
        first.add(KeyValue(namespace="t", key="a", value="1"))
        await first.flush()  # holds the turn

        async def write_second() -> None:
            second.add(KeyValue(namespace="t", key="b", value="2"))
            await second.commit()

        waiting = asyncio.create_task(write_second())
        await asyncio.sleep(0.1)
        assert not waiting.done()  # its turn has not come
        await first.commit()
        await asyncio.wait_for(waiting, 5)

        for end in ("rollback", "close"):
            holder = make()
            holder.add(KeyValue(namespace="t", key=end, value="x"))
            await holder.flush()
            await getattr(holder, end)()
            after = make()
            after.add(KeyValue(namespace="t", key=f"after-{end}", value="y"))
            await asyncio.wait_for(after.commit(), 5)  # the turn came back
            await after.close()

        monkeypatch.setattr(db, "WRITE_WAIT", 0.2)
        holder, late = make(), make()
        holder.add(KeyValue(namespace="t", key="held", value="x"))
        await holder.flush()
        late.add(KeyValue(namespace="t", key="late", value="y"))
        with pytest.raises(OperationalError, match="another writer kept it"):
            await late.commit()
        await late.close()
        await holder.commit()
        await holder.close()
        await first.close()
        await second.close()
    finally:
        await engine.dispose()


async def test_statements_that_write_take_the_turn_too(tmp_path: Path) -> None:
    """An INSERT/UPDATE/DELETE given to ``session.execute`` writes without a flush: it
    waits for the turn like a flush does (else it would meet the turn's holder in SQLite's
    busy handler, or hold SQLite's lock while a turn holder waits for it)."""
    import asyncio

    from sqlalchemy import delete, insert, update
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.sql.dml import UpdateBase

    url = f"sqlite:///{tmp_path}/hatbot.db"
    upgrade(url)
    engine = async_engine(url)
    turn = asyncio.Lock()
    make = sessions(engine, turn)
    statements: list[UpdateBase] = [insert(KeyValue).values(namespace="t", key="k", value="1"),
                                    update(KeyValue).values(value="2"), delete(KeyValue)]
    try:
        for statement in statements:
            async with make() as writer:
                async def write(writer: AsyncSession = writer,
                                statement: UpdateBase = statement) -> None:
                    await writer.execute(statement)
                    await writer.commit()

                async with turn:  # another writer's turn
                    waiting = asyncio.create_task(write())
                    await asyncio.sleep(0.2)
                    assert not waiting.done()
                await asyncio.wait_for(waiting, 5)
        async with make() as reader:
            assert (await reader.execute(text("select count(*) from kv"))).scalar() == 0
    finally:
        await engine.dispose()


async def test_sqlite_statements_run_on_the_event_loops_thread(tmp_path: Path) -> None:
    """No hand-over to a driver thread per call (storage/sqlite_inline.py); the driver's
    errors still arrive as SQLAlchemy's, and a failed transaction leaves nothing behind."""
    import threading

    from sqlalchemy import event, select
    from sqlalchemy.exc import IntegrityError

    url = f"sqlite:///{tmp_path}/hatbot.db"
    upgrade(url)
    engine = async_engine(url)
    threads: set[int] = set()
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda *_: threads.add(threading.get_ident()))
    make = sessions(engine)
    try:
        async with make() as session:
            session.add(KeyValue(namespace="t", key="k", value="1"))
            await session.commit()
            session.add(KeyValue(namespace="t", key="k", value="2"))
            with pytest.raises(IntegrityError):
                await session.commit()
            await session.rollback()
            mine = select(KeyValue.value).where(KeyValue.namespace == "t")
            rows = (await session.scalars(mine)).all()
            many = await session.execute(text("select value from kv where namespace = 't'"))
            assert many.fetchmany(5) == [("1",)]
        assert rows == ["1"]
        assert threads == {threading.get_ident()}
    finally:
        await engine.dispose()
