"""What the tests and the benchmarks share without pytest: the repository's root and a
free port (the benchmarks run from a `make run` install, which has no pytest)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def loop_lags(period: float) -> AsyncIterator[list[float]]:
    """How late the event loop gives a turn: while inside, a task asks for one every
    ``period`` seconds, and the list gets how much later than asked each one came."""
    lags: list[float] = []

    async def tick() -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(period)
            lags.append(time.perf_counter() - started - period)

    ticker = asyncio.create_task(tick())
    try:
        yield lags
    finally:
        ticker.cancel()
