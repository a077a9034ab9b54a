"""500 people join an IRC channel within a second: each gets one welcome DM, paced."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.conftest import StartBot
from tests.integration.conftest import irc, joined
from tests.integration.irc_client import IrcClient
from tests.integration.servers import Ngircd

PEOPLE = 500
RATE = 100.0  # messages a second the bot allows itself


async def test_a_flood_of_joins_gets_every_welcome_once(start_bot: StartBot, ngircd: Ngircd,
                                                        tmp_path: Path) -> None:
    watcher = await IrcClient("watcher").connect(ngircd.port)
    await watcher.join("#newcomers")
    app = await start_bot(raw={
        "adapters": {"irc": {"host": "127.0.0.1", "port": ngircd.port, "tls": False,
                             "channels": ["#newcomers"], "messages_per_second": RATE,
                             "burst": 10}},
        "skills": {"welcome": {"channels": ["irc:#newcomers"],
                               "message": "Welcome {name}, glad you are here!"}},
    })
    await watcher.expect(joined())
    clients: list[IrcClient] = []
    try:
        for start in range(0, PEOPLE, 50):
            clients += await asyncio.gather(*(IrcClient(f"n{i}").connect(ngircd.port)
                                              for i in range(start, start + 50)))
        began = time.monotonic()
        for client in clients:
            client.send("JOIN #newcomers")
        arrivals: list[float] = []

        async def welcomed(client: IrcClient) -> None:
            # The welcome is two lines: the message, then the offer of a mentor.
            await client.expect(lambda line: line.command == "PRIVMSG" and line.nick == "hatbot"
                                and "!mentee" in line.text, within=180)
            arrivals.append(time.monotonic())

        await asyncio.gather(*(welcomed(c) for c in clients))
        # None twice: after everyone got theirs, nothing more comes for a while.
        await asyncio.sleep(1.0)
        for client in clients:
            dms = [line for line in client.seen if line.command == "PRIVMSG"
                   and line.nick == "hatbot"]
            assert [line.text.split(",")[0] for line in dms] == [
                f"Welcome {client.nick}", "Looking for a mentor? Tell me what you would like to "
                "work on"], client.nick
        # Paced: 1,000 lines at 100 a second (after a burst of 10) take about 10 s.
        assert max(arrivals) - began >= (2 * PEOPLE - 10) / RATE * 0.9
        assert irc(app).connections == 1
    finally:
        await asyncio.gather(*(c.close() for c in [watcher, *clients]))
