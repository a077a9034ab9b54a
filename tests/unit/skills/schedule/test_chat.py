"""The schedule's chat commands, time zones across clock changes, chair rotation and the
published calendar, on the in-memory adapter and a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from hatbot.testing import SkillTester
from tests.unit.skills.schedule.conftest import THURSDAY, until


def test_the_examples_answer_as_they_say(bot: SkillTester) -> None:
    assert bot.check_examples("schedule") == 2


def test_meetings_and_next_in_the_askers_time_zone(bot: SkillTester) -> None:
    assert bot.say("<alice> !next nova") == [
        "Nova Team Meeting (nova): Thu 08 Jan 14:00 UTC (in 3d 14h) in #meeting, chair: Eric "
        "Fried (efried), agenda: https://wiki.example.org/Meetings/Nova"]
    assert bot.say("<alice> !tz +01:00")[0].startswith(
        '"+01:00" is a fixed offset, which is wrong half the year')
    assert bot.say("<alice> !tz europe/berlin") == [
        "Your time zone is now Europe/Berlin (it is 01:00 CET there)."]
    assert bot.say("<alice> !meetings") == [
        "Meetings (times in Europe/Berlin): Thu 08 Jan 15:00 nova in #meeting; "
        "Thu 15 Jan 15:00 nova in #meeting"]
    assert bot.say("<alice> !meetings today") == ["No meetings scheduled today."]
    assert bot.say("<bob> !meetings week") == [
        "Meetings (times in UTC): Thu 08 Jan 14:00 nova in #meeting"]
    assert bot.say("<bob> !next cinder")[0].startswith('No meeting is called "cinder".')
    assert bot.say("<bob> !meetings soon") == [
        'expected today or week, got "soon". Usage: !meetings [today|week] (e.g. !meetings)']


def test_declared_in_chat_follows_berlin_across_both_clock_changes(tmp_path: Path) -> None:
    # Tuesday 24 March 2026 is the last before summer time (from Sunday the 29th).
    bot = SkillTester(config={}, data_dir=tmp_path / "data",
                      start=datetime(2026, 3, 23, 12, tzinfo=UTC))
    try:
        assert bot.say("<alice> !schedule add team every tuesday 16:00 Europe/Berlin in #team"
                       ) == ["Added team: weekly on tuesday at 16:00 Europe/Berlin in #team. "
                             "First: Tue 24 Mar 16:00 Europe/Berlin."]
        assert bot.say("<alice> !schedule add team every tue 9:00 UTC in #x")[0] == \
            "team is already scheduled (from chat)."
        said = until(bot, datetime(2026, 3, 24, 14, 46, tzinfo=UTC))
        assert said[0].startswith("team (team) starts in 15m, at 15:00 UTC.")
        assert until(bot, datetime(2026, 3, 31, 13, 44, tzinfo=UTC)) == []
        said = bot.advance(minutes=1)  # summer time: 16:00 in Berlin is 14:00 UTC
        assert said[0].startswith("team (team) starts in 15m, at 14:00 UTC.")
        bot.advance(datetime(2026, 10, 20, 13, tzinfo=UTC) - bot.clock.now())
        assert until(bot, datetime(2026, 10, 20, 13, 46, tzinfo=UTC))[-1].startswith(
            "team (team) starts in 15m, at 14:00 UTC.")
        assert until(bot, datetime(2026, 10, 27, 14, 44, tzinfo=UTC)) == []
        said = bot.advance(minutes=1)  # winter time again, from Sunday the 25th
        assert said[0].startswith("team (team) starts in 15m, at 15:00 UTC.")
        assert bot.say("<bob> !schedule remove team") == [
            "Only alice, who declared it, or an admin can remove team."]
        assert bot.say("<alice> !schedule remove team") == ["Removed team."]
        assert until(bot, datetime(2026, 11, 3, 15, tzinfo=UTC)) == []
    finally:
        bot.close()


@pytest.mark.parametrize(("line", "error"), [
    ("!schedule add team every tuesday 16:00 +02:00 in #team", "is a fixed offset"),
    ("!schedule add team every funday 16:00 UTC in #team", "is not a day of the week"),
    ("!schedule add team every tuesday 25:00 UTC in #team", "is not a time of day"),
    ("!schedule add team every tuesday 16:00 Mars/Olympus in #team", "not a time zone name"),
    ("!schedule add team every tuesday 16:00 UTC in #team sometimes", "frequency: expected"),
    ("!schedule add team on tuesdays", "expected NAME every DAY HH:MM"),
])
def test_a_bad_declaration_says_how(bot: SkillTester, line: str, error: str) -> None:
    (reply,) = bot.say(f"<alice> {line}")
    assert error in reply
    assert "schedule add docs every tuesday 16:00 UTC in #docs" in reply  # an example


def test_chair_rotation_moves_on_after_the_meeting_and_swaps(bot: SkillTester) -> None:
    assert bot.say("<alice> !chair rotation nova alice bob carol") == [
        "Only an admin, the chair or the rotation's people can set it."]
    bot.say("<admin> !chair rotation nova alice bob carol")
    said = until(bot, THURSDAY.replace(hour=13, minute=46))
    assert "Chair: alice." in said[-1]
    bot.say("<alice> #startmeeting nova", channel="#meeting")
    bot.advance(minutes=30)
    bot.say("<alice> #endmeeting", channel="#meeting")
    assert bot.say("<alice> !chair rotation nova") == [
        "nova is chaired in turn by: bob, carol, alice (next first)."]
    assert bot.say("<dave> !chair swap carol nova") == [
        "Only bob, whose turn it is, carol, or an admin can swap this turn."]
    assert bot.say("<bob> !chair swap carol nova") == [
        "nova: carol chairs next time, then bob."]
    said = until(bot, THURSDAY.replace(hour=13, minute=46) + timedelta(days=7))
    assert "Chair: carol." in said[-1]
    # the rotation's chairs are credited on the recognition pages
    bot.say("<carol> #startmeeting nova", channel="#meeting")
    bot.say("<carol> #endmeeting", channel="#meeting")
    assert bot.say("<alice> !chair rotation nova") == [
        "nova is chaired in turn by: bob, alice, carol (next first)."]


def test_the_calendar_round_trips_and_keeps_a_skipped_date_out(bot: SkillTester) -> None:
    bot.say("<admin> !schedule skip nova 2026-01-15")
    skill = bot.app.skills["schedule"]
    from hatbot.skills.schedule import calendar

    body = calendar.ical(skill.meetings, "test", skill.skipped)
    parsed = icalendar.Calendar.from_ical(body)
    assert parsed.to_ical() == body  # icalendar reads back what it wrote
    assert str(parsed["VERSION"]) == "2.0" and str(parsed["PRODID"])
    for event in parsed.walk("VEVENT"):  # RFC 5545 3.6.1: UID and DTSTAMP are required
        assert event.get("UID") and event.get("DTSTAMP") and event.get("DTSTART")
    starts = [e.decoded("DTSTART").date().isoformat() for e in recurring_ical_events.of(
        parsed).between(THURSDAY, THURSDAY + timedelta(days=21))]
    assert starts == ["2026-01-08", "2026-01-22"]
