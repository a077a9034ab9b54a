"""SIGHUP: a new configuration applies where that is safe, and a bad one changes nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hatbot.adapters.memory import MemoryAdapter
from hatbot.app import App
from hatbot.config import load
from hatbot.markup import render_plain
from hatbot.plugins import Plugins, discover
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
