"""The skill SDK as a third party meets it: schedules, the test harness, enabling."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from hatbot.config import build
from hatbot.context import Context
from hatbot.plugins import discover
from hatbot.skill import CronText, Skill, SkillConfig, command, every
from hatbot.testing import SkillTester


class Ticker(Skill[SkillConfig]):
    """Scheduled methods in the form the docs show: no hidden arguments."""

    name = "ticker"

    @every(cron="0 * * * *")
    async def tick(self, ctx: Context) -> None:
        await ctx.say(ctx.address("memory:#test"), "tick")

    @command("later", help="Say TEXT in an hour", examples=[("later hi", "in an hour")])
    async def later(self, ctx: Context, text: str) -> None:
        await ctx.schedule(self.deliver, ctx.now().replace(microsecond=0) + _HOUR, text=text)
        await ctx.reply("in an hour")

    async def deliver(self, ctx: Context, text: str) -> None:
        await ctx.say(ctx.address("memory:#test"), f"later: {text}")

    @command("misuse", help="Schedule wrongly", args="HOW", examples=["misuse name"])
    async def misuse(self, ctx: Context, how: str) -> None:
        try:
            if how == "name":
                await ctx.schedule("deliver", ctx.now(), text="x")  # type: ignore[arg-type]
            else:
                await ctx.schedule(self.deliver, ctx.now(), words="x")
        except TypeError as exc:
            await ctx.reply(f"refused: {exc}")


from datetime import timedelta  # noqa: E402

_HOUR = timedelta(hours=1)


@pytest.fixture
def bot(tmp_path: Path) -> Any:
    tester = SkillTester(Ticker, data_dir=tmp_path)
    yield tester
    tester.close()


def test_a_cron_method_that_takes_only_ctx_runs(bot: SkillTester) -> None:
    assert bot.advance(hours=1) == ["tick"]
    assert bot.advance(minutes=30) == []
    assert bot.advance(hours=3) == ["tick"]  # missed runs coalesce into one


def test_ctx_schedule_takes_the_method_and_checks_its_arguments(bot: SkillTester) -> None:
    assert bot.say("<alice> !later stand-up") == ["in an hour"]
    assert "later: stand-up" in bot.advance(hours=1)
    (name,) = bot.say("<alice> !misuse name")
    assert name.startswith("refused: ctx.schedule() takes a method of the ticker skill")
    (words,) = bot.say("<alice> !misuse kwargs")
    assert words.startswith("refused: ctx.schedule(self.deliver, …): ")


class NeedsChannel(Skill[SkillConfig]):
    name = "needs"

    @every(cron="0 9 * * *")
    async def digest(self, ctx: Context, channel: str) -> None: ...


class Reminder(BaseModel):
    cron: CronText
    channel: str


class ReminderConfig(SkillConfig):
    reminders: list[Reminder] = []


class ByConfig(Skill[ReminderConfig]):
    name = "byconfig"
    config_model = ReminderConfig

    @every(config_key="reminders")
    async def remind(self, ctx: Context, channel: str, areas: str) -> None: ...


@pytest.mark.parametrize(("skill", "message"), [
    (NeedsChannel, "NeedsChannel.digest needs channel, which @every(cron=…) does not give"),
    (ByConfig, "ByConfig.remind needs areas, which each [skills.byconfig.reminders] table "
               "does not give"),
])
def test_a_mis_declared_schedule_is_refused_at_load(tmp_path: Path, skill: type[Any],
                                                    message: str) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        SkillTester(skill, data_dir=tmp_path)


class Loud(Skill[SkillConfig]):
    name = "loud"

    @command("shout", help="Shout", args="WORD",
             examples=[("shout hey", "HEY"), ("shout you", re.compile(r"Y.U")),
                       ("shout no", "yes")])
    async def shout(self, ctx: Context, word: str) -> None:
        await ctx.reply(word.upper())


def test_examples_with_replies_run_as_tests(tmp_path: Path) -> None:
    bot = SkillTester(Loud, data_dir=tmp_path)
    try:
        with pytest.raises(AssertionError) as failed:
            bot.check_examples("loud")
        assert str(failed.value).splitlines()[1:] == [
            "!shout no (loud): expected 'yes', got 'NO'"]
        # help shows the examples without their expected replies
        (line,) = bot.say("<alice> !help shout")
        assert "Example: !shout hey; !shout you; !shout no" in line
    finally:
        bot.close()


def test_the_harness_speaks_for_people(hatbot: SkillTester) -> None:
    assert hatbot.say("<alice> !ping") == ["pong"]
    assert hatbot.say("<bob> hello there") == []
    (line,) = hatbot.dm("<alice> help")
    assert "**" not in line and "ping" in line  # plain text, as the console shows it
    assert hatbot.replies() == ["pong", line]
    assert hatbot.replies() == []
    with pytest.raises(ValueError, match="write who says it"):
        hatbot.say("!ping")


def test_every_installed_example_with_a_reply_gives_it(hatbot: SkillTester) -> None:
    assert hatbot.check_examples() >= 3


class ThirdParty(Skill[SkillConfig]):
    name = "thirdparty"


def test_installing_is_not_enabling() -> None:
    found = discover()
    skills = {**found.skills, "thirdparty": ThirdParty}
    models = {name: cls.config_model for name, cls in skills.items()}
    own = found.default_on
    assert own is not None and "meetings" in own and "thirdparty" not in own
    base: dict[str, Any] = {"adapters": {"console": {}}}
    absent = build(base, {"console": SkillConfig}, models, {}, default_on=own)
    assert "thirdparty" not in {s.name for s in absent.enabled_skills()}
    assert "meetings" in {s.name for s in absent.enabled_skills()}
    present = build({**base, "skills": {"thirdparty": {}}}, {"console": SkillConfig}, models,
                    {}, default_on=own)
    assert "thirdparty" in {s.name for s in present.enabled_skills()}
    off = build({**base, "skills": {"meetings": {"enabled": False}}}, {"console": SkillConfig},
                models, {}, default_on=own)
    assert "meetings" not in {s.name for s in off.enabled_skills()}
