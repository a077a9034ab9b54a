"""``hatbot minutes replay LOG``: minutes rebuilt from a MeetBot ``.log.txt`` or a Hatbot
``.log.json``, written exactly as a live meeting writes them."""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from hatbot.skill import CliContext
from hatbot.skills.meetings.engine import Line, Meeting, replay
from hatbot.skills.meetings.files import index_page, write_minutes
from hatbot.skills.meetings.minutes import lines_from_json
from hatbot.skills.meetings.rebuild_cli import add_rebuild_command
from hatbot.skills.meetings.settings import minutes_dir

# MeetBot's "HH:MM:SS <nick> text", and what other loggers write: "[HH:MM] <nick>",
# "[HH:MM:SS] <nick>", "HH:MM <nick>" (meetingology, irssi, weechat, ZNC); a nick may
# carry its channel mode sign ("<@nick>", "<+nick>"), which is not part of it.
_LOG_LINE = re.compile(
    r"^\[?(\d{1,2}):(\d{2})(?::(\d{2}))?\]?\s+"
    r"(?:<[~&@%+ ]?([^>\s]+)>\s?(.*)|\*\s+(\S+)\s(.*))$")
FORMATS_TRIED = ("HH:MM:SS <nick> text", "[HH:MM:SS] <nick> text", "[HH:MM] <nick> text",
                 "HH:MM <nick> text", "HH:MM:SS * nick action", "a Hatbot .log.json")
_DATED_NAME = re.compile(r"\.(\d{4})-(\d{2})-(\d{2})-\d{2}\.\d{2}\.log\.txt$")
LOG_PLATFORM = "log"  # identities in a text log are only nicks


def add_replay_command(commands: Any) -> None:
    minutes = commands.add_parser("minutes", help="meeting minutes",
                                  epilog="example: hatbot minutes rebuild --all")
    actions = minutes.add_subparsers(dest="minutes_command", required=True, metavar="COMMAND")
    replay_cmd = actions.add_parser(
        "replay", parents=[commands.common],
        help="rebuild minutes from a MeetBot .log.txt or a Hatbot .log.json, or from every "
             "log in a folder (a MeetBot archive)",
        epilog="example: hatbot minutes replay nova.2026-01-05-16.00.log.txt")
    replay_cmd.add_argument("log", type=Path, metavar="LOG",
                            help="a log file, or a folder searched for *.log.txt/*.log.json")
    replay_cmd.add_argument("--channel", help="channel for the title of a .log.txt "
                                              "(default: #NAME from the file name)")
    replay_cmd.add_argument("--date", type=date.fromisoformat,
                            help="day of a .log.txt whose file name has none (YYYY-MM-DD)")
    replay_cmd.add_argument("--bot-nick", metavar="NICK",
                            help="the nick of the bot that logged the meeting: its lines are "
                                 "not commands (default: [bot] name)")
    replay_cmd.add_argument("--files-only", action="store_true",
                            help="write the minutes files only: leave the meetings out of the "
                                 "database (the web archive and its search)")
    replay_cmd.set_defaults(handler=run_replay)
    add_rebuild_command(actions, commands.common)


def read_text_log(text: str, day: date, bot_name: str) -> list[Line]:
    """MeetBot's ``HH:MM:SS <nick> text`` (and ``HH:MM:SS * nick action``) lines."""
    lines: list[Line] = []
    current = datetime.combine(day, time(), tzinfo=UTC)
    for raw in text.splitlines():
        match = _LOG_LINE.match(raw)
        if match is None:
            continue  # joins, parts and other server notices
        hour, minute, second = (int(g or 0) for g in match.group(1, 2, 3))
        ts = current.replace(hour=hour, minute=minute, second=second)
        if lines and ts < lines[-1].ts:
            ts += timedelta(days=1)  # the meeting ran past midnight
        current = ts
        nick = match.group(4) or match.group(6)
        said = match.group(5) if match.group(4) else match.group(7)
        lines.append(Line(ts, f"{LOG_PLATFORM}:{nick}", nick, said or "",
                          is_bot=nick == bot_name, is_action=match.group(6) is not None))
    return lines


def run_replay(ctx: CliContext, args: argparse.Namespace) -> int:
    if args.log.is_dir():
        return replay_archive(ctx, args)
    paths, meeting = replay_one(ctx, args, args.log)
    for path in paths:
        print(path)
    if _archiving(ctx, args):
        added = record_replayed(ctx.bot.db_url, [meeting])
        print("added to the archive" if added else "already in the archive", file=sys.stderr)
    return 0


def _archiving(ctx: CliContext, args: argparse.Namespace) -> bool:
    return ctx.database and not getattr(args, "files_only", False)


