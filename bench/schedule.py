"""``python -m bench schedule``: OpenStack's real irc-meetings files (both snapshots in
tests/fixtures, 217 files) read as the bot reads them, their next 30 days expanded,
and the year's conflicts checked. Each step is timed over ``--repeat`` runs in this
process; the first run's import of the schedule's libraries is timed apart."""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "irc-meetings"


def run(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    from hatbot.skills.schedule import calendar, conflicts, irc_meetings

    imported = time.perf_counter() - began
    folders = [FIXTURES / "2019", FIXTURES / "2016"]
    now = datetime(2026, 12, 6, tzinfo=UTC)
    steps: dict[str, list[float]] = {"load": [], "events": [], "30 days": [], "conflicts": []}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        loaded = irc_meetings.load(folders)
        t1 = time.perf_counter()
        meetings = [calendar.with_events(m, now.date(), now) for m in loaded.meetings]
        t2 = time.perf_counter()
        found = calendar.occurrences(meetings, now, now + timedelta(days=30))
        t3 = time.perf_counter()
        clashes = conflicts.conflicts(meetings, now)
        t4 = time.perf_counter()
        for key, seconds in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            steps[key].append(seconds)
    print(f"{len(loaded.meetings)} files, {len(found)} occurrences in 30 days, "
          f"{len(clashes)} conflicts in a year; imports {imported * 1000:.0f} ms")
    for key, seconds in steps.items():
        print(f"{key:>10}: median {statistics.median(seconds) * 1000:7.1f} ms, "
              f"max {max(seconds) * 1000:7.1f} ms")
    total = sum(statistics.median(s) for k, s in steps.items() if k != "conflicts")
    print(f"read and ready (load + events + 30 days): {total * 1000:.0f} ms "
          f"(+ imports {imported * 1000:.0f} ms)")
