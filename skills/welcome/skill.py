"""Welcome: the first time someone joins a welcome channel, a direct message; and how long
newcomers wait for their first answer (CHAOSS: time to first response).

"First time" is kept in the database: never twice across restarts, reconnects or
netsplits. A person who joins a second welcome channel gets its message only if it
is a different message.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import Table, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from hatbot.context import Context
from hatbot.events import Address, Join, Message, Person
from hatbot.skill import (
    N_,
    Credit,
    Figure,
    Markup,
    Skill,
    command,
    community,
    escape_markup,
    format_duration,
    on,
    recognition,
    tr,
    week_of,
)
from hatbot.skills.welcome.models import Newcomer, Welcomed
from hatbot.skills.welcome.settings import WelcomeConfig, fill

# A join is the hot path of a busy welcome channel: its statements are made once, and
# its rows written as plain inserts (an ORM flush of two new objects costs more than
# the whole rest of a welcome). One question answers both facts.
_WELCOMED_OR_KNOWN = select(
    exists().where(Welcomed.person == bindparam("person"),
                   Welcomed.message_hash == bindparam("digest")),
    exists().where(Newcomer.person == bindparam("person")))
_RECORD_WELCOME = insert(cast(Table, Welcomed.__table__))
_RECORD_NEWCOMER = insert(cast(Table, Newcomer.__table__))

TRACKED_FOR = timedelta(days=90)  # a newcomer's first message counts within this time
# Came back (CHAOSS retention): spoke again this long or more after arriving; watched
# for a year after arriving.
RETURN_AFTER = timedelta(days=30)
RETURN_WATCHED = timedelta(days=365)


@dataclass(frozen=True)
class Asker:
    """A newcomer waiting for an answer: the names that address them, and their thread."""

    names: tuple[str, ...]
    thread: str | None

    def answered_by(self, message: Message) -> bool:
        if self.thread is not None and message.thread == self.thread:
            return True
        return any(_names(name, message.text) for name in self.names if name)


def _came_back(rows: list[Newcomer], now: datetime) -> float | None:
    settled = [r for r in rows if now - r.joined_at >= RETURN_AFTER]
    if not settled:
        return None
    return round(100 * sum(1 for r in settled if r.returned_at is not None) / len(settled))


def _shown(identity: str) -> str:
    """A person as people name them: ``irc:alice`` is alice."""
    return identity.split(":", 1)[-1]


def _percentile(values: list[float], percent: int) -> float | None:
    """The ``percent``-th percentile of sorted ``values`` (nearest rank), None if empty."""
    if not values:
        return None
    return values[max(0, -(-len(values) * percent // 100) - 1)]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _names(name: str, text: str) -> bool:
    """Whether ``text`` names ``name`` as a whole word (any case, ``@`` allowed)."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE) is not None


