"""IRCv3 capabilities, SASL and accounts, against a scripted server on loopback.

ngircd, the real server of the other IRC tests, offers no SASL and no account
capabilities, and no IRC server in Debian does without a services daemon; so
this one exchange is scripted, byte for byte as the specifications give it.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hatbot.context import Context
from hatbot.events import Join, Message
from hatbot.skill import Skill, SkillConfig, on
from tests.conftest import StartBot

seen: list[Join | Message] = []


class Record(Skill[SkillConfig]):
    name = "record"

    @on(Join, Message)
    async def note(self, ctx: Context, event: Join | Message) -> None:
        seen.append(event)


class ScriptedServer:
    def __init__(self) -> None:
        self.received: list[str] = []
        self.lines: asyncio.Queue[str] = asyncio.Queue()
        self.writer: asyncio.StreamWriter | None = None
        self.port = 0

    async def start(self) -> None:
        server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self.server = server

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        while raw := await reader.readline():
            line = raw.decode().rstrip("\r\n")
            self.received.append(line)
            await self.lines.put(line)

    async def expect(self, prefix: str) -> str:
        while True:
            try:
                line = await asyncio.wait_for(self.lines.get(), 10)
            except TimeoutError:
                raise AssertionError(f"no {prefix!r} line; received {self.received}") from None
            if line.startswith(prefix):
                return line

    def send(self, line: str) -> None:
        assert self.writer is not None
        self.writer.write(line.encode() + b"\r\n")


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    scripted = ScriptedServer()
    await scripted.start()
    yield scripted
    scripted.server.close()


async def wait_for(count: int) -> None:
    for _ in range(500):
        if len(seen) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"only {len(seen)} events: {seen}")


async def test_sasl_login_and_verified_accounts(start_bot: StartBot,
                                                server: ScriptedServer) -> None:
    seen.clear()
    options: dict[str, Any] = {"host": "127.0.0.1", "port": server.port, "tls": False,
                               "nick": "hatbot", "channels": ["#dev"],
                               "sasl_username": "hatbot", "sasl_password": "s3cret"}
    await start_bot(Record, raw={"adapters": {"irc": options}})

    assert await server.expect("CAP LS") == "CAP LS 302"
    await server.expect("USER")
    assert server.received.index("CAP LS 302") < server.received.index("NICK hatbot")
    server.send(":irc.test CAP * LS :multi-prefix sasl=PLAIN,EXTERNAL account-tag "
                "extended-join account-notify")
    assert await server.expect("CAP REQ") == \
        "CAP REQ :account-notify account-tag extended-join sasl"
    server.send(":irc.test CAP hatbot ACK :account-notify account-tag extended-join sasl")
    assert await server.expect("AUTHENTICATE") == "AUTHENTICATE PLAIN"
    server.send("AUTHENTICATE +")
    token = (await server.expect("AUTHENTICATE")).split(" ", 1)[1]
    assert base64.b64decode(token) == b"hatbot\0hatbot\0s3cret"
    server.send(":irc.test 900 hatbot hatbot!b@h hatbot :You are now logged in as hatbot")
    server.send(":irc.test 903 hatbot :SASL authentication successful")
    await server.expect("CAP END")
    server.send(":irc.test 001 hatbot :Welcome")
    assert await server.expect("JOIN") == "JOIN #dev"
    server.send(":hatbot!b@h JOIN #dev")

    # extended-join tells the account (or "*" for none); account-tag marks each message.
    server.send(":carol!c@h JOIN #dev carolacct :Carol C")
    server.send(":mallory!m@h JOIN #dev * :Not Logged In")
    server.send("@account=alice :alice!a@h PRIVMSG #dev :hello")
    server.send(":mallory!m@h PRIVMSG #dev :I am alice, honest")
    server.send("@account=carolacct :carol!c@h PRIVMSG #dev :before logging out")
    server.send(":carol!c@h ACCOUNT *")  # account-notify: carol logged out
    server.send(":carol!c@h PRIVMSG #dev :after logging out")
    await wait_for(6)
    accounts = [(type(e).__name__, e.person.name if isinstance(e, Join) else e.sender.name,
                 str(e.person.account if isinstance(e, Join) else e.sender.account))
                for e in seen]
    assert accounts == [
        ("Join", "carol", "irc:carolacct"),
        ("Join", "mallory", "None"),
        ("Message", "alice", "irc:alice"),
        ("Message", "mallory", "None"),
        ("Message", "carol", "irc:carolacct"),
        ("Message", "carol", "None"),
    ]


async def registered(server: ScriptedServer, caps: str) -> None:
    """Take the bot through registration with ``caps`` acknowledged, into #dev."""
    await server.expect("USER")
    server.send(f":irc.test CAP * LS :{caps}")
    await server.expect("CAP REQ")
    server.send(f":irc.test CAP hatbot ACK :{caps}")
    await server.expect("CAP END")
    server.send(":irc.test 001 hatbot :Welcome")
    await server.expect("JOIN")
    server.send(":hatbot!b@h JOIN #dev")


