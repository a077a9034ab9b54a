"""The benchmarks run from a plain `make run` install (no pytest), and the peers harness
times what it says."""

from __future__ import annotations

import subprocess
import sys

from tests.support import REPO

MODULES = sorted(p.stem for p in (REPO / "bench").glob("*.py") if not p.stem.startswith("_"))


def test_every_benchmark_imports_without_pytest() -> None:
    probe = ("import sys; sys.modules['pytest'] = None\n"
             + "".join(f"import bench.{name}\n" for name in MODULES))
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_peers_times_a_bot_that_answers_before_it_has_started() -> None:
    """The input is closed once every reply came and the bot said it has started, so
    its exit times its shutdown; the steady rate is taken over the second half."""
    from bench.peers import Bot, run_once

    script = ("import sys, threading, time\n"
              "threading.Timer(0.5, lambda: print('bot is running', file=sys.stderr, "
              "flush=True)).start()\n"
              "for line in sys.stdin:\n"
              "    print('pong', flush=True)\n")
    bot = Bot("early", [sys.executable, "-c", script], "!ping", "pong",
              started="bot is running")
    run = run_once(bot, 10)
    assert run.first_reply < run.half_replied <= run.last_reply < 0.5 <= run.input_closed
    assert run.input_closed < run.exit
