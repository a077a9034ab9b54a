"""The knowledge base in chat on the in-memory adapter: add, capture, review rights,
search, suggestions once per person and day, ``!kb wrong``, and what meetings and the
Community Hat exchange with it through handoffs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hatbot.skills.kb.models import KbEntry, KbRevision
from hatbot.testing import SkillTester


def config(**more: Any) -> dict[str, Any]:
    return {"bot": {"admins": ["memory:admin"]},
            "skills": {"kb": {"reviewers": ["memory:rita"],
                              "reviewers_by_tag": {"docs": ["memory:dora"]},
                              "help_channels": ["memory:#help"], **more}}}


@pytest.fixture
def bot(tmp_path: Path) -> Any:
    tester = SkillTester(config=config(), data_dir=tmp_path / "data")
    yield tester
    tester.close()


def rows(bot: SkillTester, model: Any) -> list[Any]:
    async def read() -> list[Any]:
        async with bot.app.sessions() as session:
            return list(await session.scalars(select(model).order_by(model.id)))
    return bot._runner.run(read())


def test_a_draft_is_reviewed_before_anyone_finds_it(bot: SkillTester) -> None:
    assert bot.say("<alice> !kb add How do I run the unit tests? | Run tox -e py3 | "
                   "testing, tox") == [
        "Draft #1 added: How do I run the unit tests? (a reviewer approves it with "
        "!kb approve 1)"]
    assert bot.say("<bob> !kb unit tests")[0].startswith('Nothing approved matches')
    assert bot.say("<bob> !kb approve 1") == ["Only a reviewer of testing tox can do that."]
    assert bot.say("<dora> !kb approve 1") == ["Only a reviewer of testing tox can do that."]
    review = bot.say("<rita> !kb review")[0]
    assert review.startswith("#1 How do I run the unit tests? (by alice, 0d old, testing tox)")
    assert bot.say("<rita> !kb approve 1") == [
        "Approved #1: How do I run the unit tests? http://127.0.0.1:8080/kb/1"]
    assert bot.say("<bob> !kb unit tests") == [
        "#1 How do I run the unit tests? — Run tox -e py3 http://127.0.0.1:8080/kb/1"]
    # The author changes the answer: reviewed again before it is told.
    assert bot.say("<alice> !kb edit 1 | Run tox -e py312") == [
        "#1 has a new answer. It is a draft again until a reviewer approves it."]
    assert bot.say("<bob> !kb unit tests")[0].startswith('Nothing approved matches')
    assert bot.say("<bob> !kb edit 1 | mine now") == [
        "Only its author (alice) or a reviewer can edit #1."]
    assert bot.say("<rita> !kb approve 1")[0].startswith("Approved #1")
    assert bot.say("<rita> !kb reject 1 Superseded by the contributor guide") == [
        "Rejected #1: Superseded by the contributor guide"]
    actions = [(r.action, r.by_name, r.answer) for r in rows(bot, KbRevision)]
    assert actions == [("created", "alice", "Run tox -e py3"),
                       ("approved", "rita", "Run tox -e py3"),
                       ("edited", "alice", "Run tox -e py312"),
                       ("approved", "rita", "Run tox -e py312"),
                       ("rejected", "rita", "Run tox -e py312")]
    assert rows(bot, KbEntry)[0].reason == "Superseded by the contributor guide"


def test_reviewers_by_tag_by_verified_account_and_never_of_their_own(bot: SkillTester
                                                                     ) -> None:
    bot.say("<alice> !kb add Where do docs live? | In doc/source | docs")
    bot.say("<dora> !kb add Who reviews docs? | The docs team | docs")
    assert bot.say("<dora> !kb approve 2") == ["#2 is yours: another reviewer approves it."]
    assert bot.say("<dora> !kb approve 1")[0].startswith("Approved #1")
    assert bot.say("<admin> !kb approve 2")[0].startswith("Approved #2")
    # A nick that says it is rita is not her verified account.
    bot.say("<alice> !kb add Q? | A")
    from hatbot.adapters.memory import person
    from hatbot.events import Address, Message
    impostor = person("rita", verified=False)
    said = bot._handle(Message(channel=Address("memory", "#test"), sender=impostor,
                               text="!kb approve 3", ts=bot.clock.now()))
    assert said == ["Only a reviewer can do that."]


def test_usage_errors_name_the_form(bot: SkillTester) -> None:
    said = bot.say("<alice> !kb add just a question")[0]
    assert "expected QUESTION | ANSWER" in said and "!kb add" in said
    assert bot.say("<alice> !kb approve 42")[0].startswith("No entry #42.")
    assert "N is from 1 to 50" in bot.say("<alice> !kb capture 99")[0]


def test_capture_takes_the_last_lines_said_here(bot: SkillTester) -> None:
    assert bot.say("<carol> !kb capture") == [
        "I have heard nothing here to capture since I started."]
    bot.say("<carol> the gate is red again")
    bot.say("<dan> why does the docs job fail with a sphinx warning?")
    bot.say("<erin> sphinx 8 turned warnings into errors; pin sphinx<8 in doc/requirements")
    assert bot.say("<dan> !kb capture 2") == [
        'Captured 2 lines as draft #1 ("why does the docs job fail with a sphinx warning?");'
        ' !kb edit 1 | ANSWER gives it a clean answer.']
    entry = rows(bot, KbEntry)[0]
    assert (entry.author_name, entry.origin, entry.channel) == ("dan", "capture",
                                                                "memory:#test")
    assert entry.answer == "<erin> sphinx 8 turned warnings into errors; pin sphinx<8 in " \
        "doc/requirements"
    assert entry.source_text.splitlines()[0] == \
        "<dan> why does the docs job fail with a sphinx warning?"
    assert bot.say("<dan> !kb capture 5")[0].startswith("Captured 3 lines (all I heard: 3)")


def test_a_repeated_question_gets_the_entry_once_a_day_and_never_when_wrong(
        bot: SkillTester) -> None:
    bot.say("<alice> !kb add How do I run the unit tests? | Run tox -e py3 | testing")
    bot.say("<rita> !kb approve 1")
    said = bot.say("<carol> how can I run the unit tests?", channel="#help")
    assert said == ["carol: this may answer it — #1 How do I run the unit tests? — Run tox "
                    "-e py3 http://127.0.0.1:8080/kb/1 (not it? !kb wrong 1)"]
    assert bot.sent[-1].thread is not None  # in a thread where the platform has them
    assert bot.say("<carol> how can I run the unit tests?", channel="#help") == []
    assert bot.say("<carol> how can I run the unit tests?") == []  # not a help channel
    assert bot.say("<zed> the unit tests are slow today", channel="#help") == []  # no question
    assert bot.say("<zed> where is the release schedule?", channel="#help") == []  # no match
    bot.advance(days=1)
    assert len(bot.say("<carol> how can I run the unit tests?", channel="#help")) == 1
    assert bot.say("<carol> !kb wrong 1", channel="#help") == [
        "Thanks: I will not suggest #1 for that question again."]
    bot.advance(days=1)
    assert bot.say("<dave> how can I run unit tests?", channel="#help") == []
    assert bot.say("<dave> !kb wrong 1") == ["I have not suggested #1 here."]
    # Never during a meeting; a question worded otherwise than the wrong one is answered.
    asked = "<erin> any tips to run unit tests locally with tox?"
    bot.say("<alice> #startmeeting triage", channel="#help")
    assert not any("may answer" in s for s in bot.say(asked, channel="#help"))
    bot.say("<alice> #endmeeting", channel="#help")
    assert any("may answer it — #1" in s for s in bot.say(asked, channel="#help"))


def test_meeting_decisions_and_faq_lines_reach_the_knowledge_base(bot: SkillTester) -> None:
    bot.say("<alice> #startmeeting nova")
    bot.say("<alice> #topic Release")
    bot.say("<alice> #agreed Freeze on Thursday")
    bot.say("<bob> #faq When is the freeze? | Thursday, see the release page")
    bot.say("<alice> #endmeeting")
    assert bot.say("<bob> !kb decisions") == [
        "2026-01-05 nova: Freeze on Thursday http://127.0.0.1:8080/meetings/nova/2026/"
        "nova.2026-01-05-00.00.log.html#l-4"]
    entry = rows(bot, KbEntry)[0]
    assert (entry.question, entry.answer, entry.origin, entry.status, entry.author_name) == (
        "When is the freeze?", "Thursday, see the release page", "faq", "draft", "bob")
    assert entry.source_url.endswith("nova.2026-01-05-00.00.log.html#l-5")
    folder = Path(bot.app.config.bot.data_dir) / "meetings/nova/2026"
    log = (folder / "nova.2026-01-05-00.00.log.html").read_text()
    for anchor, said in (("l-4", "#agreed Freeze on Thursday"), ("l-5", "#faq When is")):
        line = log[log.index(f'id="{anchor}"'):]
        assert said in line[:line.index("\n")], anchor
    minutes = (folder / "nova.2026-01-05-00.00.txt").read_text()
    assert "FAQ: When is the freeze? | Thursday, see the release page" in minutes


def test_a_draft_left_unreviewed_becomes_a_docs_hat_task_once(tmp_path: Path) -> None:
    bot = SkillTester(config=config(draft_task_days=3, task_channel="memory:#docs"),
                      data_dir=tmp_path / "data")
    try:
        bot.say("<alice> !hat volunteer docs")
        bot.say("<carol> !kb add How do I build the docs? | tox -e docs | docs")
        said = bot.advance(days=3, hours=1)
        assert said == ["Task #1 added: Review knowledge-base draft #1: How do I build the "
                        "docs? (http://127.0.0.1:8080/kb/1) (docs). alice, would you wear "
                        "the hat? !hat claim 1"]
        assert bot.sent[-1].target.id == "#docs"
        assert bot.advance(days=2) == []  # once
        assert "#1 Review knowledge-base draft #1" in bot.say("<bob> !hat list")[0]
    finally:
        bot.close()


def test_examples_answer_as_documented(bot: SkillTester) -> None:
    assert bot.check_examples("kb") >= 1


def test_the_capture_reaction_takes_a_message_and_its_thread_once(bot: SkillTester) -> None:
    bot.say("<dan> does anyone know why the docs job fails?")
    asked = bot.said_id
    bot.say("<erin> unrelated: lunch?")
    bot.say("<carol> sphinx 8 turns warnings into errors")
    assert bot.react("rita", "👍", asked) == []  # not the capture emoji
    assert bot.react("rita", "📌", "no-such-message") == []
    assert bot.react("rita", "📌", asked) == [
        'rita captured 1 line as draft #1 ("does anyone know why the docs job fails?") for '
        'review.']
    assert bot.sent[-1].thread == asked  # said in the message's thread
    assert bot.react("bob", "📌", asked) == []  # once per message
    entry = rows(bot, KbEntry)[0]
    assert (entry.author_name, entry.origin, entry.source_id) == ("rita", "reaction", asked)


def test_a_reaction_in_a_thread_captures_the_whole_thread(bot: SkillTester) -> None:
    from hatbot.adapters.memory import person
    from hatbot.events import Address, Message

    here = Address("memory", "#test")
    root = Message(channel=here, sender=person("dan"), text="why does the docs job fail?",
                   ts=bot.clock.now(), id="m-root")
    reply = Message(channel=here, sender=person("carol"), text="sphinx 8: warnings are errors",
                    ts=bot.clock.now(), id="m-reply", thread="m-root")
    aside = Message(channel=here, sender=person("erin"), text="lunch?", ts=bot.clock.now(),
                    id="m-aside")
    for message in (root, reply, aside):
        bot._handle(message)
    assert bot.react("rita", "📌", "m-reply")[0].startswith("rita captured 2 lines as draft #1")
    entry = rows(bot, KbEntry)[0]
    assert entry.question == "why does the docs job fail?"
    assert entry.answer == "<carol> sphinx 8: warnings are errors"
    assert bot.react("rita", "📌", "m-root") == []  # the same thread
