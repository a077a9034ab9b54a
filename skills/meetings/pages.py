"""HTML pages from Jinja2 templates: the minutes and the log (files), the archive's pages
(made on request).

Autoescaping is on for every template; the one filter that emits markup,
``linkify``, escapes the text itself and only wraps http(s)/ftp URLs in links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from hatbot.skill import page_templates
from hatbot.skills.meetings.engine import Meeting
from hatbot.skills.meetings.minutes import Minutes, base_name, title_of

_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


def linkify(text: str) -> Markup:
    parts: list[Markup] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        parts.append(escape(text[last:match.start()]))
        parts.append(Markup('<a href="{0}" rel="nofollow">{0}</a>').format(url))
        last = match.start() + len(url)
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def _templates() -> Environment:
    """Made at the first page rendered: a bot that writes no minutes never loads Jinja2."""
    templates = page_templates(Path(__file__).with_name("templates"))
    templates.filters["linkify"] = linkify
    templates.filters["marked"] = marked
    return templates


def render_minutes_html(minutes: Minutes) -> str:
    return _templates().get_template("minutes.html.j2").render(
        title=minutes.title, minutes=minutes, meeting=minutes.meeting,
        log_href=f"{minutes.base}.log.html",
    )


def render_log_html(meeting: Meeting) -> str:
    base = base_name(meeting)
    return _templates().get_template("log.html.j2").render(
        title=f"{title_of(meeting)} (log)", meeting=meeting,
        minutes_href=f"{base}.html",
    )


@dataclass(frozen=True)
class IndexEntry:
    when: str  # "2026-01-05 16:00"
    links: list[tuple[str, str]]  # (label, href)


LABELS = {"html": "minutes", "txt": "text", "md": "markdown", "log.html": "log",
          "log.txt": "log (text)", "log.json": "log (json)"}


def render_index(meetings: list[tuple[str, list[tuple[str, list[IndexEntry]]]]],
                 title: str = "Meetings", *, link_series: bool = True) -> str:
    return _templates().get_template("index.html.j2").render(
        title=title, meetings=meetings, link_series=link_series)


def marked(snippet: str) -> Markup:
    """A search snippet as HTML: its text escaped, the matched words in ``<mark>``."""
    from hatbot.skills.meetings.archive import START, STOP

    return Markup(str(escape(snippet)).replace(START, "<mark>").replace(STOP, "</mark>"))


def render_archive(template: str, **context: object) -> str:
    """The archive's pages (``archive.html.j2``, ``series.html.j2``): made on request from
    the database, unlike the minutes, which are files."""
    return _templates().get_template(template).render(**context)
