"""``/schedule/`` (a week, day by day, and every meeting by channel) and the calendars
``/schedule/all.ics`` and ``/schedule/NAME.ics``."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from aiohttp import web

from hatbot.context import Context
from hatbot.skill import page_templates, times

from . import calendar
from .calendar import WEEKDAYS, Meeting

if TYPE_CHECKING:
    from .skill import Schedule

_FREQUENCY_WORDS = {
    "weekly": "every week",
    "biweekly-odd": "every two weeks (odd weeks)",
    "biweekly-even": "every two weeks (even weeks)",
    "quadweekly": "every four weeks",
    "quadweekly-alternate": "every four weeks (alternate)",
}


def recurrence(meeting: Meeting) -> list[str]:
    """How often, in words: one line per slot (or per event of a feed)."""
    lines = []
    for slot in meeting.slots:
        often = _FREQUENCY_WORDS.get(slot.frequency, slot.frequency.replace("-", " "))
        lines.append(f"{WEEKDAYS[slot.weekday].capitalize()} {slot.at:%H:%M} {slot.zone}, "
                     f"{often} in {slot.channel}")
    if not meeting.slots:
        for event in meeting.events:
            rule = event.get("RRULE")
            lines.append(rule.to_ical().decode() if rule is not None else "once")
    return lines


def _week(text: str, today: date) -> date:
    """The Monday of ``2026-W50`` (or of this week)."""
    if text:
        try:
            return datetime.strptime(f"{text}-1", "%G-W%V-%u").date()
        except ValueError:
            raise web.HTTPBadRequest(text="week: expected a week like 2026-W50") from None
    return today - timedelta(days=today.weekday())


async def schedule_page(skill: Schedule, ctx: Context, request: web.Request) -> web.Response:
    try:
        zone_name = times.zone(request.query.get("tz", "UTC"))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=f"tz: {exc}") from None
    zone = ZoneInfo(zone_name)
    now = ctx.now()
    monday = _week(request.query.get("week", ""), now.astimezone(zone).date())
    start = datetime.combine(monday, time(0), tzinfo=zone)
    found = await skill.occurrences(start.astimezone(UTC), (start + timedelta(days=7))
                                    .astimezone(UTC))
    days: dict[date, list[tuple[str, calendar.Occurrence, str]]] = defaultdict(list)
    for occurrence in found:
        local = occurrence.start.astimezone(zone)
        days[local.date()].append((f"{local:%H:%M}", occurrence, skill.where(occurrence)))
    by_channel: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in sorted(skill.meetings, key=lambda m: m.name):
        for channel in meeting.channels or ["(no channel)"]:
            by_channel[channel.lstrip("#")].append(meeting)
    week = [(monday + timedelta(days=n), days.get(monday + timedelta(days=n), []))
            for n in range(7)]
    html = page_templates(Path(__file__).with_name("templates")).get_template(
        "schedule.html.j2").render(
        title=f"Meeting schedule · {ctx.bot_name}", bot_name=ctx.bot_name, week=week,
        zone=zone_name, this_week=f"{monday:%G-W%V}",
        previous=f"{monday - timedelta(weeks=1):%G-W%V}",
        following=f"{monday + timedelta(weeks=1):%G-W%V}",
        channels=sorted(by_channel.items()), recurrence=recurrence, today=now.date(),
        problems=skill.sources.failing if skill.sources else {})
    return web.Response(text=html, content_type="text/html")


async def ics(skill: Schedule, ctx: Context, request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name == "all":
        meetings, title = skill.meetings, f"{ctx.bot_name}: every meeting"
    else:
        meeting = skill.meeting(name)
        if meeting is None:
            raise web.HTTPNotFound(text=f'no meeting is called "{name}"')
        meetings, title = [meeting], meeting.title
    body = calendar.ical(meetings, title, skill.skipped)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers={
        "Content-Disposition": f'inline; filename="{calendar.slug(name)}.ics"'})
