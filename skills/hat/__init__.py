"""The Community Hat. The configuration is final; the commands arrive with issue #8,
so for now this skill loads and does nothing."""

from __future__ import annotations

from bot.skill import AddressText, CronText, Skill, SkillConfig


class ReminderSchedule(SkillConfig):
    channel: AddressText
    cron: CronText


class HatConfig(SkillConfig):
    reminders: list[ReminderSchedule] = []


class Hat(Skill[HatConfig]):
    name = "hat"
    config_model = HatConfig