def replay_archive(ctx: CliContext, args: argparse.Namespace) -> int:
    """Every log under a folder, with a progress bar; a log that cannot be read is
    reported with its reason and the others go on. Then the archive's index."""
    # Imported here: every `hatbot run` reads this module for its subcommand, and the
    # process pool (multiprocessing) is a few ms of its start for nothing.
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm  # type: ignore[import-untyped]

    logs = sorted(p for pattern in ("*.log.txt", "*.log.json") for p in args.log.rglob(pattern))
    failed: list[str] = []
    # Each log is its own work: one process per core, in batches to keep the overhead low.
    batches = [logs[i:i + BATCH] for i in range(0, len(logs), BATCH)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool, \
            tqdm(total=len(logs), desc="replaying", unit="log", file=sys.stderr,
                 disable=not logs or None) as bar:
        archiving = _archiving(ctx, args)
        added = 0
        for done in as_completed(pool.submit(_replay_batch, ctx, args, b, archiving)
                                 for b in batches):
            count, problems, meetings = done.result()
            failed += problems
            if meetings:
                added += record_replayed(ctx.bot.db_url, meetings)
            bar.update(count)
    folder = minutes_dir(ctx.options, ctx.bot.data_dir)
    index = index_page(folder)
    if index is not None:
        (folder / "index.html").write_text(index, encoding="utf-8")
    for line in sorted(failed):
        print(line, file=sys.stderr)
    print(f"{len(logs) - len(failed)} of {len(logs)} logs replayed into {folder}"
          + (f"; {added} meetings added to the archive" if archiving else ""))
    return 1 if failed else 0


BATCH = 50  # logs a worker process replays per task


def _replay_batch(ctx: CliContext, args: argparse.Namespace, logs: list[Path],
                  archiving: bool) -> tuple[int, list[str], list[Meeting]]:
    """In a worker process: replay ``logs``; what failed, and the meetings for the
    archive, which the parent process records (one writer for the database)."""
    problems = []
    meetings = []
    for log in logs:
        try:
            _, meeting = replay_one(ctx, args, log)
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{log}: {exc}")
            continue
        if archiving:
            meetings.append(meeting)
    return len(logs), problems, meetings


def replay_one(ctx: CliContext, args: argparse.Namespace, path: Path
               ) -> tuple[list[Path], Meeting]:
    """Replay one log; the files written, and the meeting."""
    try:
        # Old logs mix encodings: a byte that is not UTF-8 is replaced, as MeetBot does.
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from None
    channel_name = ""
    if path.name.endswith(".json"):
        channel, channel_name, bot_name, lines = lines_from_json(text)
    else:
        dated = _DATED_NAME.search(path.name)
        day = args.date or (date(*(int(g) for g in dated.groups())) if dated else None)
        if day is None:
            raise ValueError(f"{path}: no date in the file name; give --date YYYY-MM-DD")
        name = path.name.split(".", 1)[0]
        bot_name = args.bot_nick or ctx.bot.name
        channel = f"{LOG_PLATFORM}:{args.channel or '#' + name}"
        lines = read_text_log(text, day, bot_name)
    meeting = replay(lines, channel, ctx.bot.prefix, bot_name, ctx.options.keep_dashes)
    if meeting is None:
        found = f"{len(lines)} lines read" if lines else "no line in a known format"
        raise ValueError(f"{path}: no #startmeeting in this log ({found}; formats tried: "
                         + "; ".join(FORMATS_TRIED) + ")")
    meeting.channel_name = channel_name
    folder = minutes_dir(ctx.options, ctx.bot.data_dir)
    written = write_minutes(meeting, folder, ctx.options.formats,
                            bot_name, ctx.public_url)
    return [written[fmt] for fmt in ctx.options.formats], meeting


def record_replayed(url: str, meetings: list[Meeting]) -> int:
    """Add replayed meetings to the database, as ended meetings with their lines (no action
    items: those of an old archive are not today's work); one whose files the database
    already knows (a meeting the bot recorded, or a log replayed before) is left as it
    is. Returns how many were added."""
    from sqlalchemy import insert, select
    from sqlalchemy.orm import Session

    from hatbot.skills.meetings.archive import index_lines_now, summary
    from hatbot.skills.meetings.models import MeetingLine, MeetingRecord
    from hatbot.storage.db import sync_engine

    engine = sync_engine(url)
    added = 0
    try:
        with Session(engine) as session, session.begin():
            for meeting in meetings:
                values = summary(meeting)
                if session.scalar(select(MeetingRecord.id).where(
                        MeetingRecord.base == values["base"])) is not None:
                    continue
                ended = meeting.ended_at or (meeting.lines[-1].ts if meeting.lines
                                             else meeting.started_at)
                record = MeetingRecord(channel=meeting.channel, name=meeting.name,
                                       started_at=meeting.started_at, ended_at=ended,
                                       minutes_at=datetime.now(UTC), **values)
                session.add(record)
                session.flush()
                if meeting.lines:
                    session.execute(insert(MeetingLine), [
                        {"meeting_id": record.id, "ts": line.ts, "key": line.key,
                         "nick": line.nick, "text": line.text, "is_bot": line.is_bot,
                         "is_action": line.is_action} for line in meeting.lines])
                    index_lines_now(session, record.id)
                added += 1
    finally:
        engine.dispose()
    return added
