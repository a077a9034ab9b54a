"""``!remind``: a message posted later to the same channel (or privately), kept across
restarts: after a while (``!remind 30m``), at a date and time in a time zone
(``!remind at``), or every week (``!remind every``); listed and cancelled by number.

A weekly reminder is one stored job at a time: each run schedules the next before it
speaks, so a crash between the two loses no week. Its time is a wall-clock time in its
zone, computed anew each week, so it stays at 09:00 across daylight saving changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select

from hatbot.context import Context
from hatbot.events import Address
from hatbot.skill import (
    N_,
    Skill,
    SkillConfig,
    UsageError,
    command,
    format_duration,
    read_or_usage,
    times,
    tr,
)
from hatbot.storage.kv import timezone_of

from .models import Reminder

LONGEST = timedelta(days=365)
D = TypeVar("D")
_WHEN = re.compile(r"^(?P<day>\S+)\s+(?P<at>\S+)(?:\s+(?P<rest>.*))?$", re.DOTALL)


class Remind(Skill[SkillConfig]):
    name = "remind"
    migrations = Path(__file__).with_name("migrations")

    @command("remind", args="DURATION TEXT", help=N_("Post TEXT here after DURATION"),
             examples=[("remind 30m Release notes freeze",
                        "OK, in 30m I will say: Release notes freeze"),
                       "remind 2d Check the docs PR"])
    async def remind(self, ctx: Context, delay: timedelta, text: str) -> None:
        if delay > LONGEST:
            await ctx.reply(tr("That is too far ahead; {command} goes up to a year.",
                               command=f"{ctx.prefix}remind"))
            return
        await self._keep(ctx, ctx.now() + delay, text)
        await ctx.reply(tr("OK, in {delay} I will say: {text}", delay=format_duration(delay),
                           text=text))

    @command("remind at", args="DATE HH:MM [ZONE] TEXT",
             help=N_("Post TEXT here at that time (in ZONE, else your !tz, else UTC)"),
             examples=["remind at 2026-12-01 15:00 Europe/Berlin Release party",
                       "remind at 2026-12-24 09:00 Wrap the gifts"])
    async def remind_at(self, ctx: Context, text: str) -> None:
        on, at, zone, message = await self._when(ctx, text, times.day)
        moment = times.local(on, at, zone)
        now = ctx.now()
        if moment <= now:
            await ctx.reply(tr("{moment} {zone} has passed.", moment=f"{moment:%Y-%m-%d %H:%M}",
                               zone=zone))
            return
        if moment - now > LONGEST:
            await ctx.reply(tr("That is too far ahead; {command} goes up to a year.",
                               command=f"{ctx.prefix}remind"))
            return
        number = await self._keep(ctx, moment.astimezone(ZoneInfo("UTC")), message, zone=zone)
        await ctx.reply(tr("OK, on {day} at {time} {zone} I will say: {text} (#{id}; {cancel})",
                           day=ctx.dated(moment, "day and year"), time=f"{moment:%H:%M}",
                           zone=zone,
                           text=message, id=number, cancel=f"{ctx.prefix}remind cancel {number}"))

    @command("remind every", args="DAY HH:MM [ZONE] TEXT",
             help=N_("Post TEXT here every week on DAY at HH:MM (in ZONE, else your !tz, "
                  "else UTC)"),
             examples=["remind every monday 09:00 Stand-up notes, please",
                       "remind every fri 16:00 Europe/Berlin Weekly wrap-up"])
    async def remind_every(self, ctx: Context, text: str) -> None:
        weekday, at, zone, message = await self._when(ctx, text, times.weekday)
        first = next_weekly(ctx.now(), weekday, at, zone)
        number = await self._keep(ctx, first, message, weekday=weekday, at=f"{at:%H:%M}",
                                  zone=zone)
        await ctx.reply(tr("OK, every {day} at {time} {zone} I will say: {text} (#{id}; "
                           "{cancel})", day=ctx.weekday(weekday), time=f"{at:%H:%M}",
                           zone=zone, text=message, id=number,
                           cancel=f"{ctx.prefix}remind cancel {number}"))

    @command("remind list", help=N_("Reminders waiting to be said here (or to you, in private)"))
    async def remind_list(self, ctx: Context) -> None:
        rows = list(await ctx.db.scalars(select(Reminder).where(self._here(ctx))
                                         .order_by(Reminder.next_at).limit(20)))
        if not rows:
            await ctx.reply(tr("No reminders here. {example} adds one.",
                               example=f"{ctx.prefix}remind at 2026-12-24 09:00 TEXT"))
            return
        lines = []
        for row in rows:
            local = row.next_at.astimezone(ZoneInfo(row.zone))
            when = (ctx._("every {day} {time} {zone}").format(
                day=ctx.weekday(row.weekday), time=row.at, zone=row.zone)
                    if row.weekday is not None
                    else f"{ctx.dated(local, 'day and time')} {row.zone}")
            lines.append(ctx._("#{id} {when}: {text} (by {name})").format(
                id=row.id, when=when, text=row.text, name=row.by_name))
        await ctx.reply("\n".join(lines))

    @command("remind cancel", args="ID", help=N_("Cancel a reminder (yours, or any as admin)"),
             examples=["remind cancel 3"])
    async def remind_cancel(self, ctx: Context, number: int) -> None:
        row = await ctx.db.get(Reminder, number)
        if row is None or not await ctx.db.scalar(
                select(Reminder.id).where(Reminder.id == number, self._here(ctx))):
            await ctx.reply(tr("No reminder #{id} here. {command} shows them.", id=number,
                               command=f"{ctx.prefix}remind list"))
            return
        if row.by != ctx.sender.identity and not ctx.is_admin():
            await ctx.reply(tr("Only {name}, who set it, or an admin can cancel #{id}.",
                               name=row.by_name, id=number))
            return
        await ctx.db.delete(row)
        await ctx.cancel(row.job)
        await ctx.reply(tr("Cancelled #{id}: {text}", id=number, text=row.text))

    def _here(self, ctx: Context) -> ColumnElement[bool]:
        if ctx.is_direct:
            return (Reminder.target == str(ctx.sender.address)) & Reminder.direct
        channel = str(ctx.channel)
        return (Reminder.target == channel) & ~Reminder.direct

    async def _when(self, ctx: Context, text: str, read_day: Callable[[str], D]
                    ) -> tuple[D, time, str, str]:
        """``DAY HH:MM [ZONE] TEXT``: the day as ``read_day`` reads it (a date, a weekday),
        the time, the zone (else the sender's ``!tz``, else UTC) and the text."""
        found = _WHEN.match(text.strip())
        if not found or not found["rest"]:
            raise UsageError(tr("expected a day, a time and the text"))
        at = read_or_usage(times.clock, found["at"])
        rest = found["rest"].strip()
        first, _, after = rest.partition(" ")
        if times.is_offset(first):
            raise UsageError(str(times.zone_error(first)))
        if times.is_zone(first) and after.strip():
            zone, message = times.zone(first), after.strip()
        else:
            zone = await timezone_of(ctx.db, ctx.sender.identity) or "UTC"
            message = rest
        return read_or_usage(read_day, found["day"]), at, zone, message

    async def _keep(self, ctx: Context, moment: datetime, text: str, *,
                    weekday: int | None = None, at: str | None = None,
                    zone: str = "UTC") -> int:
        channel = ctx.channel
        assert channel is not None
        target = str(ctx.sender.address) if ctx.is_direct else str(channel)
        row = Reminder(target=target, direct=ctx.is_direct, by=ctx.sender.identity,
                       by_name=ctx.sender.name, text=text, weekday=weekday, at=at, zone=zone,
                       next_at=moment, job="")
        ctx.db.add(row)
        await ctx.db.flush()
        row.job = await ctx.schedule(self.fire, moment, number=row.id)
        return row.id

    async def fire(self, ctx: Context, number: int) -> None:
        row = await ctx.db.get(Reminder, number)
        if row is None:  # cancelled
            return
        message = tr("Reminder from {name}: {text}", name=row.by_name, text=row.text)
        target, direct = Address.parse(row.target), row.direct
        if row.weekday is not None and row.at is not None:
            row.next_at = next_weekly(ctx.now(), row.weekday, times.clock(row.at), row.zone)
            row.job = await ctx.schedule(self.fire, row.next_at, number=row.id)
        else:
            await ctx.db.delete(row)
        if direct:
            await ctx.dm(target, message)
        else:
            await ctx.say(target, message)

    async def deliver(self, ctx: Context, target: str, direct: bool, author: str,
                      text: str) -> None:
        """A reminder stored by an earlier version (before reminders had numbers)."""
        message = tr("Reminder from {name}: {text}", name=author, text=text)
        if direct:
            await ctx.dm(Address.parse(target), message)
        else:
            await ctx.say(Address.parse(target), message)


def next_weekly(after: datetime, weekday: int, at: time, zone: str) -> datetime:
    """The next ``weekday`` at ``at`` in ``zone`` strictly after ``after``, in UTC."""
    local_day = after.astimezone(ZoneInfo(zone)).date()
    for ahead in range(8):
        day = local_day + timedelta(days=ahead)
        if day.weekday() != weekday:
            continue
        moment = times.local(day, at, zone).astimezone(ZoneInfo("UTC"))
        if moment > after:
            return moment
    return times.local(local_day + timedelta(days=7 + (weekday - local_day.weekday()) % 7),
                       at, zone).astimezone(ZoneInfo("UTC"))
