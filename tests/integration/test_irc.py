"""The IRC adapter against a real ngircd, driven by independent raw-socket clients."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from hatbot.app import App
from hatbot.context import Context
from hatbot.events import Address, Join, Reply
from hatbot.skill import Skill, SkillConfig, command
from tests.conftest import Arrivals, StartBot, read_minutes
from tests.integration.conftest import irc, joined
from tests.integration.irc_client import IrcClient, Line
from tests.integration.servers import Ngircd

CHANNEL = "#meeting"
LONG_TEXT = "Grüße€𝄞東京" * 100  # 2,000 bytes of 1- to 4-byte characters, no spaces


class Long(Skill[SkillConfig]):
    name = "long"

    @command("long", help="A long reply, for the splitting test")
    async def long(self, ctx: Context) -> None:
        await ctx.reply(LONG_TEXT)


@pytest.fixture
async def clients() -> AsyncIterator[Callable[..., Any]]:
    opened: list[IrcClient] = []

    async def open_client(nick: str, port: int, join: str | None = CHANNEL) -> IrcClient:
        client = await IrcClient(nick).connect(port)
        opened.append(client)
        if join:
            await client.join(join)
        return client

    yield open_client
    for client in opened:
        await client.close()


async def start_irc_bot(start_bot: StartBot, port: int, tmp_path: Path, *extra: type,
                        **irc: Any) -> App:
    options = {"host": "127.0.0.1", "port": port, "tls": False, "nick": "hatbot",
               "channels": [CHANNEL], "messages_per_second": 50.0, "burst": 20, **irc}
    return await start_bot(*extra, data_dir=tmp_path, raw={
        "adapters": {"irc": options},
        "skills": {"meetings": {"minutes_dir": str(tmp_path / "minutes")}},
        "web": {"public_url": "https://meetings.example.org"},
    })


def from_bot(text: str) -> Callable[[Line], bool]:
    return lambda line: line.command == "PRIVMSG" and line.nick.startswith("hatbot") \
        and text in line.text


async def test_a_full_meeting_over_irc(start_bot: StartBot, ngircd: Ngircd, clients: Any,
                                       tmp_path: Path) -> None:
    alice = await clients("alice", ngircd.port)
    bob = await clients("bob", ngircd.port)
    await start_irc_bot(start_bot, ngircd.port, tmp_path)
    await alice.expect(joined())

    alice.say(CHANNEL, "#startmeeting irc test")
    await bob.expect(from_bot("Meeting started"))
    bob.say(CHANNEL, "hello from bob")
    alice.say(CHANNEL, "#topic Reviews")
    # Two connections are not ordered with each other: each waits to see the other's line.
    await bob.expect(lambda line: line.text == "#topic Reviews")
    bob.send(f"PRIVMSG {CHANNEL} :\x01ACTION waves at everyone\x01")
    bob.say(CHANNEL, "#info 12 changes wait for review")
    await alice.expect(lambda line: line.text == "#info 12 changes wait for review")
    alice.say(CHANNEL, "#action bob to review the backlog")
    alice.say(CHANNEL, "#endmeeting")
    line = await bob.expect(from_bot("Minutes (text):"))
    assert re.fullmatch(r"Minutes \(text\): https://meetings\.example\.org/meetings/irc_test/"
                        r"\d{4}/irc_test\.[\d-]+\.\d\d\.txt", line.text), line.text

    text = read_minutes(tmp_path / "minutes", "irc_test")
    assert text.startswith("==================\n#meeting: irc test\n")
    assert "* Reviews  (alice, " in text
    assert "  * 12 changes wait for review  (bob, " in text
    assert "* bob\n  * bob to review the backlog" in text
    assert "* alice (4)" in text and "* bob (3)" in text and "* hatbot (1)" in text
    assert " * bob waves at everyone\n" in read_minutes(tmp_path / "minutes", "irc_test",
                                                       "log.txt")


async def test_server_restart_mid_meeting(start_bot: StartBot, ngircd: Ngircd, clients: Any,
                                          tmp_path: Path) -> None:
    alice = await clients("alice", ngircd.port)
    app = await start_irc_bot(start_bot, ngircd.port, tmp_path)
    await alice.expect(joined())
    alice.say(CHANNEL, "#startmeeting restart")
    await alice.expect(from_bot("Meeting started"))
    alice.say(CHANNEL, "#info before the restart")
    alice.say(CHANNEL, "#chair nobody")
    await alice.expect(from_bot("Current chairs"))

    ngircd.stop()
    await alice.close()
    for _ in range(500):  # until the bot has noticed
        if irc(app).status != "connected":
            break
        await asyncio.sleep(0.01)
    # Said while the server is down: kept, and delivered once the bot is back.
    await app.send(Reply(Address("irc", "alice"), "kept for you", direct=True))
    ngircd.start()
    alice = await clients("alice", ngircd.port)
    await alice.expect(from_bot("kept for you"), within=30)
    if not any(joined()(line) for line in alice.seen):
        await alice.expect(joined(), within=30)  # the bot is back, in the channel again
    assert irc(app).connections == 2
    alice.say(CHANNEL, "#info after the restart")
    alice.say(CHANNEL, "#endmeeting")
    await alice.expect(from_bot("Minutes (text):"))
    text = read_minutes(tmp_path / "minutes", "restart")
    assert "before the restart  (alice," in text and "after the restart  (alice," in text


async def test_burst_under_flood_control(start_bot: StartBot, ngircd_with_penalty: Ngircd,
                                         clients: Any, tmp_path: Path) -> None:
    port = ngircd_with_penalty.port
    watcher = await clients("watcher", port)
    speakers = [await clients(f"dev{i}", port) for i in range(5)]
    app = await start_irc_bot(start_bot, port, tmp_path, messages_per_second=1.0, burst=4)
    await watcher.expect(joined())
    for _ in range(10):
        for speaker in speakers:
            speaker.say(CHANNEL, "!ping")
    pongs = 0
    while pongs < 50:
        await watcher.expect(from_bot("pong"), within=120)
        pongs += 1
    assert irc(app).connections == 1  # never thrown off
    assert irc(app).status == "connected"


async def test_a_long_reply_is_split_on_the_byte_limit(start_bot: StartBot, ngircd: Ngircd,
                                                      clients: Any, tmp_path: Path) -> None:
    alice = await clients("alice", ngircd.port)
    await start_irc_bot(start_bot, ngircd.port, tmp_path, Long)
    await alice.expect(joined())
    alice.say(CHANNEL, "!long")
    received = ""
    lines = []
    while len(received.encode()) < len(LONG_TEXT.encode()):
        line = await alice.expect(lambda line: line.command == "PRIVMSG" and line.nick == "hatbot")
        lines.append(line)
        received += line.text
    assert received == LONG_TEXT
    assert len(lines) >= 5
    assert all(len(line.raw) <= 512 for line in lines)


async def test_direct_messages_ctcp_and_people(start_bot: StartBot, ngircd: Ngircd,
                                               clients: Any, tmp_path: Path) -> None:
    alice = await clients("alice", ngircd.port)
    app = await start_irc_bot(start_bot, ngircd.port, tmp_path)
    await alice.expect(joined())
    alice.say("hatbot", "ping")
    line = await alice.expect(from_bot("pong"))
    assert line.params[0] == "alice"  # answered privately
    alice.send("PRIVMSG hatbot :\x01VERSION\x01")
    version = await alice.expect(lambda line: line.command == "NOTICE" and "VERSION" in line.text)
    assert "Hatbot" in version.text
    alice.say(CHANNEL, "hatbot: ping")
    await alice.expect(from_bot("pong"))
    assert irc(app).status == "connected"


async def test_nick_in_use_then_reclaimed(start_bot: StartBot, ngircd: Ngircd, clients: Any,
                                          tmp_path: Path) -> None:
    squatter = await clients("hatbot", ngircd.port)
    app = await start_irc_bot(start_bot, ngircd.port, tmp_path)
    await squatter.expect(joined("hatbot_"))
    assert irc(app).nick == "hatbot_"
    watcher = await clients("watcher", ngircd.port)
    await squatter.close()
    await watcher.expect(lambda line: line.command == "NICK" and line.text == "hatbot")
    assert irc(app).nick == "hatbot"
    watcher.say(CHANNEL, "!ping")
    await watcher.expect(from_bot("pong"))


async def test_joins_and_parts_reach_skills(start_bot: StartBot, ngircd: Ngircd, clients: Any,
                                            tmp_path: Path) -> None:
    seen = Arrivals.seen
    seen.clear()
    alice = await clients("alice", ngircd.port)
    await start_irc_bot(start_bot, ngircd.port, tmp_path, Arrivals)
    await alice.expect(joined())
    carol = await clients("carol", ngircd.port)
    carol.send(f"PART {CHANNEL} :later")
    await alice.expect(lambda line: line.command == "PART" and line.nick == "carol")
    dave = await clients("dave", ngircd.port)
    await dave.close()
    await alice.expect(lambda line: line.command == "QUIT" and line.nick == "dave")
    for _ in range(100):
        if len(seen) >= 4:
            break
        await asyncio.sleep(0.02)
    kinds = [(type(e).__name__, e.person.name, e.first_time_hint if isinstance(e, Join)
              else None) for e in seen]  # type: ignore[attr-defined]
    assert kinds == [("Join", "carol", True), ("Part", "carol", None), ("Join", "dave", True),
                     ("Part", "dave", None)]
    assert all(e.person.account is not None for e in seen)  # type: ignore[attr-defined]



async def test_tls_with_a_verified_certificate(start_bot: StartBot, ngircd_tls: Ngircd,
                                               clients: Any, tmp_path: Path) -> None:
    """TLS to ngircd's TLS port, trusting its self-signed certificate through
    ``tls_ca_file``; without that, the certificate is refused and nothing connects."""
    assert ngircd_tls.tls_port is not None
    alice = await clients("alice", ngircd_tls.port)
    untrusted = await start_irc_bot(start_bot, ngircd_tls.tls_port, tmp_path / "untrusted",
                                    tls=True, nick="untrust")
    app = await start_irc_bot(start_bot, ngircd_tls.tls_port, tmp_path, tls=True,
                              tls_ca_file=str(ngircd_tls.certificate))
    await alice.expect(joined())
    alice.say(CHANNEL, "!ping")
    await alice.expect(from_bot("pong"))
    assert irc(app).connections == 1
    assert irc(untrusted).connections == 0 and irc(untrusted).status != "connected"


async def test_a_ci_break_highlights_the_mapped_nick(start_bot: StartBot, ngircd: Ngircd,
                                                     clients: Any) -> None:
    """``"octocat" = "irc:alice"``: the post names alice by her nick, so IRC highlights her."""
    from tests.integration.test_ci_hooks import SECRET, github, run

    alice = await clients("alice", ngircd.port)
    app = await start_bot(raw={
        "adapters": {"irc": {"host": "127.0.0.1", "port": ngircd.port, "tls": False,
                             "channels": [CHANNEL], "messages_per_second": 50.0}},
        "web": {"enabled": True, "port": 0},
        "skills": {"ci": {"github_secret": SECRET, "people": {"octocat": "irc:alice"},
                          "watch": [{"repo": "octo-org/octo-repo", "branches": ["main"],
                                     "channels": [f"irc:{CHANNEL}"]}]}},
    })
    await alice.expect(joined())
    await github(app, run("failure"), "d-irc")
    post = await alice.expect(from_bot("CI is red"))
    assert ", by alice https://" in post.text  # her nick: a highlight, not "@octocat"



class Lines(Skill[SkillConfig]):
    name = "lines"

    @command("lines", help="Twelve lines, for the fairness test")
    async def lines(self, ctx: Context) -> None:
        await ctx.reply("\n".join(f"line {n}" for n in range(1, 13)))


async def test_a_long_reply_never_holds_back_another_channels_short_one(
    start_bot: StartBot, ngircd: Ngircd, clients: Any
) -> None:
    alice = await clients("alice", ngircd.port, join="#long")
    bob = await clients("bob", ngircd.port, join="#short")
    await start_bot(Lines, raw={"adapters": {"irc": {
        "host": "127.0.0.1", "port": ngircd.port, "tls": False, "channels": ["#long", "#short"],
        "messages_per_second": 4.0, "burst": 1}}})
    await bob.expect(joined())
    alice.send("PRIVMSG #long :!lines")
    await alice.expect(from_bot("line 1"))
    bob.send("PRIVMSG #short :!ping")
    await bob.expect(from_bot("pong"))
    sent_before_pong = [line.text for line in alice.seen if line.command == "PRIVMSG"
                        and line.text.startswith("line ")]
    assert len(sent_before_pong) <= 3  # its turn came at once, not after twelve lines
    await alice.expect(from_bot("line 12"), within=30)


async def test_topic_sets_the_irc_channel_topic(start_bot: StartBot, ngircd: Ngircd,
                                                clients: Any, tmp_path: Path) -> None:
    watcher = await clients("watcher", ngircd.port, join=None)
    await start_bot(raw={
        "adapters": {"irc": {"host": "127.0.0.1", "port": ngircd.port, "tls": False,
                             "channels": ["#topics"], "messages_per_second": 50.0}},
        "skills": {"meetings": {"minutes_dir": str(tmp_path / "minutes"),
                                "topic_channels": ["irc:#topics"]}}})
    for _ in range(200):  # the bot creates the channel, so it is its operator
        watcher.send("NAMES #topics")
        reply = await watcher.expect(lambda line: line.command in ("353", "366"))
        if reply.command == "353" and "@hatbot" in reply.text:
            break
        await asyncio.sleep(0.05)
    await watcher.join("#topics")
    watcher.send("PRIVMSG #topics :#startmeeting nova")
    watcher.send("PRIVMSG #topics :#topic Release blockers")
    topic = await watcher.expect(lambda line: line.command == "TOPIC")
    assert topic.text == "nova: Release blockers"


async def test_a_scheduled_meeting_is_announced_over_irc(start_bot: StartBot, ngircd: Ngircd,
                                                        clients: Any, tmp_path: Path) -> None:
    """An irc-meetings file, its channel mapped to the bot's IRC channel: the reminder is
    said there and the chair, named by the nick in the file's chair, hears in private."""
    from datetime import UTC, datetime, timedelta

    from hatbot.skill import times

    slot = (datetime.now(UTC) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    folder = tmp_path / "irc-meetings"
    folder.mkdir()
    (folder / "docs.yaml").write_text(
        f"project: Docs Team Meeting\nmeeting_id: docs\nagenda_url: https://example.org/a\n"
        f"schedule:\n  - time: '{slot:%H%M}'\n    day: {times.WEEKDAYS[slot.weekday()]}\n"
        f"    irc: openstack-meeting\n    frequency: weekly\n"
        f"chair: Alice Example (alice)\ndescription: The docs team.\n")
    alice = await clients("alice", ngircd.port)
    bob = await clients("bob", ngircd.port)
    app = await start_bot(data_dir=tmp_path, raw={
        "adapters": {"irc": {"host": "127.0.0.1", "port": ngircd.port, "tls": False,
                             "nick": "hatbot", "channels": [CHANNEL]}},
        "skills": {"schedule": {"irc_meetings": [str(folder)], "remind_chair_before": "1h",
                                "channels": {"openstack-meeting": f"irc:{CHANNEL}"}}}})
    await alice.expect(joined())
    assert app.scheduler is not None
    await app.scheduler.run_now("schedule.tick.cron.0")  # the minute job, now
    line = await bob.expect(from_bot("Docs Team Meeting (docs) starts in"))
    assert line.params[0] == CHANNEL
    assert f"at {slot:%H:%M} UTC. Chair: Alice Example (alice). Agenda: https://example.org/a" \
        in line.text
    private = await alice.expect(lambda m: m.command == "PRIVMSG" and m.params[0] == "alice"
                                 and "You chair Docs Team Meeting (docs) in #meeting" in m.text)
    assert private.nick.startswith("hatbot")
    await app.scheduler.run_now("schedule.tick.cron.0")  # again: nothing is said twice
    bob.say(CHANNEL, "!ping")
    line = await bob.expect(from_bot(""))
    assert "starts in" not in line.text


async def test_the_knowledge_base_over_irc(start_bot: StartBot, ngircd: Ngircd, clients: Any,
                                           tmp_path: Path) -> None:
    """On IRC, where there are no threads, a repeated question in a help channel is
    answered to the person by name, once; !kb finds entries and !kb capture takes what
    was said."""
    from bench import kb as labelled

    alice = await clients("alice", ngircd.port)
    bob = await clients("bob", ngircd.port)
    app = await start_bot(data_dir=tmp_path, raw={
        "adapters": {"irc": {"host": "127.0.0.1", "port": ngircd.port, "tls": False,
                             "nick": "hatbot", "channels": [CHANNEL]}},
        "skills": {"kb": {"help_channels": [f"irc:{CHANNEL}"]}}})
    await alice.expect(joined())
    async with app.sessions() as session:  # twenty approved entries, as an import leaves
        await labelled.fill(session, labelled.corpus()["entries"])
    bob.say(CHANNEL, "how can I run the unit tests?")
    line = await alice.expect(from_bot("bob: this may answer it — #1 How do I run the unit "
                                       "tests? — Run tox -e py3"))
    assert line.params[0] == CHANNEL and line.text.endswith("(not it? !kb wrong 1)")
    bob.say(CHANNEL, "how can I run the unit tests?")  # the same day: not again
    alice.say(CHANNEL, "!kb release notes")
    await bob.expect(from_bot("#6 Where are the release notes written? — In "
                              "releasenotes/notes"))
    alice.say(CHANNEL, "!kb capture 2")
    line = await bob.expect(from_bot("Captured 2 lines as draft #21"))
    assert '("how can I run the unit tests?")' in line.text
    from sqlalchemy import func, select

    from hatbot.skills.kb.models import KbSuggested

    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(KbSuggested)) == 1
