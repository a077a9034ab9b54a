"""The benchmarks run from a plain `make run` install: no pytest."""

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
