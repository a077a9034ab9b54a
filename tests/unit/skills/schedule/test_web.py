"""iCal feeds by URL (ETag, last good copy, /healthz), the /schedule/ page and the
published calendars, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import icalendar
from aiohttp import web

from hatbot.app import App
from hatbot.context import Context
from hatbot.skills.schedule.calendar import occurrences
from tests.conftest import REPO, StartBot

# A team calendar as Google Calendar writes one: weekly in Berlin time, one date off
# (EXDATE) and one moved by an hour (RECURRENCE-ID).
FEED = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
BEGIN:VEVENT\r
UID:abc123@google.com\r
DTSTAMP:20261101T000000Z\r
SUMMARY:Docs team sync\r
DTSTART;TZID=Europe/Berlin:20261103T170000\r
DTEND;TZID=Europe/Berlin:20261103T173000\r
RRULE:FREQ=WEEKLY;BYDAY=TU\r
EXDATE;TZID=Europe/Berlin:20261215T170000\r
LOCATION:#docs\r
ORGANIZER;CN=Dana:mailto:dana@example.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:abc123@google.com\r
DTSTAMP:20261101T000000Z\r
RECURRENCE-ID;TZID=Europe/Berlin:20261208T170000\r
SUMMARY:Docs team sync\r
DTSTART;TZID=Europe/Berlin:20261208T180000\r
DTEND;TZID=Europe/Berlin:20261208T183000\r
LOCATION:#docs\r
END:VEVENT\r
END:VCALENDAR\r
"""


MODIFIED = "Sun, 01 Nov 2026 00:00:00 GMT"


class FeedServer:
    """Serves FEED with an ETag, answering 304 to a request that has it."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/team.ics", self.serve)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    async def serve(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(body=FEED, headers={"ETag": '"v1"', "Last-Modified": MODIFIED},
                            content_type="text/calendar")


def raw(url: str, dead: str) -> dict[str, Any]:
    return {"web": {"enabled": True, "host": "127.0.0.1", "port": 0},
            "skills": {"schedule": {
                "irc_meetings": [str(REPO / "tests" / "fixtures" / "irc-meetings" / "2019")],
                "ical": [url, {"url": dead, "channel": "ops"}],
                "channels": {"openstack-meeting": "memory:#openstack-meeting"}}}}


async def reload(app: App, fetch: bool = True) -> None:
    ctx = Context(app.runtime, "schedule")
    try:
        await app.skills["schedule"].reload(ctx, fetch=fetch)
    finally:
        await ctx.close()


async def test_feeds_pages_and_calendars(start_bot: StartBot, tmp_path: Path) -> None:
    server = FeedServer()
    await server.start()
    url = f"http://127.0.0.1:{server.port}/team.ics"
    dead = "http://127.0.0.1:9/gone.ics"  # nothing listens on the discard port
    app = await start_bot(raw=raw(url, dead), data_dir=tmp_path / "data")
    skill = app.skills["schedule"]
    for _ in range(100):  # the refresher's first fetch, just after start
        if skill.meeting("docs-team-sync") is not None:
            break
        await asyncio.sleep(0.05)
    docs = skill.meeting("docs-team-sync")
    assert docs is not None and docs.chair == "Dana" and docs.source == url
    assert len(server.requests) == 1
    await reload(app)
    assert server.requests[-1].get("If-None-Match") == '"v1"'  # answered 304
    assert server.requests[-1].get("If-Modified-Since") == MODIFIED
    assert skill.meeting("docs-team-sync") is not None

    from datetime import UTC, datetime
    starts = [o.start for o in occurrences([docs], datetime(2026, 12, 1, tzinfo=UTC),
                                           datetime(2026, 12, 23, tzinfo=UTC))]
    assert starts == [datetime(2026, 12, 1, 16, tzinfo=UTC),   # 17:00 in Berlin
                      datetime(2026, 12, 8, 17, tzinfo=UTC),   # moved an hour later
                      datetime(2026, 12, 22, 16, tzinfo=UTC)]  # the 15th is off

    base = f"http://127.0.0.1:{app.web.port}"  # type: ignore[union-attr]
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        health = await client.get("/healthz")
        body = json.loads(health.text)
        assert health.status_code == 200 and body["status"] == "ok"
        assert body["warnings"][f"schedule: {dead}"].startswith("cannot be fetched")
        page = await client.get("/schedule/", params={"week": "2026-W50",
                                                      "tz": "Europe/Berlin"})
        assert page.status_code == 200
        assert "Docs team sync" in page.text and "Nova Team Meeting" in page.text
        assert "Tuesday 08 December" in page.text and "18:00 Docs team sync" in page.text
        assert (await client.get("/schedule/", params={"tz": "+01:00"})).status_code == 400
        assert (await client.get("/schedule/", params={"week": "50"})).status_code == 400
        one = await client.get("/schedule/nova.ics")
        assert one.status_code == 200 and one.headers["content-type"].startswith(
            "text/calendar")
        parsed = icalendar.Calendar.from_ical(one.content)
        assert [str(e["SUMMARY"]) for e in parsed.walk("VEVENT")] == ["Nova Team Meeting"] * 2
        every = icalendar.Calendar.from_ical((await client.get("/schedule/all.ics")).content)
        assert len({str(e["UID"]) for e in every.walk("VEVENT")}) > 80
        assert any(tz["TZID"] == "Europe/Berlin" for tz in every.walk("VTIMEZONE"))
        assert (await client.get("/schedule/nobody.ics")).status_code == 404

    # The feed goes down: its last good copy stays, and /healthz says so.
    await server.stop()
    await reload(app)
    assert skill.meeting("docs-team-sync") is not None
    assert f"schedule: {url}" in app.runtime.warnings
    await app.stop()
    # A bot that starts while the feed is down starts with the copy it kept.
    again = await start_bot(raw=raw(url, dead), data_dir=tmp_path / "data")
    assert again.skills["schedule"].meeting("docs-team-sync") is not None
