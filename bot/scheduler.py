"""Persistent scheduling: APScheduler 3 on asyncio, jobs stored in the bot's own database.

A job names a skill method and plain-data arguments, never a Python object, so
it can be stored, survive a restart or crash, and fire late (within the grace
time) exactly once after the bot comes back.

APScheduler's job store is synchronous and runs on the event loop. On SQLite its
writes would wait in SQLite's busy handler, blocking the loop, for a lock held by
an async session that needs that same loop to finish: a frozen bot. So every write
to the job store while the bot runs takes the same write turn as the sessions
(``storage.db.sessions``), and SQLite never sees two writers.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from hatbot.scheduling import job_id as new_job_id
from hatbot.storage.db import sync_engine

log = logging.getLogger(__name__)

JobRunner = Callable[[str, str, dict[str, Any]], Awaitable[None]]

# Jobs reach their scheduler through this table: the job store keeps only a text
# reference to ``_fire`` and plain arguments, among them the key of the scheduler.
_running: dict[str, Scheduler] = {}

# A run missed while the bot was down still happens if it is at most this late.
ONE_OFF_GRACE = timedelta(days=7)
CRON_GRACE = timedelta(hours=6)


async def _fire(key: str, skill: str, job: str, kwargs: dict[str, Any]) -> None:
    scheduler = _running.get(key)
    if scheduler is None:
        log.warning("job %s.%s fired with no running scheduler", skill, job)
        return
    await scheduler.runner(skill, job, kwargs)


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A standard five-field crontab line (``0 9 * * MON``) in the given timezone."""
    return CronTrigger.from_crontab(expression, timezone=timezone)


class _TurnTakingScheduler(AsyncIOScheduler):  # type: ignore[misc]  # untyped
    """Processes due jobs (which removes or updates them in the store) only while it
    holds the write turn; wake-ups that come while it waits for the turn are one."""

    def __init__(self, turn: asyncio.Lock, **options: Any) -> None:
        self._turn = turn
        self._waking: asyncio.Task[None] | None = None
        super().__init__(**options)

    def wakeup(self) -> None:  # APScheduler calls it from any thread
        loop = self._eventloop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if self._waking is None or self._waking.done():
            loop = self._eventloop
            assert loop is not None
            self._waking = loop.create_task(self._process_in_turn(), name="scheduler wake-up")

    async def _process_in_turn(self) -> None:
        async with self._turn:
            if not self.running:
                return
            self._stop_timer()
            self._start_timer(self._process_jobs())

    def stop_waking(self) -> None:
        if self._waking is not None:
            self._waking.cancel()


