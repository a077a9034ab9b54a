"""Mentoring's ``tz=`` by zone name, or the person's ``!tz``: matched on the offset of the
day, which moves with daylight saving."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hatbot.skills.mentoring import matching
from hatbot.testing import SkillTester


def test_a_zone_is_kept_by_name_and_its_offset_follows_the_season() -> None:
    assert matching.offset_now("Europe/Berlin", datetime(2026, 1, 15, tzinfo=UTC)) == 60
    assert matching.offset_now("Europe/Berlin", datetime(2026, 7, 15, tzinfo=UTC)) == 120
    assert matching.offset_now("America/New_York", datetime(2026, 7, 15, tzinfo=UTC)) == -240


def test_mentors_and_mentees_by_zone_name_or_their_tz(tmp_path: Path) -> None:
    bot = SkillTester(data_dir=tmp_path / "data")
    try:
        assert bot.say("<ana> !mentor add docs tz=europe/berlin capacity=1") == [
            "Thank you! You mentor in docs (Europe/Berlin), up to 1 at a time."]
        bot.say("<kim> !tz America/New_York")
        assert bot.say("<kim> !mentor add docs capacity=1") == [
            "Thank you! You mentor in docs (America/New_York), up to 1 at a time."]
        assert bot.say("<x> !mentor list") == [
            "ana: docs (Europe/Berlin), 0/1\nkim: docs (America/New_York), 0/1"]
        # A mentee in New York's zone, given as a name, is introduced to kim, six hours
        # nearer than ana.
        bot.say("<mo> !mentee docs tz=America/Toronto")
        introduced = [str(r.target) for r in bot.sent if r.direct]
        assert "memory:kim" in introduced and "memory:ana" not in introduced
    finally:
        bot.close()
