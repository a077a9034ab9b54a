"""The web server starts after the chat adapters (its libraries are a fifth of the start),
unless its links need the port the system gives it (issue #16)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from hatbot.adapters.memory import MemoryAdapter
from hatbot.background_import import import_in_thread, imports_running
from tests.conftest import StartBot


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Watching(MemoryAdapter):
    """Notes whether the web server already listened when the adapter started."""

    port = 0
    web_was_up: list[bool] = []

    async def start(self) -> None:
        type(self).web_was_up.append(listening(self.port))
        await super().start()


async def test_adapters_start_before_the_web_server_on_a_fixed_port(
        start_bot: StartBot) -> None:
    Watching.port, Watching.web_was_up = free_port(), []
    app = await start_bot(raw={"web": {"enabled": True, "host": "127.0.0.1",
                                       "port": Watching.port}},
                          adapters={"memory": Watching})
    assert Watching.web_was_up == [False]
    assert app.web is not None and app.web.port == Watching.port and listening(Watching.port)
    # Links made while the server was still loading already named it.
    assert app.runtime.public_url == f"http://127.0.0.1:{Watching.port}"


async def test_on_port_0_the_web_server_starts_first_so_links_name_its_real_port(
        start_bot: StartBot) -> None:
    app = await start_bot(raw={"web": {"enabled": True, "host": "127.0.0.1", "port": 0}})
    assert app.web is not None and app.web.port
    assert app.runtime.public_url == f"http://127.0.0.1:{app.web.port}"


async def test_with_the_web_server_off_aiohttp_is_never_made_to_serve(
        start_bot: StartBot) -> None:
    app = await start_bot()
    assert app.web is None


async def test_a_module_imported_in_a_thread_leaves_the_loop_running(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "slow_to_import.py").write_text("import time\ntime.sleep(0.5)\nVALUE = 42\n")
    (tmp_path / "broken_import.py").write_text("raise ValueError('no such thing')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    module = await import_in_thread("slow_to_import")
    ticker.cancel()
    assert module.VALUE == 42
    assert ticks >= 20  # the loop went on through the half second the import took
    with pytest.raises(ValueError, match="no such thing"):
        await import_in_thread("broken_import")


async def test_an_import_at_work_is_known_until_it_ends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "slow_too.py").write_text("import time\ntime.sleep(0.3)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not imports_running()
    loading = import_in_thread("slow_too")
    assert imports_running()  # a process stopping now must not finalise
    await loading
    assert not imports_running()
