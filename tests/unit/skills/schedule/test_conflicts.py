"""Conflicts: OpenStack's real schedule, a fuzz against irc-meetings' own check
(yaml2ical), and ``hatbot schedule check``."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml2ical.meeting
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hatbot.skills.schedule import calendar, conflicts, irc_meetings
from tests.conftest import REPO

REAL = REPO / "tests" / "fixtures" / "irc-meetings"
# A Monday of a year of 52 ISO weeks: a year ahead crosses no 53rd week.
MONDAY = datetime(2027, 1, 4, tzinfo=UTC)
FREQUENCIES = ["weekly", "biweekly-odd", "biweekly-even", "quadweekly", "quadweekly-week-1",
               "quadweekly-week-2", "quadweekly-week-3", "quadweekly-alternate"]


def ours(texts: list[str], now: datetime) -> list[conflicts.Conflict]:
    meetings = [calendar.with_events(irc_meetings.read(t, stem=f"m{n}"), now.date(), now)
                for n, t in enumerate(texts)]
    return conflicts.conflicts(meetings, now)


def theirs(texts: list[str]) -> bool:
    try:
        yaml2ical.meeting.check_for_meeting_conflicts(
            [yaml2ical.meeting.Meeting.fromstring(t) for t in texts])
    except yaml2ical.meeting.MeetingConflictError:
        return True
    return False


def test_the_real_schedule_had_no_conflict_when_it_was_checked_in() -> None:
    for folder, day in ((REAL / "2019", datetime(2019, 4, 16, tzinfo=UTC)),
                        (REAL / "2016", datetime(2016, 11, 8, tzinfo=UTC))):
        meetings = [calendar.with_events(m, day.date(), day)
                    for m in irc_meetings.load([folder]).meetings]
        assert conflicts.conflicts(meetings, day) == []


def test_a_53_week_year_makes_odd_and_even_weeks_meet() -> None:
    """networking-cisco (biweekly-odd since 2016) and networking-calico (biweekly-even,
    no start date) share a Tuesday slot: irc-meetings' check passes them, but the
    published calendar, counting two weeks at a time from 2016, has put cisco on even
    weeks since 2020's week 53."""
    now = datetime(2026, 12, 6, tzinfo=UTC)
    meetings = [calendar.with_events(m, now.date(), now)
                for m in irc_meetings.load([REAL / "2016"]).meetings]
    found = conflicts.conflicts(meetings, now)
    assert [(c.first.meeting.name, c.second.meeting.name) for c in found] == [
        ("networking_calico", "networking_cisco")]
    assert found[0].drifted and "53 ISO weeks" in str(found[0])
    assert found[0].second.start == datetime(2026, 12, 8, 16, tzinfo=UTC)


def meeting_text(channel: str, day: str, hour: int, minutes: int, duration: int,
                 frequency: str) -> str:
    return (f"project: p\nchair: c\ndescription: d\nschedule:\n  - time: '{hour:02d}"
            f"{minutes:02d}'\n    day: {day}\n    irc: {channel}\n    frequency: {frequency}\n"
            f"    duration: {duration}\n")


slots = st.builds(
    meeting_text,
    channel=st.sampled_from(["openstack-meeting", "openstack-meeting-3"]),
    day=st.sampled_from(["Monday", "Tuesday", "Sunday"]),
    hour=st.integers(0, 21), minutes=st.sampled_from([0, 30]),
    duration=st.sampled_from([30, 60, 90, 120]),
    frequency=st.sampled_from(FREQUENCIES))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(slots, min_size=2, max_size=6))
def test_the_same_verdict_as_irc_meetings_own_check(texts: list[str]) -> None:
    assert bool(ours(texts, MONDAY)) == theirs(texts)


def test_check_on_the_command_line(tmp_path: Path) -> None:
    """Many files, one conflict among them: named, exit 1; without it, exit 0."""
    folder = tmp_path / "meetings"
    folder.mkdir()
    for n, path in enumerate(sorted((REAL / "2019").glob("*.yaml"))):
        (folder / path.name).write_text(path.read_text())
        for copy in range(3):  # the same schedules moved to channels of their own
            text = path.read_text().replace("irc:", f"irc: x{copy}-")
            (folder / f"{copy}-{n}.yaml").write_text(
                text.replace("meeting_id:", f"meeting_id: c{copy}-", 1))
    command = [sys.executable, "-m", "hatbot", "schedule", "check", str(folder)]
    clean = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert clean.returncode == 0, clean.stderr
    assert f"{85 * 4} meetings, 0 conflicts, 0 files not read" in clean.stderr
    (folder / "clash.yaml").write_text(
        meeting_text("openstack-meeting", "Thursday", 14, 30, 60, "weekly"))
    (folder / "broken.yaml").write_text("project: [\n")
    clash = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert clash.returncode == 1
    assert "conflict: " in clash.stdout and "clash" in clash.stdout
    assert f"{folder / 'broken.yaml'}: " in clash.stderr


def test_export_writes_files_that_read_back_the_same(tmp_path: Path) -> None:
    import argparse

    from hatbot.config import BotConfig
    from hatbot.skill import CliContext
    from hatbot.skills.schedule.cli import run_export
    from hatbot.skills.schedule.settings import ScheduleConfig

    options = ScheduleConfig(irc_meetings=[str(REAL / "2019")])
    ctx = CliContext(bot=BotConfig(data_dir=str(tmp_path / "data")), public_url="",
                     options=options)
    out = tmp_path / "exported"
    assert run_export(ctx, argparse.Namespace(folder=out)) == 0
    original = {m.name: m for m in irc_meetings.load([REAL / "2019"]).meetings}
    again = irc_meetings.load([out])
    assert again.errors == [] and len(again.meetings) == 85
    for meeting in again.meetings:
        source = original[meeting.name]
        assert (meeting.title, meeting.chair, meeting.slots) == \
            (source.title, source.chair, source.slots)
