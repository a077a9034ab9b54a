"""Turning a skill off and on again never breaks a start, and off leaves its tables be."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hatbot.plugins import discover
from tests.conftest import StartBot

WITH_TABLES = sorted(name for name, cls in discover().skills.items() if cls.migrations)


def tables(folder: Path) -> set[str]:
    with sqlite3.connect(folder / "hatbot.db") as db:
        return {row[0] for row in db.execute("select name from sqlite_master where type='table'")}


def heads(folder: Path) -> set[str]:
    with sqlite3.connect(folder / "hatbot.db") as db:
        return {row[0] for row in db.execute("select version_num from alembic_version")}


@pytest.mark.parametrize("skill", WITH_TABLES)
async def test_a_skill_off_then_on_across_restarts(
    start_bot: StartBot, tmp_path: Path, skill: str
) -> None:
    off = {"skills": {skill: {"enabled": False}}}
    first = await start_bot(raw=off)  # never enabled yet: none of its tables
    await first.stop()
    before = tables(tmp_path)
    assert not any(t.startswith(skill[:4]) for t in before - tables_of_core(tmp_path))

    second = await start_bot()  # on: its tables come
    await second.stop()
    made = tables(tmp_path) - before
    assert made, f"{skill} made no tables"
    recorded = heads(tmp_path)

    third = await start_bot(raw=off)  # off again: untouched, and the bot starts
    assert third.adapters["memory"].status == "connected"
    await third.stop()
    assert made <= tables(tmp_path) and heads(tmp_path) == recorded

    fourth = await start_bot()  # and on again
    await fourth.stop()
    assert heads(tmp_path) == recorded


def tables_of_core(folder: Path) -> set[str]:
    return {t for t in tables(folder) if t.startswith(("kv", "alembic", "apscheduler"))}


def test_db_upgrade_with_a_skill_turned_off(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    config = tmp_path / "hatbot.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path}/data"\n[adapters.console]\n')
    assert run_cli("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0
    config.write_text(config.read_text() + "[skills.ci]\nenabled = false\n")
    result = run_cli("db", "upgrade", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "is up to date" in result.stdout


@pytest.mark.parametrize("skill", WITH_TABLES)
async def test_a_skill_off_then_on_on_postgresql(
    start_bot: StartBot, postgres: Any, skill: str
) -> None:
    import uuid

    from sqlalchemy import create_engine, inspect, text

    url = postgres.new_database(f"onoff_{skill}_{uuid.uuid4().hex[:6]}")
    sync = create_engine(url)

    def state() -> tuple[set[str], set[str]]:
        with sync.connect() as conn:
            versions = {row[0] for row in conn.execute(text("select version_num from "
                                                            "alembic_version"))}
        return set(inspect(sync).get_table_names()), versions

    off = {"bot": {"database_url": url}, "skills": {skill: {"enabled": False}}}
    on = {"bot": {"database_url": url}}
    try:
        await (await start_bot(raw=off)).stop()
        before, _ = state()
        await (await start_bot(raw=on)).stop()
        tables_on, versions_on = state()
        assert tables_on - before, f"{skill} made no tables"
        third = await start_bot(raw=off)
        assert third.adapters["memory"].status == "connected"
        await third.stop()
        assert state() == (tables_on, versions_on)  # untouched while off
        await (await start_bot(raw=on)).stop()
        assert state() == (tables_on, versions_on)
    finally:
        sync.dispose()
