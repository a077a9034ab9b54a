"""Reading OpenStack's real irc-meetings files, checked against yaml2ical, the tool that
publishes their calendar (meetings.opendev.org)."""

from __future__ import annotations

import types
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import recurring_ical_events
import yaml2ical.meeting
from icalendar import Calendar
from yaml2ical.ical import Yaml2IcalCalendar

from hatbot.skills.schedule import calendar, irc_meetings
from tests.conftest import REPO

REAL = REPO / "tests" / "fixtures" / "irc-meetings"
SETS = [REAL / "2019", REAL / "2016"]


def published(folder: Path, now: datetime, days: int) -> set[tuple[str, datetime]]:
    """yaml2ical's calendar of ``folder`` made at ``now``: (summary, start) of each meeting
    in the next ``days`` days (its CANCELLED stand-ins left out)."""
    class Frozen(datetime):
        @classmethod
        def utcnow(cls) -> Frozen:  # type: ignore[override]
            return cls.fromtimestamp(now.timestamp(), UTC).replace(tzinfo=None)

    clock = types.SimpleNamespace(datetime=Frozen, timedelta=timedelta, date=date)
    real = yaml2ical.meeting.datetime
    yaml2ical.meeting.datetime = clock  # type: ignore[assignment]
    try:
        made = Yaml2IcalCalendar()
        for meeting in yaml2ical.meeting.load_meetings(str(folder)):
            made.add_meeting(meeting)
    finally:
        yaml2ical.meeting.datetime = real
    found = set()
    # Its events have no UID, which recurring_ical_events would take for one series:
    # each is expanded on its own.
    for event in Calendar.from_ical(made.to_ical()).walk("VEVENT"):
        one = Calendar()
        one.add_component(event)
        found |= {(str(e["SUMMARY"]), e.decoded("DTSTART").astimezone(UTC))
                  for e in recurring_ical_events.of(one).between(now, now + timedelta(days))
                  if not str(e["SUMMARY"]).startswith("CANCELLED")}
    return found


def ours(folder: Path, now: datetime, days: int) -> set[tuple[str, datetime]]:
    loaded = irc_meetings.load([folder])
    assert loaded.errors == []
    meetings = [calendar.with_events(m, now.date(), now) for m in loaded.meetings]
    return {(o.meeting.title, o.start)
            for o in calendar.occurrences(meetings, now, now + timedelta(days=days))}


@pytest.mark.parametrize(("folder", "now"), [
    (SETS[0], datetime(2026, 12, 6, 11, 0, tzinfo=UTC)),  # the 30 days cross ISO week 53
    (SETS[0], datetime(2019, 4, 16, 16, 30, tzinfo=UTC)),  # the day the set was taken
    (SETS[0], datetime(2027, 2, 26, 23, 0, tzinfo=UTC)),  # monthly meetings' month turns
    (SETS[0], datetime(2028, 6, 30, 0, 0, tzinfo=UTC)),
    (SETS[1], datetime(2016, 12, 20, 9, 0, tzinfo=UTC)),  # third-party-meeting skips two
    (SETS[1], datetime(2026, 12, 6, 11, 0, tzinfo=UTC)),
], ids=lambda v: v.name if isinstance(v, Path) else f"{v:%Y-%m-%d}")
def test_next_30_days_equal_the_published_calendar(folder: Path, now: datetime) -> None:
    expected = published(folder, now, 30)
    assert len(expected) > 100  # the comparison is over real meetings
    assert ours(folder, now, 30) == expected


def test_the_whole_real_set_loads_without_error() -> None:
    loaded = irc_meetings.load(SETS)
    assert loaded.errors == []
    assert len(loaded.meetings) == 85 + 132
    nova = next(m for m in loaded.meetings if m.source.endswith("2019/nova-team-meeting.yaml"))
    assert (nova.name, nova.title, nova.chair) == ("nova", "Nova Team Meeting",
                                                   "Eric Fried (efried)")
    assert nova.agenda_url == "https://wiki.openstack.org/wiki/Meetings/Nova"
    assert [(s.weekday, s.at, s.channel, s.frequency, s.start_date) for s in nova.slots] == [
        (3, time(14, 0), "openstack-meeting", "biweekly-even", date(2016, 1, 14)),
        (3, time(21, 0), "openstack-meeting", "biweekly-odd", date(2016, 1, 7)),
    ]


