"""Meetings: MeetBot's commands on every platform, minutes in six formats, and a meeting
that survives a restart because every line is committed before it is acted on.

The rules live in ``engine.py`` (no platform, no storage); this module connects them
to chat, the database, the scheduler and the web server.
"""

from __future__ import annotations

import dataclasses
import logging
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, func, insert, select, update

from hatbot.context import Context
from hatbot.events import Address, Message
from hatbot.skill import (
    N_,
    BatchWriter,
    Choice,
    Credit,
    Figure,
    Pane,
    Person,
    Skill,
    Text,
    Word,
    bar_chart,
    command,
    community,
    escape_markup,
    format_duration,
    home,
    on,
    recognition,
    responses,
    route,
    run_aside,
    tr,
    week_of,
)
from hatbot.skills.meetings import archive, incident, tracker
from hatbot.skills.meetings.engine import STARTS, Line, Meeting, Outcome, parse_hash
from hatbot.skills.meetings.files import (
    announcement,
    minutes_file_of,
    published,
    suffix_among,
    url_of,
    write_minutes,
)
from hatbot.skills.meetings.minutes import Minutes, relative_base, title_of
from hatbot.skills.meetings.models import ActionAssignee, ActionItem, MeetingLine, MeetingRecord
from hatbot.skills.meetings.pages import render_archive
from hatbot.skills.meetings.recovery import lines_of, rebuild, same_minute
from hatbot.skills.meetings.replay_cli import add_replay_command
from hatbot.skills.meetings.settings import MeetingsConfig, minutes_dir

if TYPE_CHECKING:
    from aiohttp import web

OPEN_ACTIONS_SHOWN = 10  # longer lists would flood the channel
ATTENDANCE_SHOWN = 30  # meetings in a series page's attendance chart
RETRY_MINUTES = timedelta(minutes=5)
# Said outside a meeting these are surely meant for one; #info and the like may be chat.
# (#save and the like also come after a failed write of minutes.)
NEED_A_MEETING = {"endmeeting", "endincident", "undo", "vote", "startvote", "endvote",
                  "showvote", "save", "chair", "unchair", "meetingname"}

log = logging.getLogger(__name__)


@dataclass
class Live:
    """A running meeting and the database row its lines belong to."""

    record_id: int
    meeting: Meeting


