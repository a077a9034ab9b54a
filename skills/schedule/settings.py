"""The ``[skills.schedule]`` table.

    [skills.schedule]
    irc_meetings = ["irc-meetings/meetings"]       # folders (or files) of irc-meetings YAML
    ical = ["https://example.org/team.ics", "local.ics"]
    remind_before = "15m"
    remind_chair_before = "1d"                      # a DM to the chair the day before
    [skills.schedule.channels]                      # schedule channel -> chat channel
    "openstack-meeting-4" = "irc:#openstack-meeting-4"
    [skills.schedule.meetings.nova]                 # one meeting's own settings
    remind_before = "30m"
    chair = "irc:efried"
    rotation = ["irc:alice", "irc:bob"]
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from hatbot.skill import AddressText, SkillConfig, parse_duration


def _duration(value: object) -> object:
    return parse_duration(value) if isinstance(value, str) else value


def _up_to_a_week(value: timedelta) -> timedelta:
    if value > timedelta(weeks=1):
        raise ValueError("at most 7d")
    return value


# "15m", "1d": how long before a meeting.
Before = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_up_to_a_week)]
Interval = Annotated[timedelta, BeforeValidator(_duration)]


class Feed(SkillConfig):
    """An iCal source with a channel for its events that name none in LOCATION."""

    url: str
    channel: str = ""


class MeetingSettings(SkillConfig):
    remind_before: Before | None = None
    remind_chair_before: Before | None = None
    chair: list[AddressText] = []  # whom to tell (the schedule's chair text may name no one)
    rotation: list[str] = []  # people who chair in turn: "irc:alice", or "alice"


class ScheduleConfig(SkillConfig):
    irc_meetings: list[str] = []
    ical: list[str | Feed] = []
    remind_before: Before = timedelta(minutes=15)
    remind_chair_before: Before | None = None
    late_after: Before = timedelta(minutes=15)  # not started by then: the chair is told
    refresh: Interval = Field(default=timedelta(hours=1))  # URLs are read again this often
    channels: dict[str, AddressText] = {}
    meetings: dict[str, MeetingSettings] = {}

    def feeds(self) -> list[Feed]:
        return [Feed(url=f) if isinstance(f, str) else f for f in self.ical]
