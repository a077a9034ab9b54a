"""Mentoring: volunteers offer to mentor in some areas, newcomers ask for a mentor, and the
bot introduces them, best pairs first (see ``matching.py`` for the score)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from hatbot.context import Context
from hatbot.events import Address
from hatbot.skill import (
    N_,
    Choice,
    Credit,
    Figure,
    Skill,
    UsageError,
    command,
    community,
    recognition,
    times,
    tr,
)
from hatbot.skills.mentoring import matching
from hatbot.skills.mentoring.models import MenteeRequest, MentorRecord, Mentorship
from hatbot.skills.mentoring.settings import MentoringConfig
from hatbot.storage.kv import timezone_of


def _tags(words: list[str]) -> str:
    return " ".join(sorted({w.lower().strip(",") for w in words if w.strip(",")}))


async def _where(ctx: Context, text: str) -> tuple[int | None, str | None]:
    """``tz=`` as given: a zone name (kept as the name), or a fixed offset in minutes (as
    the spec's ``tz=+02:00``); without it, the zone the person set with ``!tz``."""
    if not text:
        return None, await timezone_of(ctx.db, ctx.sender.identity)
    if times.is_zone(text):
        return None, times.zone(text)
    return matching.parse_tz(text), None


def _offset(record: MentorRecord | MenteeRequest, now: datetime) -> int | None:
    """Minutes east of UTC now: a zone's offset of the day, else the fixed one given."""
    return matching.offset_now(record.zone, now) if record.zone else record.tz


MAX_CAPACITY = 20  # mentees one mentor can take at once; more is a typo or an attack


class Mentoring(Skill[MentoringConfig]):
    name = "mentoring"
    config_model = MentoringConfig
    migrations = Path(__file__).with_name("migrations")

    @command("mentor add", args="TAG… [tz=+02:00] [capacity=N]",
             help=N_("Offer to mentor in these areas (capacity: how many mentees at once; "
                  "tz: a zone like Europe/Berlin, else your !tz)"),
             examples=["mentor add python docs tz=+02:00 capacity=2", "mentor add ci"])
    async def mentor_add(self, ctx: Context, tags: list[str], *, tz: str = "",
                         capacity: int = 2) -> None:
        if not 1 <= capacity <= MAX_CAPACITY:
            raise UsageError(tr("capacity: from 1 to {most} mentees at once",
                                most=MAX_CAPACITY))
        try:
            offset, zone = await _where(ctx, tz)
        except ValueError as exc:
            await ctx.reply(tr("tz: {reason}. Example: {example}", reason=str(exc),
                               example=f"{ctx.prefix}mentor add docs tz=+02:00"))
            return
        mentor = await ctx.db.get(MentorRecord, ctx.sender.identity) or MentorRecord(
            person=ctx.sender.identity)
        mentor.address, mentor.name = str(ctx.sender.address), ctx.sender.name
        mentor.tags, mentor.tz, mentor.zone, mentor.capacity, mentor.active = \
            _tags(tags), offset, zone, capacity, True
        ctx.db.add(mentor)
        await ctx.reply(tr("Thank you! You mentor in {tags} ({zone}), up to {capacity} at a "
                           "time.", tags=mentor.tags.replace(" ", ", "),
                           zone=matching.format_tz(offset, zone), capacity=capacity))
        await self.match(ctx)

    @command("mentor remove", help=N_("Stop taking new mentees (current ones go on)"))
    async def mentor_remove(self, ctx: Context) -> None:
        mentor = await ctx.db.get(MentorRecord, ctx.sender.identity)
        if mentor is None or not mentor.active:
            await ctx.reply(tr("You are not on the mentor list."))
            return
        mentor.active = False
        await ctx.reply(tr("You are off the mentor list; your current mentees keep you. "
                           "Thanks!"))

    @command("mentor list", help=N_("Who mentors in what, and how busy they are"))
    async def mentor_list(self, ctx: Context) -> None:
        loads = await self._loads(ctx)
        mentors = list(await ctx.db.scalars(select(MentorRecord).where(
            MentorRecord.active.is_(True)).order_by(MentorRecord.name)))
        if not mentors:
            await ctx.reply(tr("No mentors yet. Volunteer with {command}",
                               command=f"{ctx.prefix}mentor add TAG…"))
            return
        await ctx.reply("\n".join(
            f"{m.name}: {m.tags.replace(' ', ', ')} "
            f"({ctx.localized(ctx.channel, matching.format_tz(m.tz, m.zone))}), "
            f"{loads.get(m.person, 0)}/{m.capacity}" for m in mentors))

    @command("mentee", args="TAG… [tz=+02:00]",
             help=N_("Ask for a mentor in these areas (tz: a zone like Europe/Berlin, else "
                  "your !tz)"),
             examples=["mentee python docs tz=+01:00", "mentee ci"])
    async def mentee(self, ctx: Context, tags: list[str], *, tz: str = "") -> None:
        try:
            offset, zone = await _where(ctx, tz)
        except ValueError as exc:
            await ctx.reply(tr("tz: {reason}. Example: {example}", reason=str(exc),
                               example=f"{ctx.prefix}mentee docs tz=+01:00"))
            return
        me = ctx.sender.identity
        if await self._active(ctx, mentee=me):
            await ctx.reply(tr("You have a mentor already; {command} ends it.",
                               command=f"{ctx.prefix}mentee done"))
            return
        request = await ctx.db.scalar(select(MenteeRequest).where(
            MenteeRequest.person == me, MenteeRequest.status == "waiting"))
        request = request or MenteeRequest(person=me, requested_at=ctx.now(), status="waiting")
        request.address, request.name = str(ctx.sender.address), ctx.sender.name
        request.tags, request.tz, request.zone = _tags(tags), offset, zone
        ctx.db.add(request)
        await ctx.commit()
        matched = await self.match(ctx)
        if me not in matched:
            await ctx.reply(tr("No mentor fits {tags} yet: you are on the waiting list, and I "
                               "will introduce you as soon as one does.",
                               tags=request.tags.replace(" ", ", ")))
            if self.config.mentors_channel:
                where = matching.format_tz(_offset(request, ctx.now()), request.zone)
                await ctx.say(Address.parse(self.config.mentors_channel), tr(
                    "Waiting for a mentor: #{id} {name}, in {tags} ({zone}). A mentor who will "
                    "take them on: {command}", id=request.id, name=request.name,
                    tags=request.tags.replace(" ", ", "), zone=where,
                    command=f"{ctx.prefix}mentor take {request.id}"),
                    choices=[Choice(tr("I'll mentor"),
                                    f"{ctx.prefix}mentor take {request.id}")])

    @command("mentor take", args="ID",
             help=N_("Take on a newcomer waiting for a mentor (the number the bot gave)"),
             examples=["mentor take 3"])
    async def mentor_take(self, ctx: Context, request_id: int) -> None:
        mentor = await ctx.db.get(MentorRecord, ctx.sender.identity)
        if mentor is None or not mentor.active:
            await ctx.reply(tr("Only mentors take mentees; {command} first.",
                               command=f"{ctx.prefix}mentor add TAG…"))
            return
        request = await ctx.db.get(MenteeRequest, request_id)
        if request is None or request.status != "waiting":
            await ctx.reply(tr("#{id} is not waiting for a mentor.", id=request_id))
            return
        if request.person == mentor.person:
            await ctx.reply(tr("You cannot mentor yourself."))
            return
        shared = set(request.tags.split()) & set(mentor.tags.split()) or \
            set(request.tags.split())
        await self._pair(ctx, mentor, request, shared)
        await ctx.reply(tr("Thank you, {mentor}: you mentor {mentee} now.", mentor=mentor.name,
                           mentee=request.name))

    @command("mentor done", args="[PERSON]",
             help=N_("End your mentorship (with PERSON, if several)"),
             examples=["mentor done", "mentor done alice"])
    async def mentor_done(self, ctx: Context, person: str = "") -> None:
        mine = await self._active(ctx, mentor=ctx.sender.identity)
        names = ", ".join(p.mentee_name for p in mine)
        if not mine:
            await ctx.reply(tr("You are mentoring nobody right now."))
            return
        pairs = [p for p in mine if person.lower() in (p.mentee_name.lower(), p.mentee.lower(),
                                                       p.mentee.split(":", 1)[-1].lower())] \
            if person else mine
        if not pairs:
            await ctx.reply(tr("{person} is not one of your mentees (yours: {names}).",
                               person=person, names=names))
            return
        if len(pairs) > 1:
            await ctx.reply(tr("Which one? Your mentees: {names}. Say {command}.", names=names,
                               command=f"{ctx.prefix}mentor done NAME"))
            return
        await self._finish(ctx, pairs[0])

    @command("mentee done", help=N_("End your mentorship"))
    async def mentee_done(self, ctx: Context) -> None:
        pairs = await self._active(ctx, mentee=ctx.sender.identity)
        if not pairs:
            waiting = await ctx.db.scalar(select(MenteeRequest).where(
                MenteeRequest.person == ctx.sender.identity, MenteeRequest.status == "waiting"))
            if waiting is not None:
                waiting.status = "withdrawn"
                await ctx.reply(tr("You are off the waiting list."))
            else:
                await ctx.reply(tr("You have no mentorship running."))
            return
        await self._finish(ctx, pairs[0])

    @community
    async def figures(self, ctx: Context, since: datetime) -> list[Figure]:
        waiting = await ctx.db.scalar(select(func.count()).select_from(MenteeRequest).where(
            MenteeRequest.status == "waiting"))
        matched = await ctx.db.scalar(select(func.count()).select_from(Mentorship).where(
            Mentorship.started_at >= since))
        return [
            Figure("mentees_waiting", "Mentees waiting", "Newcomers who asked for a mentor "
                   "and have none yet", waiting or 0),
            Figure("mentees_matched", "Mentees matched",
                   "Mentorships that began in the period", matched or 0),
        ]

    @recognition
    async def credits(self, ctx: Context, since: datetime) -> list[Credit]:
        """Mentees taken on, by their mentors."""
        rows = await ctx.db.execute(select(Mentorship.mentor_name, func.count())
                                    .where(Mentorship.started_at >= since)
                                    .group_by(Mentorship.mentor_name))
        return [Credit(name, "mentees_mentored", "mentees mentored", n) for name, n in rows]

    @command("mentor stats", help=N_("Mentorships running, mentees waiting, mentors at capacity"))
    async def mentor_stats(self, ctx: Context) -> None:
        loads = await self._loads(ctx)
        mentors = list(await ctx.db.scalars(select(MentorRecord).where(
            MentorRecord.active.is_(True))))
        full = sum(1 for m in mentors if loads.get(m.person, 0) >= m.capacity)
        waiting = await ctx.db.scalar(select(func.count()).select_from(MenteeRequest).where(
            MenteeRequest.status == "waiting"))
        finished = await ctx.db.scalar(select(func.count()).select_from(Mentorship).where(
            Mentorship.ended_at.is_not(None)))
        await ctx.reply(tr("{running} mentorships running, {waiting} mentees waiting, {full} of "
                           "{mentors} mentors at capacity, {finished} mentorships finished.",
                           running=sum(loads.values()), waiting=waiting, full=full,
                           mentors=len(mentors), finished=finished))

    # --- matching ---------------------------------------------------------------------

    async def match(self, ctx: Context) -> set[str]:
        """Pair every waiting mentee that can be paired; introduce each pair by DM.
        Returns the mentees matched."""
        loads = await self._loads(ctx)
        mentors = {m.person: m for m in await ctx.db.scalars(select(MentorRecord).where(
            MentorRecord.active.is_(True)))}
        requests = {r.person: r for r in await ctx.db.scalars(select(MenteeRequest).where(
            MenteeRequest.status == "waiting").order_by(MenteeRequest.requested_at))}
        now = ctx.now()
        candidates = [matching.Mentor(key, frozenset(m.tags.split()), _offset(m, now),
                                      m.capacity, loads.get(key, 0), m.last_mentored_at)
                      for key, m in mentors.items()]
        seekers = [matching.Mentee(key, frozenset(r.tags.split()), _offset(r, now))
                   for key, r in requests.items()]
        matches, _ = matching.assign(seekers, candidates, ctx.now())
        for pair in matches:
            await self._pair(ctx, mentors[pair.mentor], requests[pair.mentee], pair.shared)
        return {pair.mentee for pair in matches}

    async def _pair(self, ctx: Context, mentor: MentorRecord, request: MenteeRequest,
                    tags: set[str] | frozenset[str]) -> None:
        """Make the mentorship and introduce the two by direct message."""
        request.status = "matched"
        mentor.last_mentored_at = ctx.now()
        shared = ", ".join(sorted(tags))
        ctx.db.add(Mentorship(mentor=mentor.person, mentee=request.person,
                              mentor_name=mentor.name, mentee_name=request.name,
                              tags=" ".join(sorted(tags)), started_at=ctx.now()))
        await ctx.commit()
        # Names as labels, not in a sentence: a name may be any word ("you" on the
        # console) and must still read true.
        await ctx.dm(Address.parse(request.address), tr(
            "Good news, you have a mentor in {tags}: {mentor} ({address}). Say hello to them!",
            tags=shared, mentor=mentor.name, address=mentor.address))
        await ctx.dm(Address.parse(mentor.address), tr(
            "You have a new mentee, interested in {tags}: {mentee} ({address}). Please say "
            "hello!", tags=shared, mentee=request.name, address=request.address))

    async def _loads(self, ctx: Context) -> dict[str, int]:
        rows = await ctx.db.execute(select(Mentorship.mentor, func.count()).where(
            Mentorship.ended_at.is_(None)).group_by(Mentorship.mentor))
        return {mentor: count for mentor, count in rows}

    async def _active(self, ctx: Context, *, mentor: str = "",
                      mentee: str = "") -> list[Mentorship]:
        query = select(Mentorship).where(Mentorship.ended_at.is_(None))
        query = query.where(Mentorship.mentor == mentor) if mentor else \
            query.where(Mentorship.mentee == mentee)
        return list(await ctx.db.scalars(query))

    async def _finish(self, ctx: Context, pair: Mentorship) -> None:
        pair.ended_at = ctx.now()
        await ctx.reply(tr("The mentorship of {mentee} by {mentor} is finished. Thank you "
                           "both!", mentee=pair.mentee_name, mentor=pair.mentor_name))
        await self.match(ctx)  # a freed slot may fit someone waiting
