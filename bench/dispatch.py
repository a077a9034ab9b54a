"""Messages through the real dispatcher: every installed skill, SQLite on disk.

Two phases on the in-memory adapter:
- flood: N messages submitted at once; throughput = N / time to handle them all;
- sustained: messages offered at a steady rate; handling latency (submit → every
  handler done) at p50/p99, and the rate actually achieved.

``--mix`` is the realistic traffic of a community: meetings in half the channels
(chatter, ``#info``, ``#action``), commands that read and write the database
(``!actions``, ``!remind``, ``!help``), and newcomers joining a welcome channel. Every
run prints how many SQL statements its measured phases executed, so a figure that never
touched the database cannot pass for one that did.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable

from sqlalchemy import event

from bench.harness import bench_app
from hatbot.adapters.memory import PLATFORM, MemoryAdapter, person
from hatbot.app import App
from hatbot.events import Address, Event, Join, Message

WELCOME = Address(PLATFORM, "#welcome")
MIX_COMMANDS = ("!ping", "!actions", "!remind 1h look at the docs", "!help remind",
                "!actions user3")


async def _app(data_dir: str) -> tuple[App, MemoryAdapter]:
    app = bench_app({"bot": {"data_dir": data_dir}, "web": {"enabled": False},
                     "adapters": {"memory": {}},
                     "skills": {"welcome": {"channels": [str(WELCOME)],
                                            "message": "Welcome {name}!"}}})
    await app.start()
    adapter = app.adapters["memory"]
    assert isinstance(adapter, MemoryAdapter)
    return app, adapter


def _messages(count: int, channels: int, command_share: float, seed: int) -> list[Message]:
    rng = random.Random(seed)
    people = [person(f"user{i}") for i in range(50)]
    rooms = [Address(PLATFORM, f"#room{i}") for i in range(channels)]
    out = []
    for i in range(count):
        text = "!ping" if rng.random() < command_share else f"line {i} about the release"
        out.append(Message(channel=rng.choice(rooms), sender=rng.choice(people), text=text))
    return out


def _mix(count: int, channels: int, seed: int) -> list[Event]:
    """Meeting lines in the first half of the channels, chat in the rest, commands and
    joins of newcomers among them."""
    rng = random.Random(seed)
    people = [person(f"user{i}") for i in range(50)]
    rooms = [Address(PLATFORM, f"#room{i}") for i in range(channels)]
    out: list[Event] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.04:
            out.append(Join(channel=WELCOME, person=person(f"newcomer{seed}-{i}")))
            continue
        if roll < 0.14:
            text = rng.choice(MIX_COMMANDS)
        elif roll < 0.24:
            text = f"#info finding {i}"
        elif roll < 0.26:
            text = f"#action user{rng.randrange(50)} to follow up {i}"
        else:
            text = f"line {i} about the release"
        out.append(Message(channel=rng.choice(rooms), sender=rng.choice(people), text=text))
    return out


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _flood(adapter: MemoryAdapter, app: App, messages: list[Event]) -> float:
    started = time.perf_counter()
    for message in messages:
        adapter.emit(message)
    await app.dispatcher.drain()
    return len(messages) / (time.perf_counter() - started)


async def _sustained(
    adapter: MemoryAdapter, app: App, messages: list[Event], rate: float
) -> tuple[float, list[float], list[float]]:
    """Offer ``messages`` at ``rate``; the rate achieved, and for each message how long
    it took until it was handled and until what it made the bot write was committed."""
    handled: list[float] = []
    saved: list[float] = []

    def timed(event: Event, done: Awaitable[None], submitted: float) -> None:
        def on_handled(_: object) -> None:
            handled.append(time.perf_counter() - submitted)
            # Writes handed to a group writer are committed a moment after the handler
            # returns: the time until they are is the one a crash would care about.
            asyncio.ensure_future(app.runtime.unsaved.saved(event.channel)).add_done_callback(
                lambda _: saved.append(time.perf_counter() - submitted))
        asyncio.ensure_future(done).add_done_callback(on_handled)

    started = time.perf_counter()
    sent = 0
    while sent < len(messages):
        due = min(len(messages), int((time.perf_counter() - started) * rate) + 1)
        while sent < due:
            timed(messages[sent], adapter.emit(messages[sent]), time.perf_counter())
            sent += 1
        await asyncio.sleep(0.001)
    await app.dispatcher.drain()
    await app.runtime.unsaved.saved(everywhere=True)
    await asyncio.sleep(0)  # let the last done-callbacks run
    return len(messages) / (time.perf_counter() - started), handled, saved


async def run(count: int, channels: int, rate: float, seconds: float,
              command_share: float, in_meetings: bool, mix: bool = False) -> None:
    def traffic(n: int, seed: int) -> list[Event]:
        return _mix(n, channels, seed) if mix else \
            list(_messages(n, channels, command_share, seed))

    # Made before the bot starts, so the input is in the heap the bot freezes at the end
    # of its start (App.start): the garbage collector then walks the bot's objects during
    # the run, not 100,000 events waiting to be sent, which no real bot holds.
    warm_up, flood = traffic(1000, seed=0), traffic(count, seed=1)
    offered = traffic(int(rate * seconds), seed=2)
    with tempfile.TemporaryDirectory(prefix="hatbot-bench-") as data_dir:
        app, adapter = await _app(data_dir)
        statements = [0]
        event.listen(app.engine.sync_engine, "before_cursor_execute",
                     lambda *_: statements.__setitem__(0, statements[0] + 1))
        try:
            if in_meetings or mix:
                for i in range(channels if in_meetings else channels // 2):
                    await adapter.emit(Message(channel=Address(PLATFORM, f"#room{i}"),
                                               sender=person("chair"),
                                               text=f"#startmeeting room{i}"))
            # Warm-up: first-use costs (imports, session set-up) are not what we measure.
            await _flood(adapter, app, warm_up)
            statements[0] = 0
            throughput = await _flood(adapter, app, flood)
            achieved, latencies, saved = await _sustained(adapter, app, offered, rate)
            measured = count + len(offered)
        finally:
            await app.stop()

    ms = [x * 1000 for x in latencies]
    saved_ms = [x * 1000 for x in saved]
    print(f"skills loaded      : {', '.join(app.skills)}")
    print(f"flood              : {count} messages, {channels} channels, " + (
        "the community mix (meetings in half the channels, 10% commands that read and "
        "write, 4% newcomers joining)" if mix else f"{command_share:.0%} commands"
        + (", a meeting in every channel" if in_meetings else "")))
    print(f"  throughput       : {throughput:,.0f} messages/s")
    print(f"sustained          : {rate:,.0f} messages/s offered for {seconds:g}s")
    print(f"  achieved         : {achieved:,.0f} messages/s")
    print(f"  latency p50      : {statistics.median(ms):.2f} ms")
    print(f"  latency p99      : {_percentile(ms, 0.99):.2f} ms")
    print(f"  latency max      : {max(ms):.2f} ms")
    print(f"  saved p50/p99/max: {statistics.median(saved_ms):.2f} / "
          f"{_percentile(saved_ms, 0.99):.2f} / {max(saved_ms):.2f} ms "
          "(until its writes were committed)")
    print(f"SQL statements     : {statements[0]:,} in the measured phases "
          f"({statements[0] / measured:.2f} per event)")
