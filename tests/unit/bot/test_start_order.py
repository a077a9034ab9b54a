"""The start order (docs/architecture.md, "Start-up order"): the chat adapters start
while the database opens and the skills load; the core's commands are answered at once,
and everything else heard meanwhile is handled in order once every skill is set up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from hatbot.adapter import Status
from hatbot.adapters.memory import MemoryAdapter, person
from hatbot.app import App
from hatbot.config import build
from hatbot.context import Context
from hatbot.events import Address, Message
from hatbot.markup import render_plain
from hatbot.plugins import Plugins, discover
from hatbot.skill import Skill, SkillConfig, command, on


class Slow(Skill[SkillConfig]):
    """A skill whose setup takes as long as the test says."""

    name = "slow"
    gate: ClassVar[asyncio.Event]
    heard: ClassVar[list[str]]

    async def setup(self, ctx: Context) -> None:
        await type(self).gate.wait()

    @on(Message)
    async def hear(self, ctx: Context, event: Message) -> None:
        type(self).heard.append(event.text)

    @command("slow", help="Answer when loaded")
    async def slow(self, ctx: Context) -> None:
        await ctx.reply("slow here")


class Broken(Skill[SkillConfig]):
    name = "broken"

    def __init__(self, config: SkillConfig) -> None:
        raise RuntimeError("cannot be made")


class Remembering(MemoryAdapter):
    """Keeps something in its key-value store as it starts, as Matrix does."""

    remembered: str | None = None

    async def start(self) -> None:
        await self.host.kv.set("sync token", "s42")
        self.remembered = await self.host.kv.get("sync token")
        await super().start()


class Talking(MemoryAdapter):
    """Hears something as it connects, as IRC does (a join, a line)."""

    heard: ClassVar[list[asyncio.Future[None]]]

    async def start(self) -> None:
        await super().start()
        type(self).heard.append(asyncio.ensure_future(self.emit(Message(
            channel=Address("memory", "#test"), sender=person("bob"), text="early line",
            is_direct=False, id=self.next_id()))))


def make_app(tmp_path: Path, *skills: type[Any], adapter: type[MemoryAdapter] = MemoryAdapter
             ) -> App:
    found = discover()
    plugins = Plugins(adapters={**found.adapters, "memory": adapter},
                      skills={**found.skills, **{cls.name: cls for cls in skills}},
                      skill_configs=found.skill_configs)
    raw = {"bot": {"data_dir": str(tmp_path)}, "web": {"enabled": False},
           "adapters": {"memory": {}}}
    config = build(raw, plugins.adapter_models(), plugins.skill_models(), environ={})
    return App(config, plugins)


async def until(check: Callable[[], bool], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.01)


def said(adapter: MemoryAdapter, text: str) -> asyncio.Future[None]:
    return asyncio.ensure_future(adapter.emit(Message(
        channel=Address("memory", "#test"), sender=person("alice"), text=text,
        is_direct=False, id=adapter.next_id())))


async def test_the_core_answers_while_the_other_skills_load_and_nothing_is_skipped(
    tmp_path: Path,
) -> None:
    Slow.gate, Slow.heard = asyncio.Event(), []
    app = make_app(tmp_path, Slow)
    starting = asyncio.create_task(app.start())
    try:
        await until(lambda: "memory" in app.adapters
                    and app.adapters["memory"].status == Status.CONNECTED)
        adapter = app.adapters["memory"]
        assert isinstance(adapter, MemoryAdapter)
        lines = ["hello", "!ping", "!slow", "!help", "later"]
        handled = [said(adapter, line) for line in lines]
        await until(lambda: any(render_plain(r.markup_text) == "pong" for r in adapter.sent))
        # Answered while the slow skill's setup still waits, and only that.
        assert not starting.done()
        assert [render_plain(r.markup_text) for r in adapter.sent] == ["pong"]
        assert Slow.heard == []

        Slow.gate.set()
        await starting
        await asyncio.wait_for(asyncio.gather(*handled), 10)
        # Every line reached the skill that loaded late, in the order it was said; its
        # command was answered, not called unknown; the core's was answered once.
        assert Slow.heard == lines
        texts = [render_plain(r.markup_text) for r in adapter.sent]
        assert texts.count("pong") == 1
        assert texts.count("slow here") == 1
        (listing,) = [t for t in texts if t.startswith("Commands:")]
        assert "!slow" in listing  # help waited for every skill
        assert not any("Unknown command" in t for t in texts)
    finally:
        Slow.gate.set()
        await asyncio.gather(starting, return_exceptions=True)
        await app.stop()


async def test_an_adapter_may_use_its_store_as_it_starts(tmp_path: Path) -> None:
    app = make_app(tmp_path, adapter=Remembering)
    await asyncio.wait_for(app.start(), 30)
    try:
        adapter = app.adapters["memory"]
        assert isinstance(adapter, Remembering)
        assert adapter.remembered == "s42"
    finally:
        await app.stop()


async def test_a_bot_that_cannot_start_gives_up_what_it_heard_meanwhile(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    Talking.heard = []
    app = make_app(tmp_path, Broken, adapter=Talking)
    with pytest.raises(RuntimeError, match="cannot be made"):
        await app.start()
    caplog.set_level(logging.WARNING)
    # At once, not after the drain timeout: nothing will ever handle it.
    await asyncio.wait_for(app.stop(), 5)
    (early,) = Talking.heard
    assert early.cancelled()
    assert "1 events heard while the bot started are not handled" in caplog.text
