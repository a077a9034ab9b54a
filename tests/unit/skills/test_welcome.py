"""The welcome skill on the memory adapter: once ever, per message, and first responses."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from hatbot.adapters.memory import PLATFORM, person
from hatbot.app import App
from hatbot.clock import FakeClock
from hatbot.events import Address, Join, Message
from hatbot.markup import render_plain
from tests.conftest import StartBot, memory

DEV = Address(PLATFORM, "#dev")
INFRA = Address(PLATFORM, "#infra")
DOCS = Address(PLATFORM, "#docs")
RAW: dict[str, Any] = {"skills": {"welcome": {
    "channels": ["memory:#dev", "memory:#docs"],
    "bots": ["memory:ci-bot"],
    "message": "Welcome **{name}** to {channel}!",
    "channel_messages": {"memory:#infra": "Infra folks: hi {name}"},
}}}


async def join(app: App, nick: str, channel: Address = DEV, first: bool = True) -> list[str]:
    adapter = memory(app)
    before = len(adapter.sent)
    await adapter.emit(Join(channel=channel, person=person(nick), first_time_hint=first))
    return [f"{r.target}|{render_plain(r.markup_text)}" for r in adapter.sent[before:]
            if r.direct]


async def test_welcomed_once_ever(start_bot: StartBot, tmp_path: Path) -> None:
    app = await start_bot(raw=RAW)
    (dm,) = await join(app, "newbie")
    assert dm.startswith("memory:newbie|Welcome newbie to #dev!")
    assert "!mentee python docs tz=+01:00" in dm  # the mentoring offer
    assert await join(app, "newbie") == []
    assert await join(app, "newbie", DOCS) == []  # the same message: not again
    assert await join(app, "other", first=False) == []  # a netsplit rejoin
    (infra,) = await join(app, "newbie", INFRA)  # a different message: yes
    assert infra == "memory:newbie|Infra folks: hi newbie" + infra.split("hi newbie", 1)[1]
    assert await join(app, "newbie", Address(PLATFORM, "#random")) == []
    await app.stop()
    again = await start_bot(raw=RAW)
    assert await join(again, "newbie") == []  # across restarts


async def test_user_text_in_the_welcome_is_not_markup(start_bot: StartBot) -> None:
    app = await start_bot(raw=RAW)
    (dm,) = await join(app, "**bold**[x](y)")
    assert "Welcome **bold**[x](y) to #dev!" in dm


async def test_first_response_is_measured(start_bot: StartBot) -> None:
    clock = FakeClock()
    app = await start_bot(raw=RAW, clock=clock)
    adapter = memory(app)
    await join(app, "newbie")
    t0 = clock.now()

    async def say(nick: str, minutes: int, text: str = "hi") -> None:
        await adapter.emit(Message(channel=DEV, sender=person(nick), text=text,
                                   ts=t0 + timedelta(minutes=minutes)))

    await say("veteran", 1, "chatting before the newcomer speaks")
    await say("newbie", 2, "hello, how do I start?")
    await say("newbie", 3, "anyone?")
    await say("veteran", 4, "lunch anyone?")  # chat, not an answer
    await say("ci-bot", 5, "newbie: build #12 passed")  # a bot, not an answer
    await say("veteran", 9, "newbie: welcome! start with the guide")
    clock.set(t0 + timedelta(minutes=10))
    replies = await adapter.say("!welcome stats", nick="veteran", channel="#dev")
    assert render_plain(replies[0].markup_text) == (
        "Newcomers: 1 this week, 1 in the last 30 days. Median time to first response: 7m; "
        "0 still waiting for one.")


async def test_admin_preview_and_reset(start_bot: StartBot) -> None:
    app = await start_bot(raw=RAW)
    adapter = memory(app)
    await join(app, "newbie")
    refused = await adapter.say("!welcome reset memory:newbie", nick="mallory")
    assert render_plain(refused[0].markup_text) == "Sorry, !welcome reset is for admins only."
    done = await adapter.say("!welcome reset newbie", nick="admin")
    assert render_plain(done[0].markup_text) == "Forgot memory:newbie (1 welcome(s) on record)."
    assert len(await join(app, "newbie")) == 1  # welcomed again after the reset
    preview = await adapter.say("!welcome preview memory:#infra", nick="admin")
    assert [(r.direct, render_plain(r.markup_text).split("\n")[0]) for r in preview] == [
        (True, "Infra folks: hi admin"), (False, "Sent you the welcome by direct message.")]


async def test_an_answer_in_the_newcomers_thread_counts(start_bot: StartBot) -> None:
    clock = FakeClock()
    app = await start_bot(raw=RAW, clock=clock)
    await join(app, "asker")
    t0 = clock.now()
    adapter = memory(app)
    await adapter.emit(Message(channel=DEV, sender=person("asker"), text="where are the docs?",
                               ts=t0, thread="T1"))
    await adapter.emit(Message(channel=DEV, sender=person("helper"), text="here they are",
                               ts=t0 + timedelta(minutes=3), thread="T1"))
    clock.set(t0 + timedelta(minutes=5))
    (stats,) = await adapter.say("!welcome stats", nick="helper", channel="#dev")
    assert "Median time to first response: 3m; 0 still waiting" in render_plain(
        stats.markup_text)


async def test_one_welcome_when_a_newcomer_joins_two_channels_at_once(
        start_bot: StartBot) -> None:
    """Both joins read "not welcomed yet" before either is recorded; the second record
    then breaks the once-ever rule in the database and is dropped without a word."""
    from hatbot.storage.kv import KeyValue

    app = await start_bot(raw=RAW)
    adapter = memory(app)
    async with app.sessions() as holder:  # holds the write turn: both joins read first
        holder.add(KeyValue(namespace="t", key="k", value="v"))
        await holder.flush()
        joins = [asyncio.ensure_future(adapter.emit(Join(channel=where, person=person("twin"),
                                                          first_time_hint=True)))
                 for where in (DEV, DOCS)]
        await asyncio.sleep(0.05)
        await holder.rollback()
    await asyncio.wait_for(asyncio.gather(*joins), 10)
    welcomes = [r for r in adapter.sent if r.direct and "Welcome" in r.markup_text]
    assert len(welcomes) == 1
    assert app.metrics.handler_errors["welcome"] == 0


async def test_a_newcomer_who_speaks_again_a_month_later_came_back(
    start_bot: StartBot, tmp_path: Path,
) -> None:
    """CHAOSS retention: of the newcomers of a month ago, who spoke again a month or more
    after arriving, in any channel; across a restart; a day later does not count."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from hatbot.skills.welcome.models import Newcomer

    clock = FakeClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    app = await start_bot(raw=RAW, clock=clock, data_dir=tmp_path)
    t0 = clock.now()
    for nick in ("stays", "leaves"):
        await join(app, nick)

    async def say(nick: str, days: int, where: Address = DEV) -> None:
        await memory(app).emit(Message(channel=where, sender=person(nick), text="hi",
                                       ts=t0 + timedelta(days=days)))

    await say("stays", 1)
    await say("leaves", 2)  # soon after arriving: not yet "back"
    await app.stop()
    app = await start_bot(raw=RAW, clock=clock, data_dir=tmp_path)
    await say("stays", 31, INFRA)  # a month later, in another channel
    await say("stays", 40)

    async with app.sessions() as session:
        back = {person: returned for person, returned in await session.execute(
            select(Newcomer.person, Newcomer.returned_at))}
    assert back == {"memory:stays": t0 + timedelta(days=31), "memory:leaves": None}
    clock.set(t0 + timedelta(days=45))
    (figures,) = [f for name, f in await app._figures(t0 - timedelta(days=1))
                  if name == "welcome"]
    (came_back,) = [f for f in figures if f.key == "came_back"]
    assert came_back.value == 50 and came_back.unit == "%"
