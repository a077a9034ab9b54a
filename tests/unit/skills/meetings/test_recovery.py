"""Meetings survive crashes and faults: nothing said is lost, and minutes always get written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hatbot.app import App
from hatbot.markup import render_plain
from hatbot.skills.meetings.engine import Meeting
from hatbot.skills.meetings.models import MeetingLine, MeetingRecord
from hatbot.skills.meetings.skill import Meetings
from tests.conftest import StartBot, memory, read_minutes


async def said(app: App, text: str, nick: str = "alice", channel: str = "#test") -> list[str]:
    replies = await memory(app).say(text, nick=nick, channel=channel)
    return [line for r in replies for line in render_plain(r.markup_text).split("\n")]


def settings(folder: Path) -> dict[str, Any]:
    return {"skills": {"meetings": {"minutes_dir": str(folder)}}}


async def records(app: App) -> list[MeetingRecord]:
    async with app.sessions() as session:
        return list(await session.scalars(select(MeetingRecord).order_by(MeetingRecord.id)))


async def test_a_crash_after_endmeeting_is_finished_at_the_next_start(
    start_bot: StartBot, tmp_path: Path
) -> None:
    minutes = tmp_path / "minutes"
    first = await start_bot(raw=settings(minutes))
    await said(first, "#startmeeting docs")
    await said(first, "I will", nick="bob")
    await said(first, "#action bob to write the guide")
    # The bot dies right after committing the "#endmeeting" line, before closing the record.
    (record,) = await records(first)
    async with first.sessions() as session:
        session.add(MeetingLine(meeting_id=record.id, ts=record.started_at, key="memory:alice",
                                nick="alice", text="#endmeeting", is_bot=False))
        await session.commit()
    await first.stop()

    second = await start_bot(raw=settings(minutes))
    (job,) = [job for job, _ in second.scheduler.pending() if job.startswith("meetings.")]
    await second.scheduler.run_now(job)  # due at once: the scheduler would fire it now
    assert render_plain(memory(second).sent[0].markup_text).startswith("Minutes: http")
    (record,) = await records(second)
    assert record.ended_at is not None and record.minutes_at is not None
    assert "bob to write the guide" in read_minutes(minutes, "docs")
    assert (await said(second, "!actions"))[0].startswith("#1 bob to write the guide (bob)")
    assert (await said(second, "#startmeeting docs"))[0].startswith("Meeting started at ")


async def test_minutes_that_cannot_be_written_are_kept_and_written_later(
    start_bot: StartBot, tmp_path: Path
) -> None:
    blocked = tmp_path / "minutes"
    blocked.write_text("a file where the minutes folder should be")
    app = await start_bot(raw=settings(blocked))
    await said(app, "#startmeeting docs")
    await said(app, "#info every line is kept")
    replies = await said(app, "#endmeeting")
    assert replies[0].startswith("Meeting ended at ")
    assert replies[1].startswith("I could not write the minutes (")
    assert "I will try again in 5m" in replies[1]
    (record,) = await records(app)
    assert record.ended_at is not None and record.minutes_at is None
    # The channel is free again, and the retry is a stored job.
    assert any(job.startswith("meetings.write_pending.") for job, _ in app.scheduler.pending())

    blocked.unlink()
    skill = app.skills["meetings"]
    assert isinstance(skill, Meetings)
    before = len(memory(app).sent)
    await app.router.run("meetings", None, skill.write_pending)
    assert "every line is kept" in read_minutes(blocked, "docs")
    assert render_plain(memory(app).sent[before].markup_text).startswith("Minutes: http")
    (record,) = await records(app)
    assert record.minutes_at is not None


async def test_the_cli_rebuilds_any_meetings_minutes(start_bot: StartBot, tmp_path: Path) -> None:
    from hatbot.skills.meetings.rebuild_cli import run_rebuild
    from hatbot.skills.meetings.settings import MeetingsConfig

    minutes = tmp_path / "minutes"
    app = await start_bot(raw=settings(minutes))
    await said(app, "#startmeeting docs")
    await said(app, "#agreed rebuild from the database")
    await said(app, "#endmeeting")
    (path,) = minutes.glob("docs/*/docs.*[0-9].txt")
    path.unlink()

    import argparse

    from hatbot.skill import CliContext

    ctx = CliContext(app.config.bot, "http://x", MeetingsConfig(minutes_dir=str(minutes)))
    assert run_rebuild(ctx, argparse.Namespace(ids=[], all=True)) == 0
    assert "rebuild from the database" in path.read_text()
    with pytest.raises(ValueError, match="no meeting with id 99"):
        run_rebuild(ctx, argparse.Namespace(ids=[99], all=False))


async def test_an_overlong_name_is_cut_for_files_and_kept_in_the_title(
    start_bot: StartBot, tmp_path: Path
) -> None:
    minutes = tmp_path / "minutes"
    app = await start_bot(raw=settings(minutes))
    long_name = "release " * 40
    await said(app, f"#startmeeting {long_name}")
    replies = await said(app, "#endmeeting")
    assert replies[1].startswith("Minutes: http"), replies
    (path,) = minutes.glob("*/*/*[0-9].txt")
    assert len(path.name) < 200
    assert ("release " * 40).strip() in path.read_text()  # the title: the whole name


async def test_a_poison_time_box_is_refused_and_the_meeting_survives_a_restart(
    start_bot: StartBot, tmp_path: Path
) -> None:
    minutes = tmp_path / "minutes"
    first = await start_bot(raw=settings(minutes))
    await said(first, "#startmeeting docs")
    assert await said(first, "#topic eternity (99999999999h)") == []  # no time box read
    assert await said(first, "#topic centuries (999999999h)") == [
        "A time box is 1m to 24h; 'centuries (999999999h)' is recorded without one."]
    await first.stop()

    second = await start_bot(raw=settings(minutes))
    assert (await said(second, "#endmeeting"))[0].startswith("Meeting ended at ")
    assert "centuries (999999999h)" in read_minutes(minutes, "docs")


async def test_one_meeting_that_cannot_be_replayed_does_not_cost_another(
    start_bot: StartBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    minutes = tmp_path / "minutes"
    first = await start_bot(raw=settings(minutes))
    await said(first, "#startmeeting one", channel="#one")
    await said(first, "#chair boom", channel="#one")
    await said(first, "#info still here", channel="#one")
    await said(first, "#startmeeting two", channel="#two")
    await first.stop()

    original = Meeting._chair

    def explode(self: Meeting, line: Any, arg: str, number: int) -> Any:
        if arg == "boom":
            raise RuntimeError("a line the engine cannot take")
        return original(self, line, arg, number)

    monkeypatch.setattr(Meeting, "_chair", explode)
    second = await start_bot(raw=settings(minutes))
    assert (await said(second, "#endmeeting", channel="#two"))[0].startswith("Meeting ended")
    assert (await said(second, "#endmeeting", channel="#one"))[0].startswith("Meeting ended")
    text = read_minutes(minutes, "one")
    assert "still here" in text and "#chair boom" in read_minutes(minutes, "one", "log.txt")


async def test_line_separators_cannot_forge_log_lines(start_bot: StartBot, tmp_path: Path) -> None:
    minutes = tmp_path / "minutes"
    app = await start_bot(raw=settings(minutes))
    await said(app, "#startmeeting docs")
    for separator in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\r":
        await said(app, f"hello{separator}12:00:00 <alice> #agreed forged", nick="mallory")
    await said(app, "#info caf\udce9 is fine", nick="bob")
    await said(app, "#endmeeting")
    log_text = read_minutes(minutes, "docs", "log.txt")
    assert all(line[:8].count(":") == 2 for line in log_text.splitlines())
    assert "AGREED" not in read_minutes(minutes, "docs")
    assert "caf\ufffd is fine" in read_minutes(minutes, "docs")
    assert "\r" not in read_minutes(minutes, "docs", "md")


async def test_two_meetings_of_one_name_in_one_minute_keep_both_minutes(
    start_bot: StartBot, tmp_path: Path
) -> None:
    minutes = tmp_path / "minutes"
    app = await start_bot(raw=settings(minutes))
    for word in ("first", "second", "third"):
        await said(app, "#startmeeting docs")
        await said(app, f"#info the {word} one")
        await said(app, "#endmeeting")
    texts = [p for p in minutes.glob("docs/*/docs.*.txt") if not p.name.endswith(".log.txt")]
    assert len(texts) == 3  # "-2" and "-3" after the first (unless a minute went by)
    contents = "\n".join(p.read_text() for p in texts)
    for word in ("first", "second", "third"):
        assert f"the {word} one" in contents
