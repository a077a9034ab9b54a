"""Typed outbound events: a skill asks what the platform can do; what it cannot is a
logged no-op, never an exception."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from hatbot.adapters.console import ConsoleAdapter, ConsoleConfig
from hatbot.adapters.memory import MemoryAdapter
from hatbot.events import Address, Edit, React, Reply, SetTopic
from hatbot.markup import render_plain
from hatbot.skill import Context, Skill, SkillConfig, command
from hatbot.testing import SkillTester
from tests.conftest import StartBot, memory


class Acker(Skill[SkillConfig]):
    """Reacts to the command, answers, then edits its answer."""

    name = "acker"

    @command("ack", help="React, answer, edit the answer")
    async def ack(self, ctx: Context) -> None:
        can = "can" if ctx.can(React) else "cannot"
        reacted = await ctx.react("👀")
        key = await ctx.reply(f"working ({can} react)")
        assert ctx.channel is not None
        edited = await ctx.edit(ctx.channel, key, f"done; reacted: {reacted}")
        if not edited:
            await ctx.reply("(could not edit)")


def test_react_and_edit_where_the_platform_has_them(tmp_path: Path) -> None:
    bot = SkillTester(Acker, data_dir=tmp_path)
    try:
        assert bot.say("<alice> !ack") == ["working (can react)"]
        (reaction,) = bot.memory.reactions
        assert reaction.emoji == "👀" and reaction.target == Address("memory", "#test")
        assert reaction.message_id  # the id the platform gave the command's message
        (edit,) = bot.memory.edits
        assert edit.key == bot.sent[0].key and edit.markup_text == "done; reacted: True"
    finally:
        bot.close()


class Plain(MemoryAdapter):
    """A platform with messages only (as IRC has no reactions or edits)."""

    supports = frozenset({Reply})


async def test_an_unsupported_event_is_a_logged_no_op(
        start_bot: StartBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    app = await start_bot(Acker, adapters={"memory": Plain})
    replies = [render_plain(r.markup_text) for r in await memory(app).say("!ack")]
    assert replies == ["working (cannot react)", "(could not edit)"]
    assert not memory(app).reactions and not memory(app).edits
    assert "memory: memory has no React; skipped" in caplog.text
    assert "memory: memory has no Edit; skipped" in caplog.text
    assert not await app.deliver(SetTopic(Address("memory", "#test"), "x"))
    assert not await app.deliver(React(Address("nowhere", "#x"), "1", "👀"))


class Host:
    name = "console"
    bot_name = "hatbot"
    kv = None


async def test_the_console_shows_reactions_and_edits() -> None:
    out = io.StringIO()
    console = ConsoleAdapter(ConsoleConfig(), Host(), stdin=io.StringIO(),  # type: ignore[arg-type]
                             stdout=out)
    general = Address("console", "#general")
    reply = Reply(general, "working")
    assert await console.deliver(reply)
    assert await console.deliver(React(general, "3", "👀"))
    assert await console.deliver(Edit(general, reply.key, "**done**"))
    assert not await console.deliver(Edit(general, "never-sent", "x"))
    assert not await console.deliver(SetTopic(general, "no topics here"))
    assert out.getvalue().splitlines() == [
        "[#general] <hatbot> working",
        "[#general] * hatbot reacts 👀 to message 3",
        "[#general] <hatbot> (edited) done",
    ]
