"""The ``[skills.kb]`` table."""

from __future__ import annotations

from pydantic import Field

from hatbot.skill import AddressText, SkillConfig

# Chosen from the precision curve of ``python -m bench kb`` (bench/README.md): the lowest
# threshold at which no question of the labelled set got a wrong suggestion.
THRESHOLD = 0.6


class KbConfig(SkillConfig):
    # Verified accounts that may approve, edit and reject any entry (admins always may).
    reviewers: list[AddressText] = []
    # Accounts that may review the entries carrying a tag: { docs = ["irc:alice"] }.
    reviewers_by_tag: dict[str, list[AddressText]] = {}
    # Channels where a question that an approved entry answers gets the entry (opt-in).
    help_channels: list[AddressText] = []
    threshold: float = Field(default=THRESHOLD, ge=0.0, le=1.0)
    # The reaction that captures a message with its thread (Slack and Matrix).
    capture_emoji: str = "📌"
    capture_limit: int = Field(default=50, ge=1, le=500)  # lines !kb capture N may take
    # A draft unreviewed this many days becomes a Community Hat task (docs); 0: never.
    draft_task_days: int = Field(default=7, ge=0)
    # Where that task is announced (a channel); empty: the channel the draft came from.
    task_channel: AddressText | None = None
