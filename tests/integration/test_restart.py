"""A crash loses nothing committed: SIGKILL the bot, start it again, the scheduled job fires."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import HATBOT, free_port


class Bot:
    """``hatbot run`` with a live stdin pipe, its stdout read line by line with deadlines."""

    def __init__(self, config: Path, cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HATBOT_")}
        self.proc = subprocess.Popen(
            [str(HATBOT), "run", "--config", str(config)], cwd=cwd, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
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


@pytest.fixture
def bots() -> Iterator[list[Bot]]:
    started: list[Bot] = []
    yield started
    for bot in started:
        bot.kill()


def test_sigkill_then_restart_keeps_the_scheduled_job(tmp_path: Path, bots: list[Bot]) -> None:
    config = tmp_path / "hatbot.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path}/data"\n[web]\nport = {free_port()}\n'
                      "[adapters.console]\n")

    first = Bot(config, tmp_path)
    bots.append(first)
    first.say("<alice> !remind 2s the release notes are due")
    first.expect("OK, in 2s I will say: the release notes are due")
    first.kill()
    assert first.proc.returncode == -signal.SIGKILL

    with sqlite3.connect(tmp_path / "data" / "hatbot.db") as db:
        (stored,) = db.execute("select count(*) from apscheduler_jobs").fetchone()
    assert stored == 1

    second = Bot(config, tmp_path)
    bots.append(second)
    line = second.expect("Reminder from alice", timeout=30)
    assert line == "[#general] <hatbot> Reminder from alice: the release notes are due"
    second.say("!ping")
    second.expect("pong")
    assert "Reminder" not in second.finish()

    with sqlite3.connect(tmp_path / "data" / "hatbot.db") as db:
        (stored,) = db.execute("select count(*) from apscheduler_jobs").fetchone()
    assert stored == 0  # fired once, and gone


def test_sigterm_is_a_graceful_stop(tmp_path: Path, bots: list[Bot]) -> None:
    config = tmp_path / "hatbot.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path}/data"\n[web]\nport = {free_port()}\n'
                      "[adapters.console]\n")
    bot = Bot(config, tmp_path)
    bots.append(bot)
    bot.say("!ping")
    bot.expect("pong")
    bot.proc.send_signal(signal.SIGTERM)
    assert bot.proc.wait(timeout=30) == 0
