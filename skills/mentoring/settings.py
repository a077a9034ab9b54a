"""The mentoring skill's settings (read before the skill loads: pyproject.toml)."""

from __future__ import annotations

from pydantic import field_validator

from hatbot.events import Address
from hatbot.skill import SkillConfig


class MentoringConfig(SkillConfig):
    # Where a newcomer no mentor fits yet is announced, with "I'll mentor" under it for
    # any mentor who will take them on anyway ("": announced nowhere).
    mentors_channel: str = ""

    @field_validator("mentors_channel")
    @classmethod
    def _an_address_or_nothing(cls, value: str) -> str:
        if value:
            Address.parse(value)
        return value
