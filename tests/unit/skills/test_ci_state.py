"""The ci skill's red/green machine and its figures, without a bot or a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hatbot.skills.ci.state import Change, Turn, apply, figures, reminder_due

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@dataclass
class Row:
    red: bool = False
    since: datetime = T0
    sha: str = ""
    url: str = ""
    acked_by: str | None = None
    reminded_at: datetime | None = None


def test_only_a_change_of_colour_is_a_turn() -> None:
    row = Row()
    assert apply(row, False, "a1", "", T0 + HOUR) is None  # green stays green
    assert apply(row, True, "b2", "http://ci/2", T0 + 2 * HOUR) == Turn(True, 2 * HOUR)
    assert (row.red, row.since, row.sha, row.url) == (True, T0 + 2 * HOUR, "b2", "http://ci/2")
    row.acked_by, row.reminded_at = "bob", T0 + 3 * HOUR
    assert apply(row, True, "c3", "", T0 + 4 * HOUR) is None  # red stays red: no new post
    assert row.sha == "b2" and row.acked_by == "bob"
    assert apply(row, False, "d4", "", T0 + 5 * HOUR) == Turn(False, 3 * HOUR, fixed_by="bob")
    assert row.acked_by is None and row.reminded_at is None  # a new spell starts clean


def test_reminders_wait_and_stop_when_someone_is_on_it() -> None:
    row = Row(red=True, since=T0)
    every = 6 * HOUR
    assert not reminder_due(row, T0 + 5 * HOUR, every, muted=False)
    assert reminder_due(row, T0 + 6 * HOUR, every, muted=False)
    assert not reminder_due(row, T0 + 6 * HOUR, every, muted=True)
    row.reminded_at = T0 + 6 * HOUR
    assert not reminder_due(row, T0 + 11 * HOUR, every, muted=False)
    assert reminder_due(row, T0 + 12 * HOUR, every, muted=False)
    row.acked_by = "ana"
    assert not reminder_due(row, T0 + 30 * HOUR, every, muted=False)
    assert not reminder_due(Row(red=False), T0 + 30 * HOUR, every, muted=False)


def test_stats_count_only_the_window() -> None:
    """The figures of the last 30 days: an old spell counts for nothing, one that began
    before the window counts from its start for time red and whole for recovery."""
    now = T0 + timedelta(days=100)
    window = timedelta(days=30)
    start = now - window
    changes = [
        # nova: red for 10 days, long ago: not in the window at all
        Change("nova", "main", "ci", True, T0),
        Change("nova", "main", "ci", False, T0 + timedelta(days=10)),
        # nova: red 2 days before the window began, green 1 day into it
        Change("nova", "main", "ci", True, start - timedelta(days=2)),
        Change("nova", "main", "ci", False, start + timedelta(days=1)),
        # ironic: red 1 hour inside the window, then red still (now)
        Change("ironic", "main", "ci", True, now - 5 * HOUR),
        Change("ironic", "main", "ci", False, now - 4 * HOUR),
        Change("ironic", "main", "docs", True, now - 2 * HOUR),
    ]
    found = figures(changes, now, window)
    assert found["nova"].red_time == timedelta(days=1)
    assert found["nova"].recoveries == [timedelta(days=3)]
    assert found["ironic"].red_time == 3 * HOUR
    assert found["ironic"].mean_time_to_recovery == HOUR
    assert figures(changes[:2], now, window) == {}