class Scheduler:
    def __init__(self, database_url: str, runner: JobRunner, timezone: str = "UTC",
                 turn: asyncio.Lock | None = None) -> None:
        # Which scheduler a stored job belongs to: this one, whatever its database URL's
        # spelling was when the job was made (``start`` claims every job in the store).
        self.key = uuid.uuid4().hex
        self.runner = runner
        self.timezone = timezone
        self._engine = sync_engine(database_url)
        # The sessions' write turn (see the module's docstring); its own when there are none.
        self._turn = turn or asyncio.Lock()
        self._aps = _TurnTakingScheduler(
            self._turn,
            jobstores={"default": SQLAlchemyJobStore(engine=self._engine)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=timezone,
        )

    def start(self) -> None:
        """Open the job store; nothing fires until ``resume`` (adapters must be up first).
        May be called again after a storage fault stopped it half way."""
        _running[self.key] = self
        if not self._aps.running:
            self._aps.start(paused=True)
        self.claim()

    def claim(self) -> None:
        """Make every stored job this scheduler's: those made by an earlier run, or by
        another replica that led before this one (bot/replicas.py)."""
        for job in self._aps.get_jobs():
            if job.args and job.args[0] != self.key:
                job.modify(args=[self.key, *job.args[1:]])

    def resume(self) -> None:
        self._aps.resume()

    def pause(self) -> None:
        """Hold every job where it is (stored, not fired) until ``resume``."""
        self._aps.pause()

    async def run_now(self, job_id: str) -> None:
        """Run a stored job at once, as if its time had come (a one-off job is then gone)."""
        job = self._aps.get_job(job_id)
        if job is None:
            raise KeyError(job_id)
        if isinstance(job.trigger, DateTrigger):
            async with self._turn:
                job.remove()
        await _fire(*job.args)

    def realign(self, now: datetime) -> None:
        """Compute every recurring job's next run from ``now`` (a fake clock's time)."""
        for job in self._aps.get_jobs():
            if not isinstance(job.trigger, DateTrigger):
                job.modify(next_run_time=job.trigger.get_next_fire_time(None, now))

    async def run_due(self, now: datetime) -> int:
        """Run every job due by ``now`` once, soonest first, and move recurring ones on
        to their next time after ``now``: how a fake clock drives a paused scheduler
        (the test harness). Returns how many ran."""
        ran = 0
        while True:
            due = [j for j in self._aps.get_jobs()
                   if j.next_run_time is not None and j.next_run_time <= now]
            if not due:
                return ran
            job = min(due, key=lambda j: j.next_run_time)
            args = tuple(job.args)
            async with self._turn:
                if isinstance(job.trigger, DateTrigger):
                    job.remove()
                else:  # coalesced, as the live scheduler does: one run for every missed one
                    upcoming = job.trigger.get_next_fire_time(now, now)
                    if upcoming is None:
                        job.remove()
                    else:
                        job.modify(next_run_time=upcoming)
            await _fire(*args)
            ran += 1

    def shutdown(self) -> None:
        self._aps.stop_waking()
        if self._aps.running:
            self._aps.shutdown(wait=False)
        _running.pop(self.key, None)
        self._engine.dispose()

    async def once(self, skill: str, job: str, run_at: datetime, kwargs: dict[str, Any],
                   ident: str | None = None) -> str:
        """Store a one-off job (under ``ident`` when it was promised before, see
        ``hatbot.scheduling``); returns its id."""
        job_id = ident or new_job_id(skill, job)
        async with self._turn:
            self._aps.add_job(
                _fire,
                trigger=DateTrigger(run_date=run_at),
                args=[self.key, skill, job, kwargs],
                id=job_id,
                replace_existing=ident is not None,  # handed over again after a fault
                misfire_grace_time=int(ONE_OFF_GRACE.total_seconds()),
            )
        return job_id

    async def cancel(self, job_id: str) -> None:
        if self._aps.get_job(job_id) is not None:
            async with self._turn:
                self._aps.remove_job(job_id)

    def recurring(self, skill: str, job: str, schedules: Sequence[Mapping[str, Any]]) -> None:
        """Keep exactly these cron schedules for ``skill.job``; each mapping has a ``cron`` key.

        Re-adding with the same ids keeps a stored next run time, so a restart
        neither skips nor repeats a run.
        """
        prefix = f"{skill}.{job}.cron."
        wanted: set[str] = set()
        for index, entry in enumerate(schedules):
            job_id = f"{prefix}{index}"
            wanted.add(job_id)
            trigger = cron_trigger(str(entry["cron"]), self.timezone)
            args = [self.key, skill, job, dict(entry)]
            existing = self._aps.get_job(job_id)
            if existing is not None and str(existing.trigger) == str(trigger) \
                    and list(existing.args) == args:
                continue
            self._aps.add_job(
                _fire, trigger=trigger, args=args, id=job_id, replace_existing=True,
                misfire_grace_time=int(CRON_GRACE.total_seconds()),
            )
        for stale in self._aps.get_jobs():
            if stale.id.startswith(prefix) and stale.id not in wanted:
                stale.remove()

    async def recurring_in_turn(self, skill: str, job: str,
                                schedules: Sequence[Mapping[str, Any]]) -> None:
        """``recurring`` while the bot runs: its job store writes take the write turn."""
        async with self._turn:
            self.recurring(skill, job, schedules)

    async def start_in_turn(self) -> None:
        """``start`` while the bot runs (other writers may be at work)."""
        async with self._turn:
            self.start()

    def pending(self) -> list[tuple[str, datetime | None]]:
        """Every stored job's id and next run time, soonest first."""
        jobs = sorted(self._aps.get_jobs(), key=lambda j: (j.next_run_time is None,
                                                           j.next_run_time))
        return [(j.id, j.next_run_time) for j in jobs]
