"""Meetings from an iCal feed (Google Calendar, Nextcloud, yaml2ical's output): one
meeting per recurring series, that is per UID, its moved or cancelled occurrences
(RECURRENCE-ID) included."""

from __future__ import annotations

from collections import defaultdict

import icalendar

from .calendar import Meeting, slug


class BadFeed(ValueError):
    pass


def read(body: bytes, *, source: str, channel: str = "") -> list[Meeting]:
    """The meetings of one feed; events with no LOCATION get ``channel``."""
    try:
        calendars = icalendar.Calendar.from_ical(body, multiple=True)
    except ValueError as exc:
        raise BadFeed(f"not iCal: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    series: dict[str, list[icalendar.Component]] = defaultdict(list)
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            if "DTSTART" not in event:
                continue
            if channel and not str(event.get("LOCATION", "")).strip():
                event["LOCATION"] = channel
            series[str(event.get("UID", "")) or f"event-{len(series)}"].append(event)
    meetings = []
    for events in series.values():
        master = next((e for e in events if "RECURRENCE-ID" not in e), events[0])
        title = str(master.get("SUMMARY", "")).strip() or "Meeting"
        organizer = master.get("ORGANIZER")
        meetings.append(Meeting(
            name=slug(title),
            title=title,
            source=source,
            chair=str(organizer.params.get("CN", "")) if organizer is not None else "",
            description=str(master.get("DESCRIPTION", "")).strip(),
            agenda_url=str(master.get("URL", "")).strip(),
            events=events,  # type: ignore[arg-type]  # walk("VEVENT") gives only events
        ))
    return meetings