class Meetings(Skill[MeetingsConfig]):
    name = "meetings"
    config_model = MeetingsConfig
    migrations = Path(__file__).with_name("migrations")

    def __init__(self, config: MeetingsConfig) -> None:
        super().__init__(config)
        self._live: dict[str, Live] = {}
        self._retry_job: str | None = None
        # Every channel's lines go through one writer: many in one transaction when busy.
        self._lines: BatchWriter[dict[str, Any], None] = BatchWriter(
            self._record_lines, name="meeting lines")
        self._data_dir = "hatbot-data"
        self.minutes_dir = Path(config.minutes_dir or "hatbot-data/meetings")

    @classmethod
    def add_cli(cls, commands: Any) -> None:
        add_replay_command(commands)

    def reconfigure(self, config: MeetingsConfig) -> list[str]:
        self.config = config
        self.minutes_dir = minutes_dir(config, self._data_dir)
        return []

    async def setup(self, ctx: Context) -> None:
        """Pick up meetings that were running when the bot stopped, from their lines, and
        finish the ones that were ending or whose minutes were never written."""
        self._data_dir = ctx.data_dir
        self.minutes_dir = minutes_dir(self.config, ctx.data_dir)
        await self._pick_up(ctx)

    async def take_over(self, ctx: Context) -> None:
        """Another replica ran the meetings until now: take them up as they stand."""
        self._live.clear()
        await self._pick_up(ctx)

    async def _pick_up(self, ctx: Context) -> None:
        running = list(await ctx.db.scalars(
            select(MeetingRecord).where(MeetingRecord.ended_at.is_(None))))
        for record in running:
            try:
                meeting = await self._rebuild(ctx, record)
            except Exception:
                log.exception("meeting %d in %s could not be rebuilt; it is ended as it is",
                              record.id, record.channel)
                record.ended_at = record.started_at
                await ctx.commit()
                continue
            live = Live(record.id, meeting)
            if meeting.ended_at is None:
                self._live[record.channel] = live
            else:  # the bot stopped between "#endmeeting" and closing the record
                await self._finish(ctx, live, write=False)
        pending = await ctx.db.scalar(select(MeetingRecord.id).where(
            MeetingRecord.ended_at.is_not(None), MeetingRecord.minutes_at.is_(None)).limit(1))
        if pending is not None:
            # A job, so it runs once the adapters are up to announce the links.
            await self._retry_later(ctx, at_once=True)
        unlisted = await ctx.db.scalar(select(MeetingRecord.id).where(
            MeetingRecord.minutes_at.is_not(None), MeetingRecord.base.is_(None)).limit(1))
        if unlisted is not None:
            ctx.spawn(self._list_earlier, name="archive of earlier meetings")
        for record_id in await archive.unindexed(ctx.db):  # cut short by the last stop
            ctx.spawn(partial(archive.index_lines, meeting_id=record_id),
                      name=f"search index of meeting {record_id}")

    async def _list_earlier(self, ctx: Context) -> None:
        """Give the meetings whose minutes were written before the archive existed what it
        shows (a one-off after the upgrade, in the background, a meeting at a time)."""
        while True:
            record = await ctx.db.scalar(select(MeetingRecord).where(
                MeetingRecord.minutes_at.is_not(None), MeetingRecord.base.is_(None))
                .order_by(MeetingRecord.id).limit(1))
            if record is None:
                return
            meeting = await self._rebuild(ctx, record)
            meeting.file_suffix = suffix_among(
                list(await ctx.db.scalars(same_minute(meeting))), record.id)
            await ctx.db.execute(update(MeetingRecord).where(
                MeetingRecord.id == record.id).values(**archive.summary(meeting)))
            await ctx.close()

    async def _rebuild(self, ctx: Context, record: MeetingRecord) -> Meeting:
        rows = await ctx.db.scalars(select(MeetingLine).where(
            MeetingLine.meeting_id == record.id).order_by(MeetingLine.id))
        return rebuild(record, lines_of(rows), ctx.prefix, ctx.bot_name,
                       self.config.keep_dashes)

    # --- listening ------------------------------------------------------------------

    @on(Message)
    async def listen(self, ctx: Context, event: Message) -> None:
        """Log every line said in a channel with a meeting; carry out ``#`` commands."""
        if event.is_direct:
            return
        channel = str(event.channel)
        for text in event.text.split("\n"):
            if not text.strip():
                continue
            line = self._line(event, text)
            command = None if event.is_action else parse_hash(text)  # "/me" is never one
            live = self._live.get(channel)
            if live is None:
                if command is not None and command[0] in STARTS:
                    await self._start(ctx, channel, line, command[1], event.channel_name,
                                      incident=STARTS[command[0]])
                elif command is not None and command[0] in NEED_A_MEETING:
                    await ctx.reply(tr("No meeting is running here, so #{command} does "
                                       "nothing. #startmeeting NAME starts one.",
                                       command=command[0]))
                continue
            live.meeting.channel_name = event.channel_name
            outcome = live.meeting.hear(line, command)
            await self._store(ctx, live, line)
            await self._act(ctx, live, outcome)

    @staticmethod
    def _line(event: Message, text: str) -> Line:
        return Line(event.ts, event.sender.identity, event.sender.name, text.rstrip(),
                    is_action=event.is_action)

    async def _store(self, ctx: Context, live: Live, line: Line) -> None:
        """Hand the line to the writer, in order. It is committed before the bot says
        anything (``Context.send``) and before the meeting ends (``_finish``)."""
        await ctx.commit()  # this handler's own writes first (the meeting a line is in)
        self._lines.put(ctx, dict(meeting_id=live.record_id, ts=line.ts, key=line.key,
                                  nick=line.nick, text=line.text, is_bot=line.is_bot,
                                  is_action=line.is_action))

    @staticmethod
    async def _record_lines(ctx: Context, rows: list[dict[str, Any]]) -> list[None]:
        await ctx.db.execute(insert(MeetingLine), rows)
        await ctx.commit()
        return [None] * len(rows)

    async def _say(self, ctx: Context, live: Live, text: str) -> None:
        """Say something in the meeting's channel; while the meeting runs, log it too.

        The log ends with the ``#endmeeting`` line: what the bot says after it is not
        part of the meeting, so a replay of the log gives the same minutes.
        """
        channel = Address.parse(live.meeting.channel)
        text = ctx.localized(channel, text)  # logged as said, in the channel's language
        if live.meeting.ended_at is None:
            line = Line(ctx.now(), "bot", ctx.bot_name, text, is_bot=True)
            live.meeting.log(line)
            await self._store(ctx, live, line)
        # Replies quote what people said: it must show as said, not as formatting.
        await ctx.say(channel, escape_markup(text))

    async def _start(self, ctx: Context, channel: str, line: Line, name: str,
                     channel_name: str = "", incident: bool = False) -> None:
        meeting, outcome = Meeting.start(channel, line, name, self.config.keep_dashes,
                                         incident=incident)
        meeting.channel_name = channel_name
        record = MeetingRecord(channel=channel, name=meeting.name, started_at=meeting.started_at)
        ctx.db.add(record)
        await ctx.db.flush()
        live = Live(record.id, meeting)
        self._live[channel] = live
        await self._store(ctx, live, line)
        await self._act(ctx, live, outcome)
        series = (ActionItem.meeting_name == meeting.name, ActionItem.done_at.is_(None))
        earlier = list(await ctx.db.execute(select(*_LISTED).where(*series)
                                            .order_by(ActionItem.id).limit(OPEN_ACTIONS_SHOWN)))
        if earlier:
            await self._say(ctx, live, tr("Open action items from earlier '{name}' "
                                          "meetings:", name=meeting.name))
            for item in earlier:
                await self._say(ctx, live, _describe(item))
            total = await ctx.db.scalar(select(func.count()).select_from(ActionItem)
                                        .where(*series)) or 0
            if total > len(earlier):
                await self._say(ctx, live, tr("…and {count} more: {command}",
                                              count=total - len(earlier),
                                              command=f"{ctx.prefix}actions"))

    async def _act(self, ctx: Context, live: Live, outcome: Outcome) -> None:
        for reply in outcome.replies:
            await self._say(ctx, live, reply)
        if outcome.channel_topic and live.meeting.channel in self.config.topic_channels:
            await ctx.set_topic(Address.parse(live.meeting.channel), outcome.channel_topic)
        if outcome.timebox is not None:
            topic, length = outcome.timebox
            await ctx.schedule(self.timebox_over, topic.ts + length, channel=live.meeting.channel,
                               record_id=live.record_id, topic_line=topic.line,
                               minutes=int(length.total_seconds() // 60))
        if outcome.ended:
            await self._finish(ctx, live)
        elif outcome.write_minutes:
            await self._write(ctx, live)

    async def _write(self, ctx: Context, live: Live) -> bool:
        """Write the minutes files; say where they are, or why they are not there yet."""
        meeting = live.meeting
        meeting.file_suffix = suffix_among(list(await ctx.db.scalars(same_minute(meeting))),
                                           live.record_id)
        try:
            # In a forked child: rendering a long meeting is Python all the way, and in a
            # thread it would hold up every channel (bench: `minutes --stall`).
            await run_aside(partial(write_minutes, meeting, self.minutes_dir,
                                    self.config.formats, ctx.bot_name, ctx.public_url))
        except Exception as exc:
            log.exception("minutes of meeting %d (%s) could not be written", live.record_id,
                          meeting.name)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror \
                else type(exc).__name__
            await ctx.say(Address.parse(meeting.channel), tr(
                "I could not write the minutes ({reason}). Every line is kept; I will try "
                "again in {delay}.", reason=reason, delay=format_duration(RETRY_MINUTES)))
            if meeting.ended_at is not None:
                await self._retry_later(ctx)
            return False
        links = announcement(meeting, ctx.public_url, self.config.formats)
        if meeting.ended_at is None:
            await self._say(ctx, live, tr("Minutes so far: {url}",
                                          url=links[0].split(" ", 1)[-1]) if links
                            else tr("Minutes so far: saved"))
            return True
        # End the read snapshot first, then write with an UPDATE alone: a WAL transaction
        # that read before another connection wrote cannot write at all ("database is
        # locked" at once, no busy wait), and files take long enough for that to happen.
        await ctx.commit()
        await ctx.db.execute(update(MeetingRecord).where(
            MeetingRecord.id == live.record_id).values(minutes_at=ctx.now(),
                                                       **archive.summary(meeting)))
        self._hand_off_knowledge(ctx, meeting)
        await ctx.commit()
        record_id = live.record_id
        ctx.spawn(lambda background: archive.index_lines(background, record_id),
                  name=f"search index of meeting {record_id}")
        channel = Address.parse(meeting.channel)
        for link in links:
            await ctx.say(channel, escape_markup(ctx.localized(channel, link)))
        return True

    def _hand_off_knowledge(self, ctx: Context, meeting: Meeting) -> None:
        """The meeting's decisions and ``#faq`` lines, each with its line in the log, and an
        incident's review go to the knowledge base, in the transaction that marks the
        minutes written: once."""
        log_url = "" if meeting.restricted_logs or "log.html" not in self.config.formats \
            else url_of(meeting, ctx.public_url, "log.html")
        minutes_url = url_of(meeting, ctx.public_url, "html") \
            if "html" in self.config.formats else ""
        for item in meeting.items:
            url = f"{log_url}#l-{item.line}" if log_url else minutes_url
            if item.kind in ("AGREED", "ACCEPTED"):
                ctx.hand_off("kb.decision", series=meeting.name, meeting=title_of(meeting),
                             kind=item.kind, text=item.text, by_name=item.nick,
                             at=item.ts.isoformat(), url=url,
                             key=f"{relative_base(meeting)}#{item.line}")
            elif item.kind == "FAQ":
                said = meeting.lines[item.line - 1]
                ctx.hand_off("kb.draft", text=item.text, author=said.key,
                             author_name=item.nick, origin="faq", channel=meeting.channel,
                             source_url=url)
        if meeting.incident:
            ctx.hand_off("kb.draft", question=incident.question(meeting),
                         answer=incident.review(meeting, ctx.bot_name, minutes_url),
                         tags="incident", author=meeting.starter_key,
                         author_name=meeting.starter_nick, origin="incident",
                         channel=meeting.channel, source_url=minutes_url)

    async def _retry_later(self, ctx: Context, *, at_once: bool = False) -> None:
        if self._retry_job is None:
            delay = timedelta() if at_once else RETRY_MINUTES
            self._retry_job = await ctx.schedule(self.write_pending, ctx.now() + delay)

    async def write_pending(self, ctx: Context) -> None:
        """Write the minutes of every ended meeting that has none yet (a scheduled job)."""
        self._retry_job = None
        pending = list(await ctx.db.scalars(select(MeetingRecord).where(
            MeetingRecord.ended_at.is_not(None), MeetingRecord.minutes_at.is_(None))))
        for record in pending:
            try:
                meeting = await self._rebuild(ctx, record)
            except Exception:
                log.exception("meeting %d could not be rebuilt for its minutes", record.id)
                continue
            await self._write(ctx, Live(record.id, meeting))
            await ctx.commit()

    async def _finish(self, ctx: Context, live: Live, *, write: bool = True) -> None:
        """Close the record and keep the action items, then write the files.

        The record stays without ``minutes_at`` until the files exist, so a crash or a
        failed write in between is finished at the next start or by the retry job.
        """
        meeting = live.meeting
        # Its lines first: a record marked ended is rebuilt from the lines it has.
        await ctx.commit()
        await ctx.runtime.unsaved.saved(everywhere=True)
        record = await ctx.db.get(MeetingRecord, live.record_id)
        assert record is not None
        record.ended_at = meeting.ended_at
        record.name = meeting.name
        minutes = Minutes(meeting, ctx.bot_name, log_url="")
        for item, assignees in minutes.actions:
            ctx.db.add(ActionItem(
                meeting_id=live.record_id, meeting_name=meeting.name, said_at=item.ts,
                text=item.text, assignees=" ".join(assignees),
                people=[ActionAssignee(nick=nick) for nick in
                        dict.fromkeys(name.lower() for name in assignees)]))
        await ctx.commit()
        self._live.pop(meeting.channel, None)
        if write:
            await self._write(ctx, live)
            await ctx.commit()

    async def timebox_over(self, ctx: Context, channel: str, record_id: int, topic_line: int,
                           minutes: int) -> None:
        live = self._live.get(channel)
        topic = live.meeting.topic if live is not None else None
        if live is None or live.record_id != record_id or topic is None \
                or topic.line != topic_line:
            return  # the meeting or the topic has moved on
        await self._say(ctx, live, tr("Time is up for the topic '{topic}' ({minutes}m).",
                                      topic=topic.text, minutes=minutes))

    # --- commands ---------------------------------------------------------------------

    @command("meeting start", args="[NAME]", help=N_("Start a meeting here (like #startmeeting)"),
             examples=["meeting start nova", "meeting start"])
    async def meeting_start(self, ctx: Context, name: str = "") -> None:
        if ctx.is_direct:
            await ctx.reply(tr("Meetings run in a channel: say #startmeeting NAME there."))
            return
        live = self._live.get(str(ctx.channel))
        line = self._command_line(ctx)
        if live is None:
            assert isinstance(ctx.event, Message)
            await self._start(ctx, str(ctx.channel), line, name, ctx.event.channel_name)
        else:
            await self._act(ctx, live, live.meeting.apply(line, "startmeeting", name))

    @command("meeting end", help=N_("End the meeting and publish the minutes (like #endmeeting)"))
    async def meeting_end(self, ctx: Context) -> None:
        await self._alias(ctx, "endmeeting", "")

    @command("meeting topic", args="TOPIC", help=N_("Set the meeting's topic (like #topic)"),
             examples=["meeting topic Bugs (10m)"])
    async def meeting_topic(self, ctx: Context, topic: str) -> None:
        await self._alias(ctx, "topic", topic)

    async def _alias(self, ctx: Context, command_name: str, arg: str) -> None:
        live = self._live.get(str(ctx.channel))
        if live is None:
            await ctx.reply(tr("No meeting is running here. Start one with {command} or "
                               "#startmeeting NAME.", command=f"{ctx.prefix}meeting start NAME"))
            return
        # The line itself was logged by the listener, which sees every message first.
        await self._act(ctx, live, live.meeting.apply(self._command_line(ctx), command_name,
                                                      arg))

    @staticmethod
    def _command_line(ctx: Context) -> Line:
        assert isinstance(ctx.event, Message)
        return Meetings._line(ctx.event, ctx.event.text.split("\n", 1)[0])

    @command("actions", args="[NICK|mine] [page=N]",
             help=N_("List open action items from all meetings, oldest first, a page at a time"),
             examples=["actions", "actions alice", "actions mine", "actions page=2"])
    async def actions(self, ctx: Context, nick: Word = "", *, page: int = 1) -> None:
        mine = nick.lower() == "mine"  # the asker's own: shown to them alone where possible
        if mine:
            nick = ctx.sender.name
        where = [ActionItem.done_at.is_(None)]
        if nick:
            where.append(ActionItem.id.in_(select(ActionAssignee.action_id)
                                           .where(ActionAssignee.nick == nick.lower())))
        size = OPEN_ACTIONS_SHOWN * 2
        page = max(page, 1)
        items = list(await ctx.db.execute(select(*_LISTED).where(*where)
                                          .order_by(ActionItem.id)
                                          .offset((page - 1) * size).limit(size)))
        total = (page - 1) * size + len(items)
        if len(items) == size or (page > 1 and not items):  # how many, the page can't say
            total = await ctx.db.scalar(select(func.count()).select_from(ActionItem)
                                        .where(*where)) or 0
        if not items:
            await ctx.reply(
                (tr("No open action items for {name}.", name=nick) if nick
                 else tr("No open action items.")) if page == 1 else
                tr("Page {page} is past the end: {total} open action items.", page=page,
                   total=total), personal=mine)
            return
        lines = [_describe(item).translated(ctx.language) for item in items]
        shown = (page - 1) * size + len(items)
        if total > shown:
            lines.append(ctx._("…and {count} more: {command}").format(
                count=total - shown,
                command=f"{ctx.prefix}actions {nick + ' ' if nick else ''}page={page + 1}"))
        one = len(items) == 1
        await ctx.reply("\n".join(lines), personal=mine, choices=[
            Choice(tr("Done #{id}", id=item.id), f"{ctx.prefix}action done {item.id}",
                   emoji=self.config.done_emoji if one else "") for item in items])

    @home
    async def assigned_to(self, ctx: Context, person: Person) -> list[Pane]:
        """The person's open action items (assigned by the name people know them by)."""
        items = await ctx.db.execute(
            select(*_LISTED).where(ActionItem.done_at.is_(None), ActionItem.id.in_(
                select(ActionAssignee.action_id).where(ActionAssignee.nick ==
                                                       person.name.lower())))
            .order_by(ActionItem.id).limit(OPEN_ACTIONS_SHOWN))
        return [Pane(tr("Your action items"), [_describe(item) for item in items])]

    @command("action done", args="ID", help=N_("Mark an action item done"),
             examples=["action done 3"])
    async def action_done(self, ctx: Context, item_id: int) -> None:
        item = await ctx.db.get(ActionItem, item_id)
        if item is None:
            await ctx.reply(tr("There is no action item #{id}. {command} lists them.",
                               id=item_id, command=f"{ctx.prefix}actions"))
            return
        if item.done_at is not None:
            await ctx.reply(tr("Action item #{id} was already done.", id=item_id))
            return
        item.done_at = ctx.now()
        item.done_by = ctx.sender.identity
        await ctx.reply(escape_markup(ctx._("Done: #{id} {text} (thanks, {name})").format(
            id=item.id, text=item.text, name=ctx.sender.name)))

    @community
    async def figures(self, ctx: Context, since: datetime) -> list[Figure]:
        held = list(await ctx.db.execute(
            select(MeetingRecord.started_at, MeetingRecord.attendance).where(
                MeetingRecord.base.is_not(None), MeetingRecord.started_at >= since)
            .order_by(MeetingRecord.started_at)))
        weekly: dict[str, list[int]] = {}
        for started_at, attendance in held:
            weekly.setdefault(week_of(started_at), []).append(attendance or 0)
        people = [attendance or 0 for _, attendance in held]
        by_series = await tracker.figures(ctx.db, ctx.now(), (ctx.now() - since).days)
        said = sum(f.said for f in by_series)
        done = sum(f.done for f in by_series)
        return [
            Figure("meetings", "Meetings", "Meetings held and minuted (by week)", len(held),
                   points=[(week, len(counts)) for week, counts in weekly.items()]),
            Figure("attendance", "Attendance", "People at a meeting, on average (by week): "
                   "who spoke, and who was named present",
                   round(statistics.mean(people), 1) if people else None,
                   points=[(week, round(statistics.mean(counts), 1))
                           for week, counts in weekly.items()]),
            Figure("action_completion", "Action items done",
                   "Of the action items said in the period, the share marked done, in %",
                   round(100 * done / said) if said else None, "%",
                   rows=[(f.series, round(100 * f.completion)) for f in by_series]),
        ]

    @recognition
    async def credits(self, ctx: Context, since: datetime) -> list[Credit]:
        """Meetings chaired (who started them) and attended (who spoke in them), and
        action items done, by the nicks the minutes name."""
        held = select(MeetingRecord.id).where(MeetingRecord.base.is_not(None),
                                              MeetingRecord.started_at >= since)
        first_lines = select(func.min(MeetingLine.id)).where(
            MeetingLine.meeting_id.in_(held)).group_by(MeetingLine.meeting_id)
        chaired = await ctx.db.execute(
            select(MeetingLine.nick, func.count()).where(MeetingLine.id.in_(first_lines))
            .group_by(MeetingLine.nick))
        attended = await ctx.db.execute(
            select(MeetingLine.nick, func.count(func.distinct(MeetingLine.meeting_id)))
            .where(MeetingLine.meeting_id.in_(held), MeetingLine.is_bot.is_(False))
            .group_by(MeetingLine.nick))
        done = await ctx.db.execute(
            select(ActionAssignee.nick, func.count()).join(
                ActionItem, ActionItem.id == ActionAssignee.action_id)
            .where(ActionItem.done_at >= since).group_by(ActionAssignee.nick))
        return ([Credit(nick, "meetings_chaired", "meetings chaired", n) for nick, n in chaired]
                + [Credit(nick, "meetings_attended", "meetings attended", n)
                   for nick, n in attended]
                + [Credit(nick, "action_items_done", "action items done", n)
                   for nick, n in done])

    # --- web --------------------------------------------------------------------------

    @route("GET", "/meetings/")
    async def index(self, ctx: Context, request: web.Request) -> web.Response:
        return await self._archive(ctx, request, None)

    @route("GET", "/meetings")
    async def to_index(self, ctx: Context, request: web.Request) -> web.Response:
        responses.moved("/meetings/")

    @route("GET", r"/meetings/{name:[a-z0-9_-]{1,100}}/")
    async def series(self, ctx: Context, request: web.Request) -> web.Response:
        return await self._archive(ctx, request, request.match_info["name"])

    async def _archive(self, ctx: Context, request: web.Request, series: str | None
                       ) -> web.Response:
        """The archive (``series`` None) or one series: its meetings newest first, or the
        lines that match ``?q=``; ``?series=``, ``?year=`` and ``?page=`` narrow it."""
        asked = archive.Asked.read(request.query)
        if series is not None:
            if not await archive.has_series(ctx.db, series):
                responses.not_found()
            asked = asked.within(series)
        context: dict[str, Any] = {
            "title": f"Meetings: {series}" if series else "Meetings",
            "bot_name": ctx.bot_name, "series": series, "up": "../" if series else "",
            "query": asked.query, "year": asked.year, "selected_series": asked.series,
            "problem": asked.problem, "paging": asked.paging,
            "series_names": [] if series else await archive.series_names(ctx.db),
            "years": await archive.years(ctx.db),
        }
        if asked.problem is None:
            if asked.query:
                context["hits"] = await archive.search(
                    ctx.db, asked.query, series=asked.series, year=asked.year, page=asked.page)
            else:
                context["meetings"] = await archive.meetings(
                    ctx.db, series=asked.series, year=asked.year, page=asked.page)
        else:
            context["meetings"] = archive.Page([], 1, False)
        template = "archive.html.j2"
        if series is not None:
            template = "series.html.j2"
            shown = await archive.latest(ctx.db, series, ATTENDANCE_SHOWN)
            context["attendance"] = shown
            context["chart"] = bar_chart([(f"{m.started_at:%Y-%m-%d}", m.attendance)
                                          for m in shown])
            context["actions"] = await archive.open_actions(ctx.db, series)
        page = render_archive(template, **context)
        return responses.html(page, status=400 if asked.problem else 200)

    @route("GET", "/actions/")
    async def action_items(self, ctx: Context, request: web.Request) -> web.Response:
        """The tracker: items across meetings, filtered; per series, how they get done."""
        wanted = tracker.Wanted.read(request.query)
        shown = wanted if wanted.problem is None else tracker.Wanted()
        page = render_archive(
            "actions.html.j2", title="Action items", bot_name=ctx.bot_name,
            wanted=shown, problem=wanted.problem, states=tracker.STATES,
            periods=tracker.PERIODS, now=ctx.now(),
            series_names=await archive.series_names(ctx.db),
            figures=await tracker.figures(ctx.db, ctx.now(), shown.days, shown.series),
            listed=await tracker.items(ctx.db, shown))
        return responses.html(page, status=400 if wanted.problem else 200)

    @route("GET", "/actions")
    async def to_action_items(self, ctx: Context, request: web.Request) -> web.Response:
        responses.moved("/actions/")

    @route("GET", "/api/actions.json")
    async def action_items_json(self, ctx: Context, request: web.Request) -> web.Response:
        """The tracker as JSON (docs/api.md): the same filters, the same figures."""
        wanted = tracker.Wanted.read(request.query)
        if wanted.problem is not None:
            return responses.json({"error": wanted.problem}, status=400)
        listed = await tracker.items(ctx.db, wanted)
        figures = await tracker.figures(ctx.db, ctx.now(), wanted.days, wanted.series)
        return responses.json({
            "state": wanted.state, "page": listed.number, "more": listed.more,
            "items": [tracker.as_json(item) for item in listed.items],
            "series": [{"series": f.series, "items": f.said, "done": f.done,
                        "completion": round(f.completion, 3),
                        "median_days_to_done": f.median_days} for f in figures],
            "days": wanted.days})

    @route("GET", "/actions.csv")
    async def action_items_csv(self, ctx: Context, request: web.Request) -> web.Response:
        """The listed items (every page of them, at most 10,000) as CSV."""
        wanted = tracker.Wanted.read(request.query)
        if wanted.problem is not None:
            return responses.json({"error": wanted.problem}, status=400)
        listed = await tracker.items(ctx.db, dataclasses.replace(wanted, page=1),
                                     size=tracker.CSV_LIMIT)
        return responses.csv(tracker.as_csv(listed.items), "action-items.csv")

    @route("GET", "/meetings.csv")
    async def archive_csv(self, ctx: Context, request: web.Request) -> web.Response:
        """The archive's meetings as CSV (``?series=``, ``?year=``; at most 10,000)."""
        asked = archive.Asked.read(request.query)
        if asked.problem is not None:
            return responses.json({"error": asked.problem}, status=400)
        listed = await archive.every_meeting(ctx.db, asked.series, asked.year)
        return responses.csv(archive.as_csv(listed, ctx.public_url), "meetings.csv")

    @route("GET", r"/meetings/{name:[a-z0-9_-]{1,100}}/attendance.csv")
    async def attendance_csv(self, ctx: Context, request: web.Request) -> web.Response:
        """A series' meetings, with their attendance, as CSV."""
        series = request.match_info["name"]
        if not await archive.has_series(ctx.db, series):
            responses.not_found()
        listed = await archive.every_meeting(ctx.db, series, None)
        return responses.csv(archive.as_csv(listed, ctx.public_url),
                             f"{series}-attendance.csv")

    @route("GET", r"/meetings/{name:[a-z0-9_-]{1,100}}")
    async def to_series(self, ctx: Context, request: web.Request) -> web.Response:
        responses.moved(f"/meetings/{request.match_info['name']}/")

    @route("GET", r"/meetings/{name:[a-z0-9_-]{1,100}}/{year:\d{4}}/{file:[a-z0-9_.-]{1,160}}")
    async def minutes_file(self, ctx: Context, request: web.Request) -> web.StreamResponse:
        info = request.match_info
        if minutes_file_of(info["file"]) != info["name"]:  # nothing else, no .partial
            responses.not_found()
        path = self.minutes_dir / info["name"] / info["year"] / info["file"]
        try:
            found = path.is_file() and published(path)
        except OSError:
            found = False
        if not found:
            responses.not_found()
        return responses.file(path, _content_type(path.name))


# What a listed action item shows, read as plain rows: listing is frequent and never
# changes an item, and loading ORM objects cost more than the query.
_LISTED = (ActionItem.id, ActionItem.text, ActionItem.assignees, ActionItem.meeting_name,
           ActionItem.said_at)


def _describe(item: Row[int, str, str, str, datetime]) -> Text:
    fields = {"id": item.id, "text": item.text, "series": item.meeting_name,
              "day": f"{item.said_at:%Y-%m-%d}"}
    if item.assignees:
        return tr("#{id} {text} ({who}), {series} {day}",
                  who=item.assignees.replace(" ", ", "), **fields)
    return tr("#{id} {text} (unassigned), {series} {day}", **fields)


def _content_type(filename: str) -> str:
    if filename.endswith(".html"):
        return "text/html; charset=utf-8"
    if filename.endswith(".json"):
        return "application/json"
    if filename.endswith(".md"):
        return "text/markdown; charset=utf-8"
    return "text/plain; charset=utf-8"

