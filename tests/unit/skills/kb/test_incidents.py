"""Incidents: ``#startincident`` … ``#endincident`` run on the meeting engine (log,
minutes, crash safety) and leave a post-incident review in the knowledge base as a
draft, with a timeline of ``#status``/``#cause``/``#fix``/``#action`` at their times."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hatbot.skills.kb.models import KbEntry
from hatbot.testing import SkillTester


def drafts(bot: SkillTester) -> list[KbEntry]:
    async def read() -> list[KbEntry]:
        async with bot.app.sessions() as session:
            return list(await session.scalars(select(KbEntry).order_by(KbEntry.id)))
    return bot._runner.run(read())


def test_an_incident_leaves_a_timeline_and_a_review_draft(tmp_path: Path) -> None:
    bot = SkillTester(data_dir=tmp_path / "data", channel="#ops")
    try:
        bot.advance(hours=14, minutes=2)
        assert bot.say("<alice> #startincident Gate jobs time out") == [
            "Incident started at 14:02:00 UTC: Gate jobs time out. alice leads it. Say "
            "#status, #cause, #fix and #action as it goes; #endincident ends it and drafts "
            "the post-incident review."]
        bot.advance(minutes=5)
        bot.say("<bob> #status every tempest job times out after 3h")
        bot.advance(minutes=10)
        bot.say("<bob> #cause the mirror in region 2 serves stale packages")
        bot.advance(minutes=20)
        bot.say("<carol> #fix mirror resynced, rechecks pass")
        bot.say("<alice> #action carol adds a freshness check to the mirror")
        bot.advance(minutes=3)
        said = bot.say("<alice> #endincident")
        assert said[0] == "Incident ended at 14:40:00 UTC, after 38m."
        assert any("/meetings/incident/2026/incident.2026-01-05-14.02.html" in s
                   for s in said)
        (entry,) = drafts(bot)
        assert (entry.question, entry.status, entry.origin, entry.tags, entry.author_name) \
            == ("Incident 2026-01-05: Gate jobs time out", "draft", "incident", "incident",
                "alice")
        assert entry.answer == (
            "## Summary\n\n"
            "Gate jobs time out: from 14:02 to 14:40 UTC on 2026-01-05 (0:38), led by alice, "
            "with alice, bob, carol.\n"
            "Cause: the mirror in region 2 serves stale packages\n"
            "Fix: mirror resynced, rechecks pass\n"
            "Minutes and full log: http://127.0.0.1:8080/meetings/incident/2026/"
            "incident.2026-01-05-14.02.html\n\n"
            "## Timeline\n\n"
            "- 14:02 (+0:00) started by alice\n"
            "- 14:07 (+0:05) status: every tempest job times out after 3h (bob)\n"
            "- 14:17 (+0:15) cause: the mirror in region 2 serves stale packages (bob)\n"
            "- 14:37 (+0:35) fix: mirror resynced, rechecks pass (carol)\n"
            "- 14:37 (+0:35) action: carol adds a freshness check to the mirror (alice)\n"
            "- 14:40 (+0:38) ended\n\n"
            "## Impact\n\n_To be written._\n\n"
            "## Actions\n\n- [ ] carol adds a freshness check to the mirror (carol)\n")
        minutes = (tmp_path / "data/meetings/incident/2026/incident.2026-01-05-14.02.txt"
                   ).read_text()
        assert "CAUSE: the mirror in region 2 serves stale packages" in minutes
        assert bot.say("<bob> #endincident") == [
            "No meeting is running here, so #endincident does nothing. #startmeeting NAME "
            "starts one."]
    finally:
        bot.close()


def test_an_incident_survives_a_restart(tmp_path: Path) -> None:
    bot = SkillTester(data_dir=tmp_path / "data", channel="#ops")
    try:
        bot.say("<alice> #startincident DNS down")
        bot.say("<bob> #cause expired zone signature")
    finally:
        bot.close()
    bot = SkillTester(data_dir=tmp_path / "data", channel="#ops")
    try:
        bot.say("<bob> #fix re-signed the zone")
        assert bot.say("<alice> #endincident")[0].startswith("Incident ended at")
        (entry,) = drafts(bot)
        assert "Cause: expired zone signature\nFix: re-signed the zone\n" in entry.answer
    finally:
        bot.close()
