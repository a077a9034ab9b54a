"""The web server starts after the chat adapters (its libraries are a fifth of the start),
unless its links need the port the system gives it (issue #16)."""

from __future__ import annotations

import socket

from hatbot.adapters.memory import MemoryAdapter
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
