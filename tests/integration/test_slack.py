"""The Slack adapter: the real slack_bolt app against a local fake of Slack's Web API."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from hatbot.adapters.slack import SlackAdapter
from hatbot.app import App
from hatbot.context import Context
from hatbot.skill import Markup, Skill, SkillConfig, command, mention
from tests.conftest import Arrivals, StartBot, read_minutes
from tests.integration.fake_slack import FakeSlack, event_callback, message
from tests.unit.bot.test_outbound import Acker

SECRET = "signing-secret"
joins = Arrivals.seen


class Greeter(Skill[SkillConfig]):
    name = "greeter"

    @command("hello", help="Greet the caller by mention")
    async def hello(self, ctx: Context) -> None:
        await ctx.reply(Markup("hi {}, welcome").format(mention(ctx.sender)))


async def start_slack_bot(start_bot: StartBot, fake: FakeSlack, tmp_path: Path,
                          socket_mode: bool = False, kb: dict[str, Any] | None = None) -> App:
    options: dict[str, Any] = {"bot_token": "xoxb-test", "signing_secret": SECRET,
                               "api_url": fake.api_url}
    if socket_mode:
        options["app_token"] = "xapp-test"
    return await start_bot(Arrivals, Greeter, Acker, raw={
        "adapters": {"slack": options},
        "web": {"enabled": True, "port": 0},
        "skills": {"meetings": {"minutes_dir": str(tmp_path / "minutes")}, "kb": kb or {}},
    })


def signed(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature,
            "Content-Type": "application/json"}


async def post_event(app: App, event: dict[str, Any], **signing: Any) -> httpx.Response:
    body = json.dumps(event_callback(event)).encode()
    async with httpx.AsyncClient() as client:
        return await client.post(f"http://127.0.0.1:{app.web.port}/slack/events",
                                 content=body, headers=signed(body, **signing))


async def test_events_api_command_is_answered(start_bot: StartBot, slack: FakeSlack,
                                              tmp_path: Path) -> None:
    app = await start_slack_bot(start_bot, slack, tmp_path)
    response = await post_event(app, message("!ping"))
    assert response.status_code == 200
    (posted,) = await slack.wait_posted(1)
    assert (posted["channel"], posted["text"]) == ("C0DEV", "pong")


async def test_reactions_and_edits(start_bot: StartBot, slack: FakeSlack,
                                   tmp_path: Path) -> None:
    app = await start_slack_bot(start_bot, slack, tmp_path)
    command = message("!ack")
    await post_event(app, command)
    (posted,) = await slack.wait_posted(1)
    assert posted["text"] == "working (can react)"
    assert slack.reactions == [("C0DEV", command["ts"], "eyes")]
    for _ in range(500):  # the edit follows the message through the outbox
        if slack.updates:
            break
        await asyncio.sleep(0.01)
    assert slack.updates == [("C0DEV", posted["ts"], "done; reacted: True")]


async def test_events_api_rejects_bad_signatures_and_stale_requests(
    start_bot: StartBot, slack: FakeSlack, tmp_path: Path
) -> None:
    app = await start_slack_bot(start_bot, slack, tmp_path)
    forged = await post_event(app, message("!ping"), secret="wrong-secret")
    assert forged.status_code == 401
    stale = await post_event(app, message("!ping"), timestamp=int(time.time()) - 6 * 60)
    assert stale.status_code == 401
    await post_event(app, message("!version"))  # a good one, to know the others were dropped
    (posted,) = await slack.wait_posted(1)
    assert posted["text"].startswith("hatbot runs Hatbot")


async def test_socket_mode_acks_answers_and_reconnects(start_bot: StartBot, slack: FakeSlack,
                                                       tmp_path: Path) -> None:
    app = await start_slack_bot(start_bot, slack, tmp_path, socket_mode=True)
    await asyncio.wait_for(slack.connected.wait(), 10)
    envelope = await slack.push(message("!ping"))
    assert (await asyncio.wait_for(slack.acks.get(), 10))["envelope_id"] == envelope
    await slack.wait_posted(1)

    await slack.drop()
    await asyncio.wait_for(slack.connected.wait(), 30)  # the client came back by itself
    assert len(slack.sockets) >= 2
    envelope = await slack.push(message("!ping"))
    assert (await asyncio.wait_for(slack.acks.get(), 10))["envelope_id"] == envelope
    await slack.wait_posted(2)

    await slack.ask_to_reconnect()
    await asyncio.wait_for(slack.connected.wait(), 30)
    sockets = len(slack.sockets)
    assert sockets >= 3
    envelope = await slack.push(message("!ping"))
    assert (await asyncio.wait_for(slack.acks.get(), 10))["envelope_id"] == envelope
    posted = await slack.wait_posted(3)
    assert [p["text"] for p in posted] == ["pong", "pong", "pong"]
    assert app.adapters["slack"].status == "connected"


async def test_joins_parts_and_ignored_messages(start_bot: StartBot, slack: FakeSlack,
                                                tmp_path: Path) -> None:
    joins.clear()
    app = await start_slack_bot(start_bot, slack, tmp_path)
    await post_event(app, {"type": "member_joined_channel", "user": "U0RAJ",
                           "channel": "C0DEV", "inviter": "U0ANA"})
    await post_event(app, {"type": "member_left_channel", "user": "U0RAJ", "channel": "C0DEV"})
    # Edits, deletions, other bots and the bot itself are not people talking.
    await post_event(app, message("!ping", subtype="message_changed"))
    await post_event(app, message("!ping", subtype="message_deleted"))
    await post_event(app, message("!ping", bot_id="B0OTHER"))
    await post_event(app, message("!ping", user="U0BOT"))
    await post_event(app, message("!version"))
    (posted,) = await slack.wait_posted(1)
    assert posted["text"].startswith("hatbot runs")
    for _ in range(200):
        if len(joins) >= 2:
            break
        await asyncio.sleep(0.01)
    assert [(type(e).__name__, e.person.name, str(e.person.account)) for e in joins] == [
        ("Join", "Raj Patel", "slack:U0RAJ"), ("Part", "Raj Patel", "slack:U0RAJ")]


async def test_rate_limited_message_is_delivered_after_retry_after(
    start_bot: StartBot, slack: FakeSlack, tmp_path: Path
) -> None:
    app = await start_slack_bot(start_bot, slack, tmp_path)
    slack.limited = 1
    await post_event(app, message("!ping"))
    (posted,) = await slack.wait_posted(1, within=20)
    assert posted["text"] == "pong"
    assert posted["at"] - slack.limited_at[0] >= 0.95  # waited for Retry-After: 1


async def test_direct_messages_and_threads(start_bot: StartBot, slack: FakeSlack,
                                           tmp_path: Path) -> None:
    app = await start_slack_bot(start_bot, slack, tmp_path)
    await post_event(app, message("ping", channel="D0ANA", channel_type="im"))
    await post_event(app, message("!ping", thread_ts="1700000000.000100"))
    posted = await slack.wait_posted(2)
    by_channel = {p["channel"]: p for p in posted}
    assert by_channel["D0ANA"]["text"] == "pong"
    assert by_channel["C0DEV"]["thread_ts"] == "1700000000.000100"
    adapter = app.adapters["slack"]
    assert isinstance(adapter, SlackAdapter)
    # A DM the bot starts opens the conversation first.
    from hatbot.events import Address, Reply

    await app.send(Reply(Address("slack", "U0RAJ"), "*hello* <friend> & co", direct=True))
    posted = await slack.wait_posted(3)
    assert "conversations.open" in slack.calls
    assert (posted[-1]["channel"], posted[-1]["text"]) == ("DU0RAJ",
                                                          "_hello_ &lt;friend&gt; &amp; co")


async def test_a_meeting_in_slack_uses_display_names(start_bot: StartBot, slack: FakeSlack,
                                                     tmp_path: Path) -> None:
    app = await start_slack_bot(start_bot, slack, tmp_path)
    lines = [("U0ANA", "#startmeeting slack sync"), ("U0RAJ", "hi <@U0ANA>"),
             ("U0ANA", "#topic Release"), ("U0RAJ", "#info <https://example.org/notes|notes>"),
             ("U0ANA", "#action <@U0RAJ> to write the notes"), ("U0RAJ", "/me nods"),
             ("U0ANA", "<@U0BOT> meeting end")]
    for user, text in lines:
        extra = {"subtype": "me_message"} if text.startswith("/me ") else {}
        await post_event(app, message(text.removeprefix("/me "), user=user, **extra))
        await asyncio.sleep(0.01)  # Slack delivers a channel's events in order
    posted = await slack.wait_posted(5)
    assert any(p["text"].startswith("Minutes (text): ") for p in posted)
    text = read_minutes(tmp_path / "minutes", "slack_sync")
    assert text.startswith("=====================\n#dev-team: slack sync\n")
    assert "Meeting started by ana at " in text
    assert "  * notes https://example.org/notes  (Raj Patel, " in text
    assert "* Raj Patel\n  * @Raj Patel to write the notes" in text
    assert "* ana (4)" in text and "* Raj Patel (3)" in text
    log = read_minutes(tmp_path / "minutes", "slack_sync", "log.txt")
    assert "<Raj Patel> hi @ana" in log and " * Raj Patel nods\n" in log
    assert "U0ANA" not in text


async def test_mentions_notify_people(start_bot: StartBot, slack: FakeSlack,
                                      tmp_path: Path) -> None:
    app = await start_slack_bot(start_bot, slack, tmp_path)
    await post_event(app, message("!hello", user="U0RAJ"))
    (posted,) = await slack.wait_posted(1)
    assert posted["text"] == "hi <@U0RAJ>, welcome"


async def test_a_refused_token_is_a_clear_error(start_bot: StartBot, slack: FakeSlack,
                                                tmp_path: Path) -> None:
    slack.refuse_tokens = True
    with pytest.raises(RuntimeError, match=r"^slack: invalid_auth$"):
        await start_slack_bot(start_bot, slack, tmp_path)


async def test_slack_down_at_start_is_retried(start_bot: StartBot, tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    port = fake.port
    await fake.close()  # nothing listens there yet
    app = await start_bot(raw={"adapters": {"slack": {
        "bot_token": "xoxb-test", "signing_secret": SECRET,
        "api_url": f"http://127.0.0.1:{port}/api/"}}, "web": {"enabled": True, "port": 0}})
    assert app.adapters["slack"].status == "connecting"
    revived = FakeSlack()
    await revived.start(port)
    try:
        for _ in range(400):
            if app.adapters["slack"].status == "connected":
                break
            await asyncio.sleep(0.01)
        assert app.adapters["slack"].status == "connected"
    finally:
        await app.stop()
        await revived.close()


async def test_a_message_naming_hundreds_of_people_costs_a_few_lookups(
    start_bot: StartBot, slack: FakeSlack, tmp_path: Path
) -> None:
    app = await start_slack_bot(start_bot, slack, tmp_path)
    crowd = " ".join(f"<@U{n:06d}>" for n in range(500))
    before = slack.calls.count("users.info")
    response = await post_event(app, message(f"!ping {crowd}"))
    assert response.status_code == 200
    await slack.wait_posted(1)
    assert slack.calls.count("users.info") - before <= 11  # the sender and ten named


def test_the_lru_cache_forgets_the_oldest() -> None:
    from hatbot.adapters.flow import LruCache

    cache: LruCache[str, int] = LruCache(2)
    cache["a"], cache["b"] = 1, 2
    assert cache["a"] == 1  # "a" is now the most recent
    cache["c"] = 3
    assert list(cache) == ["a", "c"]


async def test_topic_sets_the_slack_topic_and_a_refusal_changes_nothing(
    start_bot: StartBot, slack: FakeSlack, tmp_path: Path
) -> None:
    app = await start_bot(raw={
        "adapters": {"slack": {"bot_token": "xoxb-test", "signing_secret": SECRET,
                               "api_url": slack.api_url}},
        "web": {"enabled": True, "port": 0},
        "skills": {"meetings": {"minutes_dir": str(tmp_path / "minutes"),
                                "topic_channels": ["slack:C0DEV"]}}})
    for text in ("#startmeeting release", "#topic Blockers"):
        await post_event(app, message(text))
        await asyncio.sleep(0.05)
    for _ in range(200):
        if slack.topics:
            break
        await asyncio.sleep(0.02)
    assert slack.topics == [("C0DEV", "release: Blockers")]
    slack.topic_refused = True
    for text in ("#topic Docs", "#endmeeting"):
        await post_event(app, message(text))
        await asyncio.sleep(0.05)
    await slack.wait_post("Minutes (text): ")  # it went on
    await slack.wait_post("Log: ")  # the last post: nothing is left queued at the end


async def test_a_pushpin_reaction_captures_the_message_for_the_knowledge_base(
        start_bot: StartBot, slack: FakeSlack, tmp_path: Path) -> None:
    """Slack names the emoji ("pushpin"); the bot knows it as 📌, the capture reaction."""
    app = await start_slack_bot(start_bot, slack, tmp_path)
    asked = message("how do I build the docs locally?")
    await post_event(app, asked)
    reaction = {"type": "reaction_added", "user": "U0RAJ", "reaction": "pushpin",
                "item_user": "U0ANA", "event_ts": f"{time.time():.6f}",
                "item": {"type": "message", "channel": "C0DEV", "ts": asked["ts"]}}
    assert (await post_event(app, {**reaction, "reaction": "thumbsup"})).status_code == 200
    assert (await post_event(app, reaction)).status_code == 200
    (posted,) = await slack.wait_posted(1)
    assert posted["channel"] == "C0DEV" and posted["thread_ts"] == asked["ts"]
    assert posted["text"].endswith('captured 1 line as draft #1 ("how do I build the docs '
                                   'locally?") for review.')
    await post_event(app, reaction)  # Slack retried, or a second person pinned it
    await asyncio.sleep(0.3)
    assert len(slack.posted) == 1


async def test_a_repeated_question_is_answered_in_its_thread(start_bot: StartBot,
                                                              slack: FakeSlack,
                                                              tmp_path: Path) -> None:
    """A reviewer (by Slack user id) approves an entry; the next person who asks in the
    help channel gets it in the thread of their question."""
    app = await start_slack_bot(start_bot, slack, tmp_path,
                                kb={"reviewers": ["slack:U0RAJ"], "help_channels": ["slack:C0DEV"]})
    await post_event(app, message("!kb add How do I build the docs? | tox -e docs | docs"))
    await post_event(app, message("!kb approve 1", user="U0RAJ"))
    asked = message("how can I build the docs?", user="U0NEW")
    await post_event(app, asked)
    posted = await slack.wait_posted(3)
    assert posted[1]["text"].startswith("Approved #1")
    assert posted[2]["thread_ts"] == asked["ts"]
    assert "this may answer it — #1 How do I build the docs? — tox -e docs" in posted[2]["text"]
