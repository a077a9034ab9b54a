"""Zuul has no webhook for periodic jobs: poll its builds API and hand new builds over."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from hatbot.skill import Backoff, Context
from hatbot.skills.ci import builds
from hatbot.skills.ci.builds import BadPayload, Build
from hatbot.skills.ci.models import CiCursor

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

Take = Callable[[Context, str, Build], Awaitable[bool]]


class ZuulPoller:
    """Runs as the ci skill's background task (``ctx.spawn(poller.run, …)``)."""

    def __init__(self, url: str, tenant: str, pipelines: Sequence[str], every: float,
                 projects: Sequence[str], take: Take) -> None:
        self.url = url.rstrip("/")
        self.tenant = tenant
        self.pipelines = list(pipelines)
        self.every = every
        self.projects = list(projects)
        self._take = take
        self.polls = 0

    async def run(self, ctx: Context) -> None:
        import httpx  # only a bot that polls Zuul needs it

        # While Zuul fails, wait longer: from twice the interval up to eight times.
        backoff = Backoff(initial=2 * self.every, cap=8 * self.every)
        async with httpx.AsyncClient(timeout=30) as client:
            # Bots restarting together should not poll Zuul together.
            await asyncio.sleep(self.every * random.uniform(0.1, 1.0))
            while True:
                try:
                    await self.poll(client, ctx)
                    if backoff.attempts:
                        log.info("zuul: %s answers again", self.url)
                    backoff.reset()
                    delay = self.every * random.uniform(0.8, 1.2)
                except (httpx.HTTPError, ValueError, BadPayload) as exc:
                    if not backoff.attempts:  # once, not at every poll of a long outage
                        log.warning("zuul: polling %s failed (%s); backing off", self.url, exc)
                    delay = backoff.next()
                await asyncio.sleep(delay)

    async def poll(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """One round: every watched project in every pipeline; new builds oldest first."""
        self.polls += 1
        try:
            for project in self.projects:
                for pipeline in self.pipelines:
                    await self._poll_one(client, ctx, project, pipeline)
        except BaseException:
            await ctx.close(failed=True)
            raise
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

