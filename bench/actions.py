"""Assigning action items to the people they name: thousands of speakers, a thousand
actions (issue #16: the old regex per nick took 31 s at 1,000 speakers)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from hatbot.skills.meetings.engine import Line, replay
from hatbot.skills.meetings.minutes import Minutes


def run(speakers: int, actions: int) -> None:
    start = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
    lines = [Line(start, "chair", "chair", "#startmeeting big")]
    lines += [Line(start + timedelta(seconds=i), f"p{i}", f"person{i}", "here")
              for i in range(speakers)]
    lines += [Line(start + timedelta(seconds=speakers + i), "chair", "chair",
                   f"#action person{i % speakers} and person{i * 7 % speakers} to do {i}")
              for i in range(actions)]
    lines.append(Line(start + timedelta(hours=2), "chair", "chair", "#endmeeting"))
    meeting = replay(lines, "irc:#big")
    began = time.perf_counter()
    by_person = Minutes(meeting, "hatbot", "").by_person
    elapsed = time.perf_counter() - began
    assigned = sum(len(items) for nick, items in by_person if nick != "UNASSIGNED")
    print(f"actions: {speakers} speakers x {actions} actions assigned in {elapsed * 1000:.0f} ms "
          f"({assigned} assignments)")
