"""The skill in CONTRIBUTING.md works as written."""

from __future__ import annotations

import re
from typing import Any

from hatbot.markup import render_plain
from tests.conftest import REPO, StartBot, memory


def example_skill() -> type[Any]:
    text = (REPO / "CONTRIBUTING.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    namespace: dict[str, Any] = {"__name__": "contributing_example"}
    exec(compile(code, "CONTRIBUTING.md", "exec"), namespace)
    skill: type[Any] = namespace["Dice"]
    return skill


async def test_the_documented_skill_runs(start_bot: StartBot) -> None:
    app = await start_bot(example_skill())
    (rolled,) = await memory(app).say("!roll 6")
    assert re.fullmatch(r"alice rolled [1-6]", render_plain(rolled.markup_text))
    (refused,) = await memory(app).say("!roll 1")
    assert render_plain(refused.markup_text) == (
        "SIDES: from 2 to 1000. Usage: !roll SIDES (e.g. !roll 6)")
