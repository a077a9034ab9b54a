"""What a skill handler is given: the event, a database session, and ways to speak.

A ``Context`` lives for one event (or one scheduled run, or one HTTP request).
Its session opens on first use and closes when the handler returns; ``reply``,
``dm`` and ``say`` commit it first, so nothing is announced that is not saved.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from hatbot.clock import Clock
from hatbot.commands import Registry, UsageError, is_admin, shorten
from hatbot.config import BotConfig
from hatbot.events import (
    Address,
    Choice,
    Edit,
    Event,
    Invoke,
    Join,
    Message,
    Outbound,
    Part,
    Person,
    React,
    Reaction,
    Reply,
    SetTopic,
)
from hatbot.i18n import dated, in_language, tr, translations, weekday
from hatbot.markup import as_markup

if TYPE_CHECKING:  # SQLAlchemy loads after the chat adapters start (App.start)
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class JobScheduler(Protocol):
    async def once(self, skill: str, job: str, run_at: datetime, kwargs: dict[str, Any]) -> str:
        ...

    async def cancel(self, job_id: str) -> None:
        ...


class Unsaved:
    """Writes the bot has accepted and not yet committed (a ``BatchWriter`` commits many
    at once, a moment later), by the channel whose event made them. ``send`` waits for
    those of its own channel: the bot answers nothing there before all it heard there
    until then is saved, so an answer is also a receipt. Other channels do not wait."""

    def __init__(self) -> None:
        self._pending: dict[Address | None, set[asyncio.Future[Any]]] = {}

    def add(self, channel: Address | None, write: asyncio.Future[Any]) -> None:
        self._pending.setdefault(channel, set()).add(write)
        write.add_done_callback(lambda done: self._done(channel, done))

    def _done(self, channel: Address | None, write: asyncio.Future[Any]) -> None:
        pending = self._pending.get(channel)
        if pending is not None:
            pending.discard(write)
            if not pending:
                del self._pending[channel]
        if not write.cancelled():
            write.exception()  # the writer logged it; nobody else needs to hear of it here

    async def saved(self, channel: Address | None = None, *, everywhere: bool = False
                    ) -> None:
        """Return once the writes accepted until now for ``channel`` (or ``everywhere``)
        are committed or have failed."""
        writes = [w for key, pending in self._pending.items()
                  if everywhere or key == channel for w in pending]
        if writes:
            await asyncio.wait(writes)


def _already_set() -> asyncio.Event:
    event = asyncio.Event()
    event.set()
    return event


@dataclass
class Runtime:
    """The services every context shares; built once by the app."""

    bot: BotConfig
    public_url: str
    clock: Clock
    # A sessionmaker once the database is open (the adapters and the core skill start
    # before: App.start).
    sessions: async_sessionmaker[AsyncSession] | Callable[[], AsyncSession]
    deliver: Callable[[Outbound], Awaitable[bool]]
    supports: Callable[[Address, type], bool]
    spawn: Callable[[str, Callable[[Context], Awaitable[Any]], str], asyncio.Task[Any]]
    scheduler: JobScheduler
    commands: Registry
    unsaved: Unsaved = field(default_factory=Unsaved)
    # Set once every skill is loaded and set up (the core answers before).
    loaded: asyncio.Event = field(default_factory=_already_set)
    # What skills report as wrong but not fatal (a calendar feed that fails): shown on
    # /healthz beside the status, which they do not change.
    warnings: dict[str, str] = field(default_factory=dict)
    # Work handed from one skill to another (storage/handoffs.py): add one to a session's
    # transaction; and take those waiting, once a handler that gave some has committed.
    hand_off: Callable[[AsyncSession, str, dict[str, Any], datetime], None] = \
        field(default=lambda *_: None)
    take_handoffs: Callable[[], Awaitable[None]] = field(default=lambda: _nothing())
    # Replicas on PostgreSQL (bot/replicas.py): what is said with no chat event to answer
    # is kept in the outbox in the saying transaction (``keep``), then posted by whoever
    # leads (``post_kept``). None: said straight away (one process).
    keep: Callable[[AsyncSession, Outbound], Any] | None = None
    post_kept: Callable[[int, Outbound], Awaitable[bool]] | None = None


async def _nothing() -> None:
    return None


class Context:
    def __init__(self, runtime: Runtime, skill: str, event: Event | None = None) -> None:
        self.runtime = runtime
        self.skill = skill
        self.event = event
        self._session: AsyncSession | None = None
        self.handed_off = False

    # --- who, where, when -------------------------------------------------------------

    @property
    def sender(self) -> Person:
        """Who caused this event: the speaker, the person who joined or left, or who
        reacted."""
        if isinstance(self.event, Message | Invoke):
            return self.event.sender
        if isinstance(self.event, Join | Part | Reaction):
            return self.event.person
        raise RuntimeError("this context has no event, so no sender")

    @property
    def channel(self) -> Address | None:
        return None if self.event is None else self.event.channel

    @property
    def is_direct(self) -> bool:
        """Whether the event is a direct message to the bot."""
        return isinstance(self.event, Message) and self.event.is_direct

    @property
    def prefix(self) -> str:
        return self.runtime.bot.prefix

    @property
    def bot_name(self) -> str:
        return self.runtime.bot.name

    @property
    def data_dir(self) -> str:
        """Where the bot keeps its files (``[bot] data_dir``)."""
        return self.runtime.bot.data_dir

    @property
    def public_url(self) -> str:
        return self.runtime.public_url

    @property
    def commands(self) -> Registry:
        return self.runtime.commands

    def address(self, text: str) -> Address:
        """A channel or person as typed: ``platform:id``, or the bare id (``#nova``, ``bob``)
        on the platform this event came from. Raises UsageError when it is neither."""
        word = text.strip()
        try:
            return Address.parse(word)
        except ValueError:
            pass
        here = self.event.channel.platform if self.event is not None else ""
        if not here or not word or not word.strip(":") or any(c.isspace() for c in word):
            raise UsageError(tr('expected a channel or person like #nova, bob or irc:bob, got '
                                '"{word}"', word=shorten(word)))
        return Address(here, word)

    def now(self) -> datetime:
        return self.runtime.clock.now()

    def warn(self, problems: Mapping[str, str]) -> None:
        """Show on /healthz what is wrong now for this skill (``{what: problem}``), in
        place of what it showed before (an empty mapping: nothing is). It leaves the
        status alone: a load balancer must not drop the bot for a calendar feed."""
        prefix = f"{self.skill}: "
        warnings = self.runtime.warnings
        for key in [k for k in warnings if k.startswith(prefix)]:
            del warnings[key]
        warnings.update({prefix + what: problem for what, problem in problems.items()})

    def is_admin(self, person: Person | None = None) -> bool:
        return is_admin(person or self.sender, self.runtime.bot.admin_addresses)

    # --- storage ----------------------------------------------------------------------

    @property
    def used_storage(self) -> bool:
        """Whether this context opened a database session."""
        return self._session is not None

    @property
    def db(self) -> AsyncSession:
        if self._session is None:
            self._session = self.runtime.sessions()
        return self._session

    async def commit(self) -> None:
        if self._session is not None and self._session.in_transaction():
            await self._session.commit()

    async def close(self, *, failed: bool = False) -> None:
        """End the handler's session: commit what it left pending, or roll back on error."""
        if self._session is None:
            return
        try:
            if failed:
                await self._session.rollback()
            else:
                await self.commit()
        finally:
            await self._session.close()
            self._session = None

    def hand_off(self, kind: str, /, **payload: Any) -> None:
        """Give work to the skill that takes ``kind`` (``@takes``): it is written in this
        handler's transaction, and taken once that has committed; if this handler fails,
        it was never given. The payload is plain JSON data."""
        self.runtime.hand_off(self.db, kind, payload, self.now())
        self.handed_off = True

    # --- speaking ---------------------------------------------------------------------

    @property
    def answers_privately(self) -> bool:
        """Whether an answer can be shown to the asker alone, in the channel (a Slack
        slash command)."""
        return isinstance(self.event, Invoke) and self.event.private

    async def reply(self, text: str, *, choices: Sequence[Choice] = (),
                    personal: bool = False) -> str:
        """Answer where the event came from: its channel and thread, or privately for a DM.
        Returns the reply's key, for ``edit``. ``choices``: what people may do about it
        with a button or a reaction (``Choice``), each a command they can also type.
        ``personal``: the answer concerns only the asker (``!help``, their own tasks), so
        where the platform can show it to them alone, it does (``answers_privately``).

        Plain text is shown as it is, whoever wrote it; formatting needs ``Markup``."""
        event = self.event
        if event is None:
            raise RuntimeError("nothing to reply to; use say() or dm()")
        if self.is_direct:
            return await self.dm(self.sender, text, choices=choices)
        thread = event.thread if isinstance(event, Message | Invoke) else None
        alone = self.sender.address if personal and self.answers_privately else None
        return await self.say(event.channel, text, thread=thread, choices=choices,
                              visible_to=alone)

    async def say(self, channel: Address, text: str, *, thread: str | None = None,
                  choices: Sequence[Choice] = (), visible_to: Address | None = None) -> str:
        """Say ``text`` in ``channel`` (in its thread ``thread``); ``visible_to``: to that
        person alone, where the platform can (a Slack ephemeral message)."""
        reply = Reply(target=channel, markup_text=as_markup(self.localized(channel, text)),
                      thread=thread, choices=self._labelled(channel, choices),
                      visible_to=visible_to)
        await self.send(reply)
        return reply.key

    async def dm(self, person: Person | Address, text: str, *,
                 choices: Sequence[Choice] = ()) -> str:
        target = person.address if isinstance(person, Person) else person
        reply = Reply(target=target, markup_text=as_markup(self.localized(None, text)),
                      direct=True, choices=self._labelled(None, choices))
        await self.send(reply)
        return reply.key

    # --- language ---------------------------------------------------------------------

    @property
    def language(self) -> str:
        """The language of replies here (``[bot] language``, or the channel's own)."""
        return self.runtime.bot.language_of(None if self.is_direct else self.channel)

    def _(self, message: str) -> str:
        """``message`` (English, marked for ``make translations``) in the language of
        replies here."""
        return self.translate(message, self.language)

    def dated(self, moment: date, form: str, language: str | None = None) -> str:
        """``moment`` written in ``form`` ("day", "day and time", "long day"…: see
        ``hatbot.i18n.DATE_FORMATS``), in the language of replies here (or
        ``language``: ``ctx.language_of(channel)`` for a post elsewhere)."""
        return dated(moment, form, language or self.language)

    def weekday(self, number: int, language: str | None = None) -> str:
        """A weekday's name (0 is Monday), in the language of replies here (or
        ``language``)."""
        return weekday(number, language or self.language)

    def language_of(self, where: Address | None) -> str:
        """The language of what is said in ``where`` (None: the bot's own)."""
        return self.runtime.bot.language_of(where)

    @staticmethod
    def translate(message: str, language: str) -> str:
        """``message`` (English, marked ``N_``) in ``language``."""
        return translations(language).gettext(message)

    def _labelled(self, where: Address | None, choices: Sequence[Choice]
                  ) -> tuple[Choice, ...]:
        """The choices with their labels (``tr()`` texts) in the language of ``where``."""
        return tuple(dataclasses.replace(choice, label=self.localized(where, choice.label))
                     for choice in choices)

    def localized(self, where: Address | None, text: str) -> str:
        """A ``tr()`` text in the language of ``where`` (None: the bot's own, as for a
        direct message); any other text as it is. ``say`` and ``dm`` do this."""
        return in_language(text, self.runtime.bot.language_of(where))

    async def send(self, event: Outbound) -> bool:
        """Do one outbound thing (``Reply``, ``SetTopic``, ``React``, ``Edit``) after
        committing, and after every write accepted before it is committed too
        (``Unsaved``); False where the platform has no such thing (see ``can``)."""
        kept = None
        if self.event is None and self.runtime.keep is not None \
                and self.runtime.post_kept is not None:
            # A webhook's or a job's post: kept with the change that caused it, so a
            # replica killed before posting leaves it for the next leader.
            kept = self.runtime.keep(self.db, event)
            await self.db.flush()
        await self.commit()
        # A job or a background task answers no one in particular: it waits for all.
        await self.runtime.unsaved.saved(self.channel, everywhere=self.event is None)
        if kept is not None and self.runtime.post_kept is not None:
            return await self.runtime.post_kept(kept.id, event)
        return await self.runtime.deliver(event)

    def can(self, kind: type, where: Address | None = None) -> bool:
        """Whether the platform of ``where`` (default: this event's) supports ``kind``:
        ``ctx.can(React)`` before offering a reaction."""
        target = where or self.channel
        return target is not None and self.runtime.supports(target, kind)

    async def set_topic(self, channel: Address, topic: str) -> bool:
        """Set the channel's topic where the platform and the bot's rights allow it."""
        return await self.send(SetTopic(channel, topic))

    async def react(self, emoji: str) -> bool:
        """Put ``emoji`` (the character, "👀") on the message being handled."""
        event = self.event
        if not isinstance(event, Message) or not event.id:
            return False
        return await self.send(React(event.channel, event.id, emoji))

    async def edit(self, where: Address, key: str, text: str) -> bool:
        """Change what the bot said (``key`` from ``say``/``reply``/``dm``) to ``text``."""
        return await self.send(Edit(where, key, as_markup(text)))

    # --- time -------------------------------------------------------------------------

    async def schedule(self, job: Callable[..., Awaitable[Any]], run_at: datetime,
                       **kwargs: Any) -> str:
        """Call ``job(ctx, **kwargs)``, a method of this skill, at ``run_at``, even after a
        restart: ``await ctx.schedule(self.deliver, when, text="hi")``.

        The job is stored by the method's name, so it must be a method of the skill
        itself, and ``kwargs`` plain data the method accepts; both are checked here.
        """
        owner = getattr(job, "__self__", None)
        name = getattr(job, "__name__", "")
        if getattr(owner, "name", None) != self.skill or getattr(owner, name, None) != job:
            raise TypeError(f"ctx.schedule() takes a method of the {self.skill} skill "
                            f"(self.{name or 'method'}), got {job!r}")
        try:  # a TypeError now, not when it fires
            inspect.signature(job).bind(self, **kwargs)
        except TypeError as exc:
            raise TypeError(f"ctx.schedule(self.{name}, …): {exc}") from None
        # The job store writes in its own transaction, after this session's writes are
        # in: a session still holding the write turn would keep it waiting (see Scheduler).
        await self.commit()
        return await self.runtime.scheduler.once(self.skill, name, run_at, kwargs)

    async def cancel(self, job_id: str) -> None:
        await self.commit()
        await self.runtime.scheduler.cancel(job_id)

    def spawn(self, job: Callable[[Context], Awaitable[Any]], *, name: str) -> asyncio.Task[Any]:
        """Run ``job(ctx)`` in the background with a context of its own (a poller, a
        writer loop), behind the same guard as every handler: an exception is logged
        and counted, the session rolled back. It is cancelled when the bot stops. A
        long-running job ends each unit of work with ``await ctx.close()``."""
        return self.runtime.spawn(self.skill, job, name)
