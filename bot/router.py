"""From one event to the skills: passive handlers first, then the command it carries.

Every handler runs in its own Context and behind its own guard: an exception is
logged with the event and answered with a one-line apology, and the next
handler and the next event go on as usual. The same guard (``run``) runs all
else a skill does: scheduled jobs, ``setup``, HTTP routes and background tasks,
so each is logged, counted (``hatbot_handler_errors_total``), timed
(``hatbot_handler_seconds``) and rolled back alike.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from hatbot.commands import Command, UsageError, describe, extract, parse_arguments, shorten
from hatbot.context import Context, Runtime
from hatbot.events import Event, Invoke, Message
from hatbot.health import Health, storage_failure
from hatbot.i18n import tr
from hatbot.metrics import Metrics

log = logging.getLogger(__name__)

Handler = Callable[[Context, Event], Awaitable[Any]]


async def _call_with(handler: Handler, event: Event, ctx: Context) -> Any:
    return await handler(ctx, event)


class Router:
    def __init__(self, runtime: Runtime, metrics: Metrics, health: Health | None = None) -> None:
        self.runtime = runtime
        self.metrics = metrics
        self.health = health or Health()
        self._passive: list[tuple[str, tuple[type, ...], Handler]] = []
        # Commands answered ahead of the queue while the skills loaded (``answer_early``),
        # by the identity of their event, which the dispatcher holds until it is handled.
        self._answered: set[int] = set()
        self.early_skills: set[str] = set()  # whose commands ``answer_early`` may run
        self._early: set[asyncio.Task[Any]] = set()

    def listen(self, skill: str, event_types: tuple[type, ...], handler: Handler) -> None:
        self._passive.append((skill, event_types, handler))

    async def handle(self, event: Event) -> None:
        for skill, event_types, handler in self._passive:
            if isinstance(event, event_types):
                await self.run(skill, event, functools.partial(_call_with, handler, event))
        if isinstance(event, Message | Invoke):
            await self._command(event)

    def answer_early(self, event: Event) -> None:
        """While the skills load (the dispatcher holds every event until they have), a
        command the registry already knows (the core's: ``!ping`` tells the bot is alive)
        is answered at once, ahead of the queue. The rest of the event (every listener,
        an unknown or not yet loaded command) waits for its turn in the queue."""
        if not isinstance(event, Message):
            return
        found = self._find(event)
        if found is None:
            return
        command, rest = found
        if command.skill not in self.early_skills:
            return
        self._answered.add(id(event))
        task = asyncio.create_task(
            self.run(command.skill, event, lambda ctx: self._invoke(ctx, command, rest)),
            name=f"early answer {command.name}")
        self._early.add(task)
        task.add_done_callback(self._early.discard)

    async def early_answers(self) -> None:
        """Wait for the commands answered ahead of the queue."""
        if self._early:
            await asyncio.wait(list(self._early))

    async def run(
        self, skill: str, event: Event | None, call: Callable[[Context], Awaitable[Any]],
        *, passes: tuple[type[BaseException], ...] = (), what: str = "",
    ) -> Any:
        """Run one piece of a skill in its own context; return what it returned, or None
        when it failed: failures are logged, apologised for, contained. Exceptions of
        ``passes`` (an HTTP answer such as 404) roll back and go on to the caller."""
        ctx = Context(self.runtime, skill, event)
        started = time.perf_counter()
        try:
            result = await call(ctx)
            saved = ctx.used_storage
            await ctx.close()
            if saved:
                self.health.storage_works()
            if ctx.handed_off:
                await self.runtime.take_handoffs()
            return result
        except passes:
            await ctx.close(failed=True)
            raise
        except asyncio.CancelledError:  # shutdown: leave no transaction open
            await asyncio.shield(ctx.close(failed=True))
            raise
        except Exception as exc:
            self.metrics.failed(skill)
            reason = storage_failure(exc)
            if reason is not None:
                self.health.storage_failed(reason)
                await self._storage_notice(ctx, reason)
            else:
                log.exception("skill %s failed %s", skill,
                              what or ("running" if event is None else f"handling {event!r}"))
                await self._apologise(ctx, skill)
            return None
        finally:
            self.metrics.handled(skill, time.perf_counter() - started)

    async def _storage_notice(self, ctx: Context, reason: str) -> None:
        """One notice per channel per outage, instead of an apology per line."""
        try:
            await ctx.close(failed=True)
        except Exception:
            log.debug("rollback after a storage failure failed too", exc_info=True)
        event = ctx.event
        if isinstance(event, Message | Invoke) and \
                self.health.first_notice(str(event.channel)):
            try:
                await ctx.reply(tr("I cannot save anything right now ({reason}), so what is "
                                   "said here is not being recorded. I will say nothing more "
                                   "about it here; the admins can see it on /healthz.",
                                   reason=reason))
            except Exception:
                log.exception("could not send the storage notice")

    async def _apologise(self, ctx: Context, skill: str) -> None:
        try:
            await ctx.close(failed=True)
            if isinstance(ctx.event, Message | Invoke):
                await ctx.reply(tr("Sorry, something went wrong in the {skill} skill; it is "
                                   "logged.", skill=skill))
        except Exception:
            log.exception("could not apologise for skill %s", skill)

    def _find(self, message: Message) -> tuple[Command, str] | None:
        bot = self.runtime.bot
        body = extract(message.text, prefix=bot.prefix, bot_name=bot.name,
                       is_direct=message.is_direct)
        return None if body is None else self.runtime.commands.find(body)

    async def _command(self, message: Message | Invoke) -> None:
        if id(message) in self._answered:
            self._answered.discard(id(message))
            return
        bot = self.runtime.bot
        # An Invoke is a command by its nature (a button, a slash command): no prefix
        # needed, as in a direct message.
        body = extract(message.text, prefix=bot.prefix, bot_name=bot.name,
                       is_direct=isinstance(message, Invoke) or message.is_direct)
        if body is None:
            return
        found = self.runtime.commands.find(body)
        if found is None:
            explicit = extract(message.text, prefix=bot.prefix, bot_name=bot.name,
                               is_direct=False) is not None
            hint = self._unknown(body) if explicit else tr(
                "I answer commands; say {prefix}help for the list.", prefix=bot.prefix)
            await self.run("router", message, lambda ctx: ctx.reply(hint))
            return
        command, rest = found
        await self.run(command.skill, message, lambda ctx: self._invoke(ctx, command, rest))

    async def _invoke(self, ctx: Context, command: Command, rest: str) -> None:
        prefix = self.runtime.bot.prefix
        if command.admin and not ctx.is_admin():
            await ctx.reply(tr("Sorry, {command} is for admins only.",
                               command=prefix + command.name))
            return
        try:
            args, kwargs = parse_arguments(command, rest)
            # A handler may find a value out of its bounds too: the same usage reply.
            await command.handler(ctx, *args, **kwargs)
        except UsageError as exc:
            await ctx.close(failed=True)
            await ctx.reply(tr("{reason}. Usage: {usage}", reason=exc.reason,
                               usage=command.usage(prefix)))

    def _unknown(self, body: str) -> str:
        prefix = self.runtime.bot.prefix
        word = shorten(body.split()[0])
        group = self.runtime.commands.group(word)
        if group:
            return tr("{command} needs one of: {choices}.", command=prefix + word.lower(),
                      choices=describe(group, prefix))
        return tr("Unknown command {command}. Try {prefix}help.", command=prefix + word,
                  prefix=prefix)
