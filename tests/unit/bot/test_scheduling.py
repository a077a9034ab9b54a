"""What skills schedule before APScheduler is loaded (it loads after the adapters) is
handed over in order; what is asked for while it loads waits for it (issue #16)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hatbot.context import Context
from hatbot.scheduler import Scheduler
from hatbot.scheduling import Scheduling
from hatbot.skill import Skill, SkillConfig, every
from hatbot.storage.db import upgrade
from tests.conftest import StartBot, database_url

LATER = datetime.now(UTC) + timedelta(days=1)


async def noop(skill: str, job: str, kwargs: dict[str, Any]) -> None:
    return None


def real_scheduler(tmp_path: Path) -> Scheduler:
    url = database_url(tmp_path)
    upgrade(url)
    scheduler = Scheduler(url, noop)
    scheduler.start()
    return scheduler


async def test_what_setup_schedules_is_handed_over_in_order(tmp_path: Path) -> None:
    scheduling = Scheduling()
    kept = await scheduling.once("remind", "deliver", LATER, {"text": "kept"})
    dropped = await scheduling.once("remind", "deliver", LATER, {"text": "dropped"})
    await scheduling.cancel(dropped)
    await scheduling.recurring("hat", "digest", [{"cron": "0 9 * * MON"}])
    real = real_scheduler(tmp_path)
    try:
        assert real.pending() == []  # nothing reached it yet
        await scheduling.attach(real)
        ids = [job for job, _ in real.pending()]
        assert ids == [kept, "hat.digest.cron.0"] or ids == ["hat.digest.cron.0", kept]
        assert kept.startswith("remind.deliver.")  # the id promised before the hand-over
    finally:
        real.shutdown()


async def test_a_job_asked_for_while_the_scheduler_loads_waits_for_it(tmp_path: Path) -> None:
    scheduling = Scheduling()
    scheduling.loading()
    asked = asyncio.ensure_future(scheduling.once("remind", "deliver", LATER, {"text": "x"}))
    await asyncio.sleep(0.05)
    assert not asked.done()  # not kept: the answer to it must follow a stored job
    real = real_scheduler(tmp_path)
    try:
        await scheduling.attach(real)
        job = await asyncio.wait_for(asked, 5)
        assert [j for j, _ in real.pending()] == [job]
    finally:
        real.shutdown()


async def test_waiters_hear_why_the_scheduler_could_not_load() -> None:
    scheduling = Scheduling()
    scheduling.loading()
    asked = asyncio.ensure_future(scheduling.once("remind", "deliver", LATER, {}))
    await asyncio.sleep(0)
    scheduling.failed(RuntimeError("no job store"))
    with pytest.raises(RuntimeError, match="no job store"):
        await asyncio.wait_for(asked, 5)


class Early(Skill[SkillConfig]):
    """Schedules in its setup, before the real scheduler exists."""

    name = "early"
    promised = ""

    async def setup(self, ctx: Context) -> None:
        type(self).promised = await ctx.schedule(self.later, ctx.now() + timedelta(days=1))

    async def later(self, ctx: Context) -> None:
        return None

    @every(cron="0 9 * * *")
    async def daily(self, ctx: Context) -> None:
        return None


async def test_a_started_bot_has_every_job_its_skills_set_up(start_bot: StartBot) -> None:
    app = await start_bot(Early)
    assert app.scheduler is not None and app.scheduling.real is app.scheduler
    ids = {job for job, _ in app.scheduler.pending()}
    assert Early.promised in ids and "early.daily.cron.0" in ids


async def test_a_storage_fault_while_the_scheduler_loads_is_waited_out(
        start_bot: StartBot, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """The adapters are up when the scheduler loads: a full disk then must not end the
    bot. It is said once in the log and tried again until it works."""
    from sqlalchemy.exc import OperationalError

    real_start = Scheduler.start_in_turn
    faults = [OperationalError("INSERT", {}, Exception("database or disk is full"))] * 2

    async def start_in_turn(self: Scheduler) -> None:
        if faults:
            raise faults.pop()
        await real_start(self)

    monkeypatch.setattr(Scheduler, "start_in_turn", start_in_turn)
    app = await start_bot(Early)
    assert faults == []  # both faults met, then it worked
    assert app.scheduler is not None and app.scheduling.real is app.scheduler
    assert Early.promised in {job for job, _ in app.scheduler.pending()}
    said = [r for r in caplog.records if "cannot write the scheduler's job store" in r.message]
    assert len(said) == 1
