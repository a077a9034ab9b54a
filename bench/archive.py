"""Replaying a MeetBot archive: N real-sized logs in NAME/YYYY/ folders, through
``hatbot minutes replay FOLDER`` as a user runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.minutes import meeting_lines
from hatbot.skills.meetings.engine import replay
from hatbot.skills.meetings.minutes import render_log_text

HATBOT = Path(sys.executable).with_name("hatbot")


def make_archive(folder: Path, logs: int, lines: int) -> None:
    """``logs`` copies of one meeting of ``lines`` lines, under 20 series, each series
    meeting once a day: every log is a meeting of its own (its own files, its own row)."""
    meeting = replay(meeting_lines(lines), "irc:#bench")
    assert meeting is not None
    text = render_log_text(meeting)
    for n in range(logs):
        series = f"team{n % 20}"
        day = date(2000, 1, 1) + timedelta(days=n // 20)
        path = folder / series / f"{day:%Y}" / f"{series}.{day:%Y-%m-%d}-16.00.log.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("#startmeeting bench", f"#startmeeting {series}", 1),
                        encoding="utf-8")


def run(logs: int, lines: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="hatbot-bench-archive-"))
    try:
        make_archive(work / "archive", logs, lines)
        config = work / "hatbot.toml"
        config.write_text(f'[bot]\ndata_dir = "{work}/data"\n[adapters.console]\n')
        started = time.perf_counter()
        done = subprocess.run([str(HATBOT), "minutes", "replay", str(work / "archive"),
                               "--config", str(config)], capture_output=True, text=True,
                              check=False)
        took = time.perf_counter() - started
        print(done.stdout.strip().splitlines()[-1] if done.stdout else done.stderr[-500:])
        print(f"{logs} logs of {lines} lines: {took:.1f} s, {logs / took:.0f} logs/s "
              f"(exit {done.returncode})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
