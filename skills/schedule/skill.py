"""The schedule skill: what meets when, reminders before, a word to the chair when a
meeting did not start, chair rotation, and the calendar on the web.

Each minute a job looks at the occurrences around now and does what is due for each
once (``Mark``): a restart in between neither repeats nor loses it. Whether a meeting
started is read from the channel itself (``#startmeeting``, ``!meeting start``), as
people say it: the schedule never reads another skill's tables.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from hatbot.context import Context
from hatbot.events import Address, Message
from hatbot.skill import (
    N_,
    Credit,
    Figure,
    Pane,
    Person,
    Skill,
    UsageError,
    Word,
    command,
    community,
    every,
    format_duration,
    home,
    on,
    read_or_usage,
    recognition,
    route,
    times,
    tr,
    week_of,
)
from hatbot.storage.kv import TIMEZONE, KeyValue, timezone_of

from . import calendar
from .calendar import FREQUENCIES, Meeting, Occurrence, Slot
from .conflicts import conflicts
from .models import DeclaredMeeting, Mark, Rotation, Skip
from .settings import ScheduleConfig
from .sources import Sources

log = logging.getLogger(__name__)

# Around now, what the minute job looks at: meetings that began this long ago (to tell a
# chair one did not start) and those starting within the longest lead (to remind).
LOOK_BACK = timedelta(hours=2)
# #startmeeting this long before or after a slot counts as starting that occurrence.
START_WINDOW = timedelta(hours=1)
MOST_LISTED = 15
HOME_LISTED = 5  # meetings on a person's home
_NICK = re.compile(r"\(([A-Za-z0-9_\-\[\]\\^{}|`]+)\)")


@dataclass(frozen=True)
class Due:
    kind: str
    occurrence: Occurrence


class Schedule(Skill[ScheduleConfig]):
    name = "schedule"
    config_model = ScheduleConfig
    migrations = Path(__file__).with_name("migrations")

    def __init__(self, config: ScheduleConfig) -> None:
        super().__init__(config)
        self.meetings: list[Meeting] = []
        self.skipped: frozenset[tuple[str, date]] = frozenset()
        self.sources: Sources | None = None
        self._window: tuple[datetime, datetime, list[Occurrence]] | None = None
        self._reloading = asyncio.Lock()

    # --- loading ----------------------------------------------------------------------------

    async def setup(self, ctx: Context) -> None:
        self.sources = Sources(self.config, Path(ctx.data_dir) / "schedule")
        await self._sync_rotations(ctx)
        await self.reload(ctx, fetch=False)  # the kept copies first: reminders at once
        if any(f.url.startswith(("http://", "https://")) for f in self.config.feeds()):
            ctx.spawn(self._refresher, name="schedule feeds")

    def reconfigure(self, config: ScheduleConfig) -> list[str]:
        self.config = config
        if self.sources is not None:
            self.sources.config = config
        self._window = None
        return []

    async def _refresher(self, ctx: Context) -> None:
        while True:
            await self.reload(ctx, fetch=True)
            await ctx.close()
            await asyncio.sleep(self.config.refresh.total_seconds())

    async def reload(self, ctx: Context, *, fetch: bool = False) -> None:
        """Read every source again (fetching URLs when ``fetch``), with the meetings and
        skipped dates declared in chat."""
        assert self.sources is not None
        async with self._reloading:
            if fetch:
                import httpx

                async with httpx.AsyncClient(timeout=30) as client:
                    await self.sources.fetch(client)
            declared = [declared_meeting(row) for row in
                        await ctx.db.scalars(select(DeclaredMeeting))]
            skips = await ctx.db.execute(select(Skip.name, Skip.day))
            now = ctx.now()
            sources = self.sources
            self.meetings = await asyncio.to_thread(sources.meetings, declared, now.date(),
                                                    now)
            self.skipped = frozenset((name, day) for name, day in skips)
            self._window = None
            ctx.warn(sources.failing)

    async def occurrences(self, start: datetime, end: datetime,
                          of: Sequence[Meeting] | None = None, *, skips: bool = True
                          ) -> list[Occurrence]:
        """The occurrences of every meeting (or those ``of``) in [start, end), computed in
        a worker thread; without the dates called off in chat when not ``skips``."""
        return await asyncio.to_thread(calendar.occurrences,
                                       self.meetings if of is None else of, start, end,
                                       self.skipped if skips else frozenset())

    def meeting(self, name: str) -> Meeting | None:
        wanted = name.strip().lower()
        return next((m for m in self.meetings if m.name.lower() == wanted), None)

    async def _sync_rotations(self, ctx: Context) -> None:
        """The rotations of the configuration, kept with their turn where the list is
        the same people."""
        for name, settings in self.config.meetings.items():
            if not settings.rotation:
                continue
            people = "\n".join(settings.rotation)
            row = await ctx.db.get(Rotation, name)
            if row is None:
                ctx.db.add(Rotation(name=name, people=people, turn=0))
            elif row.people != people:
                row.people, row.turn = people, 0
        await ctx.commit()

    # --- where and who ----------------------------------------------------------------------

    def chat_channel(self, occurrence: Occurrence) -> Address | None:
        """The chat channel of an occurrence: the one it was declared in, or the mapping
        of its schedule channel; None when it is not mapped (no reminder then)."""
        if occurrence.meeting.source == "chat":
            return Address.parse(occurrence.channel)
        channel = occurrence.channel
        for key in (channel, f"#{channel}", channel.lstrip("#")):
            if key in self.config.channels:
                return Address.parse(self.config.channels[key])
        return None

    def lead(self, meeting: Meeting) -> timedelta:
        own = self.config.meetings.get(meeting.name)
        return (own.remind_before if own and own.remind_before else
                self.config.remind_before)

    def chair_lead(self, meeting: Meeting) -> timedelta | None:
        own = self.config.meetings.get(meeting.name)
        return (own.remind_chair_before if own and own.remind_chair_before else
                self.config.remind_chair_before)

    async def rotation(self, ctx: Context, meeting: Meeting) -> tuple[Rotation, list[str]] | None:
        row = await ctx.db.get(Rotation, meeting.name)
        if row is None or not row.people.strip():
            return None
        return row, row.people.split("\n")

    async def chair(self, ctx: Context, occurrence: Occurrence) -> tuple[str, list[Address]]:
        """Who chairs this occurrence (as shown) and whom to tell (their addresses)."""
        meeting = occurrence.meeting
        place = self.chat_channel(occurrence)
        turn = await self.rotation(ctx, meeting)
        if turn is not None:
            row, people = turn
            person = people[row.turn % len(people)]
            address = person_address(person, place)
            return (address.id if address else person), [address] if address else []
        own = self.config.meetings.get(meeting.name)
        addresses = [Address.parse(a) for a in own.chair] if own and own.chair else []
        if not addresses and meeting.source == "chat":
            declared = await ctx.db.get(DeclaredMeeting, meeting.name)
            if declared is not None:
                return declared.by_name, [Address.parse(declared.by_address)]
        if not addresses and place is not None:
            addresses = [Address(place.platform, nick) for nick in _NICK.findall(meeting.chair)]
        return meeting.chair, addresses

    # --- the minute job ---------------------------------------------------------------------

    def _longest_lead(self) -> timedelta:
        leads = [self.config.remind_before, *(self.config.remind_chair_before or timedelta(),),
                 *(s.remind_before or timedelta() for s in self.config.meetings.values()),
                 *(s.remind_chair_before or timedelta() for s in self.config.meetings.values())]
        return max(leads) + timedelta(minutes=1)

    async def _around(self, now: datetime) -> list[Occurrence]:
        """The occurrences from LOOK_BACK ago to the longest lead ahead, computed once an
        hour (and after each reload)."""
        ahead = self._longest_lead()
        window = self._window
        if window is None or now - LOOK_BACK < window[0] or now + ahead > window[1]:
            start, end = now - LOOK_BACK, now + ahead + timedelta(hours=1)
            window = self._window = (start, end, await self.occurrences(start, end))
        return [o for o in window[2] if now - LOOK_BACK <= o.start <= now + ahead]

    @every(cron="* * * * *")
    async def tick(self, ctx: Context) -> None:
        """Remind, tell chairs, and notice meetings that did not start: each once."""
        now = ctx.now()
        around = await self._around(now)
        if not around:
            return
        marks = {(name, starts_at, kind) for name, starts_at, kind in await ctx.db.execute(
            select(Mark.name, Mark.starts_at, Mark.kind).where(
                Mark.starts_at >= now - LOOK_BACK - timedelta(minutes=1)))}
        for due in self._due(around, now):
            occurrence = due.occurrence
            key = (occurrence.meeting.name, occurrence.start, due.kind)
            if key in marks or (due.kind == "late" and (*key[:2], "started") in marks):
                continue
            ctx.db.add(Mark(name=key[0], starts_at=key[1], kind=key[2], at=now))
            await ctx.commit()  # marked before said: never twice, even after a crash
            marks.add(key)
            await self._act(ctx, due, now)

    def _due(self, around: list[Occurrence], now: datetime) -> list[Due]:
        found = []
        for occurrence in around:
            chair_lead = self.chair_lead(occurrence.meeting)
            mapped = self.chat_channel(occurrence) is not None
            if mapped and occurrence.start - self.lead(occurrence.meeting) <= now \
                    < occurrence.start:
                found.append(Due("remind", occurrence))
            if chair_lead and occurrence.start - chair_lead <= now < occurrence.start:
                found.append(Due("chair", occurrence))
            if mapped and occurrence.start + self.config.late_after <= now \
                    < occurrence.start + LOOK_BACK:
                found.append(Due("late", occurrence))
        return found

    async def _act(self, ctx: Context, due: Due, now: datetime) -> None:
        occurrence, meeting = due.occurrence, due.occurrence.meeting
        chair, addresses = await self.chair(ctx, occurrence)
        place = self.chat_channel(occurrence)
        if due.kind == "remind" and place is not None:
            _ = functools.partial(ctx.translate, language=ctx.language_of(place))
            parts = [_(N_("{title} ({name}) starts in {delay}, at {time} UTC.")).format(
                title=meeting.title, name=meeting.name,
                delay=format_duration(occurrence.start - now),
                time=f"{occurrence.start:%H:%M}")]
            if chair:
                parts.append(_(N_("Chair: {chair}.")).format(chair=chair))
            if meeting.agenda_url:
                parts.append(_(N_("Agenda: {url}")).format(url=meeting.agenda_url))
            parts.append(_(N_("Start it with {command}")).format(
                command=f"#startmeeting {meeting.name}"))
            await ctx.say(place, " ".join(parts))
        elif due.kind == "chair":
            where = place.id if place is not None else f"#{occurrence.channel}"
            fields = {"title": meeting.title, "name": meeting.name, "where": where,
                      "day": ctx.dated(occurrence.start, "long day", ctx.language_of(None)),
                      "time": f"{occurrence.start:%H:%M}", "url": meeting.agenda_url}
            for address in addresses:
                await ctx.dm(address, tr(
                    "You chair {title} ({name}) in {where} on {day} at {time} UTC. Agenda: "
                    "{url}", **fields) if meeting.agenda_url else tr(
                    "You chair {title} ({name}) in {where} on {day} at {time} UTC.", **fields))
        elif due.kind == "late" and place is not None:
            late = {"title": meeting.title, "name": meeting.name, "where": place.id,
                    "time": f"{occurrence.start:%H:%M}"}
            if addresses:
                for address in addresses:
                    await ctx.dm(address, tr(
                        "{title} ({name}) was due at {time} UTC in {where} and has not started "
                        "(no #startmeeting).", **late))
            else:
                await ctx.say(place, tr(
                    "{chair}: {title} ({name}) was due at {time} UTC in {where} and has not "
                    "started (no #startmeeting).", chair=chair, **late) if chair else tr(
                    "{title} ({name}) was due at {time} UTC in {where} and has not started "
                    "(no #startmeeting).", **late))

    # --- what people say in the meeting channels -------------------------------------------

    @on(Message)
    async def watch(self, ctx: Context, event: Message) -> None:
        """#startmeeting and #endmeeting in a scheduled channel mark the occurrence."""
        text = event.text.lstrip().lower()
        prefix = ctx.prefix.lower()
        if text.startswith(("#startmeeting", f"{prefix}meeting start")):
            kind = "started"
        elif text.startswith(("#endmeeting", f"{prefix}meeting end")):
            kind = "ended"
        else:
            return
        if event.is_direct or not self.meetings:
            return
        now = event.ts
        nearby = await self._here(event.channel, now - timedelta(hours=6), now + START_WINDOW)
        if kind == "started":
            nearby = [o for o in nearby if abs(o.start - now) <= START_WINDOW]
            nearby.sort(key=lambda o: abs(o.start - now))
        else:
            started = set(await ctx.db.execute(select(Mark.name, Mark.starts_at).where(
                Mark.kind == "started", Mark.starts_at >= now - timedelta(hours=6))))
            nearby = [o for o in reversed(nearby) if (o.meeting.name, o.start) in started]
        if not nearby:
            return
        occurrence = nearby[0]
        key = (occurrence.meeting.name, occurrence.start, kind)
        if await ctx.db.get(Mark, key) is not None:
            return
        chair, _ = await self.chair(ctx, occurrence)
        ctx.db.add(Mark(name=key[0], starts_at=key[1], kind=kind, at=now, who=chair))
        if kind == "ended":
            turn = await self.rotation(ctx, occurrence.meeting)
            if turn is not None:
                turn[0].turn = (turn[0].turn + 1) % len(turn[1])

    async def _here(self, channel: Address, start: datetime, end: datetime
                    ) -> list[Occurrence]:
        found = await self.occurrences(start, end)
        return [o for o in found if self.chat_channel(o) == channel]

    # --- chat -------------------------------------------------------------------------------

    async def _zone(self, ctx: Context) -> str:
        return await timezone_of(ctx.db, ctx.sender.identity) or "UTC"

    @command("tz", args="[ZONE]", help=N_("Set your time zone (a name like Europe/Berlin), "
             "in which the bot shows you times"), examples=[
                 ("tz Europe/Berlin", re.compile(r"Your time zone is now Europe/Berlin "
                                                 r"\(it is \d\d:\d\d CES?T there\)\.")),
                 "tz"])
    async def tz(self, ctx: Context, name: Word = "") -> None:
        if not name:
            mine = await timezone_of(ctx.db, ctx.sender.identity)
            await ctx.reply(tr("Your time zone is {zone}.", zone=mine) if mine else
                            tr("You have no time zone set, so times are in UTC; {command} sets "
                               "one.", command=f"{ctx.prefix}tz Europe/Berlin"))
            return
        zone = read_or_usage(times.zone, name)
        await ctx.db.merge(KeyValue(namespace=TIMEZONE, key=ctx.sender.identity, value=zone))
        local = ctx.now().astimezone(ZoneInfo(zone))
        await ctx.reply(tr("Your time zone is now {zone} (it is {time} there).", zone=zone,
                           time=f"{local:%H:%M %Z}"))

    @command("meetings", args="[today|week]", help=N_("Upcoming meetings, in your time zone"),
             examples=["meetings", "meetings today", "meetings week"])
    async def upcoming(self, ctx: Context, span: Word = "") -> None:
        zone = ZoneInfo(await self._zone(ctx))
        now = ctx.now()
        local_now = now.astimezone(zone)
        if span.lower() == "today":
            end = datetime.combine(local_now.date() + timedelta(days=1), time(0), tzinfo=zone)
        elif span.lower() == "week":
            end = now + timedelta(days=7)
        elif span:
            raise UsageError(tr('expected today or week, got "{word}"', word=span))
        else:
            end = now + timedelta(days=14)
        found = await self.occurrences(now, end)
        if not span:
            found = found[:10]
        if not found:
            await ctx.reply(tr("No meetings scheduled today.") if span == "today" else
                            tr("No meetings scheduled this week.") if span else
                            tr("No meetings scheduled in the next two weeks."))
            return
        lines = [ctx._("{time} {name} in {where}").format(
            time=ctx.dated(o.start.astimezone(zone), "day and time"), name=o.meeting.name,
            where=self.where(o))
                 for o in found[:MOST_LISTED]]
        more = len(found) - MOST_LISTED
        tail = f" … and {more} more: {ctx.public_url}/schedule/" if more > 0 else ""
        await ctx.reply(ctx._("Meetings (times in {zone}): {list}").format(
            zone=zone.key, list="; ".join(lines)) + tail)

    @home
    async def next_for(self, ctx: Context, person: Person) -> list[Pane]:
        """The next meetings, in the person's time zone."""
        zone = ZoneInfo(await timezone_of(ctx.db, person.identity) or "UTC")
        now = ctx.now()
        found = await self.occurrences(now, now + timedelta(days=14))
        language = ctx.language_of(None)  # a person's home is in the bot's language
        return [Pane(tr("Next meetings (times in {zone})", zone=zone.key),
                     [f"{ctx.dated(o.start.astimezone(zone), 'day and time', language)} "
                      f"{o.meeting.name} in {self.where(o)}"
                      for o in found[:HOME_LISTED]])]

    def where(self, occurrence: Occurrence) -> str:
        """The occurrence's channel as people know it: the chat channel, else #name."""
        place = self.chat_channel(occurrence)
        return place.id if place is not None else f"#{occurrence.channel}"

    @command("next", args="[NAME]", help=N_("When a meeting is next (this channel's without NAME)"),
             examples=["next", "next nova"])
    async def next(self, ctx: Context, name: Word = "") -> None:
        zone = ZoneInfo(await self._zone(ctx))
        now = ctx.now()
        meeting = self.meeting(name) if name else None
        if name and meeting is None:
            await ctx.reply(tr('No meeting is called "{name}". {command} lists what is '
                               "coming.", name=name, command=f"{ctx.prefix}meetings"))
            return
        found = await self.occurrences(now, now + timedelta(days=62),
                                       [meeting] if meeting else None)
        if meeting is None and ctx.channel is not None and not ctx.is_direct:
            found = [o for o in found if self.chat_channel(o) == ctx.channel] or found
        if not found:
            await ctx.reply(tr("{name} has no meeting in the next two months.", name=name)
                            if name else tr("No meeting in the next two months."))
            return
        first = found[0]
        chair, _ = await self.chair(ctx, first)
        await ctx.reply(
            ctx._("{title} ({name}): {time} {zone} (in {delay}) in {where}").format(
                title=first.meeting.title, name=first.meeting.name,
                time=ctx.dated(first.start.astimezone(zone), "day and time"), zone=zone.key,
                delay=format_duration(first.start - now), where=self.where(first))
            + (ctx._(", chair: {chair}").format(chair=chair) if chair else "")
            + (ctx._(", agenda: {url}").format(url=first.meeting.agenda_url)
               if first.meeting.agenda_url else ""))

    @command("schedule", help=N_("Where the schedule comes from, and what is wrong with it"))
    async def status(self, ctx: Context) -> None:
        assert self.sources is not None
        counts: dict[str, int] = {}
        for meeting in self.meetings:
            kind = "chat" if meeting.source == "chat" else \
                "iCal" if meeting.events and not meeting.slots else "irc-meetings"
            counts[kind] = counts.get(kind, 0) + 1
        known = ", ".join(ctx._("{count} from {source}").format(count=n, source=kind)
                          for kind, n in sorted(counts.items())) or ctx._("none")
        trouble = "; ".join(f"{s}: {p}" for s, p in self.sources.failing.items())
        await ctx.reply(ctx._("{count} meetings ({known}). Calendar: {url}").format(
            count=len(self.meetings), known=known, url=f"{ctx.public_url}/schedule/")
            + (ctx._(" Problems: {problems}").format(problems=trouble) if trouble else ""))

    @command("schedule add", args="NAME every DAY HH:MM [ZONE] in CHANNEL [FREQUENCY]",
             help=N_("Declare a recurring meeting (frequency: weekly, biweekly-odd, "
                  "biweekly-even, quadweekly…, first-monday…)"),
             examples=[("schedule add docs every tuesday 16:00 UTC in #docs",
                        re.compile(r"Added docs: .*")),
                       "schedule add qa every thu 09:30 Europe/Berlin in #qa biweekly-odd"])
    async def add(self, ctx: Context, text: str) -> None:
        slot, name = parse_declaration(text, ctx)
        if not name:
            raise UsageError(tr("missing {argument}", argument="NAME"))
        existing = self.meeting(name)
        if existing is not None:
            await ctx.reply(tr("{name} is already scheduled (from {source}).",
                               name=existing.name, source=existing.source))
            return
        sender = ctx.sender
        ctx.db.add(DeclaredMeeting(
            name=name, weekday=slot.weekday, at=f"{slot.at:%H:%M}", zone=slot.zone,
            channel=slot.channel, frequency=slot.frequency, start_date=ctx.now().date(),
            by=sender.identity, by_name=sender.name, by_address=str(sender.address),
            created_at=ctx.now()))
        await ctx.commit()
        await self.reload(ctx)
        added = self.meeting(name)
        found = await self.occurrences(ctx.now(), ctx.now() + timedelta(days=62),
                                       [added] if added else [], skips=False)
        first = ctx._(" First: {time} {zone}.").format(
            time=ctx.dated(found[0].start.astimezone(ZoneInfo(slot.zone)), "day and time"),
            zone=slot.zone) if found else ""
        await ctx.reply(ctx._("Added {name}: {frequency} on {day} at {time} {zone} in "
                              "{channel}.").format(
            name=name, frequency=slot.frequency, day=ctx.weekday(slot.weekday),
            time=f"{slot.at:%H:%M}", zone=slot.zone,
            channel=Address.parse(slot.channel).id) + first)

    @command("schedule remove", args="NAME", help=N_("Remove a meeting declared in chat "
             "(whoever declared it, or an admin)"), examples=["schedule remove docs"])
    async def remove(self, ctx: Context, name: Word) -> None:
        row = await ctx.db.get(DeclaredMeeting, name.lower())
        if row is None:
            await ctx.reply(tr('No meeting "{name}" was declared in chat; meetings from files '
                               "and feeds change there.", name=name))
            return
        if row.by != ctx.sender.identity and not ctx.is_admin():
            await ctx.reply(tr("Only {person}, who declared it, or an admin can remove "
                               "{name}.", person=row.by_name, name=row.name))
            return
        await ctx.db.delete(row)
        await ctx.commit()
        await self.reload(ctx)
        await ctx.reply(tr("Removed {name}.", name=row.name))

    @command("schedule skip", args="NAME DATE [REASON]", help=N_("Call off one meeting"),
             examples=["schedule skip nova 2026-12-24 holidays"])
    async def skip(self, ctx: Context, name: Word, day: Word, reason: str = "") -> None:
        meeting = self.meeting(name)
        if meeting is None:
            await ctx.reply(tr('No meeting is called "{name}". {command} lists what is '
                               "coming.", name=name, command=f"{ctx.prefix}meetings"))
            return
        on_day = read_or_usage(times.day, day)
        if not await self._may_change(ctx, meeting):
            await ctx.reply(tr("Only {name}'s chair, the people of its rotation, or an admin "
                               "can call it off.", name=meeting.name))
            return
        start = datetime.combine(on_day, time(0), tzinfo=UTC) - timedelta(days=1)
        that_day = [o for o in await self.occurrences(start, start + timedelta(days=3),
                                                      [meeting], skips=False)
                    if _own_date(o) == on_day]
        if not that_day:
            await ctx.reply(tr("{name} does not meet on {day}.", name=meeting.name,
                               day=ctx.dated(on_day, "weekday and date")))
            return
        await ctx.db.merge(Skip(name=meeting.name, day=on_day, reason=reason,
                                by=ctx.sender.identity, at=ctx.now()))
        await ctx.commit()
        self.skipped = self.skipped | {(meeting.name, on_day)}
        self._window = None
        day = ctx.dated(on_day, "weekday and date")
        await ctx.reply(tr("{name} on {day} is called off ({reason}). No reminder will go out.",
                           name=meeting.name, day=day, reason=reason) if reason else
                        tr("{name} on {day} is called off. No reminder will go out.",
                           name=meeting.name, day=day))

    async def _may_change(self, ctx: Context, meeting: Meeting) -> bool:
        if ctx.is_admin():
            return True
        if meeting.source == "chat":
            row = await ctx.db.get(DeclaredMeeting, meeting.name)
            if row is not None and row.by == ctx.sender.identity:
                return True
        own = self.config.meetings.get(meeting.name)
        allowed = {Address.parse(a) for a in own.chair} if own else set()
        turn = await self.rotation(ctx, meeting)
        if turn is not None:
            allowed |= {a for a in (person_address(p, ctx.channel) for p in turn[1]) if a}
        return ctx.sender.address in allowed or ctx.sender.account in allowed

    @command("schedule check", help=N_("Meetings that overlap in one channel"))
    async def check(self, ctx: Context) -> None:
        found = await asyncio.to_thread(conflicts, self.meetings, ctx.now())
        if not found:
            await ctx.reply(tr("No two of the {count} meetings overlap in a channel over the "
                               "next year.", count=len(self.meetings)))
            return
        shown = "; ".join(str(c) for c in found[:5])
        more = ctx._(" … and {count} more").format(count=len(found) - 5) \
            if len(found) > 5 else ""
        await ctx.reply(ctx._("{count} conflicts: {list}").format(count=len(found),
                                                                  list=shown) + more)

    @command("chair swap", args="PERSON [NAME]", help=N_("Trade your turn to chair with PERSON "
             "(this channel's meeting without NAME)"), examples=["chair swap bob",
                                                                 "chair swap bob nova"])
    async def swap(self, ctx: Context, person: Word, name: Word = "") -> None:
        meeting = self.meeting(name) if name else await self._channel_meeting(ctx)
        if meeting is None:
            await ctx.reply(tr("Which meeting? {command}",
                               command=f"{ctx.prefix}chair swap {person} NAME"))
            return
        turn = await self.rotation(ctx, meeting)
        if turn is None:
            await ctx.reply(tr("{name} has no chair rotation; set one with {command}",
                               name=meeting.name,
                               command=f"{ctx.prefix}chair rotation {meeting.name} PERSON…"))
            return
        row, people = turn
        current = row.turn % len(people)
        here = ctx.channel
        other = ctx.address(person)
        me = {ctx.sender.address, ctx.sender.account}
        if person_address(people[current], here) not in me and other not in me \
                and not ctx.is_admin():
            await ctx.reply(tr("Only {current}, whose turn it is, {person}, or an admin can "
                               "swap this turn.", current=people[current], person=person))
            return
        entries = [person_address(p, here) for p in people]
        if other in entries:
            theirs = entries.index(other)
            people[current], people[theirs] = people[theirs], people[current]
        else:
            people.insert(current, person)
        row.people = "\n".join(people)
        await ctx.reply(tr("{name}: {current} chairs next time, then {after}.",
                           name=meeting.name, current=people[current],
                           after=people[(current + 1) % len(people)]))

    @command("chair rotation", args="NAME [PERSON…]", help=N_("Set who chairs a meeting in turn "
             "(admins; without PERSON, show the rotation)"),
             examples=["chair rotation nova alice bob carol", "chair rotation nova"])
    async def set_rotation(self, ctx: Context, name: Word, people: list[str] | None = None
                           ) -> None:
        meeting = self.meeting(name)
        if meeting is None:
            await ctx.reply(tr('No meeting is called "{name}".', name=name))
            return
        if not people:
            turn = await self.rotation(ctx, meeting)
            if turn is None:
                await ctx.reply(tr("{name} has no chair rotation.", name=meeting.name))
            else:
                order = turn[1][turn[0].turn % len(turn[1]):] + turn[1][:turn[0].turn
                                                                        % len(turn[1])]
                await ctx.reply(tr("{name} is chaired in turn by: {people} (next first).",
                                   name=meeting.name, people=", ".join(order)))
            return
        if not await self._may_change(ctx, meeting):
            await ctx.reply(tr("Only an admin, the chair or the rotation's people can set it."))
            return
        await ctx.db.merge(Rotation(name=meeting.name, people="\n".join(people), turn=0))
        await ctx.reply(tr("{name} is chaired in turn by {people}; {first} next.",
                           name=meeting.name, people=", ".join(people), first=people[0]))

    async def _channel_meeting(self, ctx: Context) -> Meeting | None:
        if ctx.channel is None:
            return None
        now = ctx.now()
        found = await self._here(ctx.channel, now - timedelta(hours=2), now + timedelta(days=31))
        return found[0].meeting if found else None

    # --- the community page -----------------------------------------------------------------

    @community
    async def figures(self, ctx: Context, since: datetime) -> list[Figure]:
        rows = list(await ctx.db.execute(select(Mark.starts_at, Mark.kind).where(
            Mark.starts_at >= since, Mark.kind.in_(("started", "late")))))
        weeks: dict[str, list[int]] = {}
        for starts_at, kind in rows:
            counts = weeks.setdefault(week_of(starts_at), [0, 0])
            counts[0 if kind == "started" else 1] += 1
        held = sum(c[0] for c in weeks.values())
        missed = sum(c[1] for c in weeks.values())
        chairs = await ctx.db.scalar(select(func.count(func.distinct(Mark.who))).where(
            Mark.starts_at >= since, Mark.kind == "ended", Mark.who != ""))
        return [
            Figure("held", "Scheduled meetings held", "Share of scheduled meetings in "
                   "mapped channels that started (#startmeeting) within the hour",
                   round(100 * held / (held + missed), 1) if held + missed else None, "%",
                   points=[(w, round(100 * c[0] / (c[0] + c[1]), 1))
                           for w, c in sorted(weeks.items()) if c[0] + c[1]]),
            Figure("chairs", "People who chaired", "Different people who chaired a "
                   "scheduled meeting to its end (rotations spread the work)", chairs or 0),
        ]

    @recognition
    async def credits(self, ctx: Context, since: datetime) -> list[Credit]:
        """Scheduled meetings chaired to the end, by the chair of the schedule."""
        rows = await ctx.db.execute(select(Mark.who, func.count()).where(
            Mark.starts_at >= since, Mark.kind == "ended", Mark.who != "")
            .group_by(Mark.who))
        return [Credit(who, "schedule_chaired", "Scheduled meetings chaired in turn", n)
                for who, n in rows if " " not in who]

    # --- the web ----------------------------------------------------------------------------

    @route("GET", "/schedule/")
    async def page(self, ctx: Context, request: Any) -> Any:
        from .pages import schedule_page

        return await schedule_page(self, ctx, request)

    @route("GET", "/schedule/{name}.ics")
    async def feed(self, ctx: Context, request: Any) -> Any:
        from .pages import ics

        return await ics(self, ctx, request)

    # --- the command line -------------------------------------------------------------------

    @classmethod
    def add_cli(cls, commands: Any) -> None:
        from .cli import add_cli

        add_cli(commands)


