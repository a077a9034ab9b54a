"""The ``[skills.hat]`` table."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hatbot.skill import AddressText, CronText, SkillConfig

AREAS = ("docs", "ci", "release", "review", "mentoring", "infra", "other")
Area = Literal["docs", "ci", "release", "review", "mentoring", "infra", "other"]


class ReminderSchedule(SkillConfig):
    channel: AddressText
    cron: CronText
    areas: list[Area] = []  # empty: every area


class HatConfig(SkillConfig):
    reminders: list[ReminderSchedule] = []
    stale_days: int = Field(default=14, ge=1)  # no activity this long: ask the owner
    release_days: int = Field(default=28, ge=1)  # this long: the claim is let go
    # A reaction with this on a reminder about one task claims it (Slack, Matrix); "" off.
    claim_emoji: str = "✅"
