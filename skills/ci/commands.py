"""The ci skill's chat side: ``!ci status``, ``!ci ack``, ``!ci mute``, ``!ci stats``, and
the reminders while a branch stays red with nobody on it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from hatbot.skill import (
    Context,
    Credit,
    Figure,
    UsageError,
    command,
    community,
    escape_markup,
    every,
    format_duration,
    recognition,
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
                await ctx.say(channel, escape_markup(
                    f"{row.repo} {row.branch} {row.pipeline} has been red for "
                    f"{format_duration(now - row.since)} and nobody said they are on it. "
                    f"{ctx.prefix}ci ack {row.repo}") + (f" {row.url}" if row.url else ""),
                    choices=[self.ack_choice(ctx, row.repo)])

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

    @command("ci stats", help="Time red per repository and mean time to recovery, 30 days")
    async def stats(self, ctx: Context) -> None:
        rows = await ctx.db.scalars(select(CiChange).order_by(CiChange.at))
        found = state.figures(
            (state.Change(r.repo, r.branch, r.pipeline, r.red, r.at) for r in rows),
            ctx.now(), STATS_WINDOW)
        if not found:
            await ctx.reply("No red builds in the last 30 days.")
            return
        lines = []
        for repo, figures in sorted(found.items()):
            mttr = figures.mean_time_to_recovery
            lines.append(f"{repo}: red for {format_duration(figures.red_time)} in 30 days, "
                         "mean time to recovery "
                         + (format_duration(mttr) if mttr is not None else "n/a"))
        await ctx.reply("\n".join(lines))
