"""The action-item tracker as the web and its API read it: items across meetings, open or
done, by person and series, newest first; and per series, how many are done and how long
they took (median days from the meeting to done).

Only what the minutes publish is shown: an item's text, the people it names, its
meeting. Who marked it done is an account, not shown. A person who said ``!privacy
optout`` is "someone" here (the minutes themselves are not changed).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hatbot.skill import csv_table
from hatbot.skills.meetings.archive import MAX_PAGE, SERIES, Page
from hatbot.skills.meetings.models import ActionAssignee, ActionItem, MeetingRecord
from hatbot.storage.kv import opted_out

PAGE_SIZE = 50
CSV_LIMIT = 10_000  # items in a CSV download, at most
State = Literal["open", "done", "all"]
STATES: tuple[State, ...] = ("open", "done", "all")
PERIODS = (30, 90, 365)  # days the per-series figures look back
_NICK = re.compile(r"[^\s/?#&]{1,100}")


@dataclass(frozen=True)
class Wanted:
    """A request to the tracker, checked: ``state``, ``person``, ``series``, ``days``,
    ``page``; a value out of bounds is a ``problem`` (answered with a 400)."""

    state: State = "open"
    person: str | None = None
    series: str | None = None
    days: int = 365
    page: int = 1
    problem: str | None = None

    @classmethod
    def read(cls, params: Mapping[str, str]) -> Wanted:
        state = params.get("state", "open")
        person = params.get("person", "").strip() or None
        series = params.get("series", "").strip() or None
        days = params.get("days", "365")
        page = params.get("page", "1")
        if state not in STATES:
            return cls(problem="state is open, done or all, e.g. ?state=done")
        if person is not None and not _NICK.fullmatch(person):
            return cls(problem="person is a nick as the minutes name it, e.g. ?person=alice")
        if series is not None and not SERIES.fullmatch(series):
            return cls(problem="series is a meeting name such as nova, e.g. ?series=nova")
        if days not in {str(d) for d in PERIODS}:
            return cls(problem="days is 30, 90 or 365, e.g. ?days=90")
        if not (page.isdigit() and 1 <= int(page) <= MAX_PAGE):
            return cls(problem=f"page is a number from 1 to {MAX_PAGE}, e.g. ?page=2")
        return cls(state, person, series, int(days), int(page))

    def query(self, **changes: Any) -> str:
        """The query string of this request with ``changes``."""
        values = {"state": self.state, "person": self.person or "",
                  "series": self.series or "", "days": self.days, "page": self.page}
        values.update(changes)
        shown = {k: v for k, v in values.items()
                 if v and (k, v) not in {("state", "open"), ("days", 365), ("page", 1)}}
        return urlencode(shown)


@dataclass(frozen=True)
class Item:
    id: int
    text: str
    people: list[str]
    series: str
    said_at: datetime
    done_at: datetime | None
    minutes: str | None  # the meeting's files under /meetings/ (no extension)

    def age_days(self, now: datetime) -> int:
        """Days from its meeting to done, or to ``now`` while open (rounded)."""
        return max(0, round(((self.done_at or now) - self.said_at).total_seconds() / 86400))


@dataclass(frozen=True)
class SeriesFigures:
    series: str
    said: int  # items of its meetings in the period
    done: int  # of those, done
    median_days: float | None  # from the meeting to done, for those done

    @property
    def completion(self) -> float:
        return self.done / self.said if self.said else 0.0


def _where(wanted: Wanted) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if wanted.state == "open":
        where.append(ActionItem.done_at.is_(None))
    elif wanted.state == "done":
        where.append(ActionItem.done_at.is_not(None))
    if wanted.series is not None:
        where.append(ActionItem.meeting_name == wanted.series)
    if wanted.person is not None:
        where.append(ActionItem.id.in_(select(ActionAssignee.action_id).where(
            ActionAssignee.nick == wanted.person.lower())))
    return where


HIDDEN = "someone"  # in place of a name whose person opted out (``!privacy optout``)


async def items(db: AsyncSession, wanted: Wanted, size: int = PAGE_SIZE) -> Page[Item]:
    """A page of ``size`` items; a name whose person opted out shows as "someone", and
    asking for that person's items finds none."""
    hidden = await opted_out(db)
    if wanted.person is not None and wanted.person.lower() in hidden:
        return Page([], wanted.page, False)
    rows = list(await db.execute(
        select(ActionItem.id, ActionItem.text, ActionItem.assignees, ActionItem.meeting_name,
               ActionItem.said_at, ActionItem.done_at, MeetingRecord.base)
        .join(MeetingRecord, MeetingRecord.id == ActionItem.meeting_id)
        .where(*_where(wanted)).order_by(ActionItem.id.desc())
        .limit(size + 1).offset((wanted.page - 1) * size)))
    found = [Item(r.id, r.text, [HIDDEN if nick.lower() in hidden else nick
                                 for nick in r.assignees.split()],
                  r.meeting_name, r.said_at, r.done_at, r.base) for r in rows[:size]]
    return Page(found, wanted.page, len(rows) > size)


async def figures(db: AsyncSession, now: datetime, days: int,
                  series: str | None = None) -> list[SeriesFigures]:
    """Per series, the items said in the last ``days`` days: how many, how many done, and
    the median days to done (read in one pass over those items: a few thousand a year
    even at OpenStack's size)."""
    since = now - timedelta(days=days)
    query = select(ActionItem.meeting_name, ActionItem.said_at, ActionItem.done_at).where(
        ActionItem.said_at >= since)
    if series is not None:
        query = query.where(ActionItem.meeting_name == series)
    said: dict[str, int] = defaultdict(int)
    took: dict[str, list[float]] = defaultdict(list)
    for name, said_at, done_at in await db.execute(query):
        said[name] += 1
        if done_at is not None:
            took[name].append((done_at - said_at).total_seconds() / 86400)
    return [SeriesFigures(name, count, len(took[name]),
                          round(statistics.median(took[name]), 1) if took[name] else None)
            for name, count in sorted(said.items())]


async def open_count(db: AsyncSession) -> int:
    return await db.scalar(select(func.count()).select_from(ActionItem).where(
        ActionItem.done_at.is_(None))) or 0


def as_json(item: Item) -> dict[str, Any]:
    return {"id": item.id, "text": item.text, "people": item.people, "series": item.series,
            "said_at": _iso(item.said_at), "done_at": _iso(item.done_at),
            "minutes": f"/meetings/{item.minutes}.html" if item.minutes else None}


CSV_COLUMNS = ("id", "text", "people", "series", "said_at", "done_at", "minutes")


def as_csv(listed: list[Item]) -> str:
    return csv_table(CSV_COLUMNS, [
        [" ".join(row["people"]) if key == "people" else row[key] for key in CSV_COLUMNS]
        for row in map(as_json, listed)])


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat()
