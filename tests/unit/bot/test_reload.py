"""SIGHUP: a new configuration applies where that is safe, and a bad one changes nothing."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from hatbot.adapters.memory import MemoryAdapter
from hatbot.app import App
from hatbot.config import load
from hatbot.markup import render_plain
from hatbot.plugins import Plugins, discover
from hatbot.storage.kv import KeyValue
from tests.conftest import memory

CONFIG = """
[bot]
data_dir = "{data}"
admins = ["{admin}"]
[web]
enabled = false
port = {port}
[adapters.memory]
[skills.welcome]
channels = ["memory:#dev"]
message = "{message}"
"""


def write(path: Path, *, admin: str = "memory:boss", message: str = "Hello {name}",
          port: int = 8080) -> None:
    path.write_text(CONFIG.format(data=path.parent / "data", admin=admin, message=message,
                                  port=port))


async def preview(app: App, nick: str) -> str:
    replies = await memory(app).say("!welcome preview", nick=nick)
    return render_plain(replies[0].markup_text)


async def test_reload_applies_settings_and_admins_and_refuses_bad_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    found = discover()
    plugins = Plugins(adapters={**found.adapters, "memory": MemoryAdapter}, skills=found.skills)
    path = tmp_path / "hatbot.toml"
    write(path)
    app = App(load(path, plugins.adapter_models(), plugins.skill_models(), environ={}), plugins)
    await app.start()
    try:
        assert (await preview(app, "boss")).startswith("Hello boss")

        write(path, admin="memory:chief", message="Hi {name}, welcome back", port=9090)
        caplog.set_level(logging.INFO)
        assert await app.reload()
        assert (await preview(app, "chief")).startswith("Hi chief, welcome back")
        assert await preview(app, "boss") == "Sorry, !welcome preview is for admins only."
        assert "reload: web changed; that takes effect at the next restart" in caplog.text

        path.write_text(path.read_text() + "[skills.welcome.nosuch]\n")
        caplog.clear()
        assert not await app.reload()
        assert "reload refused: the configuration in use is unchanged" in caplog.text
        assert "reload: skills.welcome.nosuch: unknown key" in caplog.text
        assert (await preview(app, "chief")).startswith("Hi chief, welcome back")
    finally:
        await app.stop()


HAT = """
[bot]
data_dir = "{data}"
[web]
enabled = false
[adapters.memory]
[[skills.hat.reminders]]
channel = "memory:#dev"
cron = "{cron}"
"""


async def test_a_reload_while_a_session_writes_waits_for_its_turn(tmp_path: Path) -> None:
    """The new schedules go to the job store on SQLite, where one writer writes at a time:
    a reload takes the write turn like the sessions do, instead of writing on the event
    loop while a session holds the file's lock (which froze the bot until the busy
    timeout, then failed)."""
    found = discover()
    plugins = Plugins(adapters={**found.adapters, "memory": MemoryAdapter}, skills=found.skills)
    path = tmp_path / "hatbot.toml"
    path.write_text(HAT.format(data=tmp_path / "data", cron="0 9 * * MON"))
    app = App(load(path, plugins.adapter_models(), plugins.skill_models(), environ={}), plugins)
    await app.start()
    try:
        assert app.scheduler is not None
        job = "hat.remind.cron.0"
        assert job in dict(app.scheduler.pending())
        path.write_text(HAT.format(data=tmp_path / "data", cron="30 8 * * TUE"))
        loop = asyncio.get_running_loop()
        async with app.sessions() as session:
            session.add(KeyValue(namespace="test", key="busy", value="yes"))
            await session.flush()  # the turn and SQLite's lock are this session's now
            reload = asyncio.create_task(app.reload())
            started = loop.time()
            await asyncio.sleep(0.3)  # the loop must stay free meanwhile
            assert loop.time() - started < 0.5
            assert not reload.done()  # waiting for the turn
            await session.commit()
        assert await asyncio.wait_for(reload, 5)
        next_run = dict(app.scheduler.pending())[job]
        assert next_run is not None and (next_run.weekday(), next_run.hour) == (1, 8)
    finally:
        await app.stop()
