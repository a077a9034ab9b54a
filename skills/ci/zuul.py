"""Zuul has no webhook for periodic jobs: poll its builds API and hand new builds over."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence

import httpx

from bot.context import Context
from skills.ci import builds
from skills.ci.builds import BadPayload, Build
from skills.ci.models import CiCursor

log = logging.getLogger(__name__)

Take = Callable[[Context, str, Build], Awaitable[bool]]


class ZuulPoller:
    def __init__(self, url: str, tenant: str, pipelines: Sequence[str], every: float,
                 projects: Sequence[str], ctx: Context, take: Take) -> None:
        self.url = url.rstrip("/")
        self.tenant = tenant
        self.pipelines = list(pipelines)
        self.every = every
        self.projects = list(projects)
        self._ctx = ctx
        self._take = take
        self._task: asyncio.Task[None] | None = None
        self.polls = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"zuul {self.url}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        failures = 0
        async with httpx.AsyncClient(timeout=30) as client:
            # Bots restarting together should not poll Zuul together.
            await asyncio.sleep(self.every * random.uniform(0.1, 1.0))
            while True:
                try:
                    await self.poll(client)
                    if failures:
                        log.info("zuul: %s answers again", self.url)
                    failures = 0
                except (httpx.HTTPError, ValueError, BadPayload) as exc:
                    failures += 1
                    if failures == 1:  # once, not at every poll of a long outage
                        log.warning("zuul: polling %s failed (%s); backing off", self.url, exc)
                # Jittered, and longer while Zuul fails (up to 8 times the interval).
                delay = self.every * min(2 ** failures, 8) * random.uniform(0.8, 1.2)
                await asyncio.sleep(delay)

    async def poll(self, client: httpx.AsyncClient) -> None:
        """One round: every watched project in every pipeline; new builds oldest first."""
        self.polls += 1
        ctx = Context(self._ctx.runtime, "ci")
        try:
            for project in self.projects:
                for pipeline in self.pipelines:
                    await self._poll_one(client, ctx, project, pipeline)
        finally:
            await ctx.close()

    async def _poll_one(self, client: httpx.AsyncClient, ctx: Context, project: str,
                        pipeline: str) -> None:
        response = await client.get(f"{self.url}/api/tenant/{self.tenant}/builds",
                                    params={"project": project, "pipeline": pipeline,
                                            "limit": 20})
        response.raise_for_status()
        records = response.json()
        if not isinstance(records, list):
            raise BadPayload("the builds API did not answer a list")
        source = f"{self.url}|{self.tenant}|{project}|{pipeline}"
        cursor = await ctx.db.get(CiCursor, source)
        finished = sorted((r for r in records if r.get("end_time") and r.get("result")),
                          key=lambda r: str(r["end_time"]))
        if cursor is None:
            finished = finished[-1:]  # first look: the newest build sets the state
        else:
            finished = [r for r in finished if str(r["end_time"]) > cursor.value]
        for record in finished:
            await self._take(ctx, f"zuul:{record.get('uuid')}", builds.zuul(record))
            row = await ctx.db.get(CiCursor, source) or CiCursor(source=source)
            row.value = str(record["end_time"])
            ctx.db.add(row)
            await ctx.commit()

