"""The one place that knows every part: it wires config, storage, skills, adapters and web.

Start-up: migrate the database, load skills (commands, listeners, schedules, routes)
and run their setup, connect the adapters, then load the scheduler and the web server
(docs/architecture.md, "Start-up order").
Shutdown (SIGINT, SIGTERM, or the console's end of input): finish every event
already accepted, stop the scheduler, let adapters deliver what they queued,
close the web server and the database.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatbot import recognition
from hatbot.adapter import Adapter
from hatbot.background_import import import_in_thread
from hatbot.clock import Clock, SystemClock
from hatbot.commands import CommandMeta, Registry, make_command
from hatbot.community import Community
from hatbot.config import Config, ConfigError, PluginSettings, check_runnable, reload_plan
from hatbot.context import Context, Runtime
from hatbot.dispatch import Dispatcher
from hatbot.events import Address, Event, Outbound, Person, Reply, SetTopic, cleaned
from hatbot.figures import COMMUNITY_ATTR, HOME_ATTR, RECOGNITION_ATTR, Credit, Figure, Pane
from hatbot.handoffs import Handoffs
from hatbot.health import Health
from hatbot.i18n import in_language, translations
from hatbot.lock import DataDirLock
from hatbot.metrics import Metrics
from hatbot.plugins import Plugins
from hatbot.recognition import People
from hatbot.replicas import Replicas
from hatbot.router import Router
from hatbot.scheduling import Scheduling
from hatbot.skill import (
    COMMAND_ATTR,
    EVENTS_ATTR,
    ROUTE_ATTR,
    SCHEDULE_ATTR,
    TAKES_ATTR,
    RouteMeta,
    ScheduleMeta,
    Skill,
    check_schedule,
    declared,
    marked,
    shorten,
)

if TYPE_CHECKING:
    from aiohttp import web
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from hatbot.scheduler import Scheduler
    from hatbot.storage.kv import KeyValueStore
    from hatbot.web import WebServer

log = logging.getLogger(__name__)

# How long shutdown waits for in-flight events before giving up on them.
DRAIN_TIMEOUT = 30.0

# Skills that need no storage: set up before the database is open, and their commands
# answered while the others load (the core's: ``!ping`` says the bot is alive).
FIRST_SKILLS = frozenset({"core"})


def _not_open_yet() -> AsyncSession:
    raise RuntimeError("the database is not open yet: only the core skill's commands are "
                       "answered before it is")


async def _given(method: Callable[[Context, Any], Awaitable[list[Any]]], argument: Any,
                 ctx: Context) -> list[Any]:
    return await method(ctx, argument)


class _StoreWhenOpen:
    """An adapter's key-value store, there from the moment the adapter is made: the
    adapters start while the database opens, and a call made before waits for it."""

    def __init__(self, app: App, namespace: str) -> None:
        self._app = app
        self._namespace = namespace
        self._store: KeyValueStore | None = None

    async def _open(self) -> KeyValueStore:
        if self._store is None:
            await self._app.storage_open()
            from hatbot.storage.kv import KeyValueStore

            self._store = KeyValueStore(self._app.sessions, self._namespace)
        return self._store

    async def get(self, key: str) -> str | None:
        return await (await self._open()).get(key)

    async def set(self, key: str, value: str) -> None:
        await (await self._open()).set(key, value)

    async def delete(self, key: str) -> None:
        await (await self._open()).delete(key)


class _AdapterHost:
    """The core as one adapter sees it."""

    def __init__(self, app: App, name: str) -> None:
        self._app = app
        self._name = name
        self.name = name
        self.kv = _StoreWhenOpen(app, f"adapter:{name}")
        self.files = Path(app.config.bot.data_dir) / "adapters" / name

    @property
    def bot_name(self) -> str:
        return self._app.config.bot.name

    def emit(self, event: Event) -> Awaitable[None]:
        self._app.metrics.received(self._name)
        event = cleaned(event)
        handled = self._app.dispatcher.submit(event)
        if self._app.dispatcher.held:  # the skills are loading: the core answers now
            self._app.router.answer_early(event)
        return handled

    def input_finished(self) -> None:
        # A piped session ends with its input; under a service manager stdin is closed
        # from the start, and the other adapters must run on.
        if list(self._app.adapters) == [self._name]:
            self._app.request_stop()
        else:
            log.info("%s: end of input; it is closed, and the bot runs on with %s until "
                     "SIGTERM", self._name, ", ".join(n for n in self._app.adapters
                                                      if n != self._name))

    def add_route(self, method: str, path: str, handler: Any) -> None:
        self._app.routes.append((method, path, handler))

    @property
    def leading(self) -> bool:
        return self._app.role == "leader"

    def translate(self, message: str, where: Address | None = None) -> str:
        return translations(self._app.config.bot.language_of(where)).gettext(message)

    async def home(self, person: Person) -> list[tuple[str, list[str]]]:
        language = self._app.config.bot.language  # a person's home is no channel's
        return [(in_language(pane.title, language),
                 [in_language(line, language) for line in pane.lines])
                for pane in await self._app.home(person)]

    async def relay(self, payload: str) -> None:
        assert self._app.replicas is not None, "only a standby replica relays"
        await self._app.replicas.relay(self._name, payload)


class App:
    def __init__(
        self,
        config: Config,
        plugins: Plugins,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.config = config
        self.plugins = plugins
        self.clock = clock or SystemClock()
        self.metrics = Metrics()
        self.commands = Registry()
        self.skills: dict[str, Skill[Any]] = {}
        self.adapters: dict[str, Adapter[Any]] = {}
        self.web: WebServer | None = None  # made at start when enabled
        # What skills schedule through; the real scheduler is loaded after the adapters.
        self.scheduling = Scheduling()
        self.scheduler: Scheduler | None = None
        self.routes: list[tuple[str, str, Any]] = []  # served once the web server starts
        self._stopping = asyncio.Event()
        self._stopped = False
        self._reloading: asyncio.Task[bool] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()  # skills' background work
        # On PostgreSQL, which of several processes speaks (bot/replicas.py); None: this
        # one, always (SQLite).
        self.replicas: Replicas | None = None
        # What a leader that lost the lead does: by default stop (``hatbot run`` starts
        # over as a standby instead).
        self.on_deposed: Callable[[], None] = self.request_stop

    # --- lifecycle --------------------------------------------------------------------

    async def run(self, *, handle_signals: bool = True) -> None:
        """Start, serve until asked to stop, then shut down gracefully."""
        if handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.request_stop)
            loop.add_signal_handler(signal.SIGHUP, self._reload_soon)
        try:
            await self.start()
            await self._stopping.wait()
        finally:
            await self.stop()

    def request_stop(self) -> None:
        self._stopping.set()

    def _reload_soon(self) -> None:
        self._reloading = asyncio.create_task(self.reload(), name="reload")

    async def reload(self) -> bool:
        """Read the configuration again (SIGHUP) and apply what is safe while running:
        skills' settings, their schedules, the admins. What needs a restart is logged
        as such. A file ``check-config`` would refuse is refused, and nothing changes."""
        source = self.config.source
        try:
            new = await asyncio.to_thread(self.plugins.load_config, source)
            check_runnable(new, self.plugins.adapters)
        except ConfigError as exc:
            for problem in exc.problems:
                log.error("reload: %s", problem)
            log.error("reload refused: the configuration in use is unchanged")
            return False
        later = reload_plan(self.config, new)
        bot = self.config.bot.model_copy(update={"admins": new.bot.admins})
        self.runtime.bot = bot
        skills = dict(self.config.skills)
        for name, skill in self.skills.items():
            settings = new.skills.get(name)
            if settings is None or not settings.enabled:
                continue
            later += skill.reconfigure(settings.options)
            skills[name] = settings
            await self._schedule_skill(skill)
        self.config = dataclasses.replace(self.config, bot=bot, skills=skills)
        log.info("reload: configuration from %s applied", source or "the embedded default")
        for key in dict.fromkeys(later):
            log.warning("reload: %s changed; that takes effect at the next restart", key)
        return True

    async def start(self) -> None:
        """Start in the order that answers soonest and loses nothing: the core skill,
        then the chat adapters, which start while the database opens and the other
        skills load (SQLAlchemy and their models are half the start); what is heard
        meanwhile waits in the dispatcher and is handled in order once every skill is
        set up, but for the core's commands, answered at once. Then the scheduler and
        the web server (docs/architecture.md, "Start-up order")."""
        bot = self.config.bot
        self._lock = DataDirLock(Path(bot.data_dir))
        await asyncio.to_thread(self._lock.acquire)
        self._open: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.health = Health()
        self.runtime = self._runtime(_not_open_yet)
        self.runtime.loaded.clear()
        self._wire_router()
        self.community = Community(self._figures, self.clock.now, bot.name)
        self.people = People(self.credits, self._opted_out, self.clock.now, bot.name)
        self.routes += [("GET", "/community/", self.community.page),
                        ("GET", "/api/community.json", self.community.api),
                        ("GET", "/community.csv", self.community.csv),
                        ("GET", r"/people/{name:[^/]{1,100}}", self.people.page)]
        self.dispatcher = Dispatcher(self.router.handle, self.metrics.set_queue_depth,
                                     held=True)

        enabled_skills = self.config.enabled_skills()
        first = [s for s in enabled_skills if s.name in FIRST_SKILLS]
        rest = [s for s in enabled_skills if s.name not in FIRST_SKILLS]
        await self._set_up([self._load_skill(self.plugins.skills[s.name](s.options))
                            for s in first])
        self.router.early_skills.update(self.skills)

        # Adapters are made before the web server starts, so they can add routes.
        for settings in self.config.enabled_adapters():
            adapter = self.plugins.adapters[settings.kind](
                settings.options, _AdapterHost(self, settings.name))
            self.adapters[settings.name] = adapter
        web = self.config.web
        if bot.db_url.startswith("postgresql"):
            self.replicas = Replicas(bot.db_url, lambda: self.sessions(), self._to_adapters,
                                     self._take_relayed)
            self.runtime.keep = self.replicas.keep_in
            self.runtime.post_kept = self.replicas.post_kept
            if not await self.replicas.elect():
                await self._start_standby(rest)
                return
        # Chat comes first: the web server's libraries take a fifth of the start, so the
        # server starts after the adapters unless its links need the port it will get.
        web_first = web.enabled and not web.public_url and web.port == 0
        if web_first:
            await self._load(rest)
            await self._start_web()
            for adapter in self.adapters.values():
                await adapter.start()
        else:
            if web.enabled and not web.public_url:
                self.runtime.public_url = f"http://{web.host}:{web.port}"
            await self._load_while_adapters_start(rest)
        await self._start_scheduler()
        if web.enabled and not web_first:
            await self._start_web()
        if not self.adapters:
            log.warning("no adapter is enabled: the bot hears nothing")
        if self.replicas is not None:
            self.replicas.lead(self._deposed)
        # Everything made so far lives as long as the process: out of the collector's
        # sight, it costs nothing at each collection nor at exit. `hatbot run` starts
        # with the collector off (cli.main); it is on from here.
        gc.freeze()
        gc.enable()
        log.info("hatbot is running with adapters %s and skills %s",
                 ", ".join(name if name == adapter.platform else f"{name} ({adapter.platform})"
                           for name, adapter in self.adapters.items()) or "none",
                 ", ".join(self.skills))

    async def _load_while_adapters_start(self, skills: list[PluginSettings]) -> None:
        """Start the adapters and, meanwhile, open the database and load ``skills``; an
        adapter may wait for the database (its key-value store) as it starts."""
        starting = asyncio.gather(*(adapter.start() for adapter in self.adapters.values()))
        try:
            await self._load(skills)
        except BaseException:
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            raise
        await starting

    async def _load(self, skills: list[PluginSettings]) -> None:
        """Open the database (migrated first) and load, schedule and set up ``skills``;
        then let the events heard meanwhile through, in order."""
        try:
            bot = self.config.bot
            names = [s.name for s in skills]
            # SQLAlchemy, the skills' models and the rest of their modules load in a
            # thread: the loop goes on answering meanwhile.
            db = await asyncio.to_thread(self._import, names)
            await asyncio.to_thread(self.plugins.migrate, bot.db_url,
                                    [s.name for s in self.config.enabled_skills()])
            self._connect(db)
            self.runtime.sessions = self.sessions
        except BaseException as exc:
            if not self._open.done():
                self._open.set_exception(exc)
                self._open.exception()  # retrieved: no adapter may be waiting
            raise
        self._open.set_result(None)
        await self._set_up([self._load_skill(self.plugins.skills[s.name](s.options))
                            for s in skills])
        # From here a job asked for waits for the scheduler's store before it is answered
        # (a "!remind" said now must not be kept in memory only: a crash would lose it).
        self.scheduling.loading()
        self.runtime.loaded.set()
        self.dispatcher.release()

    def _wire_router(self) -> None:
        """The router, and the handoffs between skills, which run through it."""
        self.router = Router(self.runtime, self.metrics, self.health)
        self.handoffs = Handoffs(
            lambda skill, call, what: self.router.run(skill, None, call, what=what),
            lambda: self.sessions())
        self.runtime.hand_off = self.handoffs.give
        self.runtime.take_handoffs = self.handoffs.take

    def _runtime(self, sessions: Any) -> Runtime:
        return Runtime(bot=self.config.bot, public_url=self.config.web.base_url,
                       clock=self.clock, sessions=sessions, deliver=self.deliver,
                       supports=self.supports, spawn=self.spawn, scheduler=self.scheduling,
                       commands=self.commands)

    def _connect(self, db: Any) -> None:
        """The engine and its sessions (``db`` is ``hatbot.storage.db``, imported late)."""
        self.engine: AsyncEngine = db.async_engine(self.config.bot.db_url)
        # One write turn for the sessions and the job store: one writer at a time on SQLite.
        self._write_turn = asyncio.Lock()
        self.sessions: async_sessionmaker[AsyncSession] = db.sessions(self.engine,
                                                                      self._write_turn)

    def _import(self, skills: list[str]) -> Any:
        from hatbot.storage import db, handoffs  # noqa: F401  (its table on the metadata)

        for name in skills:
            self.plugins.skills[name]  # imports the skill's modules
        return db

    async def storage_open(self) -> None:
        """Return once the database is open (the adapters start before it is)."""
        await asyncio.shield(self._open)

    async def _set_up(self, skills: list[Skill[Any]]) -> None:
        for skill in skills:
            await self._schedule_skill(skill)
        for skill in skills:
            await self.router.run(skill.name, None, skill.setup)

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if hasattr(self, "dispatcher"):
            dropped = self.dispatcher.drop_held()
            if dropped:
                log.warning("%d events heard while the bot started are not handled: it "
                            "could not start", dropped)
            try:
                await asyncio.wait_for(self.dispatcher.drain(), DRAIN_TIMEOUT)
            except TimeoutError:
                log.warning("stopping with %d events unhandled", self.dispatcher.depth)
            await self.router.early_answers()
        if hasattr(self, "runtime"):
            try:  # what the batch writers accepted is committed before they are cancelled
                await asyncio.wait_for(self.runtime.unsaved.saved(everywhere=True),
                                       DRAIN_TIMEOUT)
            except TimeoutError:
                log.warning("stopping with writes not saved")
        if self.scheduler is not None:
            self.scheduler.shutdown()
        for skill in self.skills.values():
            try:
                await skill.teardown()
            except Exception:
                log.exception("skill %s failed to tear down", skill.name)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for name, adapter in self.adapters.items():
            try:
                await adapter.stop()
            except Exception:
                log.exception("adapter %s failed to stop cleanly", name)
        if self.web is not None:
            await self.web.stop()
        if self.replicas is not None:
            await self.replicas.close()
        if hasattr(self, "engine"):
            await self.engine.dispose()
        if hasattr(self, "_lock"):
            self._lock.release()

    # --- wiring -----------------------------------------------------------------------

    def _load_skill(self, skill: Skill[Any]) -> Skill[Any]:
        self.skills[skill.name] = skill
        for handler, meta in marked(skill, COMMAND_ATTR):
            assert isinstance(meta, CommandMeta)
            self.commands.add(make_command(skill.name, handler, meta))
        for handler, event_types in marked(skill, EVENTS_ATTR):
            self.router.listen(skill.name, tuple(event_types), handler)
        for handler, meta in marked(skill, ROUTE_ATTR):
            assert isinstance(meta, RouteMeta)
            self.routes.append((meta.method, meta.path, self._route(skill.name, handler)))
        for handler, meta in marked(skill, SCHEDULE_ATTR):
            check_schedule(skill, handler, meta)
        for handler, kind in marked(skill, TAKES_ATTR):
            self.handoffs.add_taker(skill.name, kind, handler)
        return skill

    async def _schedule_skill(self, skill: Skill[Any]) -> None:
        for handler, meta in marked(skill, SCHEDULE_ATTR):
            assert isinstance(meta, ScheduleMeta)
            if meta.cron is not None:
                schedules: list[dict[str, Any]] = [{"cron": meta.cron}]
            else:
                entries = getattr(skill.config, meta.config_key or "", [])
                schedules = [e.model_dump() if hasattr(e, "model_dump") else dict(e)
                             for e in entries]
            await self.scheduling.recurring(skill.name, handler.__name__, schedules)

    async def _start_scheduler(self, *, paused: bool = False) -> None:
        """Load APScheduler (in a thread of its own: the adapters already answer), hand it
        what the skills' setup scheduled, and let missed jobs fire now that their replies
        can be delivered. Done even when a stop is asked for meanwhile: a job may wait
        for it."""
        self.scheduling.loading()
        try:
            module = await import_in_thread("hatbot.scheduler")
            bot = self.config.bot
            scheduler = module.Scheduler(bot.db_url, self._run_job, bot.timezone,
                                         self._write_turn)
            self.scheduler = scheduler
            await self._until_stored(scheduler.start_in_turn, "the scheduler's job store")
            await self._until_stored(lambda: self.scheduling.attach(scheduler),
                                     "the jobs set up at start")
        except BaseException as exc:
            self.scheduling.failed(exc)
            raise
        # What a stop left between two skills, now that a taker may schedule a job.
        await self.handoffs.take()
        if not paused:  # a standby keeps the jobs without running them
            scheduler.resume()

    async def _until_stored(self, write: Callable[[], Awaitable[None]], what: str) -> None:
        """``write`` again until storage takes it: the adapters are up by now, and a
        full disk must not end the bot (it is said once, and it recovers by itself).
        A stop asked for meanwhile ends the trying."""
        from sqlalchemy.exc import SQLAlchemyError  # loaded with the database by now

        pause = 0.5
        while True:
            try:
                await write()
                return
            except SQLAlchemyError as exc:
                if self._stopping.is_set():
                    raise
                if pause == 0.5:
                    log.warning("cannot write %s yet (%s); trying again", what,
                                shorten(str(exc), 200))
                stopping = asyncio.ensure_future(self._stopping.wait())
                await asyncio.wait((stopping,), timeout=pause)
                stopping.cancel()
                pause = min(pause * 2, 10.0)

    async def _start_web(self) -> None:
        """Load the web server (aiohttp, in a thread of its own: adapters already started
        go on answering meanwhile), give it every route and start it; unless the bot is
        asked to stop first (a piped session may end before), which then need not wait."""
        if self._stopping.is_set():
            return
        loading = import_in_thread("hatbot.web")
        stopping = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait((loading, stopping), return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not loading.done():
            return
        server = loading.result()
        self.web = server.WebServer(self.config.web, self.metrics, self.adapter_states,
                                    self.health.problems, self.config.bot.name,
                                    self.community.gauges, lambda: self.runtime.warnings,
                                    lambda: self.role)
        for method, path, handler in self.routes:
            self.web.add_route(method, path, handler)
        await self.web.start()
        if not self.config.web.public_url:  # links name the port really listened on
            self.runtime.public_url = f"http://{self.config.web.host}:{self.web.port}"

    async def _figures(self, since: datetime) -> list[tuple[str, list[Figure]]]:
        """Every skill's community figures since ``since``."""
        return await self._gathered(COMMUNITY_ATTR, since, "giving its community figures")

    async def credits(self, since: datetime) -> list[Credit]:
        """Everyone's community work since ``since``, from every skill that tells it."""
        return [credit for _, credits in await self._gathered(
            RECOGNITION_ATTR, since, "giving its recognition credits") for credit in credits]

    async def home(self, person: Person) -> list[Pane]:
        """What ``person`` has open with every skill (``@home``), panes with lines only."""
        return [pane for _, panes in await self._gathered(
            HOME_ATTR, person, "telling what a person has open") for pane in panes
            if pane.lines]

    async def _gathered(self, attr: str, argument: Any, what: str
                        ) -> list[tuple[str, list[Any]]]:
        """What each skill's method marked ``attr`` gives for ``argument`` (a start of a
        period, a person), by skill; a skill that fails is left out (the router logs
        it)."""
        found = []
        for name, skill in self.skills.items():
            for method, _ in marked(skill, attr):
                given = await self.router.run(name, None, functools.partial(
                    _given, method, argument), what=what)
                if given is not None:
                    found.append((name, list(given)))
        return found

    async def _opted_out(self) -> set[str]:
        """The names whose people said ``!privacy optout``."""
        from hatbot.storage.kv import opted_out

        async with self.sessions() as session:
            return await opted_out(session)

    async def recognition(self, since: datetime) -> recognition.Table:
        """Everyone's work since ``since`` by person, those who opted out left out."""
        return recognition.table(await self.credits(since), await self._opted_out())

    async def open_offline(self) -> None:
        """The database and the skills, without chat, scheduler, web or the skills' setup:
        enough to read what the skills know (``hatbot report``), beside a running bot."""
        bot = self.config.bot
        enabled = self.config.enabled_skills()
        await asyncio.to_thread(self.plugins.migrate, bot.db_url, [s.name for s in enabled])
        from hatbot.storage import db

        self._connect(db)
        self.health = Health()
        self.runtime = self._runtime(self.sessions)
        self._wire_router()
        for settings in enabled:
            self._load_skill(self.plugins.skills[settings.name](settings.options))

    def _route(self, skill: str, handler: Any) -> Any:
        async def serve(request: web.Request) -> web.StreamResponse:
            from aiohttp import web  # loaded by then: requests come through it

            response: web.StreamResponse | None = await self.router.run(
                skill, None, lambda ctx: handler(ctx, request), passes=(web.HTTPException,),
                what=f"serving {request.method} {request.path}")
            if response is None:
                return web.json_response({"error": "internal error"}, status=500)
            return response

        return serve

    def spawn(self, skill: str, job: Callable[[Context], Awaitable[Any]],
              name: str) -> asyncio.Task[Any]:
        """Run a skill's background work behind the guard, with a context of its own; it
        is cancelled at shutdown, after the skills' teardown."""
        task = asyncio.create_task(self.router.run(skill, None, job, what=f"in {name}"),
                                   name=f"{skill}: {name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run_job(self, skill: str, job: str, kwargs: dict[str, Any]) -> None:
        instance = self.skills.get(skill)
        method = getattr(instance, job, None) if instance else None
        if method is None:
            log.warning("scheduled job %s.%s has no skill method to run; dropped", skill, job)
            return
        await self.router.run(skill, None, lambda ctx: method(ctx, **declared(method, kwargs)))

    # --- replicas ----------------------------------------------------------------------

    async def _start_standby(self, skills: list[PluginSettings]) -> None:
        """Another process leads: load everything but chat, keep the scheduler's jobs
        without running them, serve the web, and wait to lead."""
        log.info("another replica leads: this one stands by (web pages and webhooks only)")
        self.metrics.leader = 0
        await self._load(skills)
        await self._start_scheduler(paused=True)
        if self.config.web.enabled:
            await self._start_web()
        assert self.replicas is not None
        self.replicas.stand_by(self._take_the_lead)
        gc.freeze()
        gc.enable()

    async def _take_the_lead(self) -> None:
        """This standby leads now: connect to chat, run the jobs (those due while no one
        led fire now), post what was kept."""
        assert self.replicas is not None
        self.metrics.leader, self.metrics.failovers = 1, self.replicas.failovers
        for skill in self.skills.values():  # what the old leader changed since setup
            await self.router.run(skill.name, None, skill.take_over, what="taking the lead")
        await asyncio.gather(*(adapter.start() for adapter in self.adapters.values()))
        if self.scheduler is not None:
            scheduler = self.scheduler
            # The jobs the old leader made since this one started are its own now.
            await self._until_stored(lambda: self._claimed(scheduler), "the jobs taken over")
            scheduler.resume()
        self.replicas.lead(self._deposed)

    async def _claimed(self, scheduler: Scheduler) -> None:
        async with self._write_turn:
            scheduler.claim()

    async def _deposed(self) -> None:
        """The lead is lost: no job runs and no adapter speaks from now on."""
        self.metrics.leader = 0
        if self.scheduler is not None:
            self.scheduler.pause()
        for name, adapter in self.adapters.items():
            try:
                await adapter.stop()
            except Exception:
                log.exception("adapter %s failed to stop", name)
        self.on_deposed()

    @property
    def role(self) -> str:
        return "leader" if self.replicas is None else self.replicas.role

    # --- outbound ---------------------------------------------------------------------

    async def deliver(self, event: Outbound) -> bool:
        """Hand an outbound event to the adapter its target names (``libera:#nova`` → the
        ``libera`` table), or, on a standby, to the outbox for the leader. A message is
        never lost once accepted; the rest (topics, reactions, edits) are courtesies that
        never fail the caller."""
        if self.replicas is not None and not self.replicas.leading:
            return await self.replicas.keep(event)
        return await self._to_adapters(event)

    async def _to_adapters(self, event: Outbound) -> bool:
        adapter = self.adapters.get(event.target.platform)
        if adapter is None:
            log.warning("no running adapter for %s; %s dropped", event.target,
                        type(event).__name__)
            return False
        if isinstance(event, Reply):
            self.metrics.sent(event.target.platform)
            return await adapter.deliver(event)
        try:
            return await adapter.deliver(event)
        except Exception:
            log.exception("%s: %s on %s failed", event.target.platform, type(event).__name__,
                          event.target)
            return False

    async def _take_relayed(self, name: str, payload: str) -> None:
        """What a standby received for adapter ``name``, handed to it here, the leader."""
        adapter = self.adapters.get(name)
        if adapter is None:
            log.warning("a standby relayed something for adapter %s, which is not "
                        "enabled here; dropped", name)
            return
        await adapter.relayed(payload)

    def supports(self, where: Address, kind: type) -> bool:
        adapter = self.adapters.get(where.platform)
        return adapter is not None and kind in adapter.supports

    async def send(self, reply: Reply) -> None:
        await self.deliver(reply)

    async def set_topic(self, channel: Address, topic: str) -> bool:
        return await self.deliver(SetTopic(channel, topic))

    def adapter_states(self) -> dict[str, str]:
        return {name: adapter.status for name, adapter in self.adapters.items()}
