"""OpenStack's irc-meetings format: one YAML file per meeting, read and written.

    project:  Nova Team Meeting
    meeting_id: nova
    agenda_url: https://wiki.openstack.org/wiki/Meetings/Nova
    schedule:
      - time:       '1400'           # UTC, HHMM
        day:        Thursday
        irc:        openstack-meeting
        frequency:  biweekly-even    # see calendar.FREQUENCIES
        start_date: 20160114         # optional
        duration:   60               # optional, minutes
        skip_dates:                  # optional
          - skip_date: 20161226
            reason: Christmas
    chair: Eric Fried (efried)
    description: >
      This is the weekly Nova team meeting.

A file that cannot be read is reported with its name and what is wrong with it; the
others load.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from .calendar import FREQUENCIES, WEEKDAYS, Meeting, Slot

# libyaml's loader where PyYAML was built with it: a few hundred files in a blink.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

REQUIRED = ("project", "chair", "description", "schedule")
SLOT_REQUIRED = ("time", "day", "irc", "frequency")
KNOWN = {*REQUIRED, "meeting_id", "agenda_url"}


class BadFile(ValueError):
    """A meeting file that cannot be read; the message names the file and the key."""


@dataclass
class Loaded:
    meetings: list[Meeting]
    errors: list[str]  # one line per file that did not load


def load(paths: Iterable[str | Path]) -> Loaded:
    """Every ``*.yaml`` file of these folders (or these files), sorted by name."""
    files: list[Path] = []
    errors: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(path.rglob("*.yaml"))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(f"{path}: no such file or folder")
    meetings: list[Meeting] = []
    names: set[str] = set()
    for file in files:
        try:
            meeting = read(file.read_text(encoding="utf-8"), source=str(file), stem=file.stem)
        except (OSError, UnicodeDecodeError, yaml.YAMLError, BadFile) as exc:
            errors.append(f"{file}: {_first_line(exc)}")
            continue
        if meeting.name in names:  # two files with one meeting_id: the file tells them apart
            meeting.name = file.stem
        names.add(meeting.name)
        meetings.append(meeting)
    return Loaded(meetings, errors)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def read(text: str, *, source: str = "<text>", stem: str = "meeting") -> Meeting:
    data = yaml.load(text, Loader=_Loader)
    if not isinstance(data, dict):
        raise BadFile("expected a YAML mapping with project, chair, description, schedule")
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise BadFile(f"missing {', '.join(missing)}")
    if not isinstance(data["schedule"], list):
        raise BadFile("schedule: expected a list of times")
    slots = [_slot(entry, n) for n, entry in enumerate(data["schedule"], 1)]
    return Meeting(
        name=str(data.get("meeting_id") or stem).strip(),
        title=str(data["project"]).strip(),
        source=source,
        chair=str(data["chair"] or "").strip(),
        description=str(data["description"] or "").strip(),
        agenda_url=str(data.get("agenda_url") or "").strip(),
        slots=slots,
        extras={k: v for k, v in data.items() if k not in KNOWN},
    )


def _slot(entry: Any, n: int) -> Slot:
    where = f"schedule entry {n}"
    if not isinstance(entry, dict):
        raise BadFile(f"{where}: expected time, day, irc and frequency")
    missing = [key for key in SLOT_REQUIRED if key not in entry]
    if missing:
        raise BadFile(f"{where}: missing {', '.join(missing)}")
    try:
        at = datetime.strptime(str(entry["time"]).zfill(4), "%H%M").time()
    except ValueError:
        raise BadFile(f"{where}: time: expected HHMM in UTC like '1600', "
                      f"got {entry['time']!r}") from None
    day = str(entry["day"]).strip().lower()
    if day not in WEEKDAYS:
        raise BadFile(f"{where}: day: expected a weekday like Tuesday, got {entry['day']!r}")
    frequency = str(entry["frequency"]).strip()
    if frequency not in FREQUENCIES:
        raise BadFile(f"{where}: frequency: expected one of {', '.join(FREQUENCIES)}, "
                      f"got {frequency!r}")
    try:
        duration = int(entry.get("duration", 60))
    except (TypeError, ValueError):
        raise BadFile(f"{where}: duration: expected minutes, got {entry['duration']!r}") \
            from None
    skips = []
    for skip in entry.get("skip_dates") or []:
        if not isinstance(skip, dict) or "skip_date" not in skip:
            raise BadFile(f"{where}: skip_dates: expected entries with skip_date and reason")
        skips.append((_date(skip["skip_date"], f"{where}: skip_date"),
                      str(skip.get("reason", ""))))
    return Slot(
        weekday=WEEKDAYS.index(day),
        at=at,
        channel=str(entry["irc"]).strip().removeprefix("#"),
        frequency=frequency,
        duration=duration,
        start_date=_date(entry["start_date"], f"{where}: start_date")
        if "start_date" in entry else None,
        skip_dates=tuple(skips),
    )


def _date(value: Any, where: str) -> date:
    try:
        return datetime.strptime(str(value), "%Y%m%d").date()
    except ValueError:
        raise BadFile(f"{where}: expected YYYYMMDD like 20261201, got {value!r}") from None


# --- writing ---------------------------------------------------------------------------------

def dump(meeting: Meeting) -> str:
    """``meeting`` as an irc-meetings file (its slots; times in UTC as the format has it)."""
    data: dict[str, Any] = {"project": meeting.title, "meeting_id": meeting.name}
    if meeting.agenda_url:
        data["agenda_url"] = meeting.agenda_url
    data["schedule"] = [_slot_data(slot) for slot in meeting.slots]
    data["chair"] = meeting.chair
    data["description"] = meeting.description + "\n"
    data.update(meeting.extras)
    return str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False))


def _slot_data(slot: Slot) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "time": f"{slot.at:%H%M}",
        "day": WEEKDAYS[slot.weekday].capitalize(),
        "irc": slot.channel,
        "frequency": slot.frequency,
    }
    if slot.start_date is not None:
        entry["start_date"] = int(f"{slot.start_date:%Y%m%d}")
    if slot.duration != 60:
        entry["duration"] = slot.duration
    if slot.skip_dates:
        entry["skip_dates"] = [{"skip_date": int(f"{d:%Y%m%d}"), "reason": r}
                               for d, r in slot.skip_dates]
    return entry


def utc_slot(slot: Slot, on: date) -> Slot:
    """``slot`` with its time said in UTC as it is on ``on`` (irc-meetings has only UTC)."""
    if slot.zone == "UTC":
        return slot
    local = datetime.combine(on, slot.at, tzinfo=ZoneInfo(slot.zone))
    utc = local.astimezone(ZoneInfo("UTC"))
    weekday = (slot.weekday + (utc.date() - local.date()).days) % 7
    return replace(slot, weekday=weekday, at=time(utc.hour, utc.minute), zone="UTC")
