"""The scripted week (tests/fixtures/week/), played through the console as a user would."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hatbot.app import App
from hatbot.skills.meetings import archive
from tests.conftest import REPO, run_cli

SCRIPT = REPO / "tests" / "fixtures" / "week" / "week.console"


def play_week(tmp_path: Path) -> tuple[Path, Path]:
    """``week.console`` piped into ``hatbot run``; the data folder and the configuration."""
    data = tmp_path / "data"
    config = tmp_path / "hatbot.toml"
    config.write_text(f'[bot]\ndata_dir = "{data}"\n[web]\nport = 0\n[adapters.console]\n'
                      f'[skills.welcome]\nchannels = ["console:#welcome"]\n'
                      f'[skills.meetings]\nminutes_dir = "{data}/meetings"\n'
                      f'[skills.kb]\nreviewers = ["console:rita"]\n')
    said(config, SCRIPT.read_text(), tmp_path)
    return data, config


def said(config: Path, script: str, cwd: Path) -> str:
    """What the bot answered to ``script`` in the console."""
    done = run_cli("run", "--config", str(config), stdin=script, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def indexed(app: App) -> None:
    """Wait until every ended meeting's lines are in the search index (the bot fills it
    in the background once the minutes are written)."""
    for _ in range(500):
        async with app.sessions() as session:
            if not await archive.unindexed(session):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the search index was never filled")
