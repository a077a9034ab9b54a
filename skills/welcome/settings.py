"""The ``[skills.welcome]`` table."""

from __future__ import annotations

import re

from pydantic import field_validator

from hatbot.skill import AddressText, SkillConfig

DEFAULT_MESSAGE = "Welcome {name}! Say !help to see what I can do here."


_ENV_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}")


def fill(template: str, name: str, channel: str) -> str:
    return template.replace("{name}", name).replace("{channel}", channel)


def _check_placeholders(template: str) -> str:
    # An unset ${VAR} is left as it is; it is reported as a missing variable, not here.
    leftover = _ENV_REFERENCE.sub("", fill(template, "", ""))
    if "{" in leftover and "}" in leftover[leftover.index("{"):]:
        raise ValueError("placeholders are {name} and {channel}; write a brace once: {{")
    return template


class WelcomeConfig(SkillConfig):
    channels: list[AddressText] = []
    bots: list[AddressText] = []  # other bots here: what they say is never an answer
    message: str = DEFAULT_MESSAGE  # Markdown; {name} and {channel} are filled in
    channel_messages: dict[AddressText, str] = {}  # a channel's own message, instead

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        return _check_placeholders(value)

    @field_validator("channel_messages")
    @classmethod
    def _messages(cls, value: dict[str, str]) -> dict[str, str]:
        for template in value.values():
            _check_placeholders(template)
        return value
