"""Commands that read open action items, at a size no community reaches by hand: 100,000
open items in the real database (issue #16: under 50 ms each)."""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import bench_app
from hatbot.adapters.memory import MemoryAdapter


async def run(items: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        app = bench_app({"bot": {"data_dir": data_dir}, "web": {"enabled": False},
                         "adapters": {"memory": {}}})
        await app.start()
        try:
            _fill(Path(data_dir) / "hatbot.db", items)
            adapter = app.adapters["memory"]
            assert isinstance(adapter, MemoryAdapter)
            for line in ("!actions", "!actions person7", "!actions page=400",
                         "#startmeeting series3"):
                times = []
                for _ in range(repeat):
                    began = time.perf_counter()
                    replies = await adapter.say(line, nick="chair")
                    times.append(time.perf_counter() - began)
                    if line.startswith("#startmeeting"):
                        await adapter.say("#endmeeting", nick="chair")
                assert replies, line
                print(f"queries: {line!r:24} at {items:,} open items: median "
                      f"{statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
        finally:
            await app.stop()


def _fill(database: Path, items: int) -> None:
    """``items`` open action items over 100 series and 1,000 people, written directly."""
    with sqlite3.connect(database) as db:
        db.execute("insert into meetings (id, channel, name, started_at) "
                   "values (1, 'memory:#old', 'old', '2026-01-05 16:00:00')")
        db.executemany(
            "insert into meeting_actions (id, meeting_id, meeting_name, said_at, text, "
            "assignees) values (?, 1, ?, '2026-01-05 16:01:00', ?, ?)",
            ((i, f"series{i % 100}", f"person{i % 1000} to do {i}", f"person{i % 1000}")
             for i in range(1, items + 1)))
        db.executemany("insert into meeting_action_assignees (action_id, nick) values (?, ?)",
                       ((i, f"person{i % 1000}") for i in range(1, items + 1)))
