"""``!kb``: capture what the community answers in chat, have it reviewed, find it again.

Every entry starts as a draft (``!kb add``, ``!kb capture``, a meeting's ``#faq``) and is
told to no one until a reviewer approves it; each change is a revision. Approved entries
answer ``!kb QUERY`` and, in the help channels, the question they answer when someone
asks it again: once per person, entry and day, never during a meeting, and never again
for a question someone marked with ``!kb wrong ID``.
"""

from __future__ import annotations

import re
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from hatbot.context import Context
from hatbot.events import Address, Message, Person, Reaction
from hatbot.skill import (
    N_,
    Choice,
    Credit,
    Skill,
    UsageError,
    command,
    every,
    on,
    recognition,
    route,
    shorten,
    takes,
    tr,
)

from .models import APPROVED, DRAFT, REJECTED, KbDecision, KbEntry, KbRevision, KbSuggested, KbWrong
from .search import best_match, is_question, search, similarity
from .settings import KbConfig

HEARD_CHANNELS = 200  # channels whose recent lines are kept for !kb capture and 📌
HEARD_LINES = 200  # lines kept of each: a reaction captures a message this recent
SHOWN = 3  # entries a search answers with
LINE = 160  # characters of an answer shown in chat
BUTTON_REASON = "(rejected with a button; no reason given)"
WRONG_ALIKE = 0.8  # a question this similar to one marked wrong is the same question
_START = re.compile(r"^#startmeeting\b|^#startincident\b", re.IGNORECASE)
_END = re.compile(r"^#endmeeting\b|^#endincident\b", re.IGNORECASE)


@dataclass(frozen=True)
class Heard:
    at: datetime
    name: str
    text: str
    id: str = ""  # the platform's message id
    thread: str | None = None


