"""The red/green state machine of a pipeline, and the figures of its history: no I/O, so
every rule is unit-tested on its own (as the meetings engine is)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class Pipeline(Protocol):
    """What the machine reads and writes of a pipeline (the ``CiPipeline`` row)."""

    red: bool
    since: datetime
    sha: str
    url: str
    acked_by: str | None
    reminded_at: datetime | None


@dataclass(frozen=True)
class Turn:
    """A pipeline changed colour: to red, or back to green after ``red_for``."""

    red: bool
    red_for: timedelta
    fixed_by: str | None = None  # back to green: who had said they were on it


def apply(pipeline: Pipeline, red: bool, sha: str, url: str, now: datetime) -> Turn | None:
    """A finished build on ``pipeline``: its turn, if it changed colour. A build of the
    same colour changes nothing (the reminders speak for a pipeline that stays red)."""
    if pipeline.red == red:
        return None
    red_for = now - pipeline.since
    fixed_by = None if red else pipeline.acked_by
    pipeline.red, pipeline.since, pipeline.sha, pipeline.url = red, now, sha, url
    pipeline.acked_by = pipeline.reminded_at = None
    return Turn(red, red_for, fixed_by)


def reminder_due(pipeline: Pipeline, now: datetime, every: timedelta, muted: bool) -> bool:
    """Red for ``every`` since it turned red (or since the last reminder), nobody on it,
    not muted."""
    if not pipeline.red or pipeline.acked_by or muted:
        return False
    return now - (pipeline.reminded_at or pipeline.since) >= every


@dataclass(frozen=True)
class Change:
    """One recorded turn: (repo, branch, pipeline) went red or green at ``at``."""

    repo: str
    branch: str
    pipeline: str
    red: bool
    at: datetime


@dataclass
class RepoFigures:
    red_time: timedelta  # time any of its pipelines was red within the window
    recoveries: list[timedelta]  # red spells that ended within the window

    @property
    def mean_time_to_recovery(self) -> timedelta | None:
        if not self.recoveries:
            return None
        return sum(self.recoveries, timedelta()) / len(self.recoveries)


def figures(changes: Iterable[Change], now: datetime, window: timedelta
            ) -> dict[str, RepoFigures]:
    """Per repository, over the ``window`` before ``now``: time red (a spell that began
    earlier counts from the window's start) and the recoveries that happened in it, each
    as long as its whole red spell. ``changes`` in time order."""
    start = now - window
    found: dict[str, RepoFigures] = {}
    opened: dict[tuple[str, str, str], datetime] = {}

    def of(repo: str) -> RepoFigures:
        return found.setdefault(repo, RepoFigures(timedelta(), []))

    for change in changes:
        key = (change.repo, change.branch, change.pipeline)
        if change.red:
            opened.setdefault(key, change.at)
            continue
        began = opened.pop(key, None)
        if began is None or change.at <= start:
            continue  # green again before the window: not part of it
        of(change.repo).red_time += change.at - max(began, start)
        of(change.repo).recoveries.append(change.at - began)
    for (repo, _, _), began in opened.items():
        of(repo).red_time += now - max(began, start)
    return found
