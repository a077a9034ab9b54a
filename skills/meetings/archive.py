"""The archive as the web pages read it: ended meetings newest first, by series and year,
and full-text search over every line said in them.

Every read is by index whatever the size (OpenStack's 25,000 meetings, 2 million lines:
``python -m bench web``). Search is SQLite's FTS5 there and PostgreSQL's own full-text
search there (the migration ``0005_archive`` makes either); the words of a query are
all required, and hits come newest first. What people said is searched, not what the bot
said (it repeats them: action items carried over, votes counted). Lines of a meeting whose
log is kept from the public (``#restrictlogs``) are never searched; the meeting itself is
listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hatbot.context import Context
from hatbot.skill import csv_table
from hatbot.skills.meetings.engine import Meeting
from hatbot.skills.meetings.minutes import relative_base, title_of
from hatbot.skills.meetings.models import ActionItem, MeetingLine, MeetingRecord
from hatbot.storage.fulltext import FullText

PAGE_SIZE = 50  # meetings or hits a page
MAX_WORDS = 8  # of a query; more make it no better and slower
START, STOP = "\x02", "\x03"  # around a matched word in a snippet: never in chat text

_WORD = re.compile(r"\w+", re.UNICODE)
SERIES = re.compile(r"[a-z0-9_-]{1,100}")  # a meeting name as files and pages spell it
MAX_QUERY = 200  # characters
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Asked:
    """What a request to the archive asks for, checked: ``q``, ``series``, ``year``,
    ``page``. A value out of bounds is a ``problem`` (the page says it, with a 400)."""

    query: str = ""
    series: str | None = None
    year: int | None = None
    page: int = 1
    problem: str | None = None

    @classmethod
    def read(cls, params: Mapping[str, str]) -> Asked:
        query = params.get("q", "").strip()
        series = params.get("series", "").strip() or None
        year_text = params.get("year", "").strip()
        page_text = params.get("page", "1").strip()
        if len(query) > MAX_QUERY:
            return cls(problem=f"A search is at most {MAX_QUERY} characters, e.g. "
                               "?q=release+notes")
        if series is not None and not SERIES.fullmatch(series):
            return cls(query, problem="A series is a meeting name such as nova or "
                                      "tripleo-ci (lower case, digits, - and _)")
        if year_text and not (year_text.isdigit() and 1970 <= int(year_text) <= 2100):
            return cls(query, series, problem="A year is four digits, e.g. ?year=2026")
        if not (page_text.isdigit() and 1 <= int(page_text) <= MAX_PAGE):
            return cls(query, series, problem=f"A page is a number from 1 to {MAX_PAGE}, "
                                              "e.g. ?page=2")
        return cls(query, series, int(year_text) if year_text else None, int(page_text))

    def within(self, series: str) -> Asked:
        return replace(self, series=series)

    def paging(self, page: int) -> str:
        """The query string of this request at another page."""
        kept = {"q": self.query, "year": str(self.year or "")}
        return urlencode({**{k: v for k, v in kept.items() if v}, "page": page})


INDEX_CHUNK = 2000  # lines put in the search index per transaction
# As migrations 0005 and 0006 made it. On SQLite its lines are added by the skill, in
# chunks, once the meeting has ended (``index_lines``); PostgreSQL's index keeps itself.
LINES = FullText("meeting_lines", "l", "meeting_lines_fts", (("text", 1.0),),
                 tokenize="unicode61 remove_diacritics 2", split_punctuation=True)
_INDEX = text(LINES.fill("meeting_id = :meeting AND id > :after AND id <= :upto"))


def _chunk(meeting_id: int, after: int) -> Select[int]:
    return (select(MeetingLine.id).where(MeetingLine.meeting_id == meeting_id,
                                         MeetingLine.id > after)
            .order_by(MeetingLine.id).limit(INDEX_CHUNK))


async def index_lines(ctx: Context, meeting_id: int) -> None:
    """Put a meeting's lines that are not yet in SQLite's search index into it, a chunk
    at a time, each committed with the meeting's progress (``indexed_to``): no other
    writer waits long, and an indexing cut short goes on where it stopped. Done when its
    minutes are written (search reads ended meetings), never line by line while it runs.
    PostgreSQL's index keeps itself."""
    if ctx.db.get_bind().dialect.name != "sqlite":
        return
    while True:
        after = await ctx.db.scalar(select(MeetingRecord.indexed_to).where(
            MeetingRecord.id == meeting_id)) or 0
        ids = list(await ctx.db.scalars(_chunk(meeting_id, after)))
        if not ids:
            return
        await ctx.db.execute(_INDEX, {"meeting": meeting_id, "after": after, "upto": ids[-1]})
        await ctx.db.execute(update(MeetingRecord).where(MeetingRecord.id == meeting_id)
                             .values(indexed_to=ids[-1]))
        await ctx.commit()


