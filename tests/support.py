"""What the tests and the benchmarks share without pytest: the repository's root and a
free port (the benchmarks run from a `make run` install, which has no pytest)."""

from __future__ import annotations

import socket
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
