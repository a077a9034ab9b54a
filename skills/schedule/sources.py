"""Where the schedule comes from, read again when it changes.

Folders of irc-meetings YAML and iCal files are read at start and on each refresh; iCal
URLs are fetched with ``If-None-Match``/``If-Modified-Since``, so an unchanged feed costs
a 304. The last good copy of each URL is kept in the data folder: a feed that fails (or
a bot that starts while it is down) goes on with it, and the failure is logged once,
when it starts, and shown on ``/healthz`` until the feed answers again.

The readers (PyYAML, icalendar) are imported when a source of theirs is configured.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .calendar import Meeting, with_events
from .settings import Feed, ScheduleConfig

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


@dataclass
class Copy:
    """A feed's last good body and what the server said of it."""

    body: bytes
    etag: str = ""
    modified: str = ""


@dataclass
class Sources:
    config: ScheduleConfig
    cache: Path  # where URLs' last good copies are kept
    copies: dict[str, Copy] = field(default_factory=dict)
    failing: dict[str, str] = field(default_factory=dict)  # source -> what is wrong

    def _file(self, url: str) -> Path:
        return self.cache / hashlib.sha256(url.encode()).hexdigest()[:32]

    def _kept(self, url: str) -> Copy | None:
        if url not in self.copies:
            path = self._file(url)
            try:
                headers = json.loads(path.with_suffix(".json").read_text())
                self.copies[url] = Copy(path.with_suffix(".ics").read_bytes(),
                                        headers.get("etag", ""), headers.get("modified", ""))
            except (OSError, ValueError):
                return None
        return self.copies[url]

    def _keep(self, url: str, copy: Copy) -> None:
        self.copies[url] = copy
        path = self._file(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_suffix(".ics").write_bytes(copy.body)
        path.with_suffix(".json").write_text(json.dumps({"url": url, "etag": copy.etag,
                                                         "modified": copy.modified}))

    def _failed(self, source: str, problem: str) -> None:
        if self.failing.get(source) != problem:
            log.warning("schedule source %s: %s (going on with the last good copy, if any)",
                        source, problem)
        self.failing[source] = problem

    def _fine(self, source: str) -> None:
        if self.failing.pop(source, None) is not None:
            log.info("schedule source %s: read again", source)

    async def fetch(self, client: httpx.AsyncClient) -> bool:
        """Fetch every URL feed that changed; whether any did."""
        import httpx

        from . import ical_feeds

        changed = False
        for feed in self.config.feeds():
            if not is_url(feed.url):
                continue
            kept = self._kept(feed.url)
            headers = {}
            if kept is not None and kept.etag:
                headers["If-None-Match"] = kept.etag
            if kept is not None and kept.modified:
                headers["If-Modified-Since"] = kept.modified
            try:
                response = await client.get(feed.url, headers=headers, follow_redirects=True)
            except httpx.HTTPError as exc:
                self._failed(feed.url, f"cannot be fetched: {type(exc).__name__} {exc}")
                continue
            if response.status_code == 304 and kept is not None:
                self._fine(feed.url)
                continue
            if response.status_code != 200:
                self._failed(feed.url, f"answered HTTP {response.status_code}")
                continue
            try:
                ical_feeds.read(response.content, source=feed.url)
            except ical_feeds.BadFeed as exc:
                self._failed(feed.url, str(exc))
                continue
            self._fine(feed.url)
            if kept is None or kept.body != response.content:
                changed = True
            self._keep(feed.url, Copy(response.content, response.headers.get("ETag", ""),
                                      response.headers.get("Last-Modified", "")))
        return changed

    def meetings(self, declared: list[Meeting], today: date, stamp: datetime) -> list[Meeting]:
        """Every meeting of every source, each name once (a later one with a name taken
        gets a number), with its events."""
        found: list[Meeting] = []
        if self.config.irc_meetings:
            from . import irc_meetings

            loaded = irc_meetings.load(self.config.irc_meetings)
            folders = ", ".join(self.config.irc_meetings)
            if loaded.errors:
                self._failed(folders, "; ".join(loaded.errors))
            else:
                self._fine(folders)
            found += loaded.meetings
        for feed in self.config.feeds():
            found += self._feed(feed)
        found += declared
        taken: set[str] = set()
        for meeting in found:
            base, n = meeting.name, 1
            while meeting.name in taken:
                n += 1
                meeting.name = f"{base}-{n}"
            taken.add(meeting.name)
            if meeting.slots:
                with_events(meeting, today, stamp)
        return found

    def _feed(self, feed: Feed) -> list[Meeting]:
        from . import ical_feeds

        if is_url(feed.url):
            kept = self._kept(feed.url)
            if kept is None:
                self._failed(feed.url, self.failing.get(feed.url, "not fetched yet"))
                return []
            body = kept.body
        else:
            try:
                body = Path(feed.url).read_bytes()
            except OSError as exc:
                self._failed(feed.url, f"cannot be read: {exc.strerror or exc}")
                return []
        try:
            meetings = ical_feeds.read(body, source=feed.url, channel=feed.channel)
        except ical_feeds.BadFeed as exc:
            self._failed(feed.url, str(exc))
            return []
        if not is_url(feed.url):
            self._fine(feed.url)
        return meetings
