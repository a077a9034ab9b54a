"""Start-up imports only what is used: ``--version`` imports nothing heavy, and a console
bot never imports another platform's client nor NumPy, nor aiohttp before its web server
starts (issue #16)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import StartBot


def imported_after(code: str, cwd: Path) -> dict[str, bool]:
    probe = (f"import sys, json\n{code}\n"
             "print(json.dumps({m: m in sys.modules for m in ('sqlalchemy', 'pydantic', "
             "'nio', 'slack_bolt', 'irc', 'numpy', 'scipy', 'alembic', 'aiohttp', "
             "'markdown_it', 'prometheus_client', 'apscheduler.schedulers.base', "
             "'concurrent.futures.process', 'yaml', 'icalendar', 'recurring_ical_events')}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True,
                          text=True, check=True)
    result: dict[str, bool] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_version_imports_nothing_heavy(tmp_path: Path) -> None:
    seen = imported_after("from hatbot.cli import main\nmain(['--version'])", tmp_path)
    assert not any(seen.values()), seen


def test_a_console_bot_imports_only_the_console(tmp_path: Path) -> None:
    seen = imported_after(
        "import hatbot.app\nfrom hatbot.plugins import discover\n"
        "plugins = discover()\n"
        "config = plugins.load_config(None)\n"
        "[plugins.adapters[s.kind] for s in config.enabled_adapters()]\n"
        "[plugins.skills[s.name] for s in config.enabled_skills()]\n"
        "from hatbot.cli import _parser\n_parser(plugins)", tmp_path)
    assert not (seen["nio"] or seen["slack_bolt"] or seen["irc"]), seen
    assert not (seen["numpy"] or seen["scipy"]), seen
    assert not seen["aiohttp"], seen  # it loads with the web server, after the adapters
    assert not seen["markdown_it"], seen  # at the first formatted message
    assert not seen["apscheduler.schedulers.base"], seen  # loaded after the adapters
    # The skills' subcommands are declared at every start; a process pool only for replay.
    assert not seen["concurrent.futures.process"], seen
    # No schedule is configured: its readers and calendar libraries stay unloaded.
    assert not (seen["yaml"] or seen["icalendar"] or seen["recurring_ical_events"]), seen


def test_the_console_and_the_core_answer_before_sqlalchemy_loads(tmp_path: Path) -> None:
    """What `hatbot run` needs before its first reply: the command line (without the
    skills' subcommands), the whole configuration checked, the console and the core."""
    seen = imported_after(
        "import hatbot.app\nfrom hatbot.cli import _parser\nfrom hatbot.plugins import discover\n"
        "plugins = discover()\n"
        "_parser(plugins, with_skills=False).parse_args(['run'])\n"
        "config = plugins.load_config(None)\n"
        "assert {s.name for s in config.enabled_skills()} >= {'meetings', 'welcome', 'hat'}\n"
        "[plugins.adapters[s.kind] for s in config.enabled_adapters()]\n"
        "plugins.skills['core']", tmp_path)
    assert not seen["sqlalchemy"], seen
    assert not seen["alembic"], seen


def test_counting_metrics_needs_no_prometheus_client(tmp_path: Path) -> None:
    seen = imported_after("from hatbot.metrics import Metrics\nm = Metrics()\n"
                          "m.received('irc')\nm.handled('core', 0.01)", tmp_path)
    assert not seen["prometheus_client"], seen  # it loads with the web server's first scrape
    seen = imported_after("from hatbot.metrics import Metrics\nMetrics().render()", tmp_path)
    assert seen["prometheus_client"], seen


def test_the_collector_is_off_while_start_up_builds_and_back_on_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hatbot import cli
    from hatbot.plugins import Plugins

    seen: list[bool] = []
    real = Plugins.load_config

    def load_config(self: Plugins, *args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Plugins, "load_config", load_config)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check-config"]) == 0
    assert cli.main(["check-config", "--config", str(tmp_path / "missing.toml")]) == 2
    assert seen == [False, False]  # imports and configuration built without collections
    assert gc.isenabled()  # back on, whatever the outcome


async def test_a_started_bot_has_the_collector_on(start_bot: StartBot) -> None:
    gc.disable()  # as `hatbot run` starts
    try:
        await start_bot()
        assert gc.isenabled()
    finally:
        gc.enable()
