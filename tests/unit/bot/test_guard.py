"""One guard for everything a skill runs: commands, listeners, jobs, setup, HTTP routes and
background tasks are each logged with a traceback, counted, timed and rolled back alike."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
from aiohttp import web
from sqlalchemy import text

from hatbot.skill import Context, Skill, SkillConfig, every, route
from tests.conftest import StartBot, paused


async def write_then_fail(ctx: Context, key: str) -> None:
    await ctx.db.execute(text("insert into kv (namespace, key, value) values ('boom', :k, 'x')"),
                         {"k": key})
    raise RuntimeError(f"{key} broke")


class Boom(Skill[SkillConfig]):
    name = "boom"

    async def setup(self, ctx: Context) -> None:
        self.background = ctx.spawn(lambda c: write_then_fail(c, "task"), name="loop")
        await write_then_fail(ctx, "setup")

    @every(cron="0 9 * * *")
    async def daily(self, ctx: Context) -> None:
        await write_then_fail(ctx, "job")

    @route("POST", "/boom")
    async def hook(self, ctx: Context, request: web.Request) -> web.Response:
        if request.query.get("missing"):
            raise web.HTTPNotFound(text="no such thing")
        await write_then_fail(ctx, "route")
        return web.Response(text="unreachable")


def errors(app: Any) -> float:
    value: float = app.metrics.handler_errors["boom"]
    return value


async def kept(app: Any) -> list[str]:
    async with app.sessions() as session:
        rows = await session.execute(text("select key from kv where namespace = 'boom'"))
        return [row[0] for row in rows]


async def test_every_kind_of_skill_code_runs_behind_the_guard(
        start_bot: StartBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    app = paused(await start_bot(Boom, raw={"web": {"enabled": True, "port": 0}}))
    skill = app.skills["boom"]
    await asyncio.wait_for(asyncio.shield(skill.background), 10)  # type: ignore[attr-defined]
    assert errors(app) == 2  # setup and the background task

    (job_id,) = [j for j, _ in app.scheduler.pending() if j.startswith("boom.daily")]
    await app.scheduler.run_now(job_id)
    assert errors(app) == 3

    async with httpx.AsyncClient() as client:
        base = f"http://127.0.0.1:{app.web.port}/boom"
        failed = await client.post(base)
        assert failed.status_code == 500 and failed.json() == {"error": "internal error"}
        missing = await client.post(base + "?missing=1")
        assert missing.status_code == 404 and missing.text == "no such thing"
    assert errors(app) == 4  # an HTTP answer is not a failure
    assert await kept(app) == []  # every one of them rolled back
    logged = [r for r in caplog.records if r.exc_info and "boom" in r.getMessage()]
    assert {str(r.exc_info[1]) for r in logged if r.exc_info} == {
        "setup broke", "task broke", "job broke", "route broke"}
    assert app.metrics.handler_seconds["boom"].sum > 0


class Forever(Skill[SkillConfig]):
    name = "forever"
    stopped: asyncio.Event

    async def setup(self, ctx: Context) -> None:
        type(self).stopped = asyncio.Event()
        ctx.spawn(self.loop, name="forever")

    async def loop(self, ctx: Context) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            type(self).stopped.set()


async def test_background_tasks_are_cancelled_when_the_bot_stops(start_bot: StartBot) -> None:
    app = await start_bot(Forever)
    await asyncio.sleep(0)
    assert not Forever.stopped.is_set()
    await app.stop()
    assert Forever.stopped.is_set()
