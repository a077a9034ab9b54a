"""Meetings with MeetBot-compatible minutes. The configuration is final; the commands
arrive with issue #3, so for now this skill loads and does nothing."""

from __future__ import annotations

from typing import Literal

from bot.skill import Skill, SkillConfig

MinutesFormat = Literal["html", "txt", "md", "log.html", "log.txt", "log.json"]


class MeetingsConfig(SkillConfig):
    minutes_dir: str = "./hatbot-data/meetings"
    formats: list[MinutesFormat] = ["html", "txt", "md", "log.html", "log.txt", "log.json"]


class Meetings(Skill[MeetingsConfig]):
    name = "meetings"
    config_model = MeetingsConfig
