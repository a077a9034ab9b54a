"""Recognition of community work: what each person did, from every skill's ``Credit``s
(``hatbot.figures``), on ``/people/NAME`` and in ``hatbot report recognition``.

A person who said ``!privacy optout`` appears in neither (their page answers 404, as a
page of nobody does, so opting out is not itself shown). Names are matched without
regard to case.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import hatbot.responses as responses
from hatbot.figures import PERIODS, Credit
from hatbot.pages import csv_table, templates

if TYPE_CHECKING:
    from aiohttp import web

Gather = Callable[[datetime], Awaitable[list[Credit]]]
OptedOut = Callable[[], Awaitable[set[str]]]
Table = dict[str, dict[str, int]]  # person → label → count


def table(credits: Iterable[Credit], hidden: set[str]) -> Table:
    """Everyone's credits by person (as first spelled) and kind, the hidden left out."""
    spelled: dict[str, str] = {}
    found: Table = {}
    for credit in credits:
        key = credit.person.lower()
        if not key or key in hidden:
            continue
        person = spelled.setdefault(key, credit.person)
        row = found.setdefault(person, {})
        row[credit.label] = row.get(credit.label, 0) + credit.count
    return dict(sorted(found.items(), key=lambda item: item[0].lower()))


def as_markdown(found: Table, since: datetime, until: datetime) -> str:
    labels = _labels(found)
    lines = [f"# Community work, {since:%Y-%m-%d} to {until:%Y-%m-%d}", "",
             "| person | " + " | ".join(labels) + " |",
             "|---|" + "---|" * len(labels)]
    for person, row in found.items():
        cells = [str(row.get(label, 0)) for label in labels]
        lines.append(f"| {_md(person)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def as_csv(found: Table) -> str:
    labels = _labels(found)
    return csv_table(["person", *labels], [
        [person, *(row.get(label, 0) for label in labels)] for person, row in found.items()])


class People:
    def __init__(self, gather: Gather, opted_out: OptedOut, now: Callable[[], datetime],
                 bot_name: str) -> None:
        self._gather = gather
        self._opted_out = opted_out
        self._now = now
        self._bot_name = bot_name

    async def page(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        text = request.query.get("days", "365")
        days = int(text) if text.isdigit() and int(text) in PERIODS else 365
        since = self._now() - timedelta(days=days)
        found = table(await self._gather(since), await self._opted_out())
        row = next((r for person, r in found.items() if person.lower() == name.lower()), None)
        if row is None:
            responses.not_found()
        person = next(p for p in found if p.lower() == name.lower())
        page = templates().get_template("person.html.j2").render(
            title=person, bot_name=self._bot_name, person=person, days=days,
            periods=PERIODS, credits=sorted(row.items()))
        return responses.html(page)


def _labels(found: Table) -> list[str]:
    return sorted({label for row in found.values() for label in row})


def _md(text: str) -> str:
    return text.replace("|", "\\|")
