"""Who mentors whom: a score for each mentor-mentee pair, and the best assignment of all
waiting mentees at once (not greedily, one by one).

    score = 10 * (shared tags / the mentee's tags)             what they want to learn
          + 4 * (1 - hours apart / 12) + 3 if ≤ 3 hours apart   awake at the same time
          + 1 if the mentor has not mentored in 30 days          spread the honour
          - 2 * (mentees the mentor would then have / capacity)  spread the work

A pair with no shared tag is not a match. An unknown time zone scores as 6 hours
apart. Each mentor offers as many slots as free capacity; the k-th slot of a mentor
costs the load of k mentees, so the solver fills the least busy mentors first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hatbot.skill import tr

RECENT = timedelta(days=30)
UNKNOWN_GAP_HOURS = 6.0
_NO_MATCH = 1e9
_TZ = re.compile(r"^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def parse_tz(text: str) -> int:
    """``+02:00``, ``-0530``, ``UTC+2`` → minutes east of UTC."""
    if text.strip().lower() in ("utc", "gmt", "z", "0"):
        return 0
    match = _TZ.match(text.strip())
    if match is None or int(match.group(2)) > 14 or int(match.group(3) or 0) >= 60:
        raise ValueError(f'expected a zone like Europe/Berlin or a UTC offset like +02:00 '
                         f'or -05:30, got "{text}"')
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    return minutes if match.group(1) == "+" else -minutes


def offset_now(zone: str, now: datetime) -> int:
    """Minutes east of UTC that ``zone`` is at ``now`` (it changes with daylight saving)."""
    offset = now.astimezone(ZoneInfo(zone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def format_tz(minutes: int | None, zone: str | None = None) -> str:
    if zone:
        return zone
    if minutes is None:
        return tr("time zone unknown")
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@dataclass(frozen=True)
class Mentor:
    key: str
    tags: frozenset[str]
    tz: int | None
    capacity: int
    load: int = 0
    last_mentored: datetime | None = None


@dataclass(frozen=True)
class Mentee:
    key: str
    tags: frozenset[str]
    tz: int | None


def hours_apart(a: int | None, b: int | None) -> float:
    if a is None or b is None:
        return UNKNOWN_GAP_HOURS
    gap = abs(a - b) % (24 * 60)
    return min(gap, 24 * 60 - gap) / 60


def score(mentor: Mentor, mentee: Mentee, now: datetime, load: int | None = None) -> float | None:
    """The pair's score with the mentor at ``load`` mentees (their current load by
    default, plus this one); None when they share no tag."""
    shared = mentor.tags & mentee.tags
    if not shared or mentor.key == mentee.key:
        return None
    gap = hours_apart(mentor.tz, mentee.tz)
    would_have = (mentor.load if load is None else load) + 1
    value = 10 * len(shared) / len(mentee.tags)
    value += 4 * (1 - gap / 12) + (3 if gap <= 3 else 0)
    if mentor.last_mentored is None or now - mentor.last_mentored > RECENT:
        value += 1
    value -= 2 * would_have / mentor.capacity
    return value


@dataclass(frozen=True)
class Match:
    mentee: str
    mentor: str
    shared: frozenset[str]


def assign(mentees: Sequence[Mentee], mentors: Sequence[Mentor],
           now: datetime) -> tuple[list[Match], list[str]]:
    """The assignment with the highest total score; returns the matches and the keys of
    mentees left waiting. Nobody goes above capacity."""
    slots = [(mentor, mentor.load + k) for mentor in mentors
             for k in range(max(0, mentor.capacity - mentor.load))]
    if not mentees or not slots:
        return [], [m.key for m in mentees]
    # Imported here: NumPy and SciPy are most of the bot's memory and start-up time, and
    # only a matching needs them.
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    cost = np.full((len(mentees), len(slots)), _NO_MATCH)
    for i, mentee in enumerate(mentees):
        for j, (mentor, load) in enumerate(slots):
            value = score(mentor, mentee, now, load)
            if value is not None:
                cost[i, j] = -value
    rows, cols = linear_sum_assignment(cost)
    matches = []
    matched = set()
    for i, j in zip(rows, cols, strict=True):
        if cost[i, j] >= _NO_MATCH:
            continue
        mentor = slots[j][0]
        matches.append(Match(mentees[i].key, mentor.key, mentor.tags & mentees[i].tags))
        matched.add(i)
    return matches, [m.key for i, m in enumerate(mentees) if i not in matched]
