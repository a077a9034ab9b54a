"""Every command of ``!help`` against hostile arguments: the bot answers each one quickly,
never with an apology, never echoes a flood back, and still answers ``!ping`` after."""

from __future__ import annotations

import time
from typing import Any

import pytest

from hatbot.app import App
from hatbot.commands import LONGEST_COMMAND
from hatbot.markup import render_html, render_plain, render_slack
from tests.conftest import StartBot, memory

MEGABYTE_WORD = "a" * 1_000_000
# What an attacker or a careless paste puts after a command.
CORPUS = [
    MEGABYTE_WORD,
    "x " * 50_000,
    "9" * 5000,
    "99999999999999999999",
    "-1",
    "0",
    "1e309",
    "nan",
    "99999999999999999999d",
    "99999999d",
    "ünïcødé 🎉 ﷽",
    "\x00\x1b[31mred\x07",
    "caf\udce9",
    "[Reset](https://evil.example) <!channel> <@U123>",
    "capacity=1000000000 every=99999999d tz=+99:99 area=x",
    ":",
    "#topic x (99999999999h)",
]
FORGED_SLACK = ("<!channel>", "<@U123>", "|Reset>", "<https://evil")
FORGED_HTML = 'href="https://evil'
NUMERIC = ("99999999999999999999", "-1", "9" * 5000, "1e309", "nan")
BUDGET = 1.0  # seconds for any one reply
LONGEST_REPLY = LONGEST_COMMAND + 2000  # no reply repeats a flood back


def commands_of(app: App) -> list[Any]:
    return list(app.commands)


@pytest.fixture
async def bot(start_bot: StartBot, tmp_path: Any) -> App:
    return await start_bot(raw={"skills": {"meetings": {"minutes_dir": str(tmp_path / "m")}}})


async def test_every_command_survives_the_corpus(bot: App) -> None:
    tried = 0
    failures: list[str] = []
    for index, command in enumerate(commands_of(bot)):
        channel = f"#fuzz{index}"  # one channel each: a meeting started by one stays there
        for payload in CORPUS:
            for nick in ("admin", "mallory"):
                tried += 1
                started = time.perf_counter()
                replies = await memory(bot).say(f"!{command.name} {payload}", nick=nick,
                                                channel=channel)
                took = time.perf_counter() - started
                texts = [render_plain(r.markup_text) for r in replies]
                where = f"!{command.name} {payload[:30]!r} as {nick}"
                if took > BUDGET:
                    failures.append(f"{where}: {took:.2f}s")
                if any("Sorry, something went wrong" in t for t in texts):
                    failures.append(f"{where}: apologised")
                if any(len(t) > LONGEST_REPLY for t in texts):
                    failures.append(f"{where}: a reply of {max(map(len, texts))} characters")
                for reply in replies:  # user text is shown as typed, never as formatting
                    slack, html = render_slack(reply.markup_text), render_html(reply.markup_text)
                    if any(forged in slack for forged in FORGED_SLACK) or FORGED_HTML in html:
                        failures.append(f"{where}: user markup rendered: {slack[:80]!r}")
    assert tried == len(commands_of(bot)) * len(CORPUS) * 2
    assert failures == [], f"{len(failures)} of {tried} inputs failed:\n" + "\n".join(failures)
    assert [render_plain(r.markup_text) for r in await memory(bot).say("!ping")] == ["pong"]


async def test_numbers_out_of_bounds_get_usage(bot: App) -> None:
    """Every command whose first argument is a number or a duration refuses absurd ones."""
    checked = 0
    for command in commands_of(bot):
        first = next((p for p in command.params if p.kind != "option"), None)
        if first is None or first.convert.__name__ not in ("_whole_number", "parse_duration"):
            continue
        for payload in NUMERIC:
            replies = await memory(bot).say(f"!{command.name} {payload} x", nick="admin")
            assert len(replies) == 1, (command.name, payload)
            assert "Usage: !" + command.name in render_plain(replies[0].markup_text), \
                (command.name, payload, render_plain(replies[0].markup_text))
            checked += 1
    assert checked >= 5 * len(NUMERIC)


@pytest.mark.parametrize("line", [
    "!mentor add docs capacity=1000000000",
    "!remind 99999999999999999999d wake up",
    "!hat claim 99999999999999999999",
    "!hat add x every=99999999d",
    "!ci mute openstack/nova 99999999d",
])
async def test_the_reported_unbounded_arguments(bot: App, line: str) -> None:
    (reply,) = await memory(bot).say(line, nick="admin")
    assert "Usage: !" in render_plain(reply.markup_text), render_plain(reply.markup_text)


async def test_user_markup_in_a_reminder_is_shown_not_rendered(bot: App) -> None:
    (ack,) = await memory(bot).say("!remind 1m [Reset](https://evil.example) <!channel>")
    assert render_plain(ack.markup_text) == (
        "OK, in 1m I will say: [Reset](https://evil.example) <!channel>")
    assert render_slack(ack.markup_text).endswith(
        "[Reset](https://evil.example) &lt;!channel&gt;")
    assert "<a " not in render_html(ack.markup_text)


@pytest.mark.parametrize("line", ["!" + MEGABYTE_WORD, "hatbot: " + MEGABYTE_WORD,
                                  "!hat " + MEGABYTE_WORD, MEGABYTE_WORD])
async def test_an_unknown_flood_is_not_echoed(bot: App, line: str) -> None:
    replies = await memory(bot).say(line)
    assert all(len(r.markup_text) < 300 for r in replies)
    (direct,) = await memory(bot).say(line, direct=True)
    assert len(direct.markup_text) < 300
