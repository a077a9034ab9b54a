"""Buttons and reactions on Slack (issue #21): the real slack_bolt app against the local
fake of Slack's Web API, through the Events API and Socket Mode. A press runs the
button's command as the person who pressed it (with the same rights as typing it), once
however often Slack sends it, and the message shows who pressed; a reaction a choice
names does the same, once per person."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from hatbot.app import App
from tests.conftest import StartBot
from tests.integration.fake_slack import BOT_USER, FakeSlack, message
from tests.integration.test_ci_hooks import SECRET as CI_SECRET
from tests.integration.test_ci_hooks import github, run
from tests.integration.test_slack import SECRET, post_event, signed


async def start(start_bot: StartBot, slack: FakeSlack, tmp_path: Path,
                socket_mode: bool = False, mentors_channel: str = "") -> App:
    options: dict[str, Any] = {"bot_token": "xoxb-test", "signing_secret": SECRET,
                               "api_url": slack.api_url}
    if socket_mode:
        options["app_token"] = "xapp-test"
    app = await start_bot(raw={
        "adapters": {"slack": options},
        "web": {"enabled": True, "port": 0},
        "skills": {
            "meetings": {"minutes_dir": str(tmp_path / "minutes")},
            "kb": {"reviewers": ["slack:U0RAJ"]},
            "mentoring": {"mentors_channel": mentors_channel},
            "ci": {"github_secret": CI_SECRET, "watch": [
                {"repo": "octo-org/octo-repo", "branches": ["main"],
                 "channels": ["slack:C0DEV"]}]}}})
    if socket_mode:
        await asyncio.wait_for(slack.connected.wait(), 10)
    return app


async def press(app: App, payload: dict[str, Any]) -> httpx.Response:
    """A press as Slack sends it to the request URL: a signed form with one field."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {**signed(body), "Content-Type": "application/x-www-form-urlencoded"}
    async with httpx.AsyncClient() as client:
        return await client.post(f"http://127.0.0.1:{app.web.port}/slack/events",
                                 content=body, headers=headers)


async def said(slack: FakeSlack, starting: str, count: int = 1) -> list[str]:
    """Once the bot has posted ``count`` messages starting so, every one that does."""
    for _ in range(300):
        found = [p["text"] for p in slack.posted if p["text"].startswith(starting)]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"never said {starting!r}: {[p['text'] for p in slack.posted]}")


