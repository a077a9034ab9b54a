from datetime import UTC, datetime, timedelta

import pytest

from hatbot.skills.meetings.engine import (
    Line,
    Meeting,
    meeting_name,
    parse_alias,
    parse_hash,
    replay,
)
from hatbot.skills.meetings.minutes import Minutes, names

T0 = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)


def line(nick: str, text: str, minutes: float = 0, key: str | None = None) -> Line:
    return Line(T0 + timedelta(minutes=minutes), key or f"irc:{nick}", nick, text)


def started(name: str = "nova") -> Meeting:
    meeting, _ = Meeting.start("irc:#nova", line("chair", f"#startmeeting {name}"), name)
    return meeting


def say(meeting: Meeting, nick: str, text: str, minutes: float = 1) -> list[str]:
    spoken = line(nick, text, minutes)
    return meeting.hear(spoken, parse_hash(spoken.text)).replies


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("#topic Bugs", ("topic", "Bugs")), ("#TOPIC  Bugs ", ("topic", "Bugs")),
     ("#endmeeting", ("endmeeting", "")), ("#12345", None), ("#openstack-dev", None),
     ("#openstack-dev is the channel", None), ("#unknowncmd x", None), ("say #info x", None)],
)
def test_parse_hash(text: str, parsed: tuple[str, str] | None) -> None:
    assert parse_hash(text) == parsed


def test_parse_alias() -> None:
    assert parse_alias("!meeting start Nova", "!", "hatbot") == ("startmeeting", "Nova")
    assert parse_alias("hatbot: meeting end", "!", "hatbot") == ("endmeeting", "")
    assert parse_alias("!meeting topic Bugs (5m)", "!", "hatbot") == ("topic", "Bugs (5m)")
    assert parse_alias("!meeting dance", "!", "hatbot") is None


def test_meeting_name_rule() -> None:
    assert meeting_name("Nova Team!") == "nova_team_"
    assert meeting_name("tripleo-ci") == "tripleo_ci"
    assert meeting_name("tripleo-ci", keep_dashes=True) == "tripleo-ci"
    assert started("").name == "nova"  # defaults to the channel name


def test_chair_only_commands_are_refused_for_others() -> None:
    meeting = started()
    assert say(meeting, "bob", "#topic Mine") == [
        "bob: only a chair can use #topic (chairs: chair)."]
    assert meeting.items == []
    say(meeting, "chair", "#chair bob")
    say(meeting, "bob", "#topic Mine")
    assert [i.text for i in meeting.items] == ["Mine"]


def test_chair_rights_follow_identity_not_nick() -> None:
    meeting = started()
    say(meeting, "bob", "hello")
    say(meeting, "chair", "#chair bob")
    impostor = Line(T0, "irc:mallory", "bob", "#agreed fake")
    assert meeting.hear(impostor, parse_hash(impostor.text)).replies[0].startswith(
        "bob: only a chair")


def test_starter_stays_chair() -> None:
    meeting = started()
    say(meeting, "chair", "#unchair chair")
    assert meeting.is_chair("irc:chair")


def test_late_end_rule() -> None:
    meeting = started()
    assert say(meeting, "bob", "#endmeeting", minutes=59)[0].startswith("bob: only a chair")
    assert meeting.ended_at is None
    assert say(meeting, "bob", "#endmeeting", minutes=60) == ["Meeting ended at 17:00:00 UTC."]
    assert meeting.ended_at == T0 + timedelta(minutes=60)


def test_url_at_line_start_is_a_link() -> None:
    meeting = started()
    say(meeting, "bob", "https://review.example.org/123 please look")
    say(meeting, "bob", "see https://x.org")
    assert [(i.kind, i.text) for i in meeting.items] == [
        ("LINK", "https://review.example.org/123 please look")]


def test_items_without_text_are_ignored() -> None:
    meeting = started()
    say(meeting, "bob", "#info")
    assert meeting.items == []


