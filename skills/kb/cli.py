"""``hatbot kb export DIR`` and ``hatbot kb import DIR``: the approved entries as Markdown
files (files.py) and back, so the knowledge base can be kept in Git and edited by pull
request. An import is one transaction: a folder with a bad file changes nothing."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hatbot.skill import CliContext
from hatbot.storage.db import sync_engine

from .models import APPROVED, DRAFT, KbEntry, KbRevision

if TYPE_CHECKING:  # PyYAML loads when a subcommand runs, not when `hatbot` builds its parser
    from .files import Exported

IMPORTER = "hatbot kb import"


def add_cli(commands: Any) -> None:
    kb = commands.add_parser("kb", help="the knowledge base as Markdown files",
                             epilog="example: hatbot kb export docs/kb")
    actions = kb.add_subparsers(dest="kb_command", required=True, metavar="COMMAND")
    export = actions.add_parser(
        "export", parents=[commands.common],
        help="write every approved entry as Markdown with YAML front matter, and index.md",
        epilog="example: hatbot kb export docs/kb")
    export.add_argument("folder", type=Path, metavar="DIR")
    export.set_defaults(handler=run_export)
    load = actions.add_parser(
        "import", parents=[commands.common],
        help="read entries written by export (and edited since): new ones are added, "
             "changed ones get a revision; a file without reviewed-by is a draft",
        epilog="example: hatbot kb import docs/kb")
    load.add_argument("folder", type=Path, metavar="DIR")
    load.set_defaults(handler=run_import)


def exported(entry: KbEntry) -> Exported:
    from .files import Exported

    return Exported(
        id=entry.id, question=entry.question, answer=entry.answer, tags=entry.tags.split(),
        author=entry.author, author_name=entry.author_name, reviewer=entry.reviewer or "",
        reviewer_name=entry.reviewer_name or "", created_at=entry.created_at,
        updated_at=entry.updated_at, reviewed_at=entry.reviewed_at, origin=entry.origin,
        channel=entry.channel, source_url=entry.source_url, source_text=entry.source_text)


def run_export(ctx: CliContext, args: argparse.Namespace) -> int:
    from .files import INDEX, file_name, index, to_markdown

    engine = sync_engine(ctx.bot.db_url)
    try:
        with Session(engine) as session:
            entries = [exported(e) for e in session.scalars(
                select(KbEntry).where(KbEntry.status == APPROVED).order_by(KbEntry.id))]
    finally:
        engine.dispose()
    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        (folder / file_name(entry)).write_text(to_markdown(entry), encoding="utf-8")
    (folder / INDEX).write_text(index(entries, f"{ctx.bot.name}: knowledge base"),
                                encoding="utf-8")
    print(f"wrote {len(entries)} entries to {folder}", file=sys.stderr)
    return 0


def _apply(row: KbEntry, entry: Exported, now: datetime) -> None:
    row.question, row.answer, row.tags = entry.question, entry.answer, " ".join(entry.tags)
    row.author = entry.author or IMPORTER
    row.author_name = entry.author_name or IMPORTER
    row.reviewer, row.reviewer_name = entry.reviewer or None, entry.reviewer_name or None
    row.reviewed_at = entry.reviewed_at if entry.reviewer else None
    row.status = APPROVED if entry.reviewer else DRAFT
    row.created_at = entry.created_at or row.created_at or now
    row.updated_at = entry.updated_at or now
    row.origin, row.channel = entry.origin, entry.channel
    row.source_url, row.source_text = entry.source_url, entry.source_text


def run_import(ctx: CliContext, args: argparse.Namespace) -> int:
    from .files import read_folder

    found, errors = read_folder(args.folder)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        print("nothing imported: fix the files above first", file=sys.stderr)
        return 1
    now = datetime.now(UTC)
    added = changed = 0
    engine = sync_engine(ctx.bot.db_url)
    try:
        with Session(engine) as session, session.begin():
            for _, entry in found:
                row = session.get(KbEntry, entry.id) if entry.id is not None else None
                if row is not None and exported(row) == entry:
                    continue
                action = "imported" if row is None else "edited"
                if row is None:
                    row = KbEntry(id=entry.id, reason="")
                    session.add(row)
                    added += 1
                else:
                    changed += 1
                _apply(row, entry, now)
                session.flush()
                session.add(KbRevision(entry_id=row.id, at=now, by=IMPORTER, by_name=IMPORTER,
                                       action=action, question=row.question,
                                       answer=row.answer, tags=row.tags,
                                       note=f"from {args.folder}"))
            if engine.dialect.name == "postgresql":  # ids given by the files: move on
                session.execute(text("SELECT setval(pg_get_serial_sequence('kb_entries', "
                                     "'id'), (SELECT coalesce(max(id), 1) FROM kb_entries))"))
    finally:
        engine.dispose()
    print(f"{added} entries added, {changed} changed, {len(found) - added - changed} "
          f"unchanged", file=sys.stderr)
    return 0
