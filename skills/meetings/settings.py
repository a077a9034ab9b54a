"""The ``[skills.meetings]`` table."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from hatbot.skill import AddressText, SkillConfig

MinutesFormat = Literal["html", "txt", "md", "log.html", "log.txt", "log.json"]

class MeetingsConfig(SkillConfig):
    minutes_dir: str = ""  # empty: "meetings" inside [bot] data_dir
    # How a meeting's name becomes its file name: OpenStack's MeetBot (every character
    # but a-z0-9 becomes "_") or "keep-dashes" (tripleo-ci stays tripleo-ci).
    file_names: Literal["openstack", "keep-dashes"] = "openstack"
    # Channels whose topic #topic sets, as MeetBot does (where the platform and the
    # bot's rights allow; a refusal is logged and the meeting goes on).
    topic_channels: list[AddressText] = []
    # A reaction with this on a !actions answer listing one item marks it done (Slack,
    # Matrix); "" turns it off.
    done_emoji: str = "✅"

    @property
    def keep_dashes(self) -> bool:
        return self.file_names == "keep-dashes"
    formats: list[MinutesFormat] = ["html", "txt", "md", "log.html", "log.txt", "log.json"]


def minutes_dir(config: MeetingsConfig, data_dir: str) -> Path:
    return Path(config.minutes_dir or f"{data_dir.rstrip('/')}/meetings")