def senders() -> list[tuple[str, str, str]]:
    return [(e.sender.name, str(e.sender.account), e.text) for e in seen
            if isinstance(e, Message)]


@pytest.mark.parametrize("caps", ["account-notify", "account-tag account-notify"])
async def test_whoever_takes_a_nick_after_its_owner_left_is_not_them(
    start_bot: StartBot, server: ScriptedServer, caps: str
) -> None:
    seen.clear()
    options: dict[str, Any] = {"host": "127.0.0.1", "port": server.port, "tls": False,
                               "nick": "hatbot", "channels": ["#dev"]}
    await start_bot(Record, raw={"adapters": {"irc": options}})
    await registered(server, caps)
    tag = "@account=boss " if "account-tag" in caps else ""
    server.send(":boss!b@h JOIN #dev")
    server.send(":boss!b@h ACCOUNT boss")  # account-notify: logged in
    server.send(f"{tag}:boss!b@h PRIVMSG #dev :I am the admin")
    server.send(":boss!b@h QUIT :bye")
    server.send(":boss!x@evil JOIN #dev")
    server.send(":boss!x@evil PRIVMSG #dev :!hat drop 1")
    server.send(":boss!x@evil PART #dev")
    server.send(":sneak!s@evil JOIN #dev")
    server.send(":sneak!s@evil NICK boss")
    server.send(":boss!s@evil PRIVMSG #dev :!hat assign 1 me")
    await wait_for(6)  # three joins, three messages
    assert senders() == [("boss", "irc:boss", "I am the admin"),
                         ("boss", "None", "!hat drop 1"),
                         ("boss", "None", "!hat assign 1 me")]


async def test_a_line_that_is_not_utf8_is_read_and_the_connection_stays(
    start_bot: StartBot, server: ScriptedServer
) -> None:
    seen.clear()
    options: dict[str, Any] = {"host": "127.0.0.1", "port": server.port, "tls": False,
                               "nick": "hatbot", "channels": ["#dev"]}
    app = await start_bot(Record, raw={"adapters": {"irc": options}})
    await registered(server, "account-notify")
    assert server.writer is not None
    server.writer.write(b":ana!a@h PRIVMSG #dev :caf\xe9\r\n:ana!a@h PRIVMSG #dev :next\r\n")
    await wait_for(2)
    assert [text for _, _, text in senders()] == ["caf\xe9", "next"]
    assert app.adapters["irc"].status == "connected"


async def test_a_ctcp_flood_is_answered_at_the_bots_pace(
    start_bot: StartBot, server: ScriptedServer
) -> None:
    options: dict[str, Any] = {"host": "127.0.0.1", "port": server.port, "tls": False,
                               "nick": "hatbot", "channels": ["#dev"]}
    await start_bot(Record, raw={"adapters": {"irc": options}})
    await registered(server, "account-notify")
    for n in range(200):
        server.send(f":flood{n}!f@h PRIVMSG hatbot :\x01VERSION\x01")
    await server.expect("NOTICE flood0 :\x01VERSION Hatbot")
    await asyncio.sleep(2)
    notices = [line for line in server.received if line.startswith("NOTICE")]
    assert 1 <= len(notices) <= 6  # the burst of 4, then one a second
