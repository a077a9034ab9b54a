"""The ci skill's chat side: ``!ci status``, ``!ci ack``, ``!ci mute``, ``!ci stats``, and
the reminders while a branch stays red with nobody on it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from hatbot.skill import (
    N_,
    Context,
    Credit,
    Figure,
    UsageError,
    command,
    community,
    every,
    format_duration,
    recognition,
    tr,
)
from hatbot.skills.ci import state
from hatbot.skills.ci.base import CiBase
from hatbot.skills.ci.builds import FAILURE, Build
from hatbot.skills.ci.models import CiChange, CiMute, CiPipeline

LONGEST_MUTE = timedelta(days=7)  # a longer silence is a config change: remove the watch
STATS_WINDOW = timedelta(days=30)


class Commands(CiBase):
    @every(cron="*/15 * * * *")
    async def remind(self, ctx: Context) -> None:
        """A branch red for ``remind_hours`` that nobody acknowledged gets a reminder, and
        another every ``remind_hours`` after that."""
        now = ctx.now()
        wait = timedelta(hours=self.config.remind_hours)
        for row in await ctx.db.scalars(select(CiPipeline).where(CiPipeline.red.is_(True))):
            if not state.reminder_due(row, now, wait, self.muted(ctx, row.repo)):
                continue
            row.reminded_at = now
            build = Build(row.repo, row.branch, row.pipeline, FAILURE, row.sha, row.url, ())
            for channel in self.channels_for(build):
                await ctx.say(channel, tr(
                    "{repo} {branch} {pipeline} has been red for {duration} and nobody said "
                    "they are on it. {command}{url}", repo=row.repo, branch=row.branch,
                    pipeline=row.pipeline, duration=format_duration(now - row.since),
                    command=f"{ctx.prefix}ci ack {row.repo}",
                    url=f" {row.url}" if row.url else ""),
                    choices=[self.ack_choice(ctx, row.repo)])

    @command("ci status", args="[REPO]", help=N_("What is red, since when, and who is on it"),
             examples=["ci status", "ci status openstack/nova"])
    async def status(self, ctx: Context, repo: str = "") -> None:
        query = select(CiPipeline).where(CiPipeline.red.is_(True))
        if repo:
            query = query.where(CiPipeline.repo == repo)
        rows = list(await ctx.db.scalars(query.order_by(CiPipeline.since)))
        if not rows:
            if not self.config.watch:
                await ctx.reply(tr("No repository is watched: add [[skills.ci.watch]] "
                                   "tables (repo, branches, channels) to the configuration."))
            elif repo and repo not in {w.repo for w in self.config.watch}:
                await ctx.reply(tr("{repo} is not watched here.", repo=repo))
            else:
                await ctx.reply(tr("All green for {repo}.", repo=repo) if repo
                                else tr("All green."))
            return
        now = ctx.now()
        await ctx.reply("\n".join(
            (ctx._("{repo} {branch} {pipeline}: red for {duration}, {name} is on it")
             if r.acked_by else
             ctx._("{repo} {branch} {pipeline}: red for {duration}, nobody on it yet")).format(
                repo=r.repo, branch=r.branch, pipeline=r.pipeline,
                duration=format_duration(now - r.since), name=r.acked_by) for r in rows))

    @command("ci ack", args="REPO", help=N_("Say you are fixing a red repository"),
             examples=["ci ack openstack/nova"])
    async def ack(self, ctx: Context, repo: str) -> None:
        rows = list(await ctx.db.scalars(select(CiPipeline).where(
            CiPipeline.repo == repo, CiPipeline.red.is_(True))))
        if not rows:
            await ctx.reply(tr("{repo} is not red.", repo=repo))
            return
        for row in rows:
            row.acked_by = ctx.sender.name
        await ctx.reply(tr("{name} is on it: {repo}. No more reminders.", name=ctx.sender.name,
                           repo=repo))

    @command("ci mute", args="REPO DURATION", help=N_("No CI posts for a repository for a while"),
             examples=["ci mute openstack/nova 2h"])
    async def mute(self, ctx: Context, repo: str, duration: timedelta) -> None:
        watch = next((w for w in self.config.watch if w.repo == repo), None)
        if watch is None:
            watched = ", ".join(w.repo for w in self.config.watch) or ctx._("none")
            await ctx.reply(tr("{repo} is not watched here (watched: {watched}).", repo=repo,
                               watched=watched))
            return
        if not ctx.is_admin() and str(ctx.channel) not in watch.channels:
            # Watchers are the people of the channels that get the repository's posts.
            await ctx.reply(tr("Only an admin, or someone in a channel that gets {repo}'s "
                               "posts, can mute it.", repo=repo))
            return
        if duration > LONGEST_MUTE:
            raise UsageError(tr("DURATION: at most {most}", most=format_duration(LONGEST_MUTE)))
        row = await ctx.db.get(CiMute, repo) or CiMute(repo=repo)
        row.until = ctx.now() + duration
        ctx.db.add(row)
        self._mutes[repo] = row.until
        await ctx.reply(tr("{repo} is muted for {duration}.", repo=repo,
                           duration=format_duration(duration)))

    @community
    async def figures(self, ctx: Context, since: datetime) -> list[Figure]:
        rows = await ctx.db.scalars(select(CiChange).order_by(CiChange.at))
        found = state.figures(
            (state.Change(r.repo, r.branch, r.pipeline, r.red, r.at) for r in rows),
            ctx.now(), ctx.now() - since)
        recoveries = [spell for repo in found.values() for spell in repo.recoveries]
        mean = sum(recoveries, timedelta()) / len(recoveries) if recoveries else None
        return [
            Figure("red_hours", "CI time red", "Hours a watched branch's pipeline was red, "
                   "per repository", round(sum(f.red_time.total_seconds()
                                                for f in found.values()) / 3600, 1), "h",
                   rows=[(repo, round(f.red_time.total_seconds() / 3600, 1))
                         for repo, f in sorted(found.items())]),
            Figure("recovery_hours", "Mean time to recovery", "From red to green again, on "
                   "average over the recoveries in the period, in hours",
                   None if mean is None else round(mean.total_seconds() / 3600, 1), "h",
                   rows=[(repo, round(f.mean_time_to_recovery.total_seconds() / 3600, 1))
                         for repo, f in sorted(found.items())
                         if f.mean_time_to_recovery is not None]),
        ]

    @recognition
    async def credits(self, ctx: Context, since: datetime) -> list[Credit]:
        """CI breaks fixed, by who had said ``!ci ack`` ("I'm on it") when it went green."""
        rows = await ctx.db.execute(select(CiChange.fixed_by, func.count()).where(
            CiChange.at >= since, CiChange.fixed_by.is_not(None)).group_by(CiChange.fixed_by))
        return [Credit(name, "ci_recoveries", "CI breaks fixed", n)
                for name, n in rows if name]

    @command("ci stats", help=N_("Time red per repository and mean time to recovery, 30 days"))
    async def stats(self, ctx: Context) -> None:
        rows = await ctx.db.scalars(select(CiChange).order_by(CiChange.at))
        found = state.figures(
            (state.Change(r.repo, r.branch, r.pipeline, r.red, r.at) for r in rows),
            ctx.now(), STATS_WINDOW)
        if not found:
            await ctx.reply(tr("No red builds in the last 30 days."))
            return
        lines = []
        for repo, figures in sorted(found.items()):
            mttr = figures.mean_time_to_recovery
            lines.append(ctx._("{repo}: red for {duration} in 30 days, mean time to recovery "
                               "{mttr}").format(
                repo=repo, duration=format_duration(figures.red_time),
                mttr=format_duration(mttr) if mttr is not None else "n/a"))
        await ctx.reply("\n".join(lines))