async def test_ack_on_a_red_build_pressed_once(start_bot: StartBot, slack: FakeSlack,
                                              tmp_path: Path) -> None:
    app = await start(start_bot, slack, tmp_path)
    await github(app, run("failure"), "d-1")
    red = await slack.wait_post("CI is red on")
    (section, actions) = red["blocks"]
    assert section["text"]["text"] == red["text"]
    (ack,) = actions["elements"]
    assert (ack["text"]["text"], ack["value"]) == ("Ack", "!ci ack octo-org/octo-repo")
    assert ack["action_id"].endswith(":eyes")  # 👀 means the same

    payload = slack.press(red, "Ack")
    forged = urlencode({"payload": json.dumps(payload)}).encode()
    async with httpx.AsyncClient() as client:  # signed with another secret, then too old
        for headers in (signed(forged, secret="not-the-secret"),
                        signed(forged, timestamp=int(time.time()) - 600)):
            answer = await client.post(
                f"http://127.0.0.1:{app.web.port}/slack/events", content=forged,
                headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
            assert answer.status_code == 401
    assert (await press(app, payload)).status_code == 200
    assert await said(slack, "ana is on it") == [
        "ana is on it: octo-org/octo-repo. No more reminders."]
    await press(app, payload)  # Slack sending the same press again
    await asyncio.sleep(0.3)
    assert len([p for p in slack.posted if p["text"].startswith("ana is on it")]) == 1
    (shown,) = slack.updated_blocks
    assert shown[-1]["elements"][-1]["text"] == "Ack — <@U0ANA>"
    assert [b["type"] for b in shown] == ["section", "actions", "context"]


async def test_review_buttons_over_socket_mode_keep_the_rights(
        start_bot: StartBot, slack: FakeSlack, tmp_path: Path) -> None:
    app = await start(start_bot, slack, tmp_path, socket_mode=True)
    await slack.push(message("!kb add How do I run the unit tests? | Run tox -e py3"))
    draft = await slack.wait_post("Draft #1 added")
    assert [e["text"]["text"] for e in draft["blocks"][1]["elements"]] == ["Approve", "Reject"]
    assert draft["blocks"][1]["elements"][1]["style"] == "danger"

    await slack.push_interactive(slack.press(draft, "Approve", user="U0ANA"))  # its author
    assert await said(slack, "#1 is yours") == ["#1 is yours: another reviewer approves it."]
    await slack.push_interactive(slack.press(draft, "Approve", user="U0RAJ"))
    (approved,) = await said(slack, "Approved #1")
    assert approved.startswith("Approved #1: How do I run the unit tests?")
    acks = [await asyncio.wait_for(slack.acks.get(), 5) for _ in range(3)]
    assert len({a["envelope_id"] for a in acks}) == 3  # the message and both presses
    # The message shows both presses, the refused one too: the choice stays open to others.
    assert [e["text"] for e in slack.updated_blocks[-1][-1]["elements"]] == [
        "Approve — <@U0ANA>", "Approve — <@U0RAJ>"]
    assert app.adapters["slack"].status == "connected"


async def test_a_reaction_claims_the_one_task_once(start_bot: StartBot, slack: FakeSlack,
                                                  tmp_path: Path) -> None:
    app = await start(start_bot, slack, tmp_path)
    await post_event(app, message("!hat add Review the contributor guide area=docs"))
    await slack.wait_post("Task #1 added")
    await post_event(app, message("!hat remind"))
    digest = await slack.wait_post("*Community Hat*")
    assert digest["blocks"][1]["elements"][0]["action_id"].endswith(":white_check_mark")
    reaction = {"type": "reaction_added", "user": "U0RAJ", "reaction": "white_check_mark",
                "item_user": BOT_USER, "event_ts": "1.0",
                "item": {"type": "message", "channel": "C0DEV", "ts": digest["ts"]}}
    await post_event(app, reaction)
    assert await said(slack, "Raj Patel is wearing") != []
    await post_event(app, reaction)  # taken off and put on again: still one claim
    await post_event(app, {**reaction, "reaction": "tada"})  # means nothing here
    await asyncio.sleep(0.3)
    texts = [p["text"] for p in slack.posted]
    assert sum(t.startswith("Raj Patel is wearing") for t in texts) == 1
    assert not any(t.startswith("#1 is worn by") for t in texts), texts


async def test_a_reaction_on_a_message_from_before_a_restart(
        start_bot: StartBot, slack: FakeSlack, tmp_path: Path) -> None:
    """The bot remembers nothing of a message it posted before it restarted: it reads
    what the reaction means from the message's buttons, as Slack keeps them."""
    app = await start(start_bot, slack, tmp_path)
    for text in ("#startmeeting weekly", "#action raj updates the wiki", "#endmeeting",
                 "!actions"):
        await post_event(app, message(text))
        await asyncio.sleep(0.05)
    listed = await slack.wait_post("#1 raj updates the wiki")
    app.adapters["slack"]._with_choices.clear()  # type: ignore[attr-defined]
    await post_event(app, {"type": "reaction_added", "user": "U0RAJ",
                           "reaction": "white_check_mark", "item_user": BOT_USER,
                           "event_ts": "1.0",
                           "item": {"type": "message", "channel": "C0DEV",
                                    "ts": listed["ts"]}})
    assert await said(slack, "Done: #1") == ["Done: #1 raj updates the wiki (thanks, Raj Patel)"]
    assert "conversations.history" in slack.calls


async def slash(app: App, fields: dict[str, str]) -> httpx.Response:
    """A slash command as Slack sends it to the request URL: a signed form."""
    body = urlencode(fields).encode()
    headers = {**signed(body), "Content-Type": "application/x-www-form-urlencoded"}
    async with httpx.AsyncClient() as client:
        return await client.post(f"http://127.0.0.1:{app.web.port}/slack/events",
                                 content=body, headers=headers)


async def test_slash_commands_answer_the_asker_alone_where_it_concerns_them(
        start_bot: StartBot, slack: FakeSlack, tmp_path: Path) -> None:
    """``/hatbot help`` and ``/hatbot hat list mine`` are shown to the asker only;
    ``/hatbot hat add`` is answered in the channel, for everyone."""
    app = await start(start_bot, slack, tmp_path)
    assert (await slash(app, slack.slash("help"))).status_code == 200
    (help_,) = await slack.wait_ephemeral(1)
    assert (help_["channel"], help_["user"]) == ("C0DEV", "U0ANA")
    assert "*core*: !help, !ping, !version" in help_["text"]  # the whole list, not one line

    await slash(app, slack.slash("hat add Review the contributor guide area=docs"))
    await slack.wait_post("Task #1 added")
    await slash(app, slack.slash("hat claim 1"))
    await slack.wait_post("ana is wearing")
    await slash(app, slack.slash("hat list mine", user="U0ANA"))
    mine = (await slack.wait_ephemeral(2))[-1]
    assert mine["text"].startswith("#1 Review the contributor guide (docs): ana since")
    assert [p["text"][:14] for p in slack.posted] == ["Task #1 added:", "ana is wearing"]
    await slash(app, slack.slash(""))  # nothing after /hatbot: help
    assert "!help" in (await slack.wait_ephemeral(3))[-1]["text"]


async def test_slash_commands_over_socket_mode(start_bot: StartBot, slack: FakeSlack,
                                               tmp_path: Path) -> None:
    app = await start(start_bot, slack, tmp_path, socket_mode=True)
    for text in ("#startmeeting weekly", "#action ana updates the wiki", "#endmeeting"):
        await slack.push(message(text))
        await asyncio.sleep(0.05)
    await slack.wait_post("Meeting ended")
    await slack.push_slash(slack.slash("actions mine"))
    (mine,) = await slack.wait_ephemeral(1)
    assert mine["text"].startswith("#1 ana updates the wiki (ana), weekly")
    (done,) = mine["blocks"][1]["elements"]
    assert done["value"] == "!action done 1"  # buttons under an ephemeral answer too
    assert app.adapters["slack"].status == "connected"


async def test_the_home_tab_shows_what_the_person_has_open(
        start_bot: StartBot, slack: FakeSlack, tmp_path: Path) -> None:
    app = await start(start_bot, slack, tmp_path)
    opened = {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home",
              "event_ts": "1.0"}
    await post_event(app, opened)
    user, view = await asyncio.wait_for(slack.homes.get(), 10)
    assert user == "U0ANA" and view["type"] == "home"
    assert "Nothing open for you" in view["blocks"][-1]["text"]["text"]

    for text in ("#startmeeting weekly", "#action ana updates the wiki",
                 "#action raj reviews the spec", "#endmeeting",
                 "!hat add Review the contributor guide area=docs", "!hat claim 1",
                 "!schedule add docs every tuesday 16:00 UTC in #docs"):
        await post_event(app, message(text))
        await asyncio.sleep(0.05)
    await slack.wait_post("ana is wearing")
    await post_event(app, opened)
    _, view = await asyncio.wait_for(slack.homes.get(), 10)
    texts = [block["text"]["text"] for block in view["blocks"][1:]]
    assert texts[0].startswith("*Your action items*\n• #1 ana updates the wiki (ana), weekly")
    assert "raj reviews" not in texts[0]  # raj's, not ana's
    assert texts[1].startswith("*Your Community Hat tasks*\n• #1 Review the contributor "
                               "guide (docs): ana since")
    assert texts[2].startswith("*Next meetings (times in UTC)*\n• ")
    assert texts[2].count(" docs in #docs") == 2  # this week's and next
    await post_event(app, {**opened, "tab": "messages"})  # the Messages tab: nothing to do
    await asyncio.sleep(0.3)
    assert slack.homes.empty()


# Each button, what sets it up, and what pressing it answers; pressed by raj (U0RAJ),
# a reviewer and a mentor, on the post that offers it.
BUTTONS = {
    "Claim #1": (["!hat add Review the contributor guide area=docs", "!hat remind"],
                 "*Community Hat*", "Raj Patel is wearing the Community Hat for #1"),
    "Done #1": (["#startmeeting weekly", "#action raj updates the wiki", "#endmeeting",
                 "!actions"], "#1 raj updates the wiki", "Done: #1 raj updates the wiki"),
    "I'll mentor": (["!mentee docs"], "Waiting for a mentor: #1",
                    "Thank you, Raj Patel: you mentor ana now."),
    "Approve": (["!kb add How do I run the unit tests? | Run tox -e py3"], "Draft #1 added",
                "Approved #1: How do I run the unit tests?"),
    "Reject": (["!kb add How do I run the unit tests? | Run tox -e py3"], "Draft #1 added",
               "Rejected #1: (rejected with a button; no reason given)"),
    "Ack": ([], "CI is red on", "Raj Patel is on it: octo-org/octo-repo."),  # a webhook
}


@pytest.mark.parametrize("mode", ["events", "socket"])
@pytest.mark.parametrize("label", list(BUTTONS))
async def test_every_button_in_both_modes(start_bot: StartBot, slack: FakeSlack,
                                          tmp_path: Path, label: str, mode: str) -> None:
    socket_mode = mode == "socket"
    app = await start(start_bot, slack, tmp_path, socket_mode=socket_mode,
                      mentors_channel="slack:C0DEV")
    setup, offered, answer = BUTTONS[label]
    if label == "I'll mentor":
        await send(app, slack, socket_mode, message("!mentor add python", user="U0RAJ"))
        await slack.wait_post("Thank you! You mentor")
    if label == "Ack":
        await github(app, run("failure"), "d-1")
    for text in setup:
        await send(app, slack, socket_mode, message(text))
        await asyncio.sleep(0.05)
    post = await slack.wait_post(offered)
    payload = slack.press(post, label, user="U0RAJ")
    if socket_mode:
        await slack.push_interactive(payload)
    else:
        assert (await press(app, payload)).status_code == 200
    assert (await said(slack, answer[:20]))[0].startswith(answer)
    assert slack.updated_blocks[-1][-1]["elements"][-1]["text"] == f"{label} — <@U0RAJ>"


async def send(app: App, slack: FakeSlack, socket_mode: bool, event: dict[str, Any]) -> None:
    if socket_mode:
        await slack.push(event)
    else:
        assert (await post_event(app, event)).status_code == 200
