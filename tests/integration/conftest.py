"""Fixtures for tests that run ``hatbot`` as a process: a console bot on a live stdin pipe."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from hatbot.adapters.irc import IrcAdapter
from hatbot.app import App
from tests.conftest import HATBOT, free_port, require_server
from tests.integration.fake_slack import FakeSlack
from tests.integration.irc_client import Line
from tests.integration.servers import Ngircd


class Bot:
    """``hatbot run`` with a live stdin pipe, its stdout read line by line with deadlines."""

    def __init__(self, config: Path, cwd: Path,
                 preexec: Callable[[], None] | None = None, extra: list[str] | None = None
                 ) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HATBOT_")}
        self.proc = subprocess.Popen(
            [str(HATBOT), "run", "--config", str(config), *(extra or [])], cwd=cwd, env=env,
            text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=preexec,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def say(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, wanted: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if wanted in line:
                return line
        raise AssertionError(f"no line with {wanted!r} within {timeout}s")

    def finish(self) -> str:
        """Close stdin (end of input) and return whatever else the bot printed."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        assert self.proc.wait(timeout=30) == 0
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return "\n".join(rest)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)


def console_config(folder: Path) -> Path:
    config = folder / "hatbot.toml"
    config.write_text(f'[bot]\ndata_dir = "{folder}/data"\n[web]\nport = {free_port()}\n'
                      "[adapters.console]\n")
    return config


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[[], Bot]]:
    """Start ``hatbot run`` on one config and data folder; every process is killed at the end."""
    config = console_config(tmp_path)
    started: list[Bot] = []

    def start() -> Bot:
        started.append(Bot(config, tmp_path))
        return started[-1]

    yield start
    for bot in started:
        bot.kill()


def stored_jobs(folder: Path, skill: str) -> int:
    """Jobs of one skill in the bot's job store (other skills keep cron jobs there too)."""
    with sqlite3.connect(folder / "data" / "hatbot.db") as db:
        (count,) = db.execute("select count(*) from apscheduler_jobs where id like ?",
                              (f"{skill}.%",)).fetchone()
    return int(count)


# --- IRC: a real ngircd per test ---------------------------------------------------


def make_server(penalty: bool = False, tls: bool = False) -> Iterator[Ngircd]:
    require_server(Ngircd.available(), "ngircd is not installed (apt-get install ngircd)")
    server = Ngircd(penalty=penalty, tls=tls)
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def ngircd() -> Iterator[Ngircd]:
    yield from make_server()


@pytest.fixture
def ngircd_with_penalty() -> Iterator[Ngircd]:
    yield from make_server(penalty=True)


@pytest.fixture
def ngircd_tls() -> Iterator[Ngircd]:
    yield from make_server(tls=True)


def irc(app: App) -> IrcAdapter:
    adapter = app.adapters["irc"]
    assert isinstance(adapter, IrcAdapter)
    return adapter


def joined(nick: str = "hatbot") -> Callable[[Line], bool]:
    return lambda line: line.command == "JOIN" and line.nick == nick


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    """A local fake of Slack's Web API and Socket Mode."""
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()
