"""The meetings skill in chat: aliases, action items across meetings, direct messages."""

from __future__ import annotations

from pathlib import Path

from hatbot.events import Reply
from hatbot.markup import render_plain
from tests.conftest import StartBot, memory, read_minutes


def plain(reply: Reply) -> str:
    """What people read of a reply."""
    return render_plain(reply.markup_text)


async def said(app: object, text: str, nick: str = "alice") -> list[str]:
    replies = await memory(app).say(text, nick=nick)  # type: ignore[arg-type]
    return [line for r in replies for line in plain(r).split("\n")]


async def test_aliases_and_addressing(start_bot: StartBot, tmp_path: Path) -> None:
    app = await start_bot(raw={"skills": {"meetings": {"minutes_dir": str(tmp_path)}}})
    assert (await said(app, "!meeting end"))[0].startswith("No meeting is running here.")
    assert (await said(app, "hatbot: meeting start Team Sync"))[0].startswith(
        "Meeting started at ")
    assert (await said(app, "#startmeeting again"))[0].startswith(
        "A meeting is already running here: 'team_sync'")
    assert await said(app, "!meeting topic Roadmap") == []
    assert (await said(app, "!meeting end", nick="bob"))[0].startswith(
        "bob: only a chair can end the meeting")
    replies = await said(app, "!meeting end")
    assert replies[0].startswith("Meeting ended at ")
    assert [r.split(" http")[0] for r in replies[1:]] == ["Minutes:", "Minutes (text):", "Log:"]
    assert "* Roadmap  (alice, " in read_minutes(tmp_path, "team_sync")


async def test_direct_messages_are_not_meeting_lines(start_bot: StartBot) -> None:
    app = await start_bot()
    replies = await memory(app).say("#startmeeting secret", direct=True)
    assert [plain(r) for r in replies] == ["I answer commands; say !help for the list."]
    (reply,) = await memory(app).say("#endmeeting")  # no meeting was started
    assert plain(reply).startswith("No meeting is running here")


async def test_action_items_carry_over_to_the_next_meeting(
    start_bot: StartBot, tmp_path: Path
) -> None:
    app = await start_bot(raw={"skills": {"meetings": {"minutes_dir": str(tmp_path)}}})
    await said(app, "hi", nick="bob")
    await said(app, "#startmeeting weekly")
    await said(app, "here", nick="bob")
    await said(app, "#action bob to update the wiki")
    await said(app, "#action find a volunteer for CI")
    await said(app, "#endmeeting")

    assert await said(app, "!actions") == [
        "#1 bob to update the wiki (bob), weekly " + _today(),
        "#2 find a volunteer for CI (unassigned), weekly " + _today(),
    ]
    assert await said(app, "!actions BOB") == ["#1 bob to update the wiki (bob), weekly "
                                                + _today()]
    assert await said(app, "!actions carol") == ["No open action items for carol."]
    assert await said(app, "!action done 1", nick="bob") == [
        "Done: #1 bob to update the wiki (thanks, bob)"]
    assert await said(app, "!action done 1") == ["Action item #1 was already done."]
    assert await said(app, "!action done 99") == [
        "There is no action item #99. !actions lists them."]
    assert (await said(app, "!action done x"))[0].startswith('ID: expected a whole number')

    await said(app, "wait, a different week", nick="bob")
    replies = await said(app, "#startmeeting weekly")
    assert replies[1:] == ["Open action items from earlier 'weekly' meetings:",
                           "#2 find a volunteer for CI (unassigned), weekly " + _today()]


def _today() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%d")
