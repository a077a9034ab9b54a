"""``!remind``: after a while, at a time in a zone, every week; listed, cancelled, and
kept across a restart, on the in-memory adapter and a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hatbot.testing import SkillTester


def test_at_a_time_in_a_zone_listed_and_cancelled(tmp_path: Path) -> None:
    bot = SkillTester(data_dir=tmp_path / "data")  # Monday 5 January 2026, 00:00 UTC
    try:
        assert bot.say("<alice> !remind at 2026-01-06 15:00 Europe/Berlin Release party") == [
            "OK, on Tue 06 Jan 2026 at 15:00 Europe/Berlin I will say: Release party "
            "(#1; !remind cancel 1)"]
        bot.say("<alice> !tz America/New_York")
        assert bot.say("<alice> !remind at 2026-01-06 09:00 Standup") == [
            "OK, on Tue 06 Jan 2026 at 09:00 America/New_York I will say: Standup "
            "(#2; !remind cancel 2)"]
        bot.say("<bob> !remind 3h Coffee")
        assert bot.say("<bob> !remind list") == [
            "#3 Mon 05 Jan 03:00 UTC: Coffee (by bob)\n"
            "#1 Tue 06 Jan 15:00 Europe/Berlin: Release party (by alice)\n"
            "#2 Tue 06 Jan 09:00 America/New_York: Standup (by alice)"]
        assert bot.say("<bob> !remind cancel 2") == [
            "Only alice, who set it, or an admin can cancel #2."]
        assert bot.say("<alice> !remind cancel 2") == ["Cancelled #2: Standup"]
        assert bot.say("<alice> !remind cancel 2") == [
            "No reminder #2 here. !remind list shows them."]
        assert bot.advance(hours=3) == ["Reminder from bob: Coffee"]
        assert bot.advance(datetime(2026, 1, 6, 13, 59, tzinfo=UTC) - bot.clock.now()) == []
        assert bot.advance(minutes=1) == ["Reminder from alice: Release party"]
        assert bot.advance(days=2) == []  # the cancelled one never comes
        assert bot.say("<alice> !remind list") == [
            "No reminders here. !remind at 2026-12-24 09:00 TEXT adds one."]
        assert bot.say("<alice> !remind at 2026-01-01 09:00 Too late") == [
            "2026-01-01 09:00 America/New_York has passed."]
        assert bot.say("<alice> !remind at 2026-02-01 09:00 UTC+1 Party")[0].startswith(
            '"UTC+1" is a fixed offset, which is wrong half the year')
        assert bot.say("<alice> !remind at tomorrow 09:00 X")[0].startswith(
            '"tomorrow" is not a date; say 2026-12-24')
    finally:
        bot.close()


def test_every_week_at_nine_in_berlin_through_the_clock_change(tmp_path: Path) -> None:
    start = datetime(2026, 3, 20, 12, tzinfo=UTC)  # a Friday; clocks change on the 29th
    bot = SkillTester(data_dir=tmp_path / "data", start=start)
    try:
        assert bot.say("<alice> !remind every monday 09:00 Europe/Berlin Notes, please") == [
            "OK, every monday at 09:00 Europe/Berlin I will say: Notes, please "
            "(#1; !remind cancel 1)"]
        assert bot.advance(datetime(2026, 3, 23, 7, 59, tzinfo=UTC) - bot.clock.now()) == []
        assert bot.advance(minutes=1) == ["Reminder from alice: Notes, please"]  # 09:00 CET
        assert bot.advance(datetime(2026, 3, 30, 6, 59, tzinfo=UTC) - bot.clock.now()) == []
        assert bot.advance(minutes=1) == ["Reminder from alice: Notes, please"]  # 09:00 CEST
        assert bot.say("<alice> !remind list") == [
            "#1 every monday 09:00 Europe/Berlin: Notes, please (by alice)"]
    finally:
        bot.close()
    # Kept across a restart: the next Monday comes to the bot started again.
    again = SkillTester(data_dir=tmp_path / "data", start=datetime(2026, 4, 1, tzinfo=UTC))
    try:
        assert again.advance(datetime(2026, 4, 6, 7, tzinfo=UTC) - again.clock.now()) == [
            "Reminder from alice: Notes, please"]
    finally:
        again.close()
