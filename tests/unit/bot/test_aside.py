"""Work in a forked child: it sees the parent's objects, its errors come back, and the
event loop keeps turning while it runs."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from hatbot.skill import run_aside
from tests.support import loop_lags


async def test_the_child_sees_the_parents_objects_and_is_another_process(tmp_path: Path) -> None:
    lines = [f"line {n}" for n in range(10_000)]  # never pickled: the child has them
    out = tmp_path / "out.txt"

    def work() -> None:
        out.write_text(f"{os.getpid()}\n{len(lines)}\n{lines[-1]}")

    await run_aside(work)
    pid, count, last = out.read_text().splitlines()
    assert int(pid) != os.getpid() and count == "10000" and last == "line 9999"


async def test_an_os_error_comes_back_as_it_was(tmp_path: Path) -> None:
    def work() -> None:
        (tmp_path / "missing" / "x.txt").write_text("x")

    with pytest.raises(FileNotFoundError) as raised:
        await run_aside(work)
    assert raised.value.errno == errno.ENOENT and raised.value.strerror


async def test_an_error_that_cannot_travel_is_named(tmp_path: Path) -> None:
    class Odd(Exception):
        def __init__(self, a: int, b: int) -> None:  # pickle cannot rebuild it
            super().__init__(f"{a}/{b}")

    def work() -> None:
        raise Odd(1, 2)

    with pytest.raises(RuntimeError, match="Odd: 1/2"):
        await run_aside(work)


async def test_a_child_that_dies_is_an_error() -> None:
    with pytest.raises(ChildProcessError, match="status 3"):
        await run_aside(lambda: os._exit(3))


async def test_the_loop_keeps_turning_while_the_child_works() -> None:
    def burn() -> None:  # pure Python for half a second, as rendering minutes is
        until = time.perf_counter() + 0.5
        while time.perf_counter() < until:
            sum(range(1000))

    async with loop_lags(0.002) as lags:
        await run_aside(burn)
    lags.sort()
    # Beside a thread running burn(), each turn waits for the interpreter lock: a
    # median of 5 ms was measured, and 0.1 ms beside the child.
    assert lags[len(lags) // 2] < 0.002
    assert lags[-1] < 0.1
