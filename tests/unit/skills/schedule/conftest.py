"""The schedule's tests share one real-shaped meeting file, its configuration, a bot
running it on the in-memory adapter, and a way to move the clock as the live scheduler
would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hatbot.testing import SkillTester

NOVA = """\
project:  Nova Team Meeting
meeting_id: nova
agenda_url: https://wiki.example.org/Meetings/Nova
schedule:
  - time:       '1400'
    day:        Thursday
    irc:        openstack-meeting
    frequency:  weekly
    start_date: 20260101
chair: Eric Fried (efried)
description:  >
  The weekly Nova team meeting.
"""
THURSDAY = datetime(2026, 1, 8, tzinfo=UTC)  # the harness starts on Monday 5 January


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    meetings = tmp_path / "meetings"
    meetings.mkdir()
    (meetings / "nova.yaml").write_text(NOVA)
    return meetings


def config(folder: Path, **more: Any) -> dict[str, Any]:
    return {"skills": {"schedule": {"irc_meetings": [str(folder)],
                                    "channels": {"openstack-meeting": "memory:#meeting"},
                                    **more}}}


@pytest.fixture
def bot(tmp_path: Path, folder: Path) -> Iterator[SkillTester]:
    tester = SkillTester(config=config(folder), data_dir=tmp_path / "data")
    yield tester
    tester.close()


def until(bot: SkillTester, moment: datetime, step: timedelta = timedelta(minutes=1)
          ) -> list[str]:
    """Move the clock to an hour before ``moment`` at once, then minute by minute, as
    the live scheduler runs the job."""
    said = []
    if moment - bot.clock.now() > timedelta(hours=1):
        said += bot.advance(moment - timedelta(hours=1) - bot.clock.now())
    while bot.clock.now() < moment:
        said += bot.advance(min(step, moment - bot.clock.now()))
    return said
