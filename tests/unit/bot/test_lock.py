"""Two bots on one data directory: the second refuses to start, and says why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hatbot.lock import AlreadyRunning, DataDirLock
from tests.conftest import StartBot


async def test_a_second_bot_on_the_same_data_dir_refuses_to_start(
    start_bot: StartBot, tmp_path: Path
) -> None:
    first = await start_bot()
    with pytest.raises(AlreadyRunning, match=rf"another Hatbot \(pid {os.getpid()}\) is running "
                                             rf"on {tmp_path}"):
        await start_bot()
    await first.stop()
    third = await start_bot()  # the lock goes with the bot that held it
    assert third.adapters["memory"].status == "connected"


def test_the_lock_is_released_for_the_next_holder(tmp_path: Path) -> None:
    first, second = DataDirLock(tmp_path), DataDirLock(tmp_path)
    first.acquire()
    with pytest.raises(AlreadyRunning):
        second.acquire()
    first.release()
    second.acquire()
    second.release()
