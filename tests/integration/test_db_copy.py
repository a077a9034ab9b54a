"""``hatbot db copy``: a week of activity (the scripted week, through the console) moved
from the SQLite file into a real PostgreSQL, every table and row, and the bot carries on
there: the same meetings, search, action items, knowledge base and stored jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from hatbot.markup import render_plain
from tests.conftest import StartBot, memory, run_cli
from tests.integration.week import play_week


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        names = [n for n in sa.inspect(engine).get_table_names()
                 if n != "alembic_version" and "_fts" not in n]
        with engine.connect() as conn:
            return {n: conn.execute(sa.text(f'SELECT count(*) FROM "{n}"')).scalar_one()
                    for n in names}
    finally:
        engine.dispose()


async def test_a_week_moves_to_postgresql_and_goes_on_there(
        start_bot: StartBot, tmp_path: Path, postgres: Any) -> None:
    data, config = play_week(tmp_path)
    source = f"sqlite:///{data}/hatbot.db"
    target = postgres.new_database("week_copy")
    done = run_cli("db", "copy", "--from", source, "--to", target, "--config", str(config),
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "every count matches" in done.stdout
    before = counts(source)
    after = counts(target)
    moved = {name: n for name, n in before.items() if n}
    assert {"meetings", "meeting_lines", "meeting_actions", "hat_tasks", "kb_entries",
            "kb_decisions", "handoffs", "mentorships", "welcome_newcomers",
            "apscheduler_jobs"} <= set(moved)
    for name, n in before.items():
        expected = n - 1 if name == "kv" else n  # the schema fingerprint is the target's own
        assert after[name] >= expected and (name == "kv" or after[name] == n), name
    assert f"meeting_lines {before['meeting_lines']} {before['meeting_lines']}" in \
        " ".join(done.stdout.split())

    again = run_cli("db", "copy", "--from", source, "--to", target, "--config", str(config),
                    cwd=tmp_path)
    assert again.returncode == 1 and "is not empty" in again.stderr \
        and "--replace empties its tables first" in again.stderr
    assert "hatbot@" in again.stderr  # the URL, shown without a password
    into_sqlite = run_cli("db", "copy", "--to", f"sqlite:///{tmp_path}/other.db", "--config",
                          str(config), cwd=tmp_path)
    assert into_sqlite.returncode == 1 and "the target must be PostgreSQL" in \
        into_sqlite.stderr
    replaced = run_cli("db", "copy", "--from", source, "--to", target, "--replace",
                       "--config", str(config), cwd=tmp_path)
    assert replaced.returncode == 0 and "every count matches" in replaced.stdout

    app = await start_bot(data_dir=data, raw={
        "bot": {"database_url": target}, "web": {"enabled": True, "port": 0},
        "skills": {"meetings": {"minutes_dir": str(data / "meetings")}}})
    assert app.web is not None
    base = f"http://127.0.0.1:{app.web.port}"
    async with httpx.AsyncClient() as client:
        archive = (await client.get(f"{base}/meetings/")).text
        found = (await client.get(f"{base}/meetings/", params={"q": "flaky gate"})).text
        entry = await client.get(f"{base}/kb/1")
    assert "nova" in archive and "docs" in archive
    assert "<mark>flaky</mark>" in found
    assert entry.status_code == 200 and "how do I build the docs locally?" in entry.text
    bot = memory(app)
    said = await bot.say("!hat add Check the copy area=infra", nick="alice", channel="#team")
    # The ids go on after the copied ones (the sequences moved past them).
    assert any("Task #4 added" in render_plain(reply.markup_text) for reply in said), said
