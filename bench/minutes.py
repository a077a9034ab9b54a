"""Rendering minutes: a long meeting written in all six formats."""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hatbot.skills.meetings.engine import Line, replay
from hatbot.skills.meetings.files import FORMATS, write_minutes

WORDS = ("the gate is red again", "review https://review.example.org/12345 please",
         "we should document this", "agreed", "I can take it", "<b>escaped</b> & fine",
         "ünïcödé works", "let's vote on it")
COMMANDS = ("#info", "#idea", "#action", "#agreed", "#link https://docs.example.org/x", "")


def meeting_lines(count: int, seed: int = 7) -> list[Line]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
    people = [f"dev{i}" for i in range(30)]
    lines = [Line(start, "irc:chair", "chair", "#startmeeting bench")]
    for i in range(1, count - 1):
        ts = start + timedelta(seconds=i * 0.3)
        if i % 250 == 0:
            lines.append(Line(ts, "irc:chair", "chair", f"#topic Topic {i // 250}"))
            continue
        nick = rng.choice(people)
        command = rng.choice(COMMANDS) if rng.random() < 0.2 else ""
        key = "irc:chair" if command in ("#agreed",) else f"irc:{nick}"
        text = f"{command} {nick} {rng.choice(WORDS)}".strip()
        lines.append(Line(ts, key, "chair" if key == "irc:chair" else nick, text))
    lines.append(Line(start + timedelta(seconds=count * 0.3), "irc:chair", "chair",
                      "#endmeeting"))
    return lines


def run(count: int, repeat: int) -> None:
    lines = meeting_lines(count)
    started = time.perf_counter()
    meeting = replay(lines, "irc:#bench")
    replayed = time.perf_counter() - started
    assert meeting is not None and meeting.ended_at is not None
    timings = []
    with tempfile.TemporaryDirectory(prefix="hatbot-bench-") as folder:
        for _ in range(repeat):
            started = time.perf_counter()
            written = write_minutes(meeting, Path(folder), FORMATS, "hatbot",
                                    "https://meetings.example.org")
            timings.append(time.perf_counter() - started)
        sizes = {fmt: path.stat().st_size for fmt, path in written.items()}
    print(f"meeting            : {len(meeting.lines):,} lines, {len(meeting.items):,} items")
    print(f"replay (engine)    : {replayed * 1000:.0f} ms")
    print(f"write all formats  : best {min(timings) * 1000:.0f} ms, "
          f"worst {max(timings) * 1000:.0f} ms over {repeat} runs")
    print("file sizes         : " + ", ".join(f"{fmt} {size // 1024} KiB"
                                            for fmt, size in sizes.items()))


def stall(count: int) -> None:
    """How long the event loop is held up while a ``count``-line meeting's minutes are
    written: beside a thread (as before) and beside a forked child (``run_aside``, as the
    meetings skill writes them now). A ticker asks for a turn every millisecond."""
    import asyncio
    from functools import partial

    from hatbot.skill import run_aside
    from tests.support import loop_lags

    meeting = replay(meeting_lines(count), "irc:#bench")
    assert meeting is not None

    async def measure(how: str, folder: Path) -> tuple[float, list[float]]:
        write = partial(write_minutes, meeting, folder, FORMATS, "hatbot",
                        "https://meetings.example.org")
        async with loop_lags(0.001) as lags:
            await asyncio.sleep(0.05)
            lags.clear()
            started = time.perf_counter()
            await (asyncio.to_thread(write) if how == "thread" else run_aside(write))
            took = time.perf_counter() - started
        return took, sorted(lags)

    print(f"meeting            : {len(meeting.lines):,} lines, all six formats")
    with tempfile.TemporaryDirectory(prefix="hatbot-bench-") as folder:
        for how in ("thread", "forked child"):
            took, lags = asyncio.run(measure(how, Path(folder)))
            p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
            print(f"{how:19s}: written in {took * 1000:,.0f} ms; the loop waited "
                  f"p50 {lags[len(lags) // 2] * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
                  f"max {lags[-1] * 1000:.2f} ms per turn ({len(lags)} turns)")