def _own_date(occurrence: Occurrence) -> date:
    """The occurrence's date where the meeting is held (its events' zone)."""
    event = occurrence.meeting.events[0] if occurrence.meeting.events else None
    zone = getattr(event.decoded("DTSTART"), "tzinfo", None) if event is not None else None
    return occurrence.start.astimezone(zone or UTC).date()


def person_address(person: str, place: Address | None) -> Address | None:
    """A rotation's entry as an address: ``irc:alice`` as it is, ``alice`` on the platform
    of the meeting's channel."""
    try:
        return Address.parse(person)
    except ValueError:
        return Address(place.platform, person) if place is not None else None


def declared_meeting(row: DeclaredMeeting) -> Meeting:
    hours, minutes = map(int, row.at.split(":"))
    slot = Slot(row.weekday, time(hours, minutes), row.channel, row.frequency, row.zone,
                start_date=row.start_date)
    return Meeting(name=row.name, title=row.name, source="chat", chair=row.by_name,
                   slots=[slot])


_DECLARATION = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9_.-]{0,63})\s+every\s+(?P<day>\S+)\s+(?P<at>\S+)"
    r"(?:\s+(?P<zone>(?!in\s)\S+))?\s+in\s+(?P<channel>\S+)(?:\s+(?P<frequency>\S+))?$",
    re.IGNORECASE)


def parse_declaration(text: str, ctx: Context) -> tuple[Slot, str]:
    """``NAME every DAY HH:MM [ZONE] in CHANNEL [FREQUENCY]`` → the slot and the name."""
    found = _DECLARATION.match(text.strip())
    if not found:
        raise UsageError(tr("expected NAME every DAY HH:MM [ZONE] in CHANNEL [FREQUENCY]"))
    weekday = read_or_usage(times.weekday, found["day"])
    at = read_or_usage(times.clock, found["at"])
    zone = read_or_usage(times.zone, found["zone"] or "UTC")
    frequency = (found["frequency"] or "weekly").lower()
    if frequency not in FREQUENCIES or frequency == "adhoc":
        raise UsageError(tr('frequency: expected one of {choices}, got "{word}"',
                            choices=", ".join(f for f in FREQUENCIES if f != "adhoc"),
                            word=found["frequency"]))
    channel = ctx.address(found["channel"])
    return Slot(weekday, at, str(channel), frequency, zone), found["name"].lower()

