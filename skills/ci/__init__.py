"""CI-breakage pings: GitHub, GitLab and Jenkins webhooks and Zuul polling turn into one
post when a watched branch breaks, reminders while nobody is on it, and one post when
it recovers."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import Field, SecretStr
from sqlalchemy import select

from bot.context import Context
from bot.events import Address, Person
from bot.skill import (
    AddressText,
    Markup,
    Skill,
    SkillConfig,
    UsageError,
    command,
    escape_markup,
    every,
    format_duration,
    mention,
    route,
    shorten,
)
from skills.ci import builds
from skills.ci.builds import FAILURE, IGNORED, BadPayload, Build
from skills.ci.models import CiChange, CiDelivery, CiMute, CiPipeline
from skills.ci.zuul import ZuulPoller

log = logging.getLogger(__name__)
BATCH = 200  # deliveries in one transaction at the most
LONGEST_MUTE = timedelta(days=7)  # a longer silence is a config change: remove the watch


class Watch(SkillConfig):
    repo: str = Field(min_length=1)
    branches: list[str] = ["main", "master"]
    channels: list[AddressText] = []


class ZuulSource(SkillConfig):
    url: str
    tenant: str
    pipelines: list[str] = ["periodic"]
    poll_seconds: int = Field(default=300, ge=10)


class CiConfig(SkillConfig):
    github_secret: SecretStr = SecretStr("")
    gitlab_token: SecretStr = SecretStr("")
    jenkins_token: SecretStr = SecretStr("")
    watch: list[Watch] = []
    people: dict[str, AddressText] = {}
    zuul: list[ZuulSource] = []
    remind_hours: float = Field(default=6.0, gt=0)


def _bytes(header: str) -> bytes:
    # Headers arrive as Latin-1 text, undecodable bytes as surrogates: back to the bytes.
    return header.encode("utf-8", "surrogateescape")


def _same(given: str | None, expected: SecretStr) -> bool:
    secret = expected.get_secret_value()
    return bool(secret) and given is not None and hmac.compare_digest(_bytes(given),
                                                                       secret.encode())


def github_signature_ok(body: bytes, header: str | None, secret: SecretStr) -> bool:
    """``X-Hub-Signature-256``: HMAC-SHA256 of the raw body, compared in constant time."""
    key = secret.get_secret_value()
    if not key or not header:
        return False
    digest = "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(digest.encode(), _bytes(header))


class Ci(Skill[CiConfig]):
    name = "ci"
    config_model = CiConfig
    migrations = Path(__file__).with_name("migrations")

    def __init__(self, config: CiConfig) -> None:
        super().__init__(config)
        self._inbox: asyncio.Queue[tuple[str, Build, asyncio.Future[bool]]] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._pollers: list[ZuulPoller] = []
        self._mutes: dict[str, datetime] = {}  # kept in memory too: every delivery asks

    def reconfigure(self, config: CiConfig) -> list[str]:
        # The Zuul pollers run from start to stop; everything else is read as it is used.
        later = ["skills.ci.zuul"] if config.zuul != self.config.zuul else []
        self.config = config.model_copy(update={"zuul": self.config.zuul})
        return later

    async def setup(self, ctx: Context) -> None:
        for mute in await ctx.db.scalars(select(CiMute)):
            self._mutes[mute.repo] = mute.until
        for source in self.config.zuul:
            poller = ZuulPoller(source.url, source.tenant, source.pipelines, source.poll_seconds,
                                [w.repo for w in self.config.watch], self.take)
            ctx.spawn(poller.run, name=f"zuul {source.url}")  # the core stops it at shutdown
            self._pollers.append(poller)

    # --- webhooks ---------------------------------------------------------------------

    @route("POST", "/hooks/github")
    async def github(self, ctx: Context, request: web.Request) -> web.Response:
        body = await request.read()
        if not github_signature_ok(body, request.headers.get("X-Hub-Signature-256"),
                                   self.config.github_secret):
            return _error(401, "bad or missing X-Hub-Signature-256")
        event = request.headers.get("X-GitHub-Event", "")
        if event == "ping":  # sent when a hook is made, for a repository or a whole org
            return web.json_response({"status": "pong"})
        # Deliveries are told apart by what GitHub signed: the delivery id header is not
        # signed, so a captured body replayed under a new id must change nothing.
        return await self._receive(ctx, body, lambda data: builds.github(event, data))

    @route("POST", "/hooks/gitlab")
    async def gitlab(self, ctx: Context, request: web.Request) -> web.Response:
        body = await request.read()
        if not _same(request.headers.get("X-Gitlab-Token"), self.config.gitlab_token):
            return _error(401, "bad or missing X-Gitlab-Token")
        return await self._receive(ctx, body, builds.gitlab)

    @route("POST", "/hooks/jenkins")
    async def jenkins(self, ctx: Context, request: web.Request) -> web.Response:
        body = await request.read()
        if not _same(request.headers.get("X-Hatbot-Token"), self.config.jenkins_token):
            return _error(401, "bad or missing X-Hatbot-Token")
        return await self._receive(ctx, body, builds.jenkins)

    async def _receive(self, ctx: Context, body: bytes,
                       parse: Callable[[dict[str, Any]], Build | None]) -> web.Response:
        try:
            build = builds.read(body, parse)
        except BadPayload as exc:
            log.warning("ci: refused a malformed webhook body: %s", shorten(str(exc), 200))
            return _error(400, f"malformed payload: {shorten(str(exc), 200)}")
        if build is None or build.outcome == IGNORED:
            return web.json_response({"status": "ignored"}, status=202)
        if not self.channels_for(build):
            return web.json_response({"status": "not watched"}, status=202)
        # A delivery is its body: a redelivery or a replay of the same body is one event.
        taken = await self.take(ctx, hashlib.sha256(body).hexdigest(), build)
        return web.json_response({"status": "ok" if taken else "duplicate"})

    def channels_for(self, build: Build) -> list[Address]:
        found: list[Address] = []
        for watch in self.config.watch:
            if watch.repo == build.repo and (not build.branch or build.branch in watch.branches):
                found += [Address.parse(c) for c in watch.channels if Address.parse(c) not in found]
        return found

    async def take(self, ctx: Context, delivery: str, build: Build) -> bool:
        """Record the delivery and the pipeline's new state, then post; returns once it is
        committed (False for a delivery already taken).

        Deliveries go through one writer, in arrival order, which keeps each
        repository's changes in order. The writer takes whatever has queued up as one
        batch: one transaction for many deliveries, since SQLite has one writer and
        every round trip to it costs more than the work itself."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._inbox.put_nowait((delivery, build, done))
        if self._writer is None or self._writer.done():
            self._writer = ctx.spawn(self._write, name="writer")
        return await done

    async def _write(self, ctx: Context) -> None:
        """The writer loop, a background task with a context of its own."""
        while True:
            batch = [await self._inbox.get()]
            while not self._inbox.empty() and len(batch) < BATCH:
                batch.append(self._inbox.get_nowait())
            try:
                taken, news = await self._record(ctx, [(d, b) for d, b, _ in batch])
                for build, text in news:
                    for channel in self.channels_for(build):
                        await ctx.say(channel, text)
            except Exception as exc:
                log.exception("ci: recording %d deliveries failed", len(batch))
                await ctx.close(failed=True)
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            await ctx.close()
            for (_, _, done), result in zip(batch, taken, strict=True):
                if not done.done():
                    done.set_result(result)

    async def _record(self, ctx: Context, batch: list[tuple[str, Build]]
                      ) -> tuple[list[bool], list[tuple[Build, str]]]:
        """One transaction for the batch: deliveries, pipeline states, changes."""
        ids = [delivery for delivery, _ in batch]
        seen = set(await ctx.db.scalars(select(CiDelivery.id).where(CiDelivery.id.in_(ids))))
        repos = {build.repo for _, build in batch}
        rows = {(r.repo, r.branch, r.pipeline): r for r in await ctx.db.scalars(
            select(CiPipeline).where(CiPipeline.repo.in_(repos)))}
        taken: list[bool] = []
        news: list[tuple[Build, str]] = []
        for delivery, build in batch:
            if delivery in seen:
                taken.append(False)
                continue
            seen.add(delivery)
            taken.append(True)
            ctx.db.add(CiDelivery(id=delivery, received_at=ctx.now()))
            key = (build.repo, build.branch, build.pipeline)
            if key not in rows:
                rows[key] = CiPipeline(repo=build.repo, branch=build.branch,
                                       pipeline=build.pipeline, red=False, since=ctx.now(),
                                       sha="", url="")
                ctx.db.add(rows[key])
            text = self._change(ctx, rows[key], build)
            if text and not self._muted(ctx, build.repo):
                news.append((build, text))
        await ctx.commit()  # recorded before anyone is told, or answered 2xx
        return taken, news

    def _change(self, ctx: Context, row: CiPipeline, build: Build) -> str:
        """Apply one build to its pipeline's state; the post it calls for, if any."""
        now = ctx.now()
        red = build.outcome == FAILURE
        if row.red == red:
            return ""  # still green, or still red: the reminders speak for a red one
        red_for = now - row.since
        row.red, row.since, row.sha, row.url = red, now, build.sha, build.url
        row.acked_by = row.reminded_at = None
        ctx.db.add(CiChange(repo=build.repo, branch=build.branch, pipeline=build.pipeline,
                            red=red, at=now))
        where = Markup(f"**{escape_markup(build.repo)}** {escape_markup(build.branch)}")
        if red:
            who = self._who(build.who)
            return (Markup(f"CI is red on {where}: {escape_markup(build.pipeline)} failed at "
                           f"`{build.sha[:7]}`")
                    + (Markup(f", by {who}") if who else "")
                    + (f" {build.url}" if build.url else "")
                    + f". Say {ctx.prefix}ci ack {build.repo} if you are on it.")
        thanks = self._who(build.who[:1])
        return (Markup(f"{where} {escape_markup(build.pipeline)} recovered after ")
                + format_duration(red_for) + (Markup(f", thanks to {thanks}") if thanks else "")
                + ".")

    def _who(self, logins: tuple[str, ...]) -> Markup:
        """People as chat mentions where ``[skills.ci.people]`` knows them."""
        names = []
        for login in logins:
            address = self.config.people.get(login)
            names.append(mention(Person(Address.parse(address), login)) if address
                         else escape_markup(login))
        return Markup(", ").join(names)

    def _muted(self, ctx: Context, repo: str) -> bool:
        until = self._mutes.get(repo)
        return until is not None and until > ctx.now()

    # --- reminders --------------------------------------------------------------------

    @every(cron="*/15 * * * *")
    async def remind(self, ctx: Context) -> None:
        """A branch red for ``remind_hours`` that nobody acknowledged gets a reminder, and
        another every ``remind_hours`` after that."""
        now = ctx.now()
        wait = timedelta(hours=self.config.remind_hours)
        for row in await ctx.db.scalars(select(CiPipeline).where(CiPipeline.red.is_(True))):
            last = row.reminded_at or row.since
            if row.acked_by or now - last < wait or self._muted(ctx, row.repo):
                continue
            row.reminded_at = now
            build = Build(row.repo, row.branch, row.pipeline, FAILURE, row.sha, row.url, ())
            for channel in self.channels_for(build):
                await ctx.say(channel, escape_markup(
                    f"{row.repo} {row.branch} {row.pipeline} has been red for "
                    f"{format_duration(now - row.since)} and nobody said they are on it. "
                    f"{ctx.prefix}ci ack {row.repo}") + (f" {row.url}" if row.url else ""))

    # --- commands ---------------------------------------------------------------------

    @command("ci status", args="[REPO]", help="What is red, since when, and who is on it",
             examples=["ci status", "ci status openstack/nova"])
    async def status(self, ctx: Context, repo: str = "") -> None:
        query = select(CiPipeline).where(CiPipeline.red.is_(True))
        if repo:
            query = query.where(CiPipeline.repo == repo)
        rows = list(await ctx.db.scalars(query.order_by(CiPipeline.since)))
        if not rows:
            if not self.config.watch:
                await ctx.reply("No repository is watched: add [[skills.ci.watch]] tables "
                                "(repo, branches, channels) to the configuration.")
            elif repo and repo not in {w.repo for w in self.config.watch}:
                await ctx.reply(f"{repo} is not watched here.")
            else:
                await ctx.reply(f"All green{' for ' + repo if repo else ''}.")
            return
        now = ctx.now()
        await ctx.reply("\n".join(
            f"{r.repo} {r.branch} {r.pipeline}: red for {format_duration(now - r.since)}"
            + (f", {r.acked_by} is on it" if r.acked_by else ", nobody on it yet") for r in rows))

    @command("ci ack", args="REPO", help="Say you are fixing a red repository",
             examples=["ci ack openstack/nova"])
    async def ack(self, ctx: Context, repo: str) -> None:
        rows = list(await ctx.db.scalars(select(CiPipeline).where(
            CiPipeline.repo == repo, CiPipeline.red.is_(True))))
        if not rows:
            await ctx.reply(f"{repo} is not red.")
            return
        for row in rows:
            row.acked_by = ctx.sender.name
        await ctx.reply(escape_markup(f"{ctx.sender.name} is on it: {repo}. No more reminders."))

    @command("ci mute", args="REPO DURATION", help="No CI posts for a repository for a while",
             examples=["ci mute openstack/nova 2h"])
    async def mute(self, ctx: Context, repo: str, duration: timedelta) -> None:
        watch = next((w for w in self.config.watch if w.repo == repo), None)
        if watch is None:
            watched = ", ".join(w.repo for w in self.config.watch) or "none"
            await ctx.reply(escape_markup(f"{repo} is not watched here (watched: {watched})."))
            return
        if not ctx.is_admin() and str(ctx.channel) not in watch.channels:
            # Watchers are the people of the channels that get the repository's posts.
            await ctx.reply(escape_markup(f"Only an admin, or someone in a channel that gets "
                                          f"{repo}'s posts, can mute it."))
            return
        if duration > LONGEST_MUTE:
            raise UsageError(f"DURATION: at most {format_duration(LONGEST_MUTE)}")
        row = await ctx.db.get(CiMute, repo) or CiMute(repo=repo)
        row.until = ctx.now() + duration
        ctx.db.add(row)
        self._mutes[repo] = row.until
        await ctx.reply(escape_markup(f"{repo} is muted for {format_duration(duration)}."))

    @command("ci stats", help="Time red per repository and mean time to recovery, 30 days")
    async def stats(self, ctx: Context) -> None:
        now = ctx.now()
        start = now - timedelta(days=30)
        changes = list(await ctx.db.scalars(select(CiChange).order_by(CiChange.at)))
        red_time: dict[str, timedelta] = {}
        recoveries: dict[str, list[timedelta]] = {}
        opened: dict[tuple[str, str, str], Any] = {}
        for change in changes:
            key = (change.repo, change.branch, change.pipeline)
            if change.red:
                opened[key] = change.at
            elif key in opened:
                began = opened.pop(key)
                recoveries.setdefault(change.repo, []).append(change.at - began)
                red_time[change.repo] = red_time.get(change.repo, timedelta()) + (
                    change.at - max(began, start) if change.at > start else timedelta())
        for (repo, _, _), began in opened.items():
            red_time[repo] = red_time.get(repo, timedelta()) + now - max(began, start)
        if not red_time and not recoveries:
            await ctx.reply("No red builds in the last 30 days.")
            return
        lines = []
        for repo in sorted(set(red_time) | set(recoveries)):
            fixes = recoveries.get(repo, [])
            mttr = format_duration(sum(fixes, timedelta()) / len(fixes)) if fixes else "n/a"
            red = format_duration(red_time.get(repo, timedelta()))
            lines.append(f"{repo}: red for {red} in 30 days, mean time to recovery {mttr}")
        await ctx.reply("\n".join(lines))


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)

