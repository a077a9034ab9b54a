"""SIGKILL at random points of a meeting, and right after "#endmeeting": no acknowledged
line is lost, the channel is never stuck, and the minutes are always written."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import read_minutes
from tests.integration.conftest import Bot

ROUNDS = 4


def test_random_kills_lose_no_acknowledged_line(
    tmp_path: Path, launch: Callable[[], Bot]
) -> None:
    chance = random.Random(12)  # a fixed seed: the same kill points every run
    acknowledged: list[str] = []
    bot = launch()
    bot.say("<alice> #startmeeting crash course")
    bot.expect("Meeting started")
    for round_ in range(ROUNDS):
        lines = [f"round {round_} line {n}" for n in range(20)]
        for line in lines:
            bot.say(f"<alice> {line}")
        bot.say("!ping")
        bot.expect("pong")  # the console handles lines in order: all of them are in
        acknowledged += lines
        for n in range(20):  # in flight when the kill comes
            bot.say(f"<bob> unacknowledged {round_}.{n}")
        time.sleep(chance.uniform(0, 0.05))
        bot.kill()
        bot = launch()
    bot.say("<alice> #endmeeting")
    bot.expect("Minutes (text):")
    bot.finish()
    log = read_minutes(tmp_path / "data" / "meetings", "crash_course", "log.txt")
    missing = [line for line in acknowledged if line not in log]
    assert missing == []


def test_a_kill_right_after_endmeeting_still_gives_minutes(
    tmp_path: Path, launch: Callable[[], Bot]
) -> None:
    bot = launch()
    bot.say("<alice> #startmeeting last words")
    bot.say("<alice> #agreed kill me now")
    bot.say("<alice> #endmeeting")
    bot.expect("Meeting ended")
    bot.kill()  # before, or while, the minutes are written

    bot = launch()
    bot.say("<alice> #startmeeting last words")  # the channel is free again
    bot.expect("Meeting started")
    bot.say("<alice> #endmeeting")
    bot.expect("Minutes (text):")
    bot.finish()
    minutes = sorted((tmp_path / "data" / "meetings" / "last_words").glob("*/*[0-9].txt"))
    assert minutes, "no minutes written"
    assert any("kill me now" in path.read_text() for path in minutes)