def index_lines_now(session: Session, meeting_id: int) -> None:
    """``index_lines`` for the command line (``hatbot minutes replay``, ``rebuild``), in
    the caller's transaction."""
    if session.get_bind().dialect.name != "sqlite":
        return
    after = session.scalar(select(MeetingRecord.indexed_to).where(
        MeetingRecord.id == meeting_id)) or 0
    upto = session.scalar(select(func.max(MeetingLine.id)).where(
        MeetingLine.meeting_id == meeting_id))
    if upto is not None and upto > after:
        session.execute(_INDEX, {"meeting": meeting_id, "after": after, "upto": upto})
        session.execute(update(MeetingRecord).where(MeetingRecord.id == meeting_id)
                        .values(indexed_to=upto))


async def unindexed(db: AsyncSession) -> list[int]:
    """Meetings in the archive whose lines are not all in the search index (an indexing
    cut short by a stop)."""
    if db.get_bind().dialect.name != "sqlite":
        return []
    last = select(func.max(MeetingLine.id)).where(
        MeetingLine.meeting_id == MeetingRecord.id).scalar_subquery()
    return list(await db.scalars(select(MeetingRecord.id).where(
        MeetingRecord.base.is_not(None),
        func.coalesce(MeetingRecord.indexed_to, 0) < func.coalesce(last, 0))))


def summary(meeting: Meeting) -> dict[str, Any]:
    """What the archive keeps of a meeting whose minutes are written (its file suffix set)."""
    people = {line.key for line in meeting.lines if not line.is_bot} | set(meeting.present)
    return {"base": relative_base(meeting), "title": title_of(meeting),
            "restricted": meeting.restricted_logs, "line_count": len(meeting.lines),
            "attendance": len(people)}


@dataclass(frozen=True)
class Listed:
    """A meeting as the archive lists it."""

    id: int
    name: str
    title: str
    started_at: datetime
    base: str
    restricted: bool
    line_count: int
    attendance: int


@dataclass(frozen=True)
class Hit:
    """A line that matched a search, and where it is."""

    meeting: Listed
    line: int  # its number in the meeting's log (the log page's anchor l-N)
    ts: datetime
    nick: str
    snippet: str  # the line around the match, matched words between START and STOP


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    more: bool  # whether a next page exists


_LISTED = (MeetingRecord.id, MeetingRecord.name, MeetingRecord.title,
           MeetingRecord.started_at, MeetingRecord.base, MeetingRecord.restricted,
           MeetingRecord.line_count, MeetingRecord.attendance)


def _listed(row: Any) -> Listed:
    return Listed(row.id, row.name, row.title or row.name, row.started_at, row.base,
                  bool(row.restricted), row.line_count or 0, row.attendance or 0)


def _archived(series: str | None, year: int | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [MeetingRecord.base.is_not(None)]
    if series is not None:
        where.append(MeetingRecord.name == series)
    if year is not None:
        where += [MeetingRecord.started_at >= datetime(year, 1, 1, tzinfo=UTC),
                  MeetingRecord.started_at < datetime(year + 1, 1, 1, tzinfo=UTC)]
    return where


async def meetings(db: AsyncSession, *, series: str | None = None, year: int | None = None,
                   page: int = 1) -> Page[Listed]:
    rows = list(await db.execute(
        select(*_LISTED).where(*_archived(series, year))
        .order_by(MeetingRecord.started_at.desc(), MeetingRecord.id.desc())
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)))
    return Page([_listed(r) for r in rows[:PAGE_SIZE]], page, len(rows) > PAGE_SIZE)


CSV_LIMIT = 10_000
CSV_COLUMNS = ("started_at", "series", "title", "people", "lines", "minutes")


