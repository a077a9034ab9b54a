"""Whole meetings played through the real skill, compared byte for byte with kept files.

Each folder of tests/fixtures/meetings/ has a transcript (``HH:MM:SS <nick> text`` lines,
``\\n`` inside a line for a pasted multi-line message, ``--- restart`` to restart the bot,
``--- timebox HH:MM:SS`` to fire the pending time-box warnings then) and ``expected/``:
the six minutes files and ``chat.txt``, what the bot said. After a deliberate change to
the output, regenerate with ``HATBOT_UPDATE_GOLDEN=1 make test`` and review the diff.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from hatbot.adapters.memory import PLATFORM, person
from hatbot.app import App
from hatbot.clock import FakeClock
from hatbot.events import Address, Message
from hatbot.markup import render_plain
from hatbot.skill import CliContext
from hatbot.skills.meetings.replay_cli import read_text_log, run_replay
from hatbot.skills.meetings.settings import MeetingsConfig
from tests.conftest import REPO, StartBot, memory, paused

FIXTURES = REPO / "tests" / "fixtures" / "meetings"
DAY = date(2026, 1, 5)
CHANNEL = Address(PLATFORM, "#dev")
PUBLIC_URL = "https://meetings.example.org"
UPDATE = os.environ.get("HATBOT_UPDATE_GOLDEN") == "1"


def at(clock_text: str) -> datetime:
    return datetime.combine(DAY, time.fromisoformat(clock_text), tzinfo=UTC)


async def play(start_bot: StartBot, transcript: str, minutes_dir: Path) -> list[str]:
    """Feed the transcript to the bot; return what it said, one line per message line."""
    clock = FakeClock()
    raw: dict[str, Any] = {"skills": {"meetings": {"minutes_dir": str(minutes_dir)}},
                           "web": {"public_url": PUBLIC_URL}}
    app: App = paused(await start_bot(raw=raw, clock=clock))
    said: list[str] = []

    def collect() -> None:
        for reply in memory(app).sent:
            text = render_plain(reply.markup_text)  # as IRC and the console show it
            said.extend(f"[{reply.target.id}] {line}" for line in text.split("\n"))
        memory(app).sent.clear()

    for raw_line in transcript.splitlines():
        if not raw_line or raw_line.startswith(";"):
            continue
        if raw_line == "--- restart":
            collect()
            await app.stop()
            app = paused(await start_bot(raw=raw, clock=clock))
            continue
        if raw_line.startswith("--- timebox "):
            clock.set(at(raw_line.split()[-1]))
            for job_id, _ in app.scheduler.pending():
                if job_id.startswith("meetings.timebox_over."):
                    await app.scheduler.run_now(job_id)
            continue
        stamp, rest = raw_line.split(" ", 1)
        nick, text = rest[1:].split("> ", 1)
        clock.set(at(stamp))
        await memory(app).emit(Message(channel=CHANNEL, sender=person(nick),
                                       text=text.replace("\\n", "\n"), ts=at(stamp)))
    collect()
    return said


def produced_files(minutes_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(minutes_dir.rglob("*")) if p.is_file()}


CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
async def test_meeting_matches_golden_files(case: str, start_bot: StartBot,
                                            tmp_path: Path) -> None:
    minutes_dir = tmp_path / "minutes"
    transcript = (FIXTURES / case / "transcript.txt").read_text(encoding="utf-8")
    said = await play(start_bot, transcript, minutes_dir)
    files = produced_files(minutes_dir)
    files["chat.txt"] = ("\n".join(said) + "\n").encode()
    expected_dir = FIXTURES / case / "expected"
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        expected_dir.mkdir(parents=True)
        for name, content in files.items():
            (expected_dir / name).write_bytes(content)
    expected = {p.name: p.read_bytes() for p in sorted(expected_dir.iterdir())}
    assert sorted(files) == sorted(expected)
    for name, content in expected.items():
        assert files[name].decode() == content.decode(), f"{case}: {name} differs"


@pytest.mark.parametrize("case", CASES)
def test_replaying_the_logs_gives_the_same_minutes(case: str, tmp_path: Path) -> None:
    """The .log.json rebuilds all six files exactly; MeetBot's .log.txt the five others."""
    from hatbot.config import BotConfig

    expected_dir = FIXTURES / case / "expected"
    (log_json,) = expected_dir.glob("*.log.json")
    (log_txt,) = expected_dir.glob("*.log.txt")
    expected = {p.name: p.read_bytes() for p in expected_dir.iterdir() if p.name != "chat.txt"}

    for log, channel, skip in ((log_json, None, ()), (log_txt, "#dev", (".log.json",))):
        out = tmp_path / log.name
        ctx = CliContext(BotConfig(), PUBLIC_URL, MeetingsConfig(minutes_dir=str(out)))

        class Args:
            pass

        args = Args()
        args.log, args.channel, args.date = log, channel, None  # type: ignore[attr-defined]
        args.bot_nick = None  # type: ignore[attr-defined]
        assert run_replay(ctx, args) == 0  # type: ignore[arg-type]
        rebuilt = produced_files(out)
        for name, content in expected.items():
            if not name.endswith(skip):
                assert rebuilt[name] == content, f"{case}: replay of {log.name}: {name} differs"


def test_text_log_reader_handles_actions_notices_and_midnight() -> None:
    text = ("23:59:50 <alice> #startmeeting late\n"
            "23:59:55 * bob waves\n"
            "-!- carol has joined\n"
            "00:00:05 <hatbot> Meeting started\n")
    lines = read_text_log(text, DAY, bot_name="hatbot")
    assert [(line.nick, line.text, line.is_bot, line.is_action) for line in lines] == [
        ("alice", "#startmeeting late", False, False), ("bob", "waves", False, True),
        ("hatbot", "Meeting started", True, False)]
    assert lines[-1].ts.date() == date(2026, 1, 6)


def test_user_text_never_becomes_markup_in_html() -> None:
    expected_dir = FIXTURES / "unicode_and_injection" / "expected"
    pages = [p for p in expected_dir.iterdir() if p.name.endswith(".html")]
    assert len(pages) == 2
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for attack in ("<script", "<img", "href=\"javascript:", "<b>"):
            assert attack not in html, (page.name, attack)
        assert "&lt;script&gt;" in html
