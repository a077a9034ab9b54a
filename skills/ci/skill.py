"""CI-breakage pings: GitHub, GitLab and Jenkins webhooks and Zuul polling turn into one
post when a watched branch breaks, reminders while nobody is on it, and one post when
it recovers.

The parts: ``auth`` (signatures and tokens), ``builds`` (payloads into builds),
``webhooks`` (the HTTP side), ``zuul`` (polling), ``state`` (the red/green machine and
the figures, no I/O), ``commands`` (the chat side and reminders), ``models`` (the
tables). Deliveries are recorded through one ``BatchWriter``: many in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from hatbot.skill import (
    N_,
    Address,
    BatchWriter,
    Choice,
    Context,
    Markup,
    Person,
    escape_markup,
    format_duration,
    mention,
)
from hatbot.skills.ci import state
from hatbot.skills.ci.auth import github_signature_ok
from hatbot.skills.ci.builds import FAILURE, Build
from hatbot.skills.ci.commands import Commands
from hatbot.skills.ci.models import CiChange, CiDelivery, CiMute, CiPipeline
from hatbot.skills.ci.settings import CiConfig, Watch, ZuulSource
from hatbot.skills.ci.webhooks import Webhooks
from hatbot.skills.ci.zuul import ZuulPoller

__all__ = ["Ci", "CiConfig", "Watch", "ZuulSource", "github_signature_ok"]


@dataclass
class Recorded:
    """One delivery, committed: whether it was new, and what its handler is to post."""

    taken: bool
    posts: list[tuple[Address, str, list[Choice]]] = field(default_factory=list)


class Ci(Webhooks, Commands):
    migrations = Path(__file__).with_name("migrations")

    def __init__(self, config: CiConfig) -> None:
        super().__init__(config)
        self._writer: BatchWriter[tuple[str, Build], Recorded] = BatchWriter(
            self._record, name="ci writer")
        self._pollers: list[ZuulPoller] = []

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

    async def take(self, ctx: Context, delivery: str, build: Build) -> bool:
        """Record the delivery and the pipeline's new state, then post; returns once it is
        committed (False for a delivery already taken)."""
        recorded = await self._writer.take(ctx, (delivery, build))
        for channel, text, choices in recorded.posts:
            await ctx.say(channel, text, choices=choices)
        return recorded.taken

    async def _record(self, ctx: Context, batch: list[tuple[str, Build]]) -> list[Recorded]:
        """One transaction for the batch (deliveries, pipeline states, changes): for each
        delivery, whether it was new and what to post about it."""
        ids = [delivery for delivery, _ in batch]
        seen = set(await ctx.db.scalars(select(CiDelivery.id).where(CiDelivery.id.in_(ids))))
        repos = {build.repo for _, build in batch}
        rows = {(r.repo, r.branch, r.pipeline): r for r in await ctx.db.scalars(
            select(CiPipeline).where(CiPipeline.repo.in_(repos)))}
        recorded: list[Recorded] = []
        for delivery, build in batch:
            if delivery in seen:
                recorded.append(Recorded(taken=False))
                continue
            seen.add(delivery)
            recorded.append(Recorded(taken=True))
            ctx.db.add(CiDelivery(id=delivery, received_at=ctx.now()))
            key = (build.repo, build.branch, build.pipeline)
            if key not in rows:
                rows[key] = CiPipeline(repo=build.repo, branch=build.branch,
                                       pipeline=build.pipeline, red=False, since=ctx.now(),
                                       sha="", url="")
                ctx.db.add(rows[key])
            turn = state.apply(rows[key], build.outcome == FAILURE, build.sha, build.url,
                               ctx.now())
            if turn is None:
                continue
            ctx.db.add(CiChange(repo=build.repo, branch=build.branch, pipeline=build.pipeline,
                                red=turn.red, at=ctx.now(), fixed_by=turn.fixed_by))
            if not self.muted(ctx, build.repo):
                choices = [self.ack_choice(ctx, build.repo)] if turn.red else []
                recorded[-1].posts += [
                    (channel, self._announce(ctx, build, turn, ctx.language_of(channel)),
                     choices) for channel in self.channels_for(build)]
        await ctx.commit()  # recorded before anyone is told, or answered 2xx
        return recorded

    def _announce(self, ctx: Context, build: Build, turn: state.Turn, language: str) -> str:
        def _(message: str) -> Markup:
            return Markup(ctx.translate(message, language))

        where = Markup(f"**{escape_markup(build.repo)}** {escape_markup(build.branch)}")
        if turn.red:
            who = self._who(build.who)
            return _(N_("CI is red on {where}: {pipeline} failed at {sha}{by}{url}. Say "
                        "{command} if you are on it.")).format(
                where=where, pipeline=build.pipeline, sha=Markup(f"`{build.sha[:7]}`"),
                by=_(N_(", by {who}")).format(who=who) if who else Markup(""),
                url=f" {build.url}" if build.url else "",
                command=f"{ctx.prefix}ci ack {build.repo}")
        thanks = self._who(build.who[:1])
        return _(N_("{where} {pipeline} recovered after {duration}{thanks}.")).format(
            where=where, pipeline=build.pipeline, duration=format_duration(turn.red_for),
            thanks=_(N_(", thanks to {who}")).format(who=thanks) if thanks else Markup(""))

    def _who(self, logins: tuple[str, ...]) -> Markup:
        """People as chat mentions where ``[skills.ci.people]`` knows them."""
        names = []
        for login in logins:
            address = self.config.people.get(login)
            names.append(mention(Person(Address.parse(address), login)) if address
                         else escape_markup(login))
        return Markup(", ").join(names)
