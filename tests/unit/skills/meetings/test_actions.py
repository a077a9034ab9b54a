"""Open action items are read a page at a time, by index, and found by the people they
name, at any number of items."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from hatbot.plugins import discover
from hatbot.storage.db import alembic_config, upgrade
from hatbot.testing import SkillTester


def test_actions_are_paged_and_found_by_person(hatbot: SkillTester) -> None:
    hatbot.say("<ana> #startmeeting docs")
    for number in range(25):
        hatbot.say(f"<ana> #action ana to write page {number}")
    hatbot.say("<bob> #action Bob to review")
    hatbot.say("<ana> #endmeeting")

    (first,) = hatbot.say("<carl> !actions")
    lines = first.splitlines()
    assert len(lines) == 21 and lines[-1] == "…and 6 more: !actions page=2"
    assert lines[0].startswith("#1 ") and "ana to write page 0" in lines[0]
    (second,) = hatbot.say("<carl> !actions page=2")
    assert len(second.splitlines()) == 6 and "Bob to review" in second
    (bobs,) = hatbot.say("<carl> !actions bob")
    assert bobs.count("\n") == 0 and "Bob to review" in bobs
    assert hatbot.say("<carl> !actions page=9") == [
        "Page 9 is past the end: 26 open action items."]
    assert hatbot.say("<carl> !actions nobody") == ["No open action items for nobody."]

    said = hatbot.say("<ana> #startmeeting docs")
    earlier = said[said.index("Open action items from earlier 'docs' meetings:") + 1:]
    assert len(earlier) == 11 and earlier[-1] == "…and 16 more: !actions"


def test_the_migration_fills_the_people_of_earlier_items(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    meetings = discover().skills["meetings"].migrations
    assert meetings is not None
    command.upgrade(alembic_config(url, [meetings]), "0003_action_lines")
    with sqlite3.connect(tmp_path / "h.db") as db:
        db.execute("insert into meetings (id, channel, name, started_at) "
                   "values (1, 'irc:#d', 'docs', '2026-01-05 16:00:00')")
        db.execute("insert into meeting_actions (id, meeting_id, meeting_name, said_at, text, "
                   "assignees) values (7, 1, 'docs', '2026-01-05 16:01:00', 'x', 'Ana bob ana')")
    upgrade(url, [meetings], ["meetings"])
    with sqlite3.connect(tmp_path / "h.db") as db:
        rows = db.execute("select action_id, nick from meeting_action_assignees "
                          "order by nick").fetchall()
    assert rows == [(7, "ana"), (7, "bob")]
