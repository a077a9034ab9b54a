"""One process, several networks: two IRC servers (``[adapters.libera]`` and
``[adapters.oftc]``, both ``type = "irc"``) and a Slack workspace, a meeting on each
IRC network at once, each reply routed back to the network it came from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hatbot.context import Context
from hatbot.events import Address
from hatbot.skill import Skill, SkillConfig, command
from tests.conftest import StartBot, read_minutes
from tests.integration.conftest import joined, make_server
from tests.integration.fake_slack import FakeSlack, event_callback, message
from tests.integration.irc_client import IrcClient
from tests.integration.servers import Ngircd
from tests.integration.test_irc import CHANNEL, from_bot
from tests.integration.test_slack import SECRET, signed


class Where(Skill[SkillConfig]):
    """Says where a command came from, and relays a line to another network."""

    name = "where"

    @command("where", help="Where am I?")
    async def where(self, ctx: Context) -> None:
        await ctx.reply(f"{ctx.channel} as {ctx.sender.address}")

    @command("relay", args="TO TEXT", help="Say TEXT in TO", examples=["relay oftc:#x hi"])
    async def relay(self, ctx: Context, to: Address, text: str) -> None:
        await ctx.say(to, text)


@pytest.fixture
def libera() -> Iterator[Ngircd]:
    yield from make_server()


@pytest.fixture
def oftc() -> Iterator[Ngircd]:
    yield from make_server()


def irc_table(server: Ngircd) -> dict[str, Any]:
    return {"type": "irc", "host": "127.0.0.1", "port": server.port, "tls": False,
            "nick": "hatbot", "channels": [CHANNEL], "messages_per_second": 50.0, "burst": 20}


async def test_two_irc_networks_and_slack_in_one_process(
    start_bot: StartBot, libera: Ngircd, oftc: Ngircd, slack: FakeSlack, tmp_path: Path
) -> None:
    ana = await IrcClient("ana").connect(libera.port)
    raj = await IrcClient("raj").connect(oftc.port)
    try:
        await ana.join(CHANNEL)
        await raj.join(CHANNEL)
        app = await start_bot(Where, data_dir=tmp_path, raw={
            "adapters": {
                "libera": irc_table(libera),
                "oftc": irc_table(oftc),
                "slack": {"bot_token": "xoxb-test", "signing_secret": SECRET,
                          "api_url": slack.api_url},
            },
            "web": {"enabled": True, "port": 0},
            "skills": {"meetings": {"minutes_dir": str(tmp_path / "minutes")}},
        })
        assert {"libera", "oftc", "slack"} <= set(app.adapters)
        await ana.expect(joined())
        await raj.expect(joined())

        # Each network hears its own answer, addressed by the instance's name.
        ana.say(CHANNEL, "!where")
        raj.say(CHANNEL, "!where")
        await ana.expect(from_bot("libera:#meeting as libera:ana"))
        await raj.expect(from_bot("oftc:#meeting as oftc:raj"))

        # A meeting on each network at once, interleaved.
        ana.say(CHANNEL, "#startmeeting nova")
        raj.say(CHANNEL, "#startmeeting ironic")
        await ana.expect(from_bot("Meeting started"))
        await raj.expect(from_bot("Meeting started"))
        ana.say(CHANNEL, "#info libera line")
        raj.say(CHANNEL, "#info oftc line")
        ana.say(CHANNEL, "#action ana to write it up")
        raj.say(CHANNEL, "#endmeeting")
        ana.say(CHANNEL, "#endmeeting")
        await ana.expect(from_bot("Minutes (text):"))
        await raj.expect(from_bot("Minutes (text):"))

        nova = read_minutes(tmp_path / "minutes", "nova")
        ironic = read_minutes(tmp_path / "minutes", "ironic")
        assert "libera line  (ana, " in nova and "oftc line" not in nova
        assert "oftc line  (raj, " in ironic and "libera line" not in ironic
        assert "* ana (4)" in nova and "raj" not in nova
        assert "* raj (3)" in ironic and "ana" not in ironic

        # Slack in the same process, and a relay across networks.
        body = json.dumps(event_callback(message("!relay oftc:#meeting from slack"))).encode()
        async with httpx.AsyncClient() as client:
            answer = await client.post(f"http://127.0.0.1:{app.web.port}/slack/events",
                                       content=body, headers=signed(body))
        assert answer.status_code == 200
        line = await raj.expect(from_bot("from slack"))
        assert line.params[0] == CHANNEL
        body = json.dumps(event_callback(message("!where"))).encode()
        async with httpx.AsyncClient() as client:
            await client.post(f"http://127.0.0.1:{app.web.port}/slack/events",
                              content=body, headers=signed(body))
        (posted,) = await slack.wait_posted(1)
        assert posted["text"] == "slack:C0DEV as slack:U0ANA"
    finally:
        await ana.close()
        await raj.close()


def test_an_adapter_table_names_its_type(tmp_path: Path) -> None:
    from hatbot.config import ConfigError, build
    from hatbot.plugins import discover

    found = discover()
    models = (found.adapter_models(), found.skill_models())
    config = build({"adapters": {"libera": {"type": "irc", "nick": "hb"}}}, *models, {})
    (libera,) = config.enabled_adapters()
    assert (libera.name, libera.kind) == ("libera", "irc")
    for table, problem in [
        ({"libera": {"type": "ircc"}}, 'adapters.libera.type: unknown adapter "ircc"'),
        ({"Libera Chat": {"type": "irc"}}, "adapters.Libera Chat: the name begins every "
                                           "address"),
        ({"libera": {"type": ["irc"]}}, "adapters.libera.type: expected one of"),
        ({"libera": {}}, "adapters.libera: unknown adapter (installed: "),
    ]:
        with pytest.raises(ConfigError) as failed:
            build({"adapters": table}, *models, {})
        assert failed.value.problems[0].startswith(problem), failed.value.problems
