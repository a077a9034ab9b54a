"""Times as people type them in chat: ``tuesday``, ``16:00``, ``2026-12-01``,
``Europe/Berlin``, for every skill that takes one (``!remind at``, ``!schedule add``,
``!tz``). Zones are IANA names (``zoneinfo``), never fixed offsets: "+01:00" is Berlin's
time only half the year."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_OFFSET = re.compile(r"^(utc|gmt)?[+-]\d{1,2}(:?\d{2})?$", re.IGNORECASE)
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):?([0-5]\d)$")
_ABBREVIATIONS = {"utc": "UTC", "gmt": "UTC", "z": "UTC"}


def zone(text: str) -> str:
    """An IANA zone name as typed (any case), or ValueError saying what to type instead."""
    word = text.strip()
    if word.lower() in _ABBREVIATIONS:
        return _ABBREVIATIONS[word.lower()]
    if is_offset(word):
        raise zone_error(word)
    if "/" in word and ".." not in word:
        try:
            ZoneInfo(word)
            return word
        except (ZoneInfoNotFoundError, ValueError):
            pass
        for name in _zone_names():
            if name.lower() == word.lower():
                return name
    raise ValueError(f'"{word}" is not a time zone name; try one like Europe/Berlin, '
                     f"America/New_York or UTC")


def is_offset(text: str) -> bool:
    """``+02:00``, ``UTC-5``: what people type for a zone, and is one only half the year."""
    return bool(_OFFSET.match(text.strip()))


def zone_error(text: str) -> ValueError:
    return ValueError(f'"{text.strip()}" is a fixed offset, which is wrong half the year '
                      f"where clocks change: give a zone name like Europe/Berlin or UTC")


def is_zone(text: str) -> bool:
    try:
        zone(text)
    except ValueError:
        return False
    return True


_names: list[str] = []


def _zone_names() -> list[str]:
    if not _names:
        _names.extend(sorted(available_timezones()))
    return _names


def weekday(text: str) -> int:
    word = text.strip().lower().rstrip("s")  # "tuesdays"
    for index, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return index
    raise ValueError(f'"{text}" is not a day of the week; say monday, tue, …')


def clock(text: str) -> time:
    found = _CLOCK.match(text.strip())
    if not found:
        raise ValueError(f'"{text}" is not a time of day; say 16:00 (24-hour clock)')
    return time(int(found.group(1)), int(found.group(2)))


def day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f'"{text}" is not a date; say 2026-12-24') from None


def local(on: date, at: time, zone_name: str) -> datetime:
    """That wall-clock time in that zone, as an aware datetime (a time skipped by a clock
    change moves forward, as clocks do)."""
    made = datetime.combine(on, at, tzinfo=ZoneInfo(zone_name))
    return made.astimezone(ZoneInfo("UTC")).astimezone(ZoneInfo(zone_name))
