"""Two meetings in one channel at overlapping times.

irc-meetings' own check compares times of the week and which weeks each frequency
takes; this one compares the occurrences themselves over the coming year, so it also
holds for iCal feeds, time zones with daylight saving, and meetings that run past
midnight on Sunday.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .calendar import Meeting, Occurrence, occurrences

HORIZON = timedelta(weeks=53)


@dataclass(frozen=True)
class Conflict:
    first: Occurrence
    second: Occurrence

    def __str__(self) -> str:
        a, b = self.first, self.second
        text = (f"{a.meeting.name} ({a.meeting.source}) and {b.meeting.name} "
                f"({b.meeting.source}) overlap in #{a.channel} on {b.start:%A %Y-%m-%d}: "
                f"{a.start:%H:%M}-{a.end:%H:%M} and {b.start:%H:%M}-{b.end:%H:%M} UTC")
        return text + (DRIFT if self.drifted else "")

    @property
    def drifted(self) -> bool:
        """Whether the two are every-two-weeks meetings of opposite weeks, which meet
        anyway: the calendar steps two weeks at a time from each one's first day, and a
        year of 53 ISO weeks put one of them on the other's weeks."""
        kinds = {s.frequency for o in (self.first, self.second) for s in o.meeting.slots}
        return {"biweekly-odd", "biweekly-even"} <= kinds


DRIFT = (" (odd and even weeks that meet: counted two weeks at a time from its start_date, "
         "one of them moved to the other's weeks after a year of 53 ISO weeks; a newer "
         "start_date sets it right)")


def channel_key(channel: str) -> str:
    return channel.strip().lstrip("#").lower()


def conflicts(meetings: Iterable[Meeting], since: datetime,
              horizon: timedelta = HORIZON) -> list[Conflict]:
    """The first overlap of each pair of meetings that share a channel, by date."""
    by_channel: dict[str, list[Occurrence]] = defaultdict(list)
    for occurrence in occurrences(meetings, since, since + horizon):
        if occurrence.channel:
            by_channel[channel_key(occurrence.channel)].append(occurrence)
    found: dict[tuple[str, str], Conflict] = {}
    for timeline in by_channel.values():
        running: list[Occurrence] = []  # started and not yet over
        for occurrence in timeline:  # soonest first
            running = [r for r in running if r.end > occurrence.start]
            for other in running:
                if other.meeting is occurrence.meeting:
                    continue
                pair = (other.meeting.name, occurrence.meeting.name)
                if pair not in found and pair[::-1] not in found:
                    found[pair] = Conflict(other, occurrence)
            running.append(occurrence)
    return sorted(found.values(), key=lambda c: (c.second.start, c.first.meeting.name))
