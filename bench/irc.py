"""Command round trip over IRC: client → ngircd → bot → ngircd → client, on loopback.

A real ngircd without flood control (the test template), the real App with the
IRC adapter paced far above need, and a raw-socket client that sends ``!ping``
and waits for ``pong`` before sending the next.
"""

from __future__ import annotations

import statistics
import tempfile
import time

from bench.harness import bench_app
from tests.integration.irc_client import IrcClient
from tests.integration.servers import Ngircd


async def run(count: int) -> None:
    server = Ngircd(penalty=False)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="hatbot-bench-") as data_dir:
            app = bench_app({"bot": {"data_dir": data_dir}, "web": {"enabled": False},
                   "adapters": {"irc": {"host": "127.0.0.1", "port": server.port, "tls": False,
                                        "channels": ["#bench"],
                                        "messages_per_second": 10_000.0, "burst": 10_000}}})
            client = await IrcClient("bencher").connect(server.port)
            await client.join("#bench")
            await app.start()
            try:
                await client.expect(lambda line: line.command == "JOIN"
                                    and line.nick == "hatbot")
                times = []
                for _ in range(count):
                    started = time.perf_counter()
                    client.say("#bench", "!ping")
                    await client.expect(lambda line: line.command == "PRIVMSG"
                                        and line.text == "pong")
                    times.append((time.perf_counter() - started) * 1000)
            finally:
                await client.close()
                await app.stop()
    finally:
        server.close()
    ordered = sorted(times)
    print(f"round trips        : {count} (!ping → pong through ngircd)")
    print(f"  p50              : {statistics.median(ordered):.2f} ms")
    print(f"  p99              : {ordered[int(0.99 * (len(ordered) - 1))]:.2f} ms")
    print(f"  max              : {ordered[-1]:.2f} ms")
