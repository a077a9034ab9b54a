"""Newcomer welcome. The configuration is final; the behaviour arrives with issue #7,
so for now this skill loads and does nothing."""

from __future__ import annotations

from bot.skill import AddressText, Skill, SkillConfig


class WelcomeConfig(SkillConfig):
    channels: list[AddressText] = []
    message: str = "Welcome {name}! Say !help to see what I can do."


class Welcome(Skill[WelcomeConfig]):
    name = "welcome"
    config_model = WelcomeConfig
