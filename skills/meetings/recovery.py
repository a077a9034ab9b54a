"""A meeting rebuilt from its stored lines, whatever state the bot stopped in.

Each meeting is rebuilt on its own: a line that cannot be replayed is kept in the
log unacted on, and a meeting whose log has no usable start still gets minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import Select, select

from hatbot.skills.meetings.engine import Line, Meeting, replay
from hatbot.skills.meetings.models import MeetingLine, MeetingRecord


def lines_of(rows: Iterable[MeetingLine]) -> list[Line]:
    return [Line(r.ts, r.key, r.nick, r.text, r.is_bot, r.is_action) for r in rows]


def rebuild(record: MeetingRecord, lines: list[Line], prefix: str, bot_name: str,
            keep_dashes: bool = False) -> Meeting:
    """The meeting as its lines tell it; ended at ``record.ended_at`` if the record says so."""
    meeting = replay(lines, record.channel, prefix, bot_name, keep_dashes)
    if meeting is None:  # no start line survived: keep what there is, under the record's name
        first = lines[0] if lines else Line(record.started_at, "bot", bot_name, "", True)
        meeting = Meeting(channel=record.channel, name=record.name, started_at=record.started_at,
                          starter_key=first.key, starter_nick=first.nick, title=record.name)
        for line in lines:
            meeting.log(line)
    if record.ended_at is not None and meeting.ended_at is None:
        meeting.ended_at = record.ended_at
    return meeting



def same_minute(meeting: Meeting) -> Select[int]:
    """The ids of the meetings with this one's name started in its minute: their files
    would share a name, so each after the first gets a suffix (``suffix_among``)."""
    minute = meeting.started_at.replace(second=0, microsecond=0)
    return select(MeetingRecord.id).where(
        MeetingRecord.name == meeting.name, MeetingRecord.started_at >= minute,
        MeetingRecord.started_at < minute + timedelta(minutes=1))
