"""House rules that are easy to break without noticing: a reply is sent only after what it
announces is committed, and the architecture document's skill is real code."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from hatbot.adapter import AdapterConfig, Host
from hatbot.adapters.memory import MemoryAdapter
from hatbot.context import Context
from hatbot.events import Reply
from hatbot.skill import Skill, SkillConfig, command
from hatbot.testing import SkillTester
from tests.conftest import REPO, StartBot


class Witness(MemoryAdapter):
    """Counts, at the moment each reply is handed over, the rows another connection sees."""

    database: Path

    def __init__(self, config: AdapterConfig, host: Host) -> None:
        super().__init__(config, host)
        self.seen_at_send: list[int] = []

    async def send(self, reply: Reply) -> None:
        with sqlite3.connect(self.database) as other:
            (count,) = other.execute("select count(*) from kv where namespace = 'probe'"
                                     ).fetchone()
        self.seen_at_send.append(int(count))
        await super().send(reply)


class Probe(Skill[SkillConfig]):
    name = "probe"

    @command("note", args="HOW KEY", help="Save a row, then speak", examples=["note say k"])
    async def note(self, ctx: Context, how: str, key: str) -> None:
        await ctx.db.execute(text("insert into kv (namespace, key, value) "
                                  "values ('probe', :key, 'x')"), {"key": key})
        if how == "say":
            await ctx.say(ctx.address("memory:#test"), "noted")
        elif how == "dm":
            await ctx.dm(ctx.sender, "noted")
        else:
            await ctx.reply("noted")


async def test_say_dm_and_reply_commit_before_sending(start_bot: StartBot,
                                                      tmp_path: Path) -> None:
    Witness.database = tmp_path / "hatbot.db"
    app = await start_bot(Probe, adapters={"memory": Witness})
    witness = app.adapters["memory"]
    assert isinstance(witness, Witness)
    for number, how in enumerate(("say", "dm", "reply"), start=1):
        await witness.say(f"!note {how} k{number}")
        assert witness.seen_at_send[-1] == number, how


def architecture_skill() -> type[Any]:
    document = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = document.split("## A skill\n", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    namespace: dict[str, Any] = {"__name__": "architecture_example"}
    exec(compile(code, "docs/architecture.md", "exec"), namespace)
    skill: type[Any] = namespace["Thanks"]
    return skill


def test_the_architecture_documents_a_working_skill(tmp_path: Path) -> None:
    bot = SkillTester(architecture_skill(), data_dir=tmp_path)
    try:
        assert bot.check_examples("thanks") == 1
        assert bot.say("<bob> !thanks ada") == ["ada has been thanked 2 time(s)"]
        assert bot.join("carol") == ["welcome, carol"]
        assert bot.advance(days=7) == ["2 thanks"]
    finally:
        bot.close()


async def test_the_architecture_skill_serves_its_route(start_bot: StartBot) -> None:
    app = await start_bot(architecture_skill(), raw={"web": {"enabled": True, "port": 0}})
    skill = app.skills["thanks"]
    skill.count["ada"] = 2  # type: ignore[attr-defined]
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"http://127.0.0.1:{app.web.port}/thanks")
    assert answer.json() == {"ada": 2}