def split_entry(text: str) -> tuple[str, str, str]:
    """``QUESTION | ANSWER [| TAGS]`` → its three parts, tags lower case."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < 2 or not parts[0] or not parts[1] or len(parts) > 3:
        raise UsageError(tr("expected QUESTION | ANSWER, with tags after a second | if any"))
    tags = " ".join(dict.fromkeys(t.lower().lstrip("#") for t in
                                  (parts[2].replace(",", " ").split() if len(parts) == 3
                                   else [])))
    return parts[0], parts[1], tags


def first_line(text: str, width: int = LINE) -> str:
    return shorten(text.strip().splitlines()[0] if text.strip() else "", width)


class Kb(Skill[KbConfig]):
    name = "kb"
    config_model = KbConfig
    migrations = Path(__file__).with_name("migrations")

    def __init__(self, config: KbConfig) -> None:
        super().__init__(config)
        # What was said lately in each channel (for !kb capture), newest channels last.
        self.heard: OrderedDict[Address, deque[Heard]] = OrderedDict()
        # Channels where a meeting or incident is running, read from the channel's text.
        self.in_meeting: set[Address] = set()

    # --- rights -----------------------------------------------------------------------

    def may_review(self, ctx: Context, entry: KbEntry, person: Person | None = None) -> bool:
        """Reviewers by verified account: admins, ``reviewers``, and those of a tag the
        entry carries. No one approves their own entry but an admin."""
        who = person or ctx.sender
        if ctx.is_admin(who):
            return True
        account = str(who.account) if who.account is not None else None
        if account is None or entry.author == who.identity:
            return False
        if account in self.config.reviewers:
            return True
        return any(account in self.config.reviewers_by_tag.get(tag, [])
                   for tag in entry.tags.split())

    def link(self, ctx: Context, entry_id: int) -> str:
        return f"{ctx.public_url.rstrip('/')}/kb/{entry_id}"

    # --- writing ----------------------------------------------------------------------

    async def create(self, ctx: Context, *, question: str, answer: str, tags: str = "",
                     author: str, author_name: str, origin: str, channel: str = "",
                     source_url: str = "", source_text: str = "", source_id: str = ""
                     ) -> KbEntry:
        now = ctx.now()
        entry = KbEntry(question=question, answer=answer, tags=tags, status=DRAFT,
                        author=author, author_name=author_name, created_at=now,
                        updated_at=now, reason="", origin=origin, channel=channel,
                        source_url=source_url, source_text=source_text, source_id=source_id)
        ctx.db.add(entry)
        await ctx.db.flush()
        self.revise(ctx, entry, "created", by=author, by_name=author_name)
        return entry

    def revise(self, ctx: Context, entry: KbEntry, action: str, *, by: str | None = None,
               by_name: str | None = None, note: str = "") -> None:
        ctx.db.add(KbRevision(entry_id=entry.id, at=ctx.now(),
                              by=by or ctx.sender.identity, by_name=by_name or ctx.sender.name,
                              action=action, question=entry.question, answer=entry.answer,
                              tags=entry.tags, note=note))

    async def entry(self, ctx: Context, entry_id: int) -> KbEntry:
        entry = await ctx.db.get(KbEntry, entry_id)
        if entry is None:
            raise UsageError(tr("No entry #{id}. {review} lists drafts, {search} finds approved "
                                "ones.", id=entry_id, review=f"{ctx.prefix}kb review",
                                search=f"{ctx.prefix}kb QUERY"))
        return entry

    # --- commands ---------------------------------------------------------------------

    @command("kb", args="QUERY", help=N_("Find approved knowledge-base entries"),
             examples=["kb how do I run the unit tests", "kb release notes"])
    async def find(self, ctx: Context, query: str) -> None:
        hits = await search(ctx.db, query, limit=SHOWN)
        if not hits:
            await ctx.reply(tr('Nothing approved matches "{query}". {command} adds it for '
                               "review.", query=shorten(query, 60),
                               command=f"{ctx.prefix}kb add QUESTION | ANSWER"))
            return
        await ctx.reply("\n".join(f"#{h.id} {first_line(h.question, 100)} — "
                                  f"{first_line(h.answer)} {self.link(ctx, h.id)}"
                                  for h in hits))

    @command("kb add", args="QUESTION | ANSWER [| TAGS]",
             help=N_("Add a question and its answer, as a draft for review"),
             examples=[("kb add How do I run the unit tests? | tox -e py3 | testing",
                        re.compile(r"Draft #\d+ added: How do I run the unit tests\? "
                                   r"\(a reviewer approves it with !kb approve \d+\)")),
                       "kb add Where are the release notes? | In releasenotes/notes"])
    async def add(self, ctx: Context, text: str) -> None:
        question, answer, tags = split_entry(text)
        channel = "" if ctx.is_direct or ctx.channel is None else str(ctx.channel)
        entry = await self.create(ctx, question=question, answer=answer, tags=tags,
                                  author=ctx.sender.identity, author_name=ctx.sender.name,
                                  origin="chat", channel=channel)
        await ctx.reply(tr("Draft #{id} added: {question} (a reviewer approves it with "
                           "{command})", id=entry.id, question=shorten(question, 100),
                           command=f"{ctx.prefix}kb approve {entry.id}"),
                        choices=self.review_choices(ctx, entry.id))

    @command("kb capture", args="[N]",
             help=N_("Capture the last N lines here (default 10) as a draft entry"),
             examples=["kb capture", "kb capture 5"])
    async def capture(self, ctx: Context, count: int = 10) -> None:
        if ctx.is_direct or ctx.channel is None:
            raise UsageError(tr("capture works in a channel: it takes what was said there"))
        if not 1 <= count <= self.config.capture_limit:
            raise UsageError(tr("N is from 1 to {most}", most=self.config.capture_limit))
        lines = list(self.heard.get(ctx.channel, ()))[-count:]
        if not lines:
            await ctx.reply(tr("I have heard nothing here to capture since I started."))
            return
        entry = await self.capture_lines(ctx, lines, ctx.sender, str(ctx.channel))
        fields = {"count": len(lines), "id": entry.id, "question": shorten(entry.question, 100),
                  "command": f"{ctx.prefix}kb edit {entry.id} | ANSWER"}
        await ctx.reply(tr('Captured {count} lines (all I heard: {count}) as draft #{id} '
                           '("{question}"); {command} gives it a clean answer.', **fields)
                        if len(lines) < count else
                        tr('Captured {count} lines as draft #{id} ("{question}"); {command} '
                           "gives it a clean answer.", **fields),
                        choices=self.review_choices(ctx, entry.id))

    async def capture_lines(self, ctx: Context, lines: list[Heard], author: Person,
                            channel: str, *, origin: str = "capture", source_id: str = ""
                            ) -> KbEntry:
        """A draft from chat: the first question asked (else the first line) is its
        question, the conversation its answer and its source."""
        asked = next((h for h in lines if is_question(h.text)), lines[0])
        conversation = "\n".join(f"<{h.name}> {h.text}" for h in lines)
        answer = "\n".join(f"<{h.name}> {h.text}" for h in lines if h is not asked) \
            or asked.text
        return await self.create(ctx, question=asked.text, answer=answer, tags="",
                                 author=author.identity, author_name=author.name,
                                 origin=origin, channel=channel, source_text=conversation,
                                 source_id=source_id)

    @command("kb review", help=N_("Drafts waiting for review, oldest first"))
    async def review(self, ctx: Context) -> None:
        drafts = list(await ctx.db.scalars(select(KbEntry).where(KbEntry.status == DRAFT)
                                           .order_by(KbEntry.created_at, KbEntry.id)
                                           .limit(10)))
        if not drafts:
            await ctx.reply(tr("No drafts wait for review."))
            return
        total = await ctx.db.scalar(select(func.count()).select_from(KbEntry)
                                    .where(KbEntry.status == DRAFT)) or 0
        now = ctx.now()
        lines = [ctx._("#{id} {question} (by {name}, {days}d old{tags})").format(
            id=d.id, question=first_line(d.question, 100), name=d.author_name,
            days=(now - d.created_at).days, tags=", " + d.tags if d.tags else "")
                 for d in drafts]
        if total > len(drafts):
            lines.append(ctx._("…and {count} more on {url}").format(
                count=total - len(drafts), url=f"{ctx.public_url.rstrip('/')}/kb/"))
        lines.append(f"{ctx.prefix}kb show ID, {ctx.prefix}kb approve ID, "
                     f"{ctx.prefix}kb reject ID REASON")
        await ctx.reply("\n".join(lines))

    @command("kb show", args="ID", help=N_("One entry in full"), examples=["kb show 3"])
    async def show(self, ctx: Context, entry_id: int) -> None:
        entry = await self.entry(ctx, entry_id)
        if entry.status != APPROVED and not (self.may_review(ctx, entry)
                                             or entry.author == ctx.sender.identity):
            await ctx.reply(tr("#{id} is a {status} entry; reviewers and its author can see "
                               "it.", id=entry.id, status=entry.status))
            return
        tags = f" [{entry.tags}]" if entry.tags else ""
        await ctx.reply(f"#{entry.id} ({entry.status}{tags}) {entry.question}\n"
                        f"{entry.answer}\n{self.link(ctx, entry.id)}",
                        choices=self.review_choices(ctx, entry.id)
                        if entry.status == DRAFT else ())

    @staticmethod
    def review_choices(ctx: Context, entry_id: int) -> list[Choice]:
        """Approve and Reject under a draft; only a reviewer's press does anything (the
        commands check, as when typed). A button gives no reason, so it says so."""
        return [Choice(tr("Approve"), f"{ctx.prefix}kb approve {entry_id}"),
                Choice(tr("Reject"), f"{ctx.prefix}kb reject {entry_id} {BUTTON_REASON}",
                       danger=True)]

    @command("kb approve", args="ID", help=N_("Approve a draft: it is searched and suggested"),
             examples=["kb approve 3"])
    async def approve(self, ctx: Context, entry_id: int) -> None:
        entry = await self.entry(ctx, entry_id)
        if not self.may_review(ctx, entry):
            await ctx.reply(self.not_reviewer(ctx, entry))
            return
        if entry.status == APPROVED:
            await ctx.reply(tr("#{id} is approved already.", id=entry.id))
            return
        entry.status, entry.reason = APPROVED, ""
        self.reviewed(ctx, entry)
        self.revise(ctx, entry, "approved")
        await ctx.reply(tr("Approved #{id}: {question} {link}", id=entry.id,
                           question=shorten(entry.question, 100),
                           link=self.link(ctx, entry.id)))

    @command("kb edit", args="ID | NEW ANSWER", help=N_("Give an entry a new answer"),
             examples=["kb edit 3 | Run tox -e py3 from the top of the repository"])
    async def edit(self, ctx: Context, entry_id: int, text: str) -> None:
        answer = text.strip().removeprefix("|").strip()
        if not answer:
            raise UsageError(tr("the new answer is missing"))
        entry = await self.entry(ctx, entry_id)
        reviewer = self.may_review(ctx, entry)
        if not reviewer and entry.author != ctx.sender.identity:
            await ctx.reply(tr("Only its author ({name}) or a reviewer can edit #{id}.",
                               name=entry.author_name, id=entry.id))
            return
        entry.answer, entry.updated_at = answer, ctx.now()
        again = entry.status != DRAFT and not reviewer
        if again:
            entry.status = DRAFT  # an author's change is reviewed like the first version
        self.revise(ctx, entry, "edited")
        await ctx.reply(tr("#{id} has a new answer. It is a draft again until a reviewer "
                           "approves it.", id=entry.id) if again
                        else tr("#{id} has a new answer.", id=entry.id))

    @command("kb reject", args="ID REASON", help=N_("Reject a draft, saying why"),
             examples=["kb reject 3 Duplicate of #2"])
    async def reject(self, ctx: Context, entry_id: int, reason: str) -> None:
        entry = await self.entry(ctx, entry_id)
        if not self.may_review(ctx, entry):
            await ctx.reply(self.not_reviewer(ctx, entry))
            return
        entry.status, entry.reason = REJECTED, reason
        self.reviewed(ctx, entry)
        self.revise(ctx, entry, "rejected", note=reason)
        await ctx.reply(tr("Rejected #{id}: {reason}", id=entry.id, reason=shorten(reason, 100)))

    @command("kb wrong", args="ID", help=N_("Say a suggested entry did not answer the question"),
             examples=["kb wrong 3"])
    async def wrong(self, ctx: Context, entry_id: int) -> None:
        entry = await self.entry(ctx, entry_id)
        where = "" if ctx.channel is None else str(ctx.channel)
        told = await ctx.db.scalar(select(KbSuggested).where(
            KbSuggested.entry_id == entry.id, KbSuggested.channel == where)
            .order_by(KbSuggested.at.desc()).limit(1))
        if told is None:
            await ctx.reply(tr("I have not suggested #{id} here.", id=entry.id))
            return
        ctx.db.add(KbWrong(entry_id=entry.id, question=told.question,
                           by=ctx.sender.identity, at=ctx.now()))
        await ctx.reply(tr("Thanks: I will not suggest #{id} for that question again.",
                           id=entry.id))

    @command("kb decisions", args="[SERIES]", help=N_("The latest decisions of meetings"),
             examples=["kb decisions", "kb decisions nova"])
    async def decisions(self, ctx: Context, series: str = "") -> None:
        query = select(KbDecision).order_by(KbDecision.at.desc(), KbDecision.id.desc())
        if series:
            query = query.where(KbDecision.series == series.lower())
        found = list(await ctx.db.scalars(query.limit(5)))
        if not found:
            await ctx.reply(tr("No decisions recorded for {series}.", series=series) if series
                            else tr("No decisions recorded."))
            return
        await ctx.reply("\n".join(f"{d.at:%Y-%m-%d} {d.series}: {shorten(d.text, 120)} "
                                  f"{d.url}".rstrip() for d in found))

    def not_reviewer(self, ctx: Context, entry: KbEntry) -> str:
        if entry.author == ctx.sender.identity and not ctx.is_admin():
            return tr("#{id} is yours: another reviewer approves it.", id=entry.id)
        return tr("Only a reviewer of {tags} can do that.", tags=entry.tags) if entry.tags \
            else tr("Only a reviewer can do that.")

    def reviewed(self, ctx: Context, entry: KbEntry) -> None:
        entry.reviewer, entry.reviewer_name = ctx.sender.identity, ctx.sender.name
        entry.reviewed_at = entry.updated_at = ctx.now()

    # --- listening --------------------------------------------------------------------

    @on(Message)
    async def hear(self, ctx: Context, event: Message) -> None:
        if event.is_direct:
            return
        text = event.text.strip()
        if _START.match(text):
            self.in_meeting.add(event.channel)
        elif _END.match(text):
            self.in_meeting.discard(event.channel)
        if text.startswith(ctx.prefix):
            return  # commands are not conversation
        self.remember(event)
        if str(event.channel) in self.config.help_channels and \
                event.channel not in self.in_meeting and is_question(text):
            await self.suggest(ctx, event)

    def remember(self, event: Message) -> None:
        lines = self.heard.pop(event.channel, None) or deque(maxlen=HEARD_LINES)
        lines.append(Heard(event.ts, event.sender.name, event.text, event.id, event.thread))
        self.heard[event.channel] = lines
        while len(self.heard) > HEARD_CHANNELS:
            self.heard.popitem(last=False)

    @on(Reaction)
    async def pinned(self, ctx: Context, event: Reaction) -> None:
        """The capture reaction (📌) on a message: the message, with its thread where the
        platform has threads, becomes a draft whose author is who reacted. Once per
        message, however many react."""
        if event.emoji != self.config.capture_emoji:
            return
        heard = list(self.heard.get(event.channel, ()))
        target = next((h for h in heard if h.id == event.message_id), None)
        if target is None:
            return  # older than what the bot keeps, or said before it started
        root = target.thread or target.id
        lines = [h for h in heard if h.id == root or h.thread == root] or [target]
        if await ctx.db.scalar(select(KbEntry.id).where(
                KbEntry.channel == str(event.channel),
                KbEntry.source_id.in_([root, target.id])).limit(1)) is not None:
            return
        entry = await self.capture_lines(ctx, lines, event.person, str(event.channel),
                                         origin="reaction", source_id=root)
        fields = {"name": event.person.name, "count": len(lines), "id": entry.id,
                  "question": shorten(entry.question, 100)}
        await ctx.say(event.channel,
                      tr('{name} captured {count} line as draft #{id} ("{question}") for '
                         "review.", **fields) if len(lines) == 1 else
                      tr('{name} captured {count} lines as draft #{id} ("{question}") for '
                         "review.", **fields),
                      thread=target.thread or target.id or None)

    async def suggest(self, ctx: Context, event: Message) -> None:
        hits = await search(ctx.db, event.text, limit=5)
        wrong = await self.wrong_for(ctx, [h.id for h in hits])
        hits = [h for h in hits if not any(similarity(event.text, q) >= WRONG_ALIKE
                                           for q in wrong.get(h.id, []))]
        found = best_match(event.text, hits, self.config.threshold)
        if found is None:
            return
        hit, _ = found
        day = f"{ctx.now():%Y-%m-%d}"
        who = event.sender.identity
        if await ctx.db.scalar(select(KbSuggested.id).where(
                KbSuggested.entry_id == hit.id, KbSuggested.person == who,
                KbSuggested.day == day).limit(1)) is not None:
            return
        ctx.db.add(KbSuggested(entry_id=hit.id, person=who, day=day,
                               channel=str(event.channel), question=event.text,
                               at=ctx.now()))
        await ctx.say(event.channel,
                      tr("{name}: this may answer it — #{id} {question} — {answer} {link} "
                         "(not it? {command})", name=event.sender.name, id=hit.id,
                         question=first_line(hit.question, 100),
                         answer=first_line(hit.answer), link=self.link(ctx, hit.id),
                         command=f"{ctx.prefix}kb wrong {hit.id}"),
                      thread=event.thread or event.id or None)

    async def wrong_for(self, ctx: Context, entry_ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        if entry_ids:
            for row in await ctx.db.execute(select(KbWrong.entry_id, KbWrong.question)
                                            .where(KbWrong.entry_id.in_(entry_ids))):
                found.setdefault(row.entry_id, []).append(row.question)
        return found

    # --- from other skills --------------------------------------------------------------

    @takes("kb.decision")
    async def keep_decision(self, ctx: Context, series: str, meeting: str, kind: str,
                            text: str, by_name: str, at: str, url: str, key: str) -> None:
        """A meeting's ``#agreed``/``#accepted`` line, for the decisions log."""
        if await ctx.db.scalar(select(KbDecision.id).where(KbDecision.key == key)) is None:
            ctx.db.add(KbDecision(series=series, meeting=meeting, kind=kind, text=text,
                                  by_name=by_name, at=datetime.fromisoformat(at), url=url,
                                  key=key))

    @takes("kb.draft")
    async def keep_draft(self, ctx: Context, author: str, author_name: str, origin: str,
                         text: str = "", question: str = "", answer: str = "",
                         tags: str = "", channel: str = "", source_url: str = "",
                         source_text: str = "") -> None:
        """A draft from elsewhere: a meeting's ``#faq QUESTION | ANSWER`` (``text``), an
        incident's review (``question`` and ``answer``)."""
        if text:
            question, _, answer = (part.strip() for part in text.partition("|"))
        await self.create(ctx, question=question, answer=answer or "(no answer yet)",
                          tags=tags, author=author, author_name=author_name, origin=origin,
                          channel=channel, source_url=source_url, source_text=source_text)

    @every(cron="23 * * * *")  # hourly
    async def drafts_to_hat(self, ctx: Context) -> None:
        """A draft nobody reviewed in ``draft_task_days`` becomes a Community Hat task in
        the docs area, once."""
        days = self.config.draft_task_days
        if not days:
            return
        stale = list(await ctx.db.scalars(select(KbEntry).where(
            KbEntry.status == DRAFT, KbEntry.hat_task_at.is_(None),
            KbEntry.created_at <= ctx.now() - timedelta(days=days)).order_by(KbEntry.id)))
        for entry in stale:
            entry.hat_task_at = ctx.now()
            channel = self.config.task_channel or entry.channel
            ctx.hand_off("hat.task", title=f"Review knowledge-base draft #{entry.id}: "
                         f"{shorten(entry.question, 80)} ({self.link(ctx, entry.id)})",
                         area="docs", channel=channel)

    # --- community work ---------------------------------------------------------------

    @recognition
    async def credits(self, ctx: Context, since: datetime) -> list[Credit]:
        written = await ctx.db.execute(
            select(KbEntry.author_name, func.count()).where(
                KbEntry.status == APPROVED, KbEntry.created_at >= since)
            .group_by(KbEntry.author_name))
        reviewed = await ctx.db.execute(
            select(KbEntry.reviewer_name, func.count()).where(
                KbEntry.reviewer_name.is_not(None), KbEntry.reviewed_at >= since)
            .group_by(KbEntry.reviewer_name))
        return [Credit(name, "kb_written", "knowledge entries written (approved)", n)
                for name, n in written] + \
            [Credit(name or "", "kb_reviewed", "knowledge entries reviewed", n)
             for name, n in reviewed]

    # --- upkeep -----------------------------------------------------------------------

    @every(cron="17 * * * *")  # hourly
    async def tidy(self, ctx: Context) -> None:
        """Forget who was told what more than a week ago (the once-a-day rule needs a
        day)."""
        await ctx.db.execute(delete(KbSuggested).where(
            KbSuggested.at < ctx.now() - timedelta(days=7)))

    # --- the command line ---------------------------------------------------------------

    @classmethod
    def add_cli(cls, commands: Any) -> None:
        from .cli import add_cli

        add_cli(commands)

    # --- web --------------------------------------------------------------------------

    @route("GET", "/kb/")
    async def kb_page(self, ctx: Context, request: Any) -> Any:
        from .pages import index

        return await index(self, ctx, request)

    @route("GET", "/kb/{entry_id:[0-9]+}")
    async def entry_page(self, ctx: Context, request: Any) -> Any:
        from .pages import entry

        return await entry(self, ctx, request)

    @route("GET", "/kb/decisions/{series}")
    async def decisions_page(self, ctx: Context, request: Any) -> Any:
        from .pages import decisions

        return await decisions(self, ctx, request)
