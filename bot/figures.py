"""What a skill tells about the community's health: figures the core gathers from every
skill for ``/community/``, ``/api/community.json`` and the ``hatbot_community_*``
gauges (issue #17); credits for ``/people/``; and, for one person, what they have open
(``@home``: Slack's App Home tab). A skill never reads another's tables; each says
what it knows.

A skill marks one method ``@community``; it is called with the start of the period
asked for (``?days=30|90|365``) and returns ``Figure``s::

    @community
    async def figures(self, ctx: Context, since: datetime) -> list[Figure]:
        return [Figure("newcomers", "Newcomers", "People who came to a welcome channel "
                       "for the first time", value=12, points=[("2026-W10", 3), ...])]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

COMMUNITY_ATTR = "__hatbot_community__"
PERIODS = (30, 90, 365)  # days a period may be

F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True)
class Figure:
    """One figure: its headline ``value`` over the period, how it went over time
    (``points``, oldest first: drawn as a chart, also given as a table), and a breakdown
    (``rows``: per area, per repository). ``key`` names it in JSON and in the gauge
    ``hatbot_community_<skill>_<key>``; ``definition`` says in one line what it counts."""

    key: str
    title: str
    definition: str
    value: float | None
    unit: str = ""  # after the value: "", "%", "h", "days"
    points: Sequence[tuple[str, float]] = field(default_factory=tuple)
    rows: Sequence[tuple[str, float]] = field(default_factory=tuple)


def community(func: F) -> F:
    """Mark the skill's method that gives its community figures."""
    setattr(func, COMMUNITY_ATTR, True)
    return func


def week_of(when: datetime) -> str:
    """``2026-W10``: the ISO week a point of a weekly series is labelled with."""
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


RECOGNITION_ATTR = "__hatbot_recognition__"


@dataclass(frozen=True)
class Credit:
    """Community work someone did: ``count`` times ``label`` ("meetings chaired", "hat
    tasks done: docs"). ``person`` is the name the minutes and chat show (a nick),
    matched without regard to case; ``key`` names the kind of work in JSON and CSV."""

    person: str
    key: str
    label: str
    count: int


def recognition(func: F) -> F:
    """Mark the skill's method that gives everyone's ``Credit``s since a time:
    ``async def credits(self, ctx, since) -> list[Credit]``."""
    setattr(func, RECOGNITION_ATTR, True)
    return func


HOME_ATTR = "__hatbot_home__"


@dataclass(frozen=True)
class Pane:
    """One part of what a person has open, for their home (Slack's App Home tab): a title
    and lines of markup. A pane with no lines is not shown."""

    title: str
    lines: Sequence[str]


def home(func: F) -> F:
    """Mark the skill's method that tells what ``person`` has open with it:
    ``async def mine(self, ctx, person: Person) -> list[Pane]``."""
    setattr(func, HOME_ATTR, True)
    return func
