"""A crash loses nothing committed: SIGKILL the bot, start it again, the scheduled job fires."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

from tests.integration.conftest import Bot, stored_jobs


def test_sigkill_then_restart_keeps_the_scheduled_job(
    tmp_path: Path, launch: Callable[[], Bot]
) -> None:
    first = launch()
    first.say("<alice> !remind 2s the release notes are due")
    first.expect("OK, in 2s I will say: the release notes are due")
    first.kill()
    assert first.proc.returncode == -signal.SIGKILL

    assert stored_jobs(tmp_path, "remind") == 1

    second = launch()
    line = second.expect("Reminder from alice", timeout=30)
    assert line == "[#general] <hatbot> Reminder from alice: the release notes are due"
    second.say("!ping")
    second.expect("pong")
    assert "Reminder" not in second.finish()

    assert stored_jobs(tmp_path, "remind") == 0  # fired once, and gone


def test_sigterm_is_a_graceful_stop(launch: Callable[[], Bot]) -> None:
    bot = launch()
    bot.say("!ping")
    bot.expect("pong")
    bot.proc.send_signal(signal.SIGTERM)
    assert bot.proc.wait(timeout=30) == 0


def test_a_second_process_on_the_same_data_refuses_to_start(launch: Callable[[], Bot]) -> None:
    first = launch()
    first.say("!ping")
    first.expect("pong")
    second = launch()
    assert second.proc.wait(timeout=60) == 1
    assert second.proc.stderr is not None
    error = second.proc.stderr.read()
    assert f"another Hatbot (pid {first.proc.pid}) is running on" in error
    first.say("<alice> #startmeeting still mine")
    first.expect("Meeting started")


def test_sighup_reloads_the_configuration(tmp_path: Path) -> None:
    from tests.conftest import free_port

    config = tmp_path / "hatbot.toml"
    text = (f'[bot]\ndata_dir = "{tmp_path}/data"\nadmins = ["console:you"]\n'
            f"[web]\nport = {free_port()}\n[adapters.console]\n[skills.welcome]\n"
            'message = "Hello {name}"\n')
    config.write_text(text)
    bot = Bot(config, tmp_path)
    try:
        bot.say("!welcome preview")
        bot.expect("<hatbot> Hello you")
        config.write_text(text.replace("Hello {name}", "Welcome aboard, {name}"))
        bot.proc.send_signal(signal.SIGHUP)
        for _ in range(50):  # the reload runs beside the console; ask until it shows
            bot.say("!welcome preview")
            line = bot.expect("<hatbot> ", timeout=10)
            if "Welcome aboard, you" in line:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the new message never came")
        bot.finish()
    finally:
        bot.kill()
