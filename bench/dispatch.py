"""Messages through the real dispatcher: every installed skill, SQLite on disk.

Two phases on the in-memory adapter:
- flood: N messages submitted at once; throughput = N / time to handle them all;
- sustained: messages offered at a steady rate; handling latency (submit → every
  handler done) at p50/p99, and the rate actually achieved.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable

from bench.harness import bench_app
from hatbot.adapters.memory import PLATFORM, MemoryAdapter, person
from hatbot.app import App
from hatbot.events import Address, Message


async def _app(data_dir: str) -> tuple[App, MemoryAdapter]:
    app = bench_app({"bot": {"data_dir": data_dir}, "web": {"enabled": False},
                     "adapters": {"memory": {}}})
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


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _flood(adapter: MemoryAdapter, app: App, messages: list[Message]) -> float:
    started = time.perf_counter()
    for message in messages:
        adapter.emit(message)
    await app.dispatcher.drain()
    return len(messages) / (time.perf_counter() - started)


async def _sustained(
    adapter: MemoryAdapter, app: App, messages: list[Message], rate: float
) -> tuple[float, list[float]]:
    latencies: list[float] = []

    def timed(done: Awaitable[None], submitted: float) -> None:
        asyncio.ensure_future(done).add_done_callback(
            lambda _: latencies.append(time.perf_counter() - submitted))

    started = time.perf_counter()
    sent = 0
    while sent < len(messages):
        due = min(len(messages), int((time.perf_counter() - started) * rate) + 1)
        while sent < due:
            timed(adapter.emit(messages[sent]), time.perf_counter())
            sent += 1
        await asyncio.sleep(0.001)
    await app.dispatcher.drain()
    await asyncio.sleep(0)  # let the last done-callbacks run
    return len(messages) / (time.perf_counter() - started), latencies


async def run(count: int, channels: int, rate: float, seconds: float,
              command_share: float, in_meetings: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="hatbot-bench-") as data_dir:
        app, adapter = await _app(data_dir)
        try:
            if in_meetings:
                for i in range(channels):
                    await adapter.emit(Message(channel=Address(PLATFORM, f"#room{i}"),
                                               sender=person("chair"),
                                               text=f"#startmeeting room{i}"))
            # Warm-up: first-use costs (imports, session set-up) are not what we measure.
            await _flood(adapter, app, _messages(1000, channels, command_share, seed=0))

            throughput = await _flood(adapter, app,
                                      _messages(count, channels, command_share, seed=1))
            offered = _messages(int(rate * seconds), channels, command_share, seed=2)
            achieved, latencies = await _sustained(adapter, app, offered, rate)
        finally:
            await app.stop()

    ms = [x * 1000 for x in latencies]
    print(f"skills loaded      : {', '.join(app.skills)}")
    print(f"flood              : {count} messages, {channels} channels, "
          f"{command_share:.0%} commands" + (", a meeting in every channel" if in_meetings
                                             else ""))
    print(f"  throughput       : {throughput:,.0f} messages/s")
    print(f"sustained          : {rate:,.0f} messages/s offered for {seconds:g}s")
    print(f"  achieved         : {achieved:,.0f} messages/s")
    print(f"  latency p50      : {statistics.median(ms):.2f} ms")
    print(f"  latency p99      : {_percentile(ms, 0.99):.2f} ms")
    print(f"  latency max      : {max(ms):.2f} ms")
