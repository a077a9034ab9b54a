"""Reminders, late meetings, skips and restarts, on the in-memory adapter and a fake clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from hatbot.testing import SkillTester
from tests.unit.skills.schedule.conftest import NOVA, THURSDAY, config, until


def test_reminded_once_before_and_the_chair_told_once_when_it_did_not_start(
        bot: SkillTester) -> None:
    assert until(bot, THURSDAY.replace(hour=13, minute=44)) == []
    said = bot.advance(minutes=1)
    assert said == ["Nova Team Meeting (nova) starts in 15m, at 14:00 UTC. Chair: Eric Fried "
                    "(efried). Agenda: https://wiki.example.org/Meetings/Nova Start it with "
                    "#startmeeting nova"]
    assert str(bot.sent[-1].target) == "memory:#meeting"
    assert until(bot, THURSDAY.replace(hour=14, minute=14)) == []
    late = bot.advance(minutes=1)
    assert late == ["Nova Team Meeting (nova) was due at 14:00 UTC in #meeting and has not "
                    "started (no #startmeeting)."]
    assert str(bot.sent[-1].target) == "memory:efried" and bot.sent[-1].direct
    assert until(bot, THURSDAY.replace(hour=18)) == []


def test_a_meeting_that_starts_is_not_reported(bot: SkillTester) -> None:
    until(bot, THURSDAY.replace(hour=14, minute=3))
    bot.say("<efried> #startmeeting nova", channel="#meeting")
    assert until(bot, THURSDAY.replace(hour=15)) == []


def test_a_skipped_date_gets_no_reminder(bot: SkillTester) -> None:
    assert bot.say("<alice> !schedule skip nova 2026-01-08 holidays") == [
        "Only nova's chair, the people of its rotation, or an admin can call it off."]
    assert bot.say("<admin> !schedule skip nova 2026-01-07") == [
        "nova does not meet on Wednesday 2026-01-07."]
    assert bot.say("<admin> !schedule skip nova 2026-01-08 holidays") == [
        "nova on Thursday 2026-01-08 is called off (holidays). No reminder will go out."]
    assert until(bot, THURSDAY.replace(hour=14, minute=30)) == []
    said = until(bot, THURSDAY.replace(hour=14) + timedelta(days=7))
    assert len(said) == 1 and said[0].startswith("Nova Team Meeting (nova) starts in")


def test_a_restart_neither_repeats_nor_loses_a_reminder(tmp_path: Path, folder: Path) -> None:
    data = tmp_path / "data"
    first = SkillTester(config=config(folder), data_dir=data)
    until(first, THURSDAY.replace(hour=13, minute=50))
    assert len(first.memory.sent) == 1  # the reminder at 13:45
    first.close()
    again = SkillTester(config=config(folder), data_dir=data,
                        start=THURSDAY.replace(hour=13, minute=52))
    try:
        assert until(again, THURSDAY.replace(hour=13, minute=59)) == []
    finally:
        again.close()
    # Down from 13:40 to 13:50: the reminder due at 13:45 is said when the bot is back.
    other = tmp_path / "other"
    down = SkillTester(config=config(folder), data_dir=other)
    until(down, THURSDAY.replace(hour=13, minute=40))
    down.close()
    back = SkillTester(config=config(folder), data_dir=other,
                       start=THURSDAY.replace(hour=13, minute=50))
    try:
        said = back.advance(minutes=1)
        assert len(said) == 1 and said[0].startswith("Nova Team Meeting (nova) starts in 9m")
    finally:
        back.close()


def test_a_meetings_own_lead_and_an_unmapped_channel(tmp_path: Path, folder: Path) -> None:
    (folder / "qa.yaml").write_text(NOVA.replace("meeting_id: nova", "meeting_id: qa")
                                    .replace("Nova Team", "QA Team")
                                    .replace("openstack-meeting", "openstack-qa"))
    bot = SkillTester(config=config(folder, meetings={"nova": {"remind_before": "30m"}}),
                      data_dir=tmp_path / "data")
    try:
        assert until(bot, THURSDAY.replace(hour=13, minute=29)) == []
        said = bot.advance(minutes=1)
        assert len(said) == 1 and said[0].startswith("Nova Team Meeting (nova) starts in 30m")
        # qa meets at the same time in a channel with no chat channel: listed, not reminded
        assert "qa in #openstack-qa" in bot.say("<alice> !meetings today")[0]
        assert until(bot, THURSDAY.replace(hour=16)) == [
            "Nova Team Meeting (nova) was due at 14:00 UTC in #meeting and has not started "
            "(no #startmeeting)."]
        assert bot.say("<alice> !schedule check") == [
            "No two of the 2 meetings overlap in a channel over the next year."]
    finally:
        bot.close()


def test_meetings_held_and_their_chairs_reach_the_community_page(bot: SkillTester) -> None:
    from hatbot.context import Context

    bot.say("<admin> !chair rotation nova alice bob")
    until(bot, THURSDAY.replace(hour=14, minute=2))
    bot.say("<alice> #startmeeting nova", channel="#meeting")
    bot.say("<alice> #endmeeting", channel="#meeting")
    until(bot, THURSDAY.replace(hour=14, minute=16) + timedelta(days=7))  # bob: no meeting
    skill = bot.app.skills["schedule"]

    async def gathered() -> tuple[list[Any], list[Any]]:
        ctx = Context(bot.app.runtime, "schedule")
        try:
            since = THURSDAY - timedelta(days=1)
            return await skill.figures(ctx, since), await skill.credits(ctx, since)
        finally:
            await ctx.close()

    figures, credits = bot._runner.run(gathered())
    held, chairs = figures
    assert (held.key, held.value) == ("held", 50.0)  # one started, one not
    assert held.points == [("2026-W02", 100.0), ("2026-W03", 0.0)]
    assert (chairs.key, chairs.value) == ("chairs", 1)
    assert [(c.person, c.key, c.count) for c in credits] == [
        ("alice", "schedule_chaired", 1)]
