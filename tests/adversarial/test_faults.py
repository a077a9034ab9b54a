"""Faults of the machine, not of the input: a locked database (and, in a process with a
tiny file size limit, a full disk) is said once, shown on /healthz, and recovered from."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from hatbot.app import App
from hatbot.markup import render_plain
from hatbot.storage import db
from tests.conftest import StartBot, memory


async def said(app: App, text: str, channel: str) -> list[str]:
    return [render_plain(r.markup_text) for r in
            await memory(app).say(text, nick="admin", channel=channel)]


async def health(app: App) -> tuple[int, dict[str, object]]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{app.web.port}/healthz")
        return response.status_code, response.json()


async def test_a_locked_database_is_said_once_per_channel_and_recovered_from(
    start_bot: StartBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    app = await start_bot(raw={"web": {"enabled": True, "port": 0}})
    assert (await said(app, "!hat add Write the FAQ", "#a"))[0].startswith("Task #1 added")

    holder = sqlite3.connect(tmp_path / "hatbot.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        first = await said(app, "!hat add Review docs", "#a")
        assert len(first) == 1 and first[0].startswith(
            "I cannot save anything right now (database is locked)")
        assert await said(app, "!hat add Triage bugs", "#a") == []  # said once per channel
        assert (await said(app, "!hat add Triage bugs", "#b"))[0].startswith(
            "I cannot save anything right now")
        assert await said(app, "!ping", "#a") == ["pong"]  # what needs no saving still works
        status, body = await health(app)
        assert status == 503 and body["problems"] == {"storage": "database is locked"}
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert (await said(app, "!hat add Review docs", "#a"))[0].startswith("Task #2 added")
    assert (await health(app))[0] == 200
    errors = [r for r in caplog.records if r.name == "hatbot.health"]
    assert [r.levelname for r in errors] == ["ERROR", "WARNING"]  # once down, once back
    assert not any("Sorry, something went wrong" in r.getMessage() for r in caplog.records)


def test_a_full_disk_is_said_once_and_recovered_from(tmp_path: Path) -> None:
    """The bot's process may write no more bytes (RLIMIT_FSIZE, as a full disk behaves),
    then may again: one notice, no apologies, and it saves again by itself."""
    import resource
    import signal

    from tests.integration.conftest import Bot, console_config

    def no_signal_on_limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails with EFBIG

    bot = Bot(console_config(tmp_path), tmp_path, preexec=no_signal_on_limit)
    try:
        bot.say("!hat add Write the FAQ")
        bot.expect("Task #1 added")
        unlimited = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.prlimit(bot.proc.pid, resource.RLIMIT_FSIZE, (1, unlimited[1]))
        bot.say("<admin> !hat add Review docs")
        bot.expect("I cannot save anything right now")
        bot.say("<admin> !hat add Triage bugs")
        bot.say("!ping")
        assert bot.expect("pong") == "[#general] <hatbot> pong"  # nothing said in between
        resource.prlimit(bot.proc.pid, resource.RLIMIT_FSIZE, unlimited)
        bot.say("!hat add Review docs")
        bot.expect("Task #2 added")
        rest = bot.finish()
        assert "Sorry" not in rest
    finally:
        bot.kill()
