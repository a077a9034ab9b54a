import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from hatbot.storage.db import async_engine, async_url, sessions, sync_url, upgrade
from hatbot.storage.kv import KeyValueStore


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
    assert version == "0001_core_kv"


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
    upgrade(url)
    assert calls == ["heads"]
    with sqlite3.connect(tmp_path / "hatbot.db") as conn:
        (version,) = conn.execute("select version_num from alembic_version").fetchone()
    assert version == "0001_core_kv"
