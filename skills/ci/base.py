"""What the ci skill's parts share: which channels hear of a
repository, and which repositories are muted."""

from __future__ import annotations

import abc
from datetime import datetime

from hatbot.skill import Address, Choice, Context, Skill, tr
from hatbot.skills.ci.builds import Build
from hatbot.skills.ci.settings import CiConfig


class CiBase(Skill[CiConfig]):
    name = "ci"
    config_model = CiConfig

    def __init__(self, config: CiConfig) -> None:
        super().__init__(config)
        self._mutes: dict[str, datetime] = {}  # kept in memory too: every delivery asks

    def channels_for(self, build: Build) -> list[Address]:
        found: list[Address] = []
        for watch in self.config.watch:
            if watch.repo == build.repo and (not build.branch or build.branch in watch.branches):
                found += [Address.parse(c) for c in watch.channels if Address.parse(c) not in found]
        return found

    def ack_choice(self, ctx: Context, repo: str) -> Choice:
        """Ack under a red post: a button, or the configured reaction."""
        return Choice(tr("Ack"), f"{ctx.prefix}ci ack {repo}", emoji=self.config.ack_emoji)

    def muted(self, ctx: Context, repo: str) -> bool:
        until = self._mutes.get(repo)
        return until is not None and until > ctx.now()

    @abc.abstractmethod
    async def take(self, ctx: Context, delivery: str, build: Build) -> bool:
        """Record a build and post what it changed; False for a delivery already taken."""