def test_timebox_is_reported() -> None:
    meeting = started()
    spoken = line("chair", "#topic Bugs (10m)", 2)
    outcome = meeting.hear(spoken, parse_hash(spoken.text))
    assert outcome.timebox is not None
    topic, length = outcome.timebox
    assert (topic.text, length) == ("Bugs (10m)", timedelta(minutes=10))


def test_vote_last_vote_counts_and_options_are_checked() -> None:
    meeting = started()
    say(meeting, "chair", "#startvote Ship it? Options: yes, no")
    say(meeting, "bob", "#vote yes")
    say(meeting, "bob", "#vote NO")
    assert say(meeting, "bob", "#vote maybe")[0].startswith("bob: 'maybe' is not a valid option")
    assert say(meeting, "chair", "#endvote") == [
        'Voted on "Ship it?" Results are: yes (0); no (1): bob']
    assert meeting.items[-1].text == "Ship it? (yes: 0, no: 1)"


def test_action_assignment_is_a_case_insensitive_word_match() -> None:
    assert names("bob", "Bob to fix it")
    assert not names("bob", "bobby to fix it")
    assert not names("alice", "alice[m] to fix it")
    assert names("alice[m]", "ask alice[m].")
    meeting = started()
    for nick in ("bob", "bobby"):
        say(meeting, nick, "here")
    say(meeting, "chair", "#action BOB and someone else")
    minutes = Minutes(meeting, "hatbot", "log")
    assert minutes.actions[0][1] == ["bob"]


def test_replay_rebuilds_state_and_stops_at_the_end() -> None:
    lines = [line("chair", "#startmeeting nova"), line("chair", "#chair bob"),
             line("bob", "hi"), line("chair", "#chair bob"), line("bob", "#agreed yes"),
             line("chair", "#endmeeting"), line("bob", "after the end")]
    meeting = replay(lines, "irc:#nova")
    assert meeting is not None
    assert [i.text for i in meeting.items] == ["yes"]
    assert meeting.lines[-1].text == "#endmeeting"
    assert replay(lines[2:], "irc:#nova") is None


def test_chair_goes_to_the_exact_nick_never_to_a_lookalike() -> None:
    at = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)

    def said(key: str, nick: str, text: str) -> Line:
        return Line(at, key, nick, text)

    meeting, _ = Meeting.start("memory:#dev", said("memory:chair", "chair", "#startmeeting"), "")
    for line in (said("memory:alice", "alice", "hi"), said("memory:ALICE", "ALICE", "me too")):
        meeting.hear(line, None)
    chair = said("memory:chair", "chair", "#chair alice")
    meeting.hear(chair, ("chair", "alice"))
    assert meeting.is_chair("memory:alice") and not meeting.is_chair("memory:ALICE")
    outcome = meeting.hear(said("memory:chair", "chair", "#chair Alice"), ("chair", "Alice"))
    assert outcome.replies[0] == "'Alice' could be ALICE, alice: say the exact nick."
    assert not meeting.is_chair("memory:ALICE")
    # One person whose nick differs only in case (IRC folds case): still that person.
    meeting.hear(said("irc:Bob", "Bob", "hello"), None)
    meeting.hear(said("memory:chair", "chair", "#chair bob"), ("chair", "bob"))
    assert meeting.is_chair("irc:Bob")


def test_a_meetings_lines_read_as_lines_and_cost_the_collector_nothing() -> None:
    import gc

    from hatbot.skills.meetings.engine import LineLog

    start = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
    said = [Line(start + timedelta(seconds=n), f"irc:n{n}", f"n{n}", f"line {n}",
                 is_action=n % 3 == 0) for n in range(50)]
    log = LineLog(said[:10])
    for line in said[10:]:
        log.append(line)
    assert len(log) == 50 and list(log) == said and log[-1] == said[-1]
    assert log[5:8] == said[5:8] and list(reversed(log)) == said[::-1]
    assert log == LineLog(said) and log != LineLog(said[:49])
    gc.collect()
    assert not any(gc.is_tracked(row) for row in log._rows)
    assert all(gc.is_tracked(line) for line in said)  # what it replaced: one object each
