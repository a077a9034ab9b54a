"""Minutes on disk: OpenStack's meetbot layout under ``minutes_dir``, and its index.

    minutes_dir/NAME/YYYY/NAME.YYYY-MM-DD-HH.MM.{html,txt,md,log.html,log.txt,log.json}
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from hatbot.skill import N_, tr
from hatbot.skills.meetings.engine import Meeting
from hatbot.skills.meetings.minutes import (
    Minutes,
    base_name,
    relative_base,
    render_log_json,
    render_log_text,
    render_markdown,
    render_text,
)
from hatbot.skills.meetings.pages import (
    LABELS,
    IndexEntry,
    render_index,
    render_log_html,
    render_minutes_html,
)

FORMATS = ("html", "txt", "md", "log.html", "log.txt", "log.json")
# What the bot posts at the end of a meeting, MeetBot's way.
# How each announced file is introduced in chat, marked for translation.
ANNOUNCED = ((N_("Minutes: {url}"), "html"), (N_("Minutes (text): {url}"), "txt"),
             (N_("Log: {url}"), "log.html"))
_FILE = re.compile(r"^(?P<name>[a-z0-9_-]+)\.(?P<when>\d{4}-\d{2}-\d{2}-\d{2}\.\d{2}(?:-\d+)?)\."
                   r"(?P<fmt>html|txt|md|log\.html|log\.txt|log\.json)$")


def suffix_among(record_ids: list[int], record_id: int) -> str:
    """The file suffix of a meeting among those of its name started in its minute."""
    earlier = sum(1 for other in record_ids if other < record_id)
    return f"-{earlier + 1}" if earlier else ""


def minutes_file_of(filename: str) -> str | None:
    """The meeting name of a minutes file's name, or None for any other file."""
    found = _FILE.match(filename)
    return found["name"] if found else None


def url_of(meeting: Meeting, public_url: str, fmt: str) -> str:
    return f"{public_url.rstrip('/')}/meetings/{relative_base(meeting)}.{fmt}"


def write_minutes(
    meeting: Meeting, minutes_dir: Path, formats: Sequence[str], bot_name: str, public_url: str
) -> dict[str, Path]:
    """Write every requested format; each file is replaced whole, never left half-written."""
    minutes = Minutes(meeting, bot_name, url_of(meeting, public_url, "log.html"))
    renderers: dict[str, Callable[[], str]] = {
        "html": lambda: render_minutes_html(minutes),
        "txt": lambda: render_text(minutes),
        "md": lambda: render_markdown(minutes),
        "log.html": lambda: render_log_html(meeting),
        "log.txt": lambda: render_log_text(meeting),
        "log.json": lambda: render_log_json(meeting, bot_name),
    }
    target = minutes_dir / relative_base(meeting)
    target.parent.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt in formats:
        path = target.with_name(f"{base_name(meeting)}.{fmt}")
        # Unique per process: two writers of one file (a replay in parallel) never share it.
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_text(renderers[fmt](), encoding="utf-8")
        if meeting.restricted_logs and fmt.startswith("log."):
            partial.chmod(0o600)  # #restrictlogs: kept, not published (nor served)
        os.replace(partial, path)
        written[fmt] = path
    return written


def announcement(meeting: Meeting, public_url: str, formats: Sequence[str]) -> list[str]:
    """``Minutes: URL`` lines for the formats that were written."""
    return [tr(label, url=url_of(meeting, public_url, fmt))
            for label, fmt in ANNOUNCED if fmt in formats
            and not (meeting.restricted_logs and fmt.startswith("log."))]


def published(path: Path) -> bool:
    """Whether a minutes file may be served: logs of a #restrictlogs meeting may not."""
    return bool(path.stat().st_mode & 0o004)


def index_page(minutes_dir: Path, series: str | None = None) -> str | None:
    """Every meeting under ``minutes_dir`` (or only the ``series`` of that name, None if it
    has none) by name and year, newest first."""
    grouped: dict[str, dict[str, dict[str, list[tuple[str, str]]]]] = {}
    pattern = f"{series}/*/*" if series else "*/*/*"
    up = "../" if series else ""  # the series page is one folder down
    if minutes_dir.is_dir():
        for path in minutes_dir.glob(pattern):
            found = _FILE.match(path.name)
            if found is None or path.parent.parent.name != found["name"]:
                continue
            name, year = found["name"], path.parent.name
            href = f"{up}{name}/{year}/{path.name}"
            grouped.setdefault(name, {}).setdefault(year, {}).setdefault(
                found["when"], []).append((found["fmt"], href))
    if series and not grouped:
        return None
    meetings = []
    for name in sorted(grouped):
        years = []
        for year in sorted(grouped[name], reverse=True):
            entries = []
            for when in sorted(grouped[name][year], reverse=True):
                files = dict(grouped[name][year][when])
                links = [(LABELS[fmt], files[fmt]) for fmt in FORMATS if fmt in files]
                day, hour = when[:10], when[11:].replace(".", ":")
                entries.append(IndexEntry(f"{day} {hour}", links))
            years.append((year, entries))
        meetings.append((name, years))
    return render_index(meetings, f"Meetings: {series}" if series else "Meetings",
                        link_series=series is None)
