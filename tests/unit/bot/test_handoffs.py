"""Work handed from one skill to another (``ctx.hand_off`` → ``@takes``): taken once,
right after the giver commits; never if the giver fails; kept across a stop and taken at
the next start; tried again later when the taker fails."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from sqlalchemy import select

from hatbot.context import Context
from hatbot.events import Address
from hatbot.skill import Skill, SkillConfig, command, takes
from hatbot.storage.handoffs import Handoff
from hatbot.testing import SkillTester


class Giver(Skill[SkillConfig]):
    name = "giver"

    @command("give", args="TEXT", help="Hand TEXT to the taker", examples=["give hello"])
    async def give(self, ctx: Context, text: str) -> None:
        ctx.hand_off("test.note", text=text)
        if text == "and fail":
            raise RuntimeError("the giver failed after handing off")
        await ctx.reply(f"given: {text}")


class Taker(Skill[SkillConfig]):
    name = "taker"
    broken: ClassVar[bool] = False

    @takes("test.note")
    async def note(self, ctx: Context, text: str) -> None:
        if Taker.broken:
            raise RuntimeError("the taker is broken")
        await ctx.say(Address("memory", "#test"), f"taken: {text}")


def handoffs(bot: SkillTester) -> list[tuple[str, bool, int]]:
    async def read() -> list[tuple[str, bool, int]]:
        async with bot.app.sessions() as session:
            return [(h.payload, h.taken_at is not None, h.attempts)
                    for h in await session.scalars(select(Handoff).order_by(Handoff.id))]
    return bot._runner.run(read())


def test_taken_once_right_after_the_giver_commits(tmp_path: Path) -> None:
    bot = SkillTester(Giver, Taker, data_dir=tmp_path / "data")
    try:
        assert bot.say("<alice> !give hello") == ["given: hello", "taken: hello"]
        assert bot.say("<alice> !give again") == ["given: again", "taken: again"]
        assert handoffs(bot) == [('{"text": "hello"}', True, 0),
                                 ('{"text": "again"}', True, 0)]
        said = bot.say("<alice> !give and fail")
        assert not any("taken" in s for s in said)  # the giver's transaction rolled back
        assert len(handoffs(bot)) == 2
    finally:
        bot.close()


def test_kept_across_a_stop_and_taken_at_the_next_start(tmp_path: Path) -> None:
    bot = SkillTester(Giver, data_dir=tmp_path / "data")  # no taker running
    try:
        assert bot.say("<alice> !give while you were away") == [
            "given: while you were away"]
    finally:
        bot.close()
    bot = SkillTester(Giver, Taker, data_dir=tmp_path / "data")
    try:
        assert bot.replies() == ["taken: while you were away"]
        assert handoffs(bot) == [('{"text": "while you were away"}', True, 0)]
    finally:
        bot.close()


def test_a_failing_taker_is_tried_again_later_not_in_a_loop(tmp_path: Path) -> None:
    Taker.broken = True
    try:
        bot = SkillTester(Giver, Taker, data_dir=tmp_path / "data")
        try:
            said = bot.say("<alice> !give one")
            assert said[0] == "given: one" and not any("taken" in s for s in said)
            assert handoffs(bot) == [('{"text": "one"}', False, 1)]
            Taker.broken = False
            assert bot.say("<alice> !give two") == ["given: two", "taken: one", "taken: two"]
            assert [taken for _, taken, _ in handoffs(bot)] == [True, True]
        finally:
            bot.close()
    finally:
        Taker.broken = False


def test_one_skill_takes_a_kind(tmp_path: Path) -> None:
    class Other(Taker):
        name = "other"

    try:
        SkillTester(Giver, Taker, Other, data_dir=tmp_path / "data")
    except TypeError as exc:
        assert "both take 'test.note'" in str(exc)
    else:
        raise AssertionError("two takers of one kind were accepted")
