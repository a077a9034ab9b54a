"""``hatbot minutes rebuild``: write any meeting's minutes again from the database.

The database holds every line of every meeting, so the files can always be made
anew: after a failed write, a lost disk, or a change of template.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hatbot.skill import CliContext
from hatbot.skills.meetings.archive import index_lines_now, summary
from hatbot.skills.meetings.files import suffix_among, write_minutes
from hatbot.skills.meetings.models import MeetingLine, MeetingRecord
from hatbot.skills.meetings.recovery import lines_of, rebuild, same_minute
from hatbot.skills.meetings.settings import minutes_dir
from hatbot.storage.db import sync_engine


def add_rebuild_command(actions: Any, common: argparse.ArgumentParser) -> None:
    cmd = actions.add_parser(
        "rebuild", parents=[common],
        help="write meetings' minutes again from the database (default: the ones never "
             "written)",
        epilog="example: hatbot minutes rebuild --all")
    cmd.add_argument("ids", nargs="*", type=int, metavar="ID", help="meeting ids to rebuild")
    cmd.add_argument("--all", action="store_true", help="every meeting in the database")
    cmd.set_defaults(handler=run_rebuild)


def run_rebuild(ctx: CliContext, args: argparse.Namespace) -> int:
    query = select(MeetingRecord).order_by(MeetingRecord.id)
    if args.ids:
        query = query.where(MeetingRecord.id.in_(args.ids))
    elif not args.all:
        query = query.where(MeetingRecord.ended_at.is_not(None),
                            MeetingRecord.minutes_at.is_(None))
    folder = minutes_dir(ctx.options, ctx.bot.data_dir)
    engine = sync_engine(ctx.bot.db_url)
    try:
        with Session(engine) as session:
            records = list(session.scalars(query))
            missing = set(args.ids) - {r.id for r in records}
            if missing:
                raise ValueError(f"no meeting with id {', '.join(map(str, sorted(missing)))}")
            for record in records:
                rows = session.scalars(select(MeetingLine).where(
                    MeetingLine.meeting_id == record.id).order_by(MeetingLine.id))
                meeting = rebuild(record, lines_of(rows), ctx.bot.prefix, ctx.bot.name,
                                  ctx.options.keep_dashes)
                meeting.file_suffix = suffix_among(list(session.scalars(same_minute(meeting))),
                                                   record.id)
                written = write_minutes(meeting, folder, ctx.options.formats, ctx.bot.name,
                                        ctx.public_url)
                if record.ended_at is not None:
                    record.minutes_at = datetime.now(UTC)
                    for column, value in summary(meeting).items():  # the archive's view
                        setattr(record, column, value)
                    session.flush()
                    index_lines_now(session, record.id)
                session.commit()
                for fmt in ctx.options.formats:
                    print(written[fmt])
            if not records:
                print("every meeting's minutes are written; --all rebuilds them all")
    finally:
        engine.dispose()
    return 0