class Welcome(Skill[WelcomeConfig]):
    name = "welcome"
    config_model = WelcomeConfig
    migrations = Path(__file__).with_name("migrations")

    def __init__(self, config: WelcomeConfig) -> None:
        super().__init__(config)
        self._channels = set(config.channels) | set(config.channel_messages)
        self._bots = set(config.bots)
        self._silent: dict[str, set[str]] = {}  # channel → newcomers who have not spoken
        # channel → newcomer → how to recognise an answer to them
        self._waiting: dict[str, dict[str, Asker]] = {}
        # Newcomers not yet back, and when they arrived: a set lookup on every message,
        # a write only on the day one comes back.
        self._away: dict[str, datetime] = {}

    def reconfigure(self, config: WelcomeConfig) -> list[str]:
        self.config = config
        self._channels = set(config.channels) | set(config.channel_messages)
        self._bots = set(config.bots)
        return []

    async def take_over(self, ctx: Context) -> None:
        """Another replica welcomed people until now: await their answers from here."""
        self._away.clear()
        self._silent.clear()
        self._waiting.clear()
        await self.setup(ctx)

    async def setup(self, ctx: Context) -> None:
        for person, joined_at in await ctx.db.execute(
                select(Newcomer.person, Newcomer.joined_at).where(
                    Newcomer.joined_at >= ctx.now() - RETURN_WATCHED,
                    Newcomer.returned_at.is_(None))):
            self._away[person] = joined_at
        since = ctx.now() - TRACKED_FOR
        for row in await ctx.db.scalars(select(Newcomer).where(
                Newcomer.joined_at >= since, Newcomer.first_response_at.is_(None))):
            if row.first_message_at is None:
                self._silent.setdefault(row.channel, set()).add(row.person)
            else:  # who they were by name is not stored: the id is the nick where it counts
                self._waiting.setdefault(row.channel, {})[row.person] = Asker(
                    (row.person.split(":", 1)[-1],), None)

    def template_for(self, channel: str) -> str:
        return self.config.channel_messages.get(channel, self.config.message)

    def compose(self, ctx: Context, template: str, person: Person, channel: Address) -> Markup:
        # The template is the admins' markup; the person's name is anybody's text.
        text = Markup(fill(template, escape_markup(person.name), escape_markup(channel.id)))
        if ctx.commands.get("mentee") is not None:
            text += Markup("\n\n") + Markup(ctx.translate(N_(
                "Looking for a mentor? Tell me what you would like to work on, e.g. "
                "{example}"), ctx.language_of(channel))).format(
                    example=Markup(f"`{ctx.prefix}mentee python docs tz=+01:00`"))
        return text

    # --- arrivals ---------------------------------------------------------------------

    @on(Join)
    async def greet(self, ctx: Context, event: Join) -> None:
        channel = str(event.channel)
        if channel not in self._channels or not event.first_time_hint:
            return
        person = event.person.identity
        template = self.template_for(channel)
        digest = hashlib.sha256(template.encode()).hexdigest()
        welcomed, known = (await ctx.db.execute(
            _WELCOMED_OR_KNOWN, {"person": person, "digest": digest})).one()
        if welcomed:
            return
        now = ctx.now()
        try:  # recorded before it is sent: never twice, even on a crash
            await ctx.db.execute(_RECORD_WELCOME, {"person": person, "message_hash": digest,
                                                    "channel": channel, "sent_at": now})
            if not known:
                await ctx.db.execute(_RECORD_NEWCOMER,
                                     {"person": person, "channel": channel, "joined_at": now})
            await ctx.commit()
        except IntegrityError:
            await ctx.db.rollback()  # the same welcome, sent from another channel just now
            return
        if not known:
            self._silent.setdefault(channel, set()).add(person)
            self._away[person] = now
        await ctx.dm(event.person, self.compose(ctx, template, event.person, event.channel))

    @on(Message)
    async def first_response(self, ctx: Context, event: Message) -> None:
        """A newcomer's first words start a wait; the first answer to them ends it.

        An answer is a message by someone else, not a bot, that replies in the
        newcomer's thread or names them (which, on IRC, is how a reply starts:
        "nick: …"). Chat about anything else, however soon, is no answer.
        """
        speaker = event.sender.identity
        arrived = self._away.get(speaker)
        if arrived is not None and event.ts - arrived >= RETURN_AFTER and not event.is_direct:
            del self._away[speaker]  # back, in any channel the bot is in
            await ctx.db.execute(update(Newcomer).where(Newcomer.person == speaker)
                                 .values(returned_at=event.ts))
        channel = str(event.channel)
        if event.is_direct or channel not in self._channels:
            return
        silent = self._silent.get(channel, set())
        if speaker in silent:  # a newcomer's first words
            silent.discard(speaker)
            names = (event.sender.name, event.sender.address.id)
            self._waiting.setdefault(channel, {})[speaker] = Asker(names, event.thread)
            row = await ctx.db.get(Newcomer, speaker)
            if row is not None:
                row.first_message_at = event.ts
            return
        if speaker in self._bots:
            return
        waiting = self._waiting.get(channel, {})
        for newcomer, asker in list(waiting.items()):
            if newcomer == speaker or not asker.answered_by(event):
                continue
            del waiting[newcomer]
            row = await ctx.db.get(Newcomer, newcomer)
            if row is not None:
                row.first_response_at = event.ts
                row.responder = speaker

    # --- commands ---------------------------------------------------------------------

    @command("welcome stats", help=N_("Newcomers this week and month, and how soon they got "
                                   "a first answer"))
    async def stats(self, ctx: Context) -> None:
        now = ctx.now()
        rows = list(await ctx.db.scalars(select(Newcomer).where(
            Newcomer.joined_at >= now - timedelta(days=30))))
        week = sum(1 for r in rows if r.joined_at >= now - timedelta(days=7))
        waits = [(r.first_response_at - r.first_message_at).total_seconds() for r in rows
                 if r.first_response_at is not None and r.first_message_at is not None]
        unanswered = sum(1 for r in rows if r.first_message_at and not r.first_response_at)
        median = (format_duration(timedelta(seconds=statistics.median(waits))) if waits
                  else ctx._("no answers yet"))
        await ctx.reply(ctx._("Newcomers: {week} this week, {month} in the last 30 days. "
                              "Median time to first response: {median}; {waiting} still "
                              "waiting for one.").format(week=week, month=len(rows),
                                                         median=median, waiting=unanswered))

    @community
    async def figures(self, ctx: Context, since: datetime) -> list[Figure]:
        rows = list(await ctx.db.scalars(select(Newcomer).where(Newcomer.joined_at >= since)
                                         .order_by(Newcomer.joined_at)))
        weekly: dict[str, float] = {}
        for row in rows:
            weekly[week_of(row.joined_at)] = weekly.get(week_of(row.joined_at), 0) + 1
        waits = sorted((r.first_response_at - r.first_message_at).total_seconds() / 3600
                       for r in rows
                       if r.first_response_at is not None and r.first_message_at is not None)
        return [
            Figure("newcomers", "Newcomers", "People who came to a welcome channel for the "
                   "first time (by week)", len(rows), points=list(weekly.items())),
            Figure("first_response_median_hours", "Time to first response, median",
                   "From a newcomer's first message to the first answer from someone else "
                   "(CHAOSS), in hours", _rounded(_percentile(waits, 50)), "h"),
            Figure("first_response_p90_hours", "Time to first response, 90th percentile",
                   "Nine newcomers in ten got their first answer within this, in hours",
                   _rounded(_percentile(waits, 90)), "h"),
            Figure("came_back", "Newcomers who came back", "Of the newcomers of the period who "
                   "arrived a month ago or more, the share who spoke again a month or more "
                   "after arriving (CHAOSS: retention), in %", _came_back(rows, ctx.now()),
                   "%"),
            Figure("unanswered", "Still waiting for an answer",
                   "Newcomers who said something and got no answer yet",
                   sum(1 for r in rows if r.first_message_at and not r.first_response_at)),
        ]

    @recognition
    async def credits(self, ctx: Context, since: datetime) -> list[Credit]:
        """Newcomers answered first, by who answered them."""
        rows = await ctx.db.execute(select(Newcomer.responder, func.count())
                                    .where(Newcomer.first_response_at >= since,
                                           Newcomer.responder.is_not(None))
                                    .group_by(Newcomer.responder))
        return [Credit(_shown(who), "newcomers_answered", "newcomers answered first", n)
                for who, n in rows if who]

    @command("welcome preview", args="[CHANNEL]", admin=True,
             help=N_("Send yourself the welcome as a newcomer would get it"),
             examples=["welcome preview", "welcome preview irc:#openstack-dev"])
    async def preview(self, ctx: Context, channel: str = "") -> None:
        where = ctx.address(channel) if channel else ctx.channel or ctx.sender.address
        text = self.compose(ctx, self.template_for(str(where)), ctx.sender, where)
        await ctx.dm(ctx.sender, text)
        if not ctx.is_direct:
            await ctx.reply(tr("Sent you the welcome by direct message."))

    @command("welcome reset", args="PERSON", admin=True,
             help=N_("Forget a person: they will be welcomed again (and their newcomer record "
                  "is deleted)"), examples=["welcome reset irc:alice", "welcome reset alice"])
    async def reset(self, ctx: Context, person: str) -> None:
        key = str(ctx.address(person))
        sent = await ctx.db.execute(delete(Welcomed).where(Welcomed.person == key))
        await ctx.db.execute(delete(Newcomer).where(Newcomer.person == key))
        self._away.pop(key, None)
        for silent in self._silent.values():
            silent.discard(key)
        for waiting in self._waiting.values():
            waiting.pop(key, None)
        count = getattr(sent, "rowcount", 0)
        await ctx.reply(tr("Forgot {person} ({count} welcome(s) on record).", person=key,
                           count=count))

