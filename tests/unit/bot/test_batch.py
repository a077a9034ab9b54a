"""Group commit: many handlers' items in few transactions, each handler answered once its
own item is in the database, and a failed batch failing every handler that was in it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from hatbot.context import Context
from hatbot.events import Address, Message, Reply
from hatbot.skill import BatchWriter, Skill, SkillConfig, command, on
from hatbot.storage.kv import KeyValue
from hatbot.testing import PLATFORM, SkillTester, person


class Notes(Skill[SkillConfig]):
    name = "notes"

    def __init__(self, config: SkillConfig) -> None:
        super().__init__(config)
        self.batches: list[list[str]] = []
        self.writer: BatchWriter[str, int] = BatchWriter(self._record, name="notes")

    async def _record(self, ctx: Context, texts: list[str]) -> list[int]:
        if "boom" in texts:
            raise RuntimeError("the disk is full")
        ctx.db.add_all(KeyValue(namespace="notes", key=text, value=text) for text in texts)
        await ctx.commit()
        self.batches.append(texts)
        return [len(text) for text in texts]

    @command("note", help="Keep TEXT", args="TEXT", examples=["note hello"])
    async def note(self, ctx: Context, text: str) -> None:
        try:
            size = await self.writer.take(ctx, text)
        except RuntimeError as exc:
            await ctx.reply(f"lost {text}: {exc}")
            return
        # The item is committed by now: a fresh session sees it.
        async with ctx.runtime.sessions() as fresh:
            kept = await fresh.scalar(select(func.count()).select_from(KeyValue)
                                      .where(KeyValue.key == text))
        await ctx.reply(f"kept {text} ({size}) seen={kept}")


async def _say_everywhere(bot: SkillTester, texts: list[str]) -> None:
    """Each text in a channel of its own, all at once, as a busy bot receives them."""
    handled = [bot.memory.emit(Message(channel=Address(PLATFORM, f"#c{n}"), sender=person("ann"),
                                       text=f"!note {text}", ts=bot.clock.now(),
                                       id=bot.memory.next_id()))
               for n, text in enumerate(texts)]
    await asyncio.gather(*handled)


def _run(bot: SkillTester, texts: list[str]) -> list[str]:
    bot.replies()
    bot._runner.run(_say_everywhere(bot, texts))
    return sorted(bot.replies())


def _notes(bot: SkillTester) -> Notes:
    skill = bot.app.skills["notes"]
    assert isinstance(skill, Notes)
    return skill


def test_concurrent_items_share_transactions_and_each_waits_for_its_own(tmp_path: Path) -> None:
    bot = SkillTester(Notes, data_dir=tmp_path)
    try:
        texts = [f"n{i:03d}" for i in range(120)]
        assert _run(bot, texts) == sorted(f"kept {t} (4) seen=1" for t in texts)
        batches = _notes(bot).batches
        assert sorted(t for batch in batches for t in batch) == texts  # each once
        assert len(batches) < len(texts) / 4  # grouped, not one transaction each
    finally:
        bot.close()


def test_a_failed_batch_fails_every_item_in_it_and_the_writer_goes_on(tmp_path: Path) -> None:
    bot = SkillTester(Notes, data_dir=tmp_path)
    try:
        replies = _run(bot, ["a1", "boom", "a2"])
        failed = [r for r in replies if r.startswith("lost")]
        assert "lost boom: the disk is full" in failed
        # Whoever shared the failed batch hears of it; nobody is left waiting or told "kept".
        assert len(replies) == 3
        assert all(r.startswith(("lost", "kept")) for r in replies)
        assert bot.say("<ann> !note after") == ["kept after (5) seen=1"]
    finally:
        bot.close()


def test_a_quiet_bot_writes_each_item_at_once(tmp_path: Path) -> None:
    bot = SkillTester(Notes, data_dir=tmp_path)
    try:
        assert bot.say("<ann> !note one") == ["kept one (3) seen=1"]
        assert bot.say("<ann> !note two") == ["kept two (3) seen=1"]
        assert _notes(bot).batches == [["one"], ["two"]]
    finally:
        bot.close()



class Chatter(Skill[SkillConfig]):
    """Keeps every line with ``put`` (no waiting), and the writer waits for a gate."""

    name = "chatter"

    def __init__(self, config: SkillConfig) -> None:
        super().__init__(config)
        self.gate = asyncio.Event()
        self.kept: list[str] = []
        self.writer: BatchWriter[str, None] = BatchWriter(self._record, name="chatter")

    async def _record(self, ctx: Context, texts: list[str]) -> list[None]:
        await self.gate.wait()
        self.kept += texts
        return [None] * len(texts)

    @on(Message)
    async def listen(self, ctx: Context, event: Message) -> None:
        if not event.text.startswith("!"):
            self.writer.put(ctx, event.text)


def test_an_answer_waits_for_what_was_heard_before_it_in_its_channel(tmp_path: Path) -> None:
    """The bot answers nothing in a channel before every line heard there until then is
    saved (so a reply is a receipt); another channel is answered at once."""
    bot = SkillTester(Chatter, data_dir=tmp_path)
    chatter = bot.app.skills["chatter"]
    assert isinstance(chatter, Chatter)

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        await bot.memory.say("a line to keep", channel="#meeting")
        assert chatter.kept == []  # handled, not yet saved: the writer is held
        there = asyncio.ensure_future(bot.memory.say("!ping", channel="#meeting"))
        elsewhere = await bot.memory.say("!ping", channel="#other")
        await asyncio.sleep(0.2)
        waiting = [] if not there.done() else ["answered too early"]
        chatter.gate.set()
        replies = await asyncio.wait_for(there, 5)
        return ([_text(r) for r in elsewhere], waiting,
                [_text(r) for r in replies if r.target.id == "#meeting"])

    try:
        elsewhere, waiting, there = bot._runner.run(scenario())
        assert elsewhere == ["pong"]
        assert waiting == []
        assert there == ["pong"] and chatter.kept == ["a line to keep"]
    finally:
        bot.close()


def test_stopping_saves_what_was_accepted(tmp_path: Path) -> None:
    bot = SkillTester(Chatter, data_dir=tmp_path)
    chatter = bot.app.skills["chatter"]
    assert isinstance(chatter, Chatter)
    bot.say("<ann> last words")
    bot._runner.run(_open(chatter.gate))
    bot.close()
    assert chatter.kept == ["last words"]


async def _open(gate: asyncio.Event) -> None:
    asyncio.get_running_loop().call_later(0.2, gate.set)


def _text(reply: Reply) -> str:
    from hatbot.markup import render_plain

    return render_plain(reply.markup_text)
