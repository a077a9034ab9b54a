"""Meetings as calendar events, and their occurrences.

Every source (irc-meetings YAML, an iCal feed, a meeting declared in chat) becomes
``Meeting``s whose times are iCal VEVENTs; ``recurring_ical_events`` expands them, so
RRULE, EXDATE and time zones (daylight saving included) have one implementation, and
the calendar the bot publishes is the one it reminds from.

icalendar and recurring-ical-events are imported by the functions that use them: a bot
with no schedule never loads them (a tenth of a second and 6 MB).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hatbot.skill import times

if TYPE_CHECKING:
    import icalendar

WEEKDAYS = times.WEEKDAYS
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# irc-meetings' frequencies. Every N weeks, on the ISO weeks whose number modulo N is the
# second figure; the monthly ones on the first such weekday of the month.
WEEKLY = {
    "weekly": (1, 0),
    "biweekly-odd": (2, 1),
    "biweekly-even": (2, 0),
    "quadweekly": (4, 0),
    "quadweekly-week-1": (4, 1),
    "quadweekly-week-2": (4, 2),
    "quadweekly-week-3": (4, 3),
    "quadweekly-alternate": (4, 2),
}
MONTHLY = {f"first-{day}": index for index, day in enumerate(WEEKDAYS[:5])}
ADHOC = "adhoc"
FREQUENCIES = (*WEEKLY, *MONTHLY, ADHOC)

PRODID = "-//Hatbot//schedule//EN"


@dataclass(frozen=True)
class Slot:
    """One recurring time of a meeting, as irc-meetings writes it (``schedule:`` entries)."""

    weekday: int  # 0 is Monday
    at: time
    channel: str  # the schedule's channel ("openstack-meeting"), or a chat address
    frequency: str = "weekly"
    zone: str = "UTC"
    duration: int = 60  # minutes
    start_date: date | None = None
    skip_dates: tuple[tuple[date, str], ...] = ()


@dataclass
class Meeting:
    """A meeting of some team, from one source."""

    name: str  # its id in chat and in URLs: ``!next nova``, ``/schedule/nova.ics``
    title: str
    source: str  # a file, a URL, or "chat"
    chair: str = ""
    description: str = ""
    agenda_url: str = ""
    slots: list[Slot] = field(default_factory=list)
    # The VEVENTs of the meeting: made from ``slots``, or read from an iCal feed.
    events: list[icalendar.Event] = field(default_factory=list)
    extras: dict[str, object] = field(default_factory=dict)  # other YAML keys, kept on export
    # ``events`` as one calendar, made at their first expansion (``series``).
    expanded: icalendar.Calendar | None = field(default=None, repr=False, compare=False)

    @property
    def channels(self) -> list[str]:
        found = [slot.channel for slot in self.slots] or [channel_of(e) for e in self.events]
        return list(dict.fromkeys(c for c in found if c))


@dataclass(frozen=True)
class Occurrence:
    meeting: Meeting
    start: datetime  # aware, UTC
    end: datetime
    channel: str

    @property
    def key(self) -> str:
        """What identifies this occurrence across restarts: the meeting and its start."""
        return f"{self.meeting.name}@{self.start:%Y-%m-%dT%H:%MZ}"


def slug(text: str) -> str:
    """A name for chat and URLs: lower-case ASCII words joined by dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "meeting"


def channel_of(event: icalendar.Event) -> str:
    """The channel of an iCal event: its LOCATION without the ``#`` irc-meetings adds."""
    return str(event.get("LOCATION", "")).strip().removeprefix("#")


# --- slots to events ------------------------------------------------------------------------

def first_time(slot: Slot, after: date) -> date | None:
    """The first day on or after ``after`` the slot happens, counted as yaml2ical counts
    it (the published irc-meetings calendar): the recurrence then steps from that day.

    Two quirks are kept on purpose, so the bot reminds on the days people's calendars
    show: the steps are fixed (every 2 or 4 weeks) from the first day, so after a year of
    53 ISO weeks a ``biweekly-odd`` meeting with an old ``start_date`` falls on even
    weeks; and a monthly meeting starts in the month after ``after``.
    """
    if slot.frequency == ADHOC:
        return None
    if slot.frequency in MONTHLY:
        year, month = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
        day = date(year, month, 1)
        return day + timedelta(days=(slot.weekday - day.weekday()) % 7)
    interval, week = WEEKLY[slot.frequency]
    day = after + timedelta(days=(slot.weekday - after.weekday()) % 7)
    while day.isocalendar().week % interval != week:
        day += timedelta(weeks=1)
    return day


# How far back a slot's events start: the recurrence is the same from any of its days, and
# expanding ten years of a weekly meeting to find next week's is a waste.
HISTORY = timedelta(weeks=8)


