"""One bot per data directory: a second process on the same files would interleave
meeting lines and double every scheduled post, so it refuses to start."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_NAME = "hatbot.lock"


class AlreadyRunning(RuntimeError):
    pass


class DataDirLock:
    """An exclusive ``flock`` on ``DIR/hatbot.lock``, held while the bot runs.

    The kernel drops it when the process dies, so a crash never leaves a stale lock.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise AlreadyRunning(
                f"another Hatbot (pid {holder}) is running on {self.path.parent}; "
                "stop it first, or give this one its own [bot] data_dir") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
