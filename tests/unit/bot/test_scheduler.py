import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hatbot.context import Context
from hatbot.scheduler import Scheduler
from hatbot.skill import Skill, SkillConfig, every
from hatbot.storage.db import upgrade
from tests.conftest import StartBot, database_url


async def test_one_off_job_fires_with_its_arguments(tmp_path: Path) -> None:
    url = database_url(tmp_path)
    upgrade(url)
    fired: asyncio.Queue[tuple[str, str, dict[str, Any]]] = asyncio.Queue()

    async def runner(skill: str, job: str, kwargs: dict[str, Any]) -> None:
        await fired.put((skill, job, kwargs))

    scheduler = Scheduler(url, runner)
    scheduler.start()
    scheduler.resume()
    try:
        soon = datetime.now(UTC) + timedelta(milliseconds=200)
        job_id = await scheduler.once("remind", "deliver", soon, {"text": "hi"})
        assert [j for j, _ in scheduler.pending()] == [job_id]
        assert await asyncio.wait_for(fired.get(), 10) == ("remind", "deliver", {"text": "hi"})
    finally:
        scheduler.shutdown()


async def test_cancelled_job_does_not_fire(tmp_path: Path) -> None:
    url = database_url(tmp_path)
    upgrade(url)

    async def runner(skill: str, job: str, kwargs: dict[str, Any]) -> None:
        raise AssertionError("cancelled job fired")

    scheduler = Scheduler(url, runner)
    scheduler.start()
    try:
        job_id = await scheduler.once("s", "j", datetime.now(UTC) + timedelta(hours=1), {})
        await scheduler.cancel(job_id)
        assert scheduler.pending() == []
    finally:
        scheduler.shutdown()


async def test_recurring_schedules_persist_and_keep_their_next_run(tmp_path: Path) -> None:
    url = database_url(tmp_path)
    upgrade(url)

    async def runner(skill: str, job: str, kwargs: dict[str, Any]) -> None: ...

    entries = [{"channel": "irc:#a", "cron": "0 9 * * MON"},
               {"channel": "irc:#b", "cron": "30 17 * * FRI"}]
    first = Scheduler(url, runner)
    first.start()
    first.recurring("hat", "remind", entries)
    before = first.pending()
    first.shutdown()

    second = Scheduler(url, runner)
    second.start()
    try:
        assert second.pending() == before  # stored, not recomputed
        second.recurring("hat", "remind", entries[:1])
        (only,) = second.pending()
        assert only[0] == "hat.remind.cron.0"
        assert only[1] is not None and only[1].weekday() == 0 and only[1].hour == 9
    finally:
        second.shutdown()


class Weekly(Skill[SkillConfig]):
    name = "weekly"

    @every(cron="0 9 * * MON")
    async def digest(self, ctx: Context) -> None: ...


async def test_every_decorator_registers_a_stored_schedule(start_bot: StartBot) -> None:
    app = await start_bot(Weekly)
    assert "weekly.digest.cron.0" in [job for job, _ in app.scheduler.pending()]


async def test_jobs_survive_a_new_spelling_of_the_database_path(tmp_path: Path) -> None:
    """``data_dir = "data"`` then ``"./data"``: one database, so the same jobs."""
    fired: list[tuple[str, str, dict[str, Any]]] = []

    async def runner(skill: str, job: str, kwargs: dict[str, Any]) -> None:
        fired.append((skill, job, kwargs))

    first_url, second_url = f"sqlite:///{tmp_path}/h.db", f"sqlite:///{tmp_path}/./h.db"
    upgrade(first_url)
    first = Scheduler(first_url, runner)
    first.start()
    job_id = await first.once("remind", "deliver", datetime.now(UTC) + timedelta(hours=1),
                              {"text": "still here"})
    first.shutdown()

    second = Scheduler(second_url, runner)
    second.start()
    try:
        await second.run_now(job_id)
    finally:
        second.shutdown()
    assert fired == [("remind", "deliver", {"text": "still here"})]


async def test_job_store_writes_wait_for_the_write_turn_and_never_block_the_loop(
        tmp_path: Path) -> None:
    """While a session holds SQLite's write turn, adding a job and firing a due one (which
    removes it from the store) wait for the turn on the event loop instead of blocking it
    in SQLite's busy handler: the bot froze for a minute at a time before."""
    from hatbot.storage.db import async_engine, sessions
    from hatbot.storage.kv import KeyValue

    url = f"sqlite:///{tmp_path}/h.db"
    upgrade(url)
    fired: asyncio.Queue[str] = asyncio.Queue()

    async def runner(skill: str, job: str, kwargs: dict[str, Any]) -> None:
        await fired.put(kwargs["text"])

    turn = asyncio.Lock()
    engine = async_engine(url)
    make = sessions(engine, turn)
    scheduler = Scheduler(url, runner, turn=turn)
    scheduler.start()
    scheduler.resume()
    try:
        await scheduler.once("s", "j", datetime.now(UTC) + timedelta(milliseconds=300),
                             {"text": "due while the turn is held"})
        async with make() as holder:
            holder.add(KeyValue(namespace="t", key="k", value="v"))
            await holder.flush()  # holds the write turn
            adding = asyncio.create_task(scheduler.once(
                "s", "j", datetime.now(UTC) + timedelta(hours=1), {"text": "later"}))
            for _ in range(10):  # a second of loop turns, each on time
                started = asyncio.get_running_loop().time()
                await asyncio.sleep(0.1)
                assert asyncio.get_running_loop().time() - started < 0.5
            assert not adding.done() and fired.empty()
            await holder.commit()
        await asyncio.wait_for(adding, 10)
        assert await asyncio.wait_for(fired.get(), 10) == "due while the turn is held"
        assert len(scheduler.pending()) == 1
    finally:
        scheduler.shutdown()
        await engine.dispose()
