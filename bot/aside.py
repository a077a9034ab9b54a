"""Long pure-Python work beside the event loop, in a forked copy of the process.

A thread does not keep the loop free for work that is Python all the way down, such as
rendering the minutes of a 100,000-line meeting: the worker holds the interpreter lock
a switch interval at a time, and the loop, which gives the lock up at every wait for I/O,
queues for it again and again (stalls of 0.1 to 0.2 s were measured). A forked child has the
parent's objects as they were at the fork, shared copy-on-write, so nothing is pickled;
it has its own interpreter lock, and it exits when the work is done. Only an error comes
back, through a pipe. Where there is no ``fork`` the work runs in a thread as before.

The bot has threads (``asyncio.to_thread``'s, DNS lookups), and a child forked from a
threaded process must not need a lock one of them held at the fork. The work here
renders and writes files; the locks it may meet (the interpreter's, imports', logging's,
malloc's) are reset in the child by Python and the C library. Python 3.12 and newer
warn about every such fork; that warning is silenced here, for this reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import pickle
import signal
import warnings
from collections.abc import Callable


async def run_aside(work: Callable[[], object]) -> None:
    """Run ``work()`` in a forked child and wait for it without holding up the loop;
    raise what it raised. Its return value stays in the child."""
    if not hasattr(os, "fork"):
        await asyncio.to_thread(work)
        return
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r".*multi-threaded.*fork", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        os.close(read_end)
        _in_the_child(work, write_end)
    os.close(write_end)
    try:
        report = await asyncio.to_thread(_read_to_end, read_end)
        _, status = await asyncio.to_thread(os.waitpid, pid, 0)
    finally:
        os.close(read_end)
    if report:
        raise pickle.loads(report)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise ChildProcessError(f"the forked writer ended with status {code}")


def _in_the_child(work: Callable[[], object], report_to: int) -> None:
    # The parent's loop listens for signals through a wake-up pipe this copy shares: a
    # signal sent here must not reach that loop. No collections either: walking the heap
    # would copy every page of it that the parent and this child still share.
    signal.set_wakeup_fd(-1)
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    gc.disable()
    code = 0
    try:
        work()
    except BaseException as exc:  # every failure goes back to the parent
        code = 1
        with contextlib.suppress(BaseException):  # the exit status says it failed anyway
            _write_all(report_to, pickle.dumps(_portable(exc)))
    finally:
        os._exit(code)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (an ``OSError`` keeps its errno and text), else a
    ``RuntimeError`` that names it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_to_end(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)
