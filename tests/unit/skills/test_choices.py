"""Choices under the bot's replies (issue #21): what people may do with one gesture — a
button, or a reaction — is a command they could type, run as them with the same
permissions. Here on the memory adapter, pressed with ``SkillTester.press``; the Slack
buttons and the reactions on Slack and Matrix are in the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hatbot.events import Choice, Reply
from hatbot.replicas import from_row, to_row
from hatbot.testing import SkillTester
from tests.conftest import read_minutes


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[SkillTester]:
    tester = SkillTester(data_dir=tmp_path / "data", config={
        "bot": {"admins": ["memory:admin"]},
        "skills": {"kb": {"reviewers": ["memory:rita"]},
                   "meetings": {"minutes_dir": str(tmp_path / "minutes")}}})
    yield tester
    tester.close()


def test_claim_from_the_hat_digest(bot: SkillTester) -> None:
    bot.say("<alice> !hat add Review the contributor guide area=docs")
    bot.say("<alice> !hat remind")
    (one,) = bot.sent[-1].choices
    assert one == Choice("Claim #1", "!hat claim 1", emoji="✅")  # one task: ✅ claims it
    assert bot.press("bob", "Claim #1")[0].startswith("bob is wearing the Community Hat for #1")
    assert bot.press("carol", "Claim #1") == ["#1 is worn by bob already."]

    bot.say("<alice> !hat add Triage new bugs area=review")
    bot.say("<alice> !hat add Write release notes area=release")
    bot.say("<alice> !hat remind")
    choices = bot.sent[-1].choices
    assert [c.label for c in choices] == ["Claim #2", "Claim #3"]
    assert all(c.emoji == "" for c in choices)  # which task would a ✅ mean?


def test_done_from_the_list_of_actions(bot: SkillTester) -> None:
    for line in ("#startmeeting weekly", "#action bob updates the wiki", "#endmeeting"):
        bot.say(f"<alice> {line}")
    bot.say("<alice> !actions")
    (done,) = bot.sent[-1].choices
    assert done == Choice("Done #1", "!action done 1", emoji="✅")
    assert bot.press("bob", "Done #1") == ["Done: #1 bob updates the wiki (thanks, bob)"]
    assert bot.say("<alice> !actions") == ["No open action items."]


def test_review_buttons_keep_the_reviewers_rights(bot: SkillTester) -> None:
    bot.say("<alice> !kb add How do I run the unit tests? | Run tox -e py3")
    assert [c.label for c in bot.sent[-1].choices] == ["Approve", "Reject"]
    assert bot.press("mallory", "Approve") == ["Only a reviewer can do that."]
    assert bot.press("rita", "Approve")[0].startswith("Approved #1")
    bot.say("<alice> !kb add Where are the docs? | docs.example.org")
    assert bot.press("rita", "Reject") == [
        "Rejected #2: (rejected with a button; no reason given)"]
    assert bot.say("<rita> !kb show 1")[0].startswith("#1 (approved)")
    assert bot.sent[-1].choices == ()  # nothing to review on an approved entry


def test_a_press_is_not_a_line_of_the_meeting(bot: SkillTester, tmp_path: Path) -> None:
    """A button runs its command; listeners of messages (the minutes) never see it."""
    bot.say("<alice> !hat add Review the contributor guide area=docs")
    bot.say("<alice> !hat remind")
    digest = bot.sent[-1]
    bot.say("<alice> #startmeeting weekly")
    assert bot.press("bob", "Claim #1", digest)[0].startswith("bob is wearing")
    bot.say("<alice> #endmeeting")
    log = read_minutes(tmp_path / "minutes", "weekly", "log.txt")
    assert "hat claim" not in log and "#startmeeting" in log


def test_choices_survive_the_outbox() -> None:
    """A standby's post waits in the outbox as JSON; its choices come back whole."""
    from hatbot.events import Address

    reply = Reply(Address("slack", "C0DEV"), "CI is red", choices=(
        Choice("Ack", "!ci ack octo/repo", emoji="👀"), Choice("Reject", "!x", danger=True)))
    assert from_row(to_row(reply)) == reply


def test_ill_mentor_under_a_newcomer_no_mentor_fits(tmp_path: Path) -> None:
    bot = SkillTester(data_dir=tmp_path / "data", config={
        "skills": {"mentoring": {"mentors_channel": "memory:#mentors"}}})
    try:
        bot.say("<bob> !mentor add python")
        assert bot.say("<ana> !mentee docs")[0].startswith("No mentor fits docs yet")
        waiting = bot.sent[-1]
        assert str(waiting.target) == "memory:#mentors"
        assert bot.replies()[-1] == ("Waiting for a mentor: #1 ana, in docs (time zone "
                                     "unknown). A mentor who will take them on: "
                                     "!mentor take 1")
        assert bot.press("carol", "I'll mentor") == [
            "Only mentors take mentees; !mentor add TAG… first."]
        said = bot.press("bob", "I'll mentor")
        assert said[-1] == "Thank you, bob: you mentor ana now."
        assert any(s.startswith("Good news, you have a mentor in docs: bob") for s in said)
        assert bot.press("bob", "I'll mentor") == ["#1 is not waiting for a mentor."]
    finally:
        bot.close()