def test_skip_dates_and_adhoc() -> None:
    loaded = irc_meetings.load([REAL / "2016"])
    third = next(m for m in loaded.meetings if m.source.endswith("third-party-meeting.yaml"))
    assert [d for d, _ in third.slots[0].skip_dates] == [date(2016, 12, 26), date(2017, 1, 2)]
    now = datetime(2016, 12, 18, tzinfo=UTC)
    calendar.with_events(third, now.date(), now)
    mondays = [o.start.date() for o in calendar.occurrences([third], now,
                                                             now + timedelta(days=28))]
    assert date(2016, 12, 19) in mondays and date(2016, 12, 26) not in mondays
    assert date(2017, 1, 2) not in mondays and date(2017, 1, 9) in mondays
    (chef,) = [m for m in irc_meetings.load(SETS).meetings
               if "adhoc" in [s.frequency for s in m.slots]]
    assert [s.frequency for s in chef.slots] == ["adhoc", "adhoc"]
    assert calendar.with_events(chef, now.date(), now).events == []  # no fixed time


@pytest.mark.parametrize(("text", "error"), [
    ("project: x\nchair: y\ndescription: z\n", "missing schedule"),
    ("- a list", "expected a YAML mapping"),
    ("project: x\nchair: y\ndescription: z\nschedule:\n  - time: '2500'\n    day: Monday\n"
     "    irc: c\n    frequency: weekly\n", "time: expected HHMM"),
    ("project: x\nchair: y\ndescription: z\nschedule:\n  - time: '1600'\n    day: Funday\n"
     "    irc: c\n    frequency: weekly\n", "day: expected a weekday"),
    ("project: x\nchair: y\ndescription: z\nschedule:\n  - time: '1600'\n    day: Monday\n"
     "    irc: c\n    frequency: sometimes\n", "frequency: expected one of weekly"),
    ("project: x\nchair: y\ndescription: z\nschedule:\n  - time: '1600'\n    day: Monday\n"
     "    irc: c\n    frequency: weekly\n    start_date: 2026-12-01\n", "start_date: expected"),
    ("project: [unclosed\n", "while parsing"),
])
def test_a_bad_file_is_named_and_the_others_load(tmp_path: Path, text: str,
                                                 error: str) -> None:
    (tmp_path / "bad.yaml").write_text(text)
    good = (REAL / "2019" / "nova-team-meeting.yaml").read_text()
    (tmp_path / "nova.yaml").write_text(good)
    loaded = irc_meetings.load([tmp_path])
    assert [m.name for m in loaded.meetings] == ["nova"]
    assert len(loaded.errors) == 1
    assert loaded.errors[0].startswith(f"{tmp_path / 'bad.yaml'}: ")
    assert error in loaded.errors[0]


def test_written_back_it_reads_the_same(tmp_path: Path) -> None:
    for meeting in irc_meetings.load(SETS).meetings:
        again = irc_meetings.read(irc_meetings.dump(meeting), stem=meeting.name)
        assert (again.name, again.title, again.chair, again.agenda_url, again.slots) == \
            (meeting.name, meeting.title, meeting.chair, meeting.agenda_url, meeting.slots)
        assert again.description == meeting.description


def test_a_slot_in_another_zone_is_written_in_utc_as_it_is_that_day() -> None:
    berlin = calendar.Slot(1, time(0, 30), "docs", "weekly", "Europe/Berlin")
    winter = irc_meetings.utc_slot(berlin, date(2026, 1, 6))
    summer = irc_meetings.utc_slot(berlin, date(2026, 7, 7))
    assert (winter.weekday, winter.at, winter.zone) == (0, time(23, 30), "UTC")  # Monday
    assert (summer.weekday, summer.at) == (0, time(22, 30))
    assert (winter.channel, winter.frequency) == ("docs", "weekly")
