"""The scheduler as skills reach it, there before APScheduler is loaded.

APScheduler and its job store are a twentieth of the bot's start; the bot loads them
after the chat adapters have started (``App.start``). Until then this stands in: what
the skills' setup schedules (recurring jobs, a retry) is kept and handed over in order
once the real scheduler is there, and a job asked for while it loads (a ``!remind``
in the first moments) waits for it, so it is stored before anyone is answered.
What setup keeps is made again by setup at every start, so a crash before the
hand-over loses nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol


class Scheduler(Protocol):
    """What of ``hatbot.scheduler.Scheduler`` this needs (named here so that importing
    this module never imports APScheduler)."""

    async def once(self, skill: str, job: str, run_at: datetime, kwargs: dict[str, Any],
                   ident: str | None = None) -> str: ...

    async def cancel(self, job_id: str) -> None: ...

    async def recurring_in_turn(self, skill: str, job: str,
                                schedules: Sequence[Mapping[str, Any]]) -> None: ...


Kept = Callable[[Scheduler], Awaitable[None]]


def job_id(skill: str, job: str) -> str:
    """A new one-off job's id: the skill, the method, and something unique."""
    return f"{skill}.{job}.{uuid.uuid4().hex[:12]}"


class Scheduling:
    def __init__(self) -> None:
        self.real: Scheduler | None = None
        self._kept: list[Kept] = []
        self._loading: asyncio.Future[Scheduler] | None = None

    def loading(self) -> None:
        """The real scheduler is on its way: from now on a job waits for it instead of
        being kept (the adapters are up, and an answer must follow a stored job). Said
        again, it changes nothing: whoever waits goes on waiting for the same one."""
        if self._loading is None:
            self._loading = asyncio.get_running_loop().create_future()

    async def attach(self, real: Scheduler) -> None:
        """Hand everything kept over to ``real``, in the order it came, then use it."""
        for kept in self._kept:
            await kept(real)
        self._kept.clear()
        self.real = real
        if self._loading is not None and not self._loading.done():
            self._loading.set_result(real)

    def failed(self, error: BaseException) -> None:
        """The real scheduler could not be loaded: whoever waits for it hears why."""
        if self._loading is not None and not self._loading.done():
            self._loading.set_exception(error)
            self._loading.exception()  # retrieved: nobody may be waiting

    async def _ready(self) -> Scheduler | None:
        if self.real is None and self._loading is not None:
            return await asyncio.shield(self._loading)
        return self.real

    async def once(self, skill: str, job: str, run_at: datetime, kwargs: dict[str, Any]) -> str:
        real = await self._ready()
        if real is not None:
            return await real.once(skill, job, run_at, kwargs)
        ident = job_id(skill, job)

        async def add(later: Scheduler) -> None:
            await later.once(skill, job, run_at, kwargs, ident=ident)

        self._kept.append(add)
        return ident

    async def cancel(self, ident: str) -> None:
        real = await self._ready()
        if real is not None:
            await real.cancel(ident)
            return

        async def remove(later: Scheduler) -> None:
            await later.cancel(ident)

        self._kept.append(remove)

    async def recurring(self, skill: str, job: str,
                        schedules: Sequence[Mapping[str, Any]]) -> None:
        """Make ``job`` run on ``schedules`` (replacing what it had). Once the real
        scheduler is there this writes its job store, so it takes the write turn: on a
        reload (SIGHUP) a session may be writing."""
        if self.real is not None:
            await self.real.recurring_in_turn(skill, job, schedules)
            return
        entries = [dict(entry) for entry in schedules]

        async def keep(later: Scheduler) -> None:
            await later.recurring_in_turn(skill, job, entries)

        self._kept.append(keep)
