"""Hatbot beside the bots its users would pick instead, in one interleaved run on one
machine: cold start to the first reply of a piped command, then exit; commands through
each text console; peak memory (issue #16). `make bench-peers` installs the peers into
their own virtualenvs under .cache/peers first.

Errbot's Text backend sleeps 0.5 s after every line it reads: it is measured as shipped,
and with that one sleep patched out at start ("errbot-nosleep"), and both are shown.

opsdroid 0.31 loads its modules in a throwaway event loop (`OpsDroid.sync_load` calls
`anyio.run`), so its shell connector keeps a loop that is closed by the time it reads:
its own commented-out line, loading in the bot's loop, is applied at start. It runs
with bench/opsdroid/configuration.yaml and the `!ping` skill beside it. Its shell does
not end at the end of input (it parses empty lines forever), so it is stopped with
SIGINT once every reply came, and its exit is timed from that signal.

Every bot runs in a home that lasts (Errbot's from `errbot --init`, Hatbot's under
.cache/peers/hatbot-home) and is started once, untimed, before the trials: a cold start
is a process that starts from nothing in memory, not a first install (Hatbot's first
start creates its database). Hatbot runs as a user installs it, like the peers: from
its own virtualenv under .cache/peers/hatbot (the working tree, installed by
`make bench-peers`, bytecode compiled, no test tools), not the editable development
install, whose import hook adds 12 ms to every start.
"""

from __future__ import annotations

import os
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support import REPO

PEERS = REPO / ".cache" / "peers"
OPSDROID_HOME = Path(__file__).with_name("opsdroid")
NO_SLEEP = ("import sys, time; real = time.sleep; "
            "time.sleep = lambda s: None if s == 0.5 else real(s); "
            "from errbot.cli import main; sys.argv[0] = 'errbot'; main()")
OPSDROID = ("import sys; from opsdroid.core import OpsDroid; "
            "OpsDroid.sync_load = lambda self: self.eventloop.run_until_complete(self.load()); "
            "from opsdroid.cli import cli; sys.argv[0] = 'opsdroid'; cli()")


@dataclass(frozen=True)
class Bot:
    name: str
    command: list[str]
    line: str  # a command every bot answers at once
    reply: str  # what the answer contains
    home: Path | None = None  # where it must run
    ends_at_end_of_input: bool = True  # else it is sent SIGINT
    # What it logs once wholly started, when it answers before (Hatbot's core commands
    # answer while its other skills load); None: its first reply comes after.
    started: str | None = None


def bots() -> list[Bot]:
    installed = PEERS / "hatbot" / "bin" / "hatbot"
    if not installed.exists():
        print(f"peers: {installed} missing (`make bench-peers` installs it); timing the "
              "development install, whose start is slower")
        installed = Path(sys.executable).with_name("hatbot")
    found = [Bot("hatbot", [str(installed), "run"], "!ping", "pong", PEERS / "hatbot-home",
                 started="hatbot is running")]
    errbot = PEERS / "errbot" / "bin"
    home = PEERS / "errbot-home"
    if (errbot / "errbot").exists() and (home / "config.py").exists():
        found.append(Bot("errbot", [str(errbot / "errbot"), "-c", "config.py"],
                         "!echo pong", "pong", home))
        found.append(Bot("errbot-nosleep", [str(errbot / "python"), "-c", NO_SLEEP, "-c",
                                            "config.py"], "!echo pong", "pong", home))
    opsdroid = PEERS / "opsdroid" / "bin"
    if (opsdroid / "opsdroid").exists():
        found.append(Bot("opsdroid", [str(opsdroid / "python"), "-c", OPSDROID, "start", "-f",
                                      "configuration.yaml"], "!ping", "pong", OPSDROID_HOME,
                         ends_at_end_of_input=False))
    return found


@dataclass
class Run:
    first_reply: float
    half_replied: float  # when half the replies had come: the steady rate is after it
    last_reply: float
    input_closed: float  # after the last reply, and once the bot said it had started
    exit: float  # after the end of input (or SIGINT)
    peak_kb: int


