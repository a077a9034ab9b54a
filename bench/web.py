"""The archive's pages at OpenStack's size (issue #17): 25,000 meetings and 2 million lines
in SQLite, served by the real bot over HTTP. Each page is asked for again and again; the
time to its last byte (p50, p95) and its size are printed.

Target: the archive's first page and a search each under 200 ms (p95) and 200 KB;
``/community/`` under 300 ms.

The database is made once, through the bot's own migrations and then rows written
directly, their search index built in one pass (as the migration does for the lines
already there), and kept under .cache/bench/ for the next run.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.harness import bench_app
from tests.support import REPO

SERIES = 300
PHRASES = ("the gate is red again", "review https://review.example.org/{n} please",
           "we should document this", "agreed", "I can take it", "<b>escaped</b> & fine",
           "ünïcödé works", "let's vote on it", "the release notes need an owner",
           "who is looking at the flaky job", "+1 from me", "see bug {n}",
           "can we move this to the mailing list", "next week then")
RARE = "quasar"  # said in one meeting in a thousand


def _raw(home: Path) -> dict[str, object]:
    return {"bot": {"data_dir": str(home)}, "web": {"enabled": True, "port": 0},
            "adapters": {"memory": {}},
            "skills": {"meetings": {"minutes_dir": str(home / "minutes")}}}


async def _made(home: Path, meetings: int, lines: int) -> None:
    """The database, made once: the schema by the bot's own start, then the rows."""
    done = home / "made"
    if done.exists():
        return
    app = bench_app(_raw(home))
    await app.start()  # makes the data folder and migrates
    await app.stop()
    _fill(home, meetings, lines)
    done.touch()


def _fill(home: Path, meetings: int, lines: int) -> None:
    began = time.perf_counter()
    rng = random.Random(17)
    # Ten years of meetings up to the day it is made: the figures of the last year
    # (/community/) have a year of meetings to read.
    first = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=210 * meetings)
    with sqlite3.connect(home / "hatbot.db") as db:
        line_id = 0
        for number in range(1, meetings + 1):
            name = f"series{number % SERIES}"
            start = first + timedelta(minutes=210 * number)
            stamp = f"{start:%Y-%m-%d %H:%M:%S}"
            db.execute(
                "insert into meetings (id, channel, name, started_at, ended_at, minutes_at, "
                "base, title, restricted, line_count, attendance) "
                "values (?, 'irc:#openstack-meeting', ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                (number, name, stamp, stamp, stamp,
                 f"{name}/{start:%Y}/{name}.{start:%Y-%m-%d-%H.%M}",
                 f"#openstack-meeting: {name}", lines, rng.randint(3, 25)))
            rows = []
            for index in range(lines):
                line_id += 1
                text = rng.choice(PHRASES).format(n=rng.randint(1, 10**6))
                if index == 7 and number % 1000 == 0:
                    text += f" ({RARE})"
                rows.append((line_id, number, stamp, f"irc:dev{index % 30}",
                             f"dev{index % 30}", text))
            db.executemany("insert into meeting_lines (id, meeting_id, ts, key, nick, text, "
                           "is_bot, is_action) values (?, ?, ?, ?, ?, ?, 0, 0)", rows)
            for item in range(2):  # two action items a meeting, two in three done a week on
                done = f"{start + timedelta(days=7):%Y-%m-%d %H:%M:%S}" \
                    if rng.random() < 0.66 else None
                db.execute("insert into meeting_actions (meeting_id, meeting_name, said_at, "
                           "text, assignees, done_at) values (?, ?, ?, ?, ?, ?)",
                           (number, name, stamp, f"dev{item} to look at bug {number}",
                            f"dev{item}", done))
            if number % 5 == 0:  # a newcomer every 17 hours, most answered within hours
                db.execute("insert into welcome_newcomers (person, channel, joined_at, "
                           "first_message_at, first_response_at) values (?, ?, ?, ?, ?)",
                           (f"irc:newcomer{number}", "irc:#welcome", stamp, stamp,
                            f"{start + timedelta(hours=rng.randint(1, 30)):%Y-%m-%d %H:%M:%S}"))
        db.execute("INSERT INTO meeting_lines_fts(meeting_lines_fts) VALUES ('rebuild')")
        db.execute("UPDATE meetings SET indexed_to = (SELECT max(id) FROM meeting_lines "
                   "WHERE meeting_lines.meeting_id = meetings.id)")
    print(f"web: made {meetings:,} meetings, {meetings * lines:,} lines in "
          f"{time.perf_counter() - began:.0f} s ({home})")


async def run(meetings: int, lines: int, repeat: int) -> None:
    home = REPO / ".cache" / "bench" / f"web-{meetings}x{lines}"
    await _made(home, meetings, lines)
    app = bench_app(_raw(home))
    await app.start()
    try:
        assert app.web is not None
        base = f"http://127.0.0.1:{app.web.port}/meetings/"
        asked = [
            ("archive, first page", "", {}),
            ("archive, page 200", "", {"page": "200"}),
            ("archive, one year", "", {"year": "2020"}),
            ("a series", "series7/", {}),
            (f"search, a rare word ({RARE})", "", {"q": RARE}),
            ("search, a common word (gate)", "", {"q": "gate"}),
            ("search, two words (release owner)", "", {"q": "release owner"}),
            ("search, a word in a series", "", {"q": "flaky", "series": "series7"}),
            ("search, a word in a year", "", {"q": "mailing", "year": "2019"}),
            ("search, a common word, page 20", "", {"q": "gate", "page": "20"}),
            ("community, 365 days", "../community/", {"days": "365"}),
            ("action items, every state", "../actions/", {"state": "all"}),
        ]
        print(f"web: {meetings:,} meetings, {meetings * lines:,} lines in SQLite; "
              f"{repeat} requests each")
        async with httpx.AsyncClient(timeout=60) as client:
            for label, path, params in asked:
                times = []
                size = 0
                for _ in range(repeat):
                    began = time.perf_counter()
                    answer = await client.get(base + path, params=params)
                    times.append(time.perf_counter() - began)
                    assert answer.status_code == 200, (label, answer.status_code)
                    size = len(answer.content)
                times.sort()
                p95 = times[max(0, round(len(times) * 0.95) - 1)]
                print(f"  {label:38} p50 {statistics.median(times) * 1000:6.1f} ms, "
                      f"p95 {p95 * 1000:6.1f} ms, {size / 1024:5.1f} KB")
    finally:
        await app.stop()