def recent(slot: Slot, first: date, since: date) -> date:
    """The day of the slot's recurrence (which begins on ``first``) nearest after
    ``since``; ``first`` itself if that is later."""
    if first >= since:
        return first
    if slot.frequency in MONTHLY:
        return first_time(slot, since) or first
    step = WEEKLY[slot.frequency][0] * 7
    return first + timedelta(days=-(-(since - first).days // step) * step)


def rrule(slot: Slot) -> dict[str, object]:
    if slot.frequency in MONTHLY:
        return {"FREQ": "MONTHLY", "BYDAY": f"1{ICAL_DAYS[slot.weekday]}"}
    interval = WEEKLY[slot.frequency][0]
    return {"FREQ": "WEEKLY", "INTERVAL": interval} if interval > 1 else {"FREQ": "WEEKLY"}


def slot_event(meeting: Meeting, index: int, slot: Slot, today: date,
               stamp: datetime) -> icalendar.Event | None:
    """The VEVENT of one slot; None for an ad hoc one (no fixed time)."""
    first = first_time(slot, slot.start_date or today)
    if first is None:
        return None
    first = recent(slot, first, today - HISTORY)
    import icalendar

    zone = ZoneInfo(slot.zone)
    event = icalendar.Event()
    event.add("UID", f"{meeting.name}-{index}@hatbot")
    event.add("DTSTAMP", stamp)
    event.add("SUMMARY", meeting.title)
    event.add("DTSTART", datetime.combine(first, slot.at, tzinfo=zone))
    event.add("DURATION", timedelta(minutes=slot.duration))
    event.add("RRULE", rrule(slot))
    for skipped, _reason in slot.skip_dates:
        event.add("EXDATE", datetime.combine(skipped, slot.at, tzinfo=zone))
    event.add("LOCATION", slot.channel if ":" in slot.channel else f"#{slot.channel}")
    event.add("DESCRIPTION", describe(meeting))
    if meeting.agenda_url:
        event.add("URL", meeting.agenda_url)
    return event


def describe(meeting: Meeting) -> str:
    lines = [f"Project: {meeting.title}"]
    if meeting.chair:
        lines.append(f"Chair: {meeting.chair}")
    if meeting.description:
        lines.append(f"Description: {meeting.description.strip()}")
    if meeting.agenda_url:
        lines.append(f"Agenda URL: {meeting.agenda_url}")
    return "\n".join(lines)


def with_events(meeting: Meeting, today: date, stamp: datetime) -> Meeting:
    """``meeting`` with the VEVENTs of its slots."""
    events = (slot_event(meeting, i, slot, today, stamp) for i, slot in enumerate(meeting.slots))
    meeting.events = [e for e in events if e is not None]
    meeting.expanded = None
    return meeting


# --- occurrences ----------------------------------------------------------------------------

def series(meeting: Meeting) -> icalendar.Calendar:
    """The meeting's events as one calendar, made once (recurrence overrides share their
    series' UID, so each meeting is expanded on its own)."""
    if meeting.expanded is None:
        import icalendar

        meeting.expanded = icalendar.Calendar()
        for event in meeting.events:
            meeting.expanded.add_component(event)
    return meeting.expanded


def occurrences(meetings: Iterable[Meeting], start: datetime, end: datetime,
                skipped: frozenset[tuple[str, date]] = frozenset()) -> list[Occurrence]:
    """Every time a meeting starts in [start, end), soonest first; ``skipped`` holds
    (meeting name, date in the meeting's own zone) pairs called off in chat."""
    found: list[Occurrence] = []
    for meeting in meetings:
        if not meeting.events:
            continue
        import recurring_ical_events

        query = recurring_ical_events.of(series(meeting), skip_bad_series=True)
        for event in query.between(start, end):
            begins = event.decoded("DTSTART")
            if not isinstance(begins, datetime):  # an all-day event is no meeting
                continue
            if (meeting.name, begins.date()) in skipped:
                continue
            ends = event.decoded("DTEND") if "DTEND" in event else \
                begins + event.decoded("DURATION", timedelta(hours=1))
            if begins.tzinfo is None:  # floating time: taken as UTC
                begins, ends = begins.replace(tzinfo=UTC), ends.replace(tzinfo=UTC)
            found.append(Occurrence(meeting, begins.astimezone(UTC), ends.astimezone(UTC),
                                    channel_of(event)))
    found.sort(key=lambda o: (o.start, o.meeting.name))
    return found


# --- publishing -----------------------------------------------------------------------------

def ical(meetings: Sequence[Meeting], name: str,
         skipped: frozenset[tuple[str, date]] = frozenset()) -> bytes:
    """One calendar of ``meetings``, as Google Calendar, Thunderbird and Apple Calendar
    import it: PRODID and VERSION, every event with UID and DTSTAMP, a VTIMEZONE for each
    zone used, and the dates called off in chat (``skipped``) as EXDATEs."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("X-WR-CALNAME", name)
    for meeting in meetings:
        days = sorted(day for named, day in skipped if named == meeting.name)
        for event in meeting.events:
            if days and "RRULE" in event:
                copy = icalendar.Event.from_ical(event.to_ical())
                for start in _starts_on(event, days):
                    copy.add("EXDATE", start)
                event = copy  # type: ignore[assignment]  # from_ical of a VEVENT is one
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _starts_on(event: icalendar.Event, days: Sequence[date]) -> list[datetime]:
    """The starts of ``event``'s occurrences on ``days`` (in the event's own zone)."""
    begins = event.decoded("DTSTART")
    if not isinstance(begins, datetime):
        return []
    import icalendar
    import recurring_ical_events

    zone = begins.tzinfo or UTC
    one = icalendar.Calendar()
    one.add_component(event)
    query = recurring_ical_events.of(one)
    starts = []
    for day in days:
        midnight = datetime.combine(day, time(0), tzinfo=zone)
        starts += [e.decoded("DTSTART") for e in
                   query.between(midnight, midnight + timedelta(days=1))]
    return starts