def run_once(bot: Bot, lines: int, within: float = 600) -> Run:
    """Start ``bot``, pipe it ``lines`` commands, and close its input once every reply has
    come (a bot that works in threads would drop the last ones at an early end of input)
    and it has wholly started (its shutdown is what the exit times, not the end of its
    start): the time to the first reply, to the exit, and its peak resident memory."""
    with tempfile.TemporaryDirectory() as scratch:
        cwd = bot.home or Path(scratch)
        began = time.perf_counter()
        # opsdroid's shell needs a user name from the environment, which a service has not.
        process = subprocess.Popen(bot.command, cwd=cwd, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env={**os.environ, "USER": os.environ.get("USER") or "bench"})
        assert process.stdin is not None and process.stdout is not None
        said: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=lambda: [said.put(raw) for raw in process.stdout or ()],
                         daemon=True).start()
        started = threading.Event()
        threading.Thread(target=_watch_log, args=(process, bot.started, started),
                         daemon=True).start()
        process.stdin.write(("\n".join([bot.line] * lines) + "\n").encode())
        process.stdin.flush()
        first = half = None
        replies = 0
        deadline = began + within
        while replies < lines and time.perf_counter() < deadline:
            try:
                raw = said.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                break
            # Count every reply: a threaded bot may print two on one line.
            found = raw.count(bot.reply.encode())
            if found:
                replies += found
                if first is None:
                    first = time.perf_counter() - began
                if half is None and replies >= lines // 2:
                    half = time.perf_counter() - began
        last = time.perf_counter() - began
        if bot.started is not None:
            started.wait(max(0.0, deadline - time.perf_counter()))
        closed = time.perf_counter() - began
        process.stdin.close()
        if not bot.ends_at_end_of_input:
            process.send_signal(signal.SIGINT)
        _, _, usage = os.wait4(process.pid, 0)
        ended = time.perf_counter() - began
        if first is None or half is None or replies < lines:
            raise RuntimeError(f"{bot.name}: {replies} replies to {lines} commands")
        return Run(first, half, last, closed, ended, usage.ru_maxrss)


def _watch_log(process: subprocess.Popen[bytes], marker: str | None,
               seen: threading.Event) -> None:
    """Read the bot's log to its end (a full pipe would stop it), noting ``marker``."""
    for raw in process.stderr or ():
        if marker is not None and marker.encode() in raw:
            seen.set()


def run(trials: int, commands: int) -> None:
    peers = bots()
    if len(peers) == 1:
        print("peers: none installed; run `make bench-peers`, which installs them")
    for bot in peers:  # untimed: homes and databases made, files in the page cache
        if bot.home:
            bot.home.mkdir(parents=True, exist_ok=True)
        run_once(bot, 1)
    cold: dict[str, list[Run]] = {bot.name: [] for bot in peers}
    by_name = {bot.name: bot for bot in peers}
    for _ in range(trials):  # interleaved: each bot sees the same machine state
        for bot in peers:
            cold[bot.name].append(run_once(bot, 1))
    print(f"peers: cold start, one piped command, median of {trials} interleaved runs")
    base = statistics.median(r.first_reply for r in cold["hatbot"])
    for name, runs in cold.items():
        reply = statistics.median(r.first_reply for r in runs)
        gone = statistics.median(r.exit - r.input_closed for r in runs)
        whole = statistics.median(r.exit for r in runs)
        end = "the end of input" if by_name[name].ends_at_end_of_input else "SIGINT"
        print(f"  {name:15} first reply {reply:5.2f} s ({reply / base:4.2f}x hatbot), "
              f"exit {gone:5.2f} s after {end}, whole session {whole:5.2f} s, "
              f"peak RSS {statistics.median(r.peak_kb for r in runs) / 1024:5.0f} MB")
    print(f"peers: {commands:,} commands through each text console")
    for bot in peers:
        count = 20 if bot.name == "errbot" else commands  # 0.5 s a line, as shipped
        result = run_once(bot, count)
        # The second half: the bot has long started (Hatbot's core answers while its
        # other skills still load, which the first half would count against it).
        rate = (count - count // 2) / (result.last_reply - result.half_replied)
        print(f"  {bot.name:15} {count:6,} commands in {result.last_reply:6.2f} s "
              f"({rate:,.0f} commands/s over the second half), "
              f"peak RSS {result.peak_kb / 1024:.0f} MB")
