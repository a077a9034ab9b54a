"""The ``[skills.ci]`` table."""

from __future__ import annotations

from pydantic import Field, SecretStr

from hatbot.skill import AddressText, SkillConfig


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
    # A reaction with this on a CI-is-red post acknowledges it (Slack, Matrix); "" off.
    ack_emoji: str = "👀"
