"""Start-up imports only what is used: ``--version`` imports nothing heavy, and a console
bot never imports another platform's client nor NumPy, nor aiohttp before its web server
starts (issue #16)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def imported_after(code: str, cwd: Path) -> dict[str, bool]:
    probe = (f"import sys, json\n{code}\n"
             "print(json.dumps({m: m in sys.modules for m in ('sqlalchemy', 'pydantic', "
             "'nio', 'slack_bolt', 'irc', 'numpy', 'scipy', 'alembic', 'aiohttp', 'markdown_it')}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True,
                          text=True, check=True)
    result: dict[str, bool] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_version_imports_nothing_heavy(tmp_path: Path) -> None:
    seen = imported_after("from hatbot.cli import main\nmain(['--version'])", tmp_path)
    assert not any(seen.values()), seen


def test_a_console_bot_imports_only_the_console(tmp_path: Path) -> None:
    seen = imported_after(
        "from hatbot.plugins import discover\n"
        "plugins = discover()\n"
        "config = plugins.load_config(None)\n"
        "[plugins.adapters[s.kind] for s in config.enabled_adapters()]\n"
        "[plugins.skills[s.name] for s in config.enabled_skills()]", tmp_path)
    assert not (seen["nio"] or seen["slack_bolt"] or seen["irc"]), seen
    assert not (seen["numpy"] or seen["scipy"]), seen
    assert not seen["aiohttp"], seen  # it loads with the web server, after the adapters
    assert not seen["markdown_it"], seen  # at the first formatted message
