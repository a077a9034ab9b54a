"""Mentor matching: the documented score, the joint assignment, and the chat commands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hatbot.adapters.memory import MemoryAdapter
from hatbot.events import Address, Message, Person
from hatbot.markup import render_plain
from hatbot.skills.mentoring.matching import Mentee, Mentor, assign, parse_tz, score
from tests.conftest import StartBot, memory

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ANA = Mentor("ana", frozenset({"python", "docs"}), 60, capacity=2)
RAJ = Mentor("raj", frozenset({"python", "ci"}), 330, capacity=1)
KIM = Mentor("kim", frozenset({"docs"}), -300, capacity=1)
SEEKERS = [
    Mentee("a", frozenset({"python"}), 60),
    Mentee("b", frozenset({"python", "ci"}), 300),
    Mentee("c", frozenset({"docs"}), -300),
    Mentee("d", frozenset({"docs"}), 120),
    Mentee("e", frozenset({"rust"}), 0),
]


def test_scores_by_hand() -> None:
    # b with raj: all tags (10), 0.5 h apart (4 * (1 - 0.5/12) + 3), fresh (+1), full (-2).
    assert score(RAJ, SEEKERS[1], NOW) == pytest.approx(10 + 3.8333 + 3 + 1 - 2, abs=1e-3)
    # b with ana: half the tags (5), 4 h apart (no region bonus), half her capacity (-1).
    assert score(ANA, SEEKERS[1], NOW) == pytest.approx(5 + 2.6667 + 1 - 1, abs=1e-3)
    assert score(KIM, SEEKERS[0], NOW) is None  # nothing shared
    recent = Mentor("kim", KIM.tags, KIM.tz, 1, last_mentored=NOW)
    assert score(recent, SEEKERS[2], NOW) == pytest.approx(score(KIM, SEEKERS[2], NOW) - 1)


def test_three_mentors_five_mentees() -> None:
    matches, waiting = assign(SEEKERS, [ANA, RAJ, KIM], NOW)
    assert sorted((m.mentee, m.mentor) for m in matches) == [
        ("a", "ana"), ("b", "raj"), ("c", "kim"), ("d", "ana")]
    assert waiting == ["e"]
    assert {m.mentee: sorted(m.shared) for m in matches}["b"] == ["ci", "python"]


def test_joint_assignment_beats_greedy() -> None:
    """One by one, x (first) would take pat and leave y with quinn (16 + 6); together,
    x goes to quinn and y to pat (11 + 16), the better total."""
    pat = Mentor("pat", frozenset({"docs", "python"}), 60, capacity=1)
    quinn = Mentor("quinn", frozenset({"docs"}), -300, capacity=1)
    x = Mentee("x", frozenset({"docs"}), 60)
    y = Mentee("y", frozenset({"docs", "python"}), 60)
    assert score(pat, x, NOW) == pytest.approx(16)
    assert score(quinn, y, NOW) == pytest.approx(6)
    matches, waiting = assign([x, y], [pat, quinn], NOW)
    assert sorted((m.mentee, m.mentor) for m in matches) == [("x", "quinn"), ("y", "pat")]
    assert waiting == []


def test_capacity_is_never_exceeded() -> None:
    busy = Mentor("ana", ANA.tags, ANA.tz, capacity=2, load=2)
    matches, waiting = assign(SEEKERS[:1], [busy], NOW)
    assert matches == [] and waiting == ["a"]


@pytest.mark.parametrize(("text", "minutes"), [("+02:00", 120), ("-0530", -330), ("UTC+2", 120),
                                                ("utc", 0), ("+5:45", 345)])
def test_parse_tz(text: str, minutes: int) -> None:
    assert parse_tz(text) == minutes


def test_parse_tz_rejects() -> None:
    with pytest.raises(ValueError, match="a UTC offset like"):
        parse_tz("Europe/Paris")


async def test_mentoring_in_chat(start_bot: StartBot) -> None:
    app = await start_bot()
    adapter = memory(app)

    async def say(nick: str, text: str) -> list[str]:
        return [f"{r.target.id}{'(dm)' if r.direct else ''}: {render_plain(r.markup_text)}"
                for r in await adapter.say(text, nick=nick)]

    assert await say("ana", "!mentor add python docs tz=+01:00 capacity=2") == [
        "#test: Thank you! You mentor in docs, python (UTC+01:00), up to 2 at a time."]
    await say("raj", "!mentor add python ci tz=+05:30 capacity=1")
    await say("kim", "!mentor add docs tz=-05:00 capacity=1")
    a = await say("a", "!mentee python tz=+01:00")
    assert a == ["a(dm): Good news, you have a mentor in python: ana (memory:ana). Say hello "
                 "to them!",
                 "ana(dm): You have a new mentee, interested in python: a (memory:a). "
                 "Please say hello!"]
    for nick, text in (("b", "!mentee python ci tz=+05:00"), ("c", "!mentee docs tz=-05:00"),
                       ("d", "!mentee docs tz=+02:00")):
        await say(nick, text)
    (waiting,) = await say("e", "!mentee rust")
    assert waiting.startswith("#test: No mentor fits rust yet: you are on the waiting list")
    pairs = [(r.target.id, render_plain(r.markup_text).split(": ", 1)[1].split(".")[0])
             for r in adapter.sent if r.direct and "you have a mentor" in render_plain(
                 r.markup_text)]
    assert sorted(pairs) == [("a", "ana (memory:ana)"), ("b", "raj (memory:raj)"),
                             ("c", "kim (memory:kim)"), ("d", "ana (memory:ana)")]
    assert await say("kim", "!mentor stats") == [
        "#test: 4 mentorships running, 1 mentees waiting, 3 of 3 mentors at capacity, "
        "0 mentorships finished."]
    # A mentor for rust arrives: the waiting mentee is matched then.
    await say("lee", "!mentor add rust")
    assert any(line.startswith("e(dm): Good news, you have a mentor in rust: lee") for line in
               [f"{r.target.id}(dm): {render_plain(r.markup_text)}" for r in adapter.sent
                if r.direct])
    assert (await say("c", "!mentee done"))[0] == (
        "#test: The mentorship of c by kim is finished. Thank you both!")
    listing = await say("x", "!mentor list")
    assert "kim: docs (UTC-05:00), 0/1" in listing[0]
    assert (await say("x", "!mentee python tz=Mars"))[0].startswith(
        '#test: tz: expected a zone like Europe/Berlin or a UTC offset like +02:00 or '
        '-05:30, got "Mars"')


class Elsewhere(MemoryAdapter):
    """A second platform in the same bot, as IRC is beside Slack."""

    platform = "elsewhere"


async def test_mentor_and_mentee_on_different_platforms(start_bot: StartBot) -> None:
    app = await start_bot(raw={"adapters": {"elsewhere": {}}},
                          adapters={"elsewhere": Elsewhere})
    here, there = memory(app), app.adapters["elsewhere"]
    assert isinstance(there, Elsewhere)
    await here.say("!mentor add docs", nick="ana")
    mentee = Person(Address("elsewhere", "newbie"), "newbie", Address("elsewhere", "newbie"))
    await there.emit(Message(channel=Address("elsewhere", "#dev"), sender=mentee,
                             text="!mentee docs"))
    to_mentee = [render_plain(r.markup_text) for r in there.sent if r.direct]
    to_mentor = [render_plain(r.markup_text) for r in here.sent if r.direct]
    assert to_mentee == ["Good news, you have a mentor in docs: ana (memory:ana). Say hello to "
                         "them!"]
    assert to_mentor == ["You have a new mentee, interested in docs: newbie (elsewhere:newbie). "
                         "Please say hello!"]


async def test_mentor_done_says_what_is_true(start_bot: StartBot) -> None:
    app = await start_bot()
    adapter = memory(app)

    async def say(nick: str, text: str) -> list[str]:
        return [render_plain(r.markup_text) for r in await adapter.say(text, nick=nick)]

    assert await say("ana", "!mentor done bob") == ["You are mentoring nobody right now."]
    await say("ana", "!mentor add docs")
    await say("newbie", "!mentee docs")
    assert await say("ana", "!mentor done bob") == [
        "bob is not one of your mentees (yours: newbie)."]
    assert (await say("ana", "!mentor done newbie"))[0] != "bob"