async def every_meeting(db: AsyncSession, series: str | None, year: int | None
                        ) -> list[Listed]:
    """The archive's meetings, newest first, up to ``CSV_LIMIT`` (the CSV downloads)."""
    rows = await db.execute(select(*_LISTED).where(*_archived(series, year))
                            .order_by(MeetingRecord.started_at.desc(),
                                      MeetingRecord.id.desc()).limit(CSV_LIMIT))
    return [_listed(r) for r in rows]


def as_csv(listed: list[Listed], public_url: str) -> str:
    return csv_table(CSV_COLUMNS, [
        (m.started_at.isoformat(), m.name, m.title, m.attendance, m.line_count,
         f"{public_url.rstrip('/')}/meetings/{m.base}.html") for m in listed])


async def has_series(db: AsyncSession, series: str) -> bool:
    return await db.scalar(select(MeetingRecord.id).where(
        *_archived(series, None)).limit(1)) is not None


async def latest(db: AsyncSession, series: str, count: int) -> list[Listed]:
    """The series' last ``count`` meetings, oldest first (the attendance chart)."""
    rows = list(await db.execute(
        select(*_LISTED).where(*_archived(series, None))
        .order_by(MeetingRecord.started_at.desc(), MeetingRecord.id.desc()).limit(count)))
    return [_listed(r) for r in reversed(rows)]


async def series_names(db: AsyncSession) -> list[str]:
    """Every series with minutes (read off the series index: a few hundred at most)."""
    return list(await db.scalars(select(MeetingRecord.name).where(
        MeetingRecord.base.is_not(None)).distinct().order_by(MeetingRecord.name)))


async def years(db: AsyncSession) -> list[int]:
    """From the newest meeting's year down to the oldest's."""
    first, last = (await db.execute(select(func.min(MeetingRecord.started_at),
                                           func.max(MeetingRecord.started_at)))).one()
    if first is None or last is None:
        return []
    return list(range(_utc(last).year, _utc(first).year - 1, -1))


def words(query: str) -> list[str]:
    """The words a query searches for, all required (punctuation and operators ignored)."""
    return _WORD.findall(query)[:MAX_WORDS]


async def search(db: AsyncSession, query: str, *, series: str | None = None,
                 year: int | None = None, page: int = 1) -> Page[Hit]:
    found = words(query)
    if not found:
        return Page([], page, False)
    match = LINES.search(db.get_bind().dialect.name, found, marks=(START, STOP))
    params: dict[str, Any] = {**match.params, "limit": PAGE_SIZE + 1,
                              "offset": (page - 1) * PAGE_SIZE}
    filters = ""
    if series is not None:
        filters += " AND m.name = :series"
        params["series"] = series
    if year is not None:
        filters += " AND m.started_at >= :since AND m.started_at < :until"
        params["since"] = datetime(year, 1, 1, tzinfo=UTC)
        params["until"] = datetime(year + 1, 1, 1, tzinfo=UTC)
    statement = text(
        f"SELECT m.id, m.name, m.title, m.started_at, m.base, m.restricted, m.line_count, "
        f"m.attendance, l.ts AS line_ts, l.nick, {match.snippet} AS snippet, "
        f"(SELECT count(*) FROM meeting_lines n WHERE n.meeting_id = l.meeting_id "
        f"AND n.id <= l.id) AS line_no "
        f"FROM {match.source} JOIN meetings m ON m.id = l.meeting_id "
        f"WHERE {match.where} AND NOT l.is_bot AND m.base IS NOT NULL "
        f"AND NOT m.restricted{filters} "
        f"ORDER BY {match.newest} DESC LIMIT :limit OFFSET :offset"
    ).bindparams(*(bindparam(name, type_=MeetingRecord.started_at.type)
                   for name in ("since", "until") if name in params)
                 ).columns(started_at=MeetingRecord.started_at.type,
                           line_ts=MeetingRecord.started_at.type)
    rows = list(await db.execute(statement, params))
    hits = [Hit(_listed(r), r.line_no, r.line_ts, r.nick, match.finish(r.snippet))
            for r in rows[:PAGE_SIZE]]
    return Page(hits, page, len(rows) > PAGE_SIZE)


async def open_actions(db: AsyncSession, series: str, limit: int = 50) -> list[ActionItem]:
    return list(await db.scalars(
        select(ActionItem).where(ActionItem.meeting_name == series,
                                 ActionItem.done_at.is_(None))
        .order_by(ActionItem.id.desc()).limit(limit)))


def _utc(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)
