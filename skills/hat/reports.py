"""What the Community Hat says: the reminder digest and the stats, from rows, no I/O."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hatbot.skills.hat.models import HatTask, HatVolunteer


def age(delta: timedelta) -> str:
    days = delta.days
    if days >= 1:
        return f"{days}d"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours}h" if hours else f"{int(delta.total_seconds() // 60)}m"


def is_due(task: HatTask, now: datetime) -> bool:
    return task.owner is None and (task.due_at is None or task.due_at <= now)


def is_stale(task: HatTask, now: datetime, stale: timedelta) -> bool:
    activity = task.last_activity_at or task.claimed_at
    return task.owner is not None and activity is not None and now - activity >= stale


@dataclass(frozen=True)
class Digest:
    unowned: list[HatTask]
    due: list[HatTask]
    stale: list[HatTask]

    @property
    def empty(self) -> bool:
        return not (self.unowned or self.due or self.stale)

    @property
    def tasks(self) -> list[HatTask]:
        return [*self.unowned, *self.due, *self.stale]


def digest(tasks: Sequence[HatTask], now: datetime, stale: timedelta,
           areas: Sequence[str] = ()) -> Digest:
    """Open tasks that need someone: unowned (oldest first), recurring and due, stale."""
    wanted = [t for t in tasks if t.status == "open" and (not areas or t.area in areas)]
    waiting = sorted((t for t in wanted if is_due(t, now)),
                     key=lambda t: t.unowned_since or t.created_at)
    return Digest(unowned=[t for t in waiting if t.every_days is None],
                  due=[t for t in waiting if t.every_days is not None],
                  stale=[t for t in wanted if is_stale(t, now, stale)])


def suggest(
    tasks: Sequence[HatTask], volunteers: Sequence[HatVolunteer]
) -> dict[int, HatVolunteer]:
    """One volunteer for each task where one fits its area: whoever wore the hat (or was
    asked) longest ago goes first, and nobody is asked twice in one digest."""
    never = datetime.min.replace(tzinfo=None)

    def turn(v: HatVolunteer) -> tuple[datetime, datetime]:
        worn = v.last_hat_at.replace(tzinfo=None) if v.last_hat_at else never
        asked = v.last_suggested_at.replace(tzinfo=None) if v.last_suggested_at else never
        return worn, asked

    queue = sorted((v for v in volunteers if v.active), key=turn)
    chosen: dict[int, HatVolunteer] = {}
    for task in tasks:
        for volunteer in queue:
            if not volunteer.areas or task.area in volunteer.areas.split():
                chosen[task.id] = volunteer
                queue.remove(volunteer)
                break
    return chosen


def absence_factor(people: Sequence[str]) -> int:
    """CHAOSS Contributor Absence Factor: the fewest people who did half of the work."""
    counts = sorted(Counter(people).values(), reverse=True)
    total, covered = len(people), 0
    for index, count in enumerate(counts, start=1):
        covered += count
        if covered * 2 >= total:
            return index
    return 0


def median_wait(seconds: Sequence[int]) -> timedelta | None:
    return timedelta(seconds=statistics.median(seconds)) if seconds else None
