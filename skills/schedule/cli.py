"""``hatbot schedule check FILE…`` (conflicts, as irc-meetings' own check) and
``hatbot schedule export DIR`` (every meeting with a fixed time, as irc-meetings YAML).
The readers load when a subcommand runs, not each time ``hatbot`` builds its parser."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hatbot.skill import CliContext
from hatbot.storage.db import sync_engine

from .calendar import Meeting, Slot, with_events
from .conflicts import conflicts
from .models import DeclaredMeeting
from .sources import Sources


def add_cli(commands: Any) -> None:
    schedule = commands.add_parser("schedule", help="meeting schedules",
                                   epilog="example: hatbot schedule check meetings/")
    actions = schedule.add_subparsers(dest="schedule_command", required=True,
                                      metavar="COMMAND")
    check = actions.add_parser(
        "check", parents=[commands.common],
        help="report meetings that overlap in one channel (exit 1), and files that do not "
             "read (exit 1)",
        epilog="example: hatbot schedule check irc-meetings/meetings extra.ics")
    check.add_argument("paths", nargs="+", type=Path, metavar="FILE",
                       help="irc-meetings YAML files or folders of them, or .ics files")
    check.add_argument("--weeks", type=int, default=53,
                       help="how far ahead to compare occurrences (default: 53)")
    check.set_defaults(handler=run_check)
    export = actions.add_parser(
        "export", parents=[commands.common],
        help="write every meeting with a fixed weekly or monthly time (irc-meetings files "
             "and meetings declared in chat) as irc-meetings YAML, one file each",
        epilog="example: hatbot schedule export exported/")
    export.add_argument("folder", type=Path, metavar="DIR")
    export.set_defaults(handler=run_export)


def read_paths(paths: list[Path]) -> tuple[list[Meeting], list[str]]:
    from . import ical_feeds, irc_meetings

    meetings: list[Meeting] = []
    errors: list[str] = []
    yaml_paths = [p for p in paths if p.suffix.lower() != ".ics"]
    if yaml_paths:
        loaded = irc_meetings.load(yaml_paths)
        meetings += loaded.meetings
        errors += loaded.errors
    for path in paths:
        if path.suffix.lower() == ".ics":
            try:
                meetings += ical_feeds.read(path.read_bytes(), source=str(path))
            except (OSError, ical_feeds.BadFeed) as exc:
                errors.append(f"{path}: {exc}")
    return meetings, errors


def run_check(ctx: CliContext, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    meetings, errors = read_paths(args.paths)
    for meeting in meetings:
        if meeting.slots:
            with_events(meeting, now.date(), now)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    found = conflicts(meetings, now, timedelta(weeks=max(args.weeks, 1)))
    for conflict in found:
        print(f"conflict: {conflict}")
    print(f"{len(meetings)} meetings, {len(found)} conflicts, {len(errors)} files not read",
          file=sys.stderr)
    return 1 if found or errors else 0


def run_export(ctx: CliContext, args: argparse.Namespace) -> int:
    from . import irc_meetings
    from .skill import declared_meeting

    declared: list[Meeting] = []
    if ctx.database:
        engine = sync_engine(ctx.bot.db_url)
        try:
            with Session(engine) as session:
                declared = [declared_meeting(r) for r in session.scalars(
                    select(DeclaredMeeting))]
        finally:
            engine.dispose()
    now = datetime.now(UTC)
    sources = Sources(ctx.options, Path(ctx.bot.data_dir) / "schedule")
    args.folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for meeting in sources.meetings(declared, now.date(), now):
        if not meeting.slots:
            print(f"skipped {meeting.name} ({meeting.source}): an iCal event has no "
                  f"irc-meetings form", file=sys.stderr)
            continue
        if any(slot.zone != "UTC" for slot in meeting.slots):
            print(f"note: {meeting.name} is held in {meeting.slots[0].zone}; written in "
                  f"UTC as it is today (irc-meetings times are UTC)", file=sys.stderr)
            meeting.slots = [irc_meetings.utc_slot(s, now.date()) for s in meeting.slots]
        if meeting.source == "chat":
            meeting.slots = [_irc_channel(s) for s in meeting.slots]
        (args.folder / f"{meeting.name}.yaml").write_text(irc_meetings.dump(meeting),
                                                          encoding="utf-8")
        written += 1
    for source, problem in sources.failing.items():
        print(f"error: {source}: {problem}", file=sys.stderr)
    print(f"wrote {written} meetings to {args.folder}", file=sys.stderr)
    return 0


def _irc_channel(slot: Slot) -> Slot:
    """A declared meeting's chat address as irc-meetings names a channel (no ``#``)."""
    return replace(slot, channel=slot.channel.partition(":")[2].lstrip("#"))
