"""The ci skill's configuration, and what its parts share: which channels hear of a
repository, and which repositories are muted."""

from __future__ import annotations

import abc
from datetime import datetime

from pydantic import Field, SecretStr

from hatbot.skill import Address, AddressText, Context, Skill, SkillConfig
from hatbot.skills.ci.builds import Build


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

    def muted(self, ctx: Context, repo: str) -> bool:
        until = self._mutes.get(repo)
        return until is not None and until > ctx.now()

    @abc.abstractmethod
    async def take(self, ctx: Context, delivery: str, build: Build) -> bool:
        """Record a build and post what it changed; False for a delivery already taken."""
