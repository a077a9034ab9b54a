"""Shared fixtures: an in-process bot on the memory adapter, and the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from hatbot.adapters.memory import MemoryAdapter
from hatbot.app import App
from hatbot.clock import Clock
from hatbot.config import build
from hatbot.context import Context
from hatbot.events import Join, Part
from hatbot.plugins import Plugins, discover
from hatbot.skill import Skill, SkillConfig, on
from hatbot.testing import database_for
from tests.support import REPO, free_port

__all__ = ["REPO", "free_port"]  # for the tests that take them from here

HATBOT = Path(sys.executable).with_name("hatbot")


def require_server(available: bool, reason: str) -> None:
    """Skip when a test server is missing, or fail under HATBOT_REQUIRE_SERVERS=1 (CI)."""
    if available:
        return
    if os.environ.get("HATBOT_REQUIRE_SERVERS") == "1":
        pytest.fail(f"required test server missing: {reason}")
    pytest.skip(reason)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


StartBot = Callable[..., Awaitable[App]]


@pytest.fixture
async def start_bot(tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start an App on the memory adapter with every installed skill plus ``extra`` ones."""
    running: list[App] = []

    async def start(
        *extra: type[Any], raw: dict[str, Any] | None = None, clock: Clock | None = None,
        adapters: dict[str, type[Any]] | None = None, data_dir: Path | None = None,
    ) -> App:
        found = discover()
        plugins = Plugins(
            adapters={**found.adapters, "memory": MemoryAdapter, **(adapters or {})},
            skills={**found.skills, **{cls.name: cls for cls in extra}},
        )
        folder = data_dir or tmp_path
        base = {
            # A second bot running beside the first needs a data_dir of its own.
            "bot": {"data_dir": str(folder), "admins": ["memory:admin"],
                    # On make test's PostgreSQL pass, a database of the folder's own.
                    **({"database_url": url} if (url := database_for(folder)) else {})},
            "web": {"enabled": False, "port": 0},
            "adapters": {"memory": {}},
        }
        config = build(_merge(base, raw or {}), plugins.adapter_models(),
                       plugins.skill_models(), environ={})
        app = App(config, plugins, clock=clock)
        running.append(app)
        await app.start()
        return app

    yield start
    for app in running:
        await app.stop()


def database_url(tmp_path: Path) -> str:
    """Where a test that makes its own engine or scheduler keeps state: SQLite in its
    folder, or under ``make test``'s PostgreSQL pass an empty database of its own there."""
    from hatbot.testing import database_for

    return database_for(tmp_path, migrated=False) or f"sqlite:///{tmp_path}/h.db"


def paused(app: App) -> App:
    """Hold the app's stored jobs: tests on a FakeClock fire them with run_now()."""
    app.scheduler.pause()
    return app


def read_minutes(folder: Path, name: str, fmt: str = "txt") -> str:
    """The minutes of the one meeting called ``name`` under ``folder``, in ``fmt``."""
    (path,) = folder.glob(f"{name}/*/{name}.*[0-9].{fmt}")
    return path.read_text(encoding="utf-8")


class Arrivals(Skill[SkillConfig]):
    """Records every Join and Part the adapters hand over, for adapter tests."""

    name = "arrivals"
    seen: ClassVar[list[Join | Part]] = []

    @on(Join, Part)
    async def note(self, ctx: Context, event: Join | Part) -> None:
        type(self).seen.append(event)


def memory(app: App) -> MemoryAdapter:
    adapter = app.adapters["memory"]
    assert isinstance(adapter, MemoryAdapter)
    return adapter


def run_cli(
    *args: str,
    stdin: str | None = None,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    input_bytes: bytes | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``hatbot`` command as a user would (``input_bytes``: raw stdin)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HATBOT_")}
    full_env.update(env or {})
    done = subprocess.run(
        [str(HATBOT), *args], input=stdin.encode() if stdin is not None else input_bytes,
        cwd=cwd, env=full_env, capture_output=True, timeout=timeout, check=False,
    )
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       done.stdout.decode("utf-8", "replace"),
                                       done.stderr.decode("utf-8", "replace"))


ON_POSTGRES = "HATBOT_TEST_ON_POSTGRES"  # set: the bots of SkillTester keep state there


@pytest.fixture(scope="session", autouse=True)
def skills_on_postgres(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                       ) -> Iterator[None]:
    """With ``HATBOT_TEST_ON_POSTGRES=1`` (``make test``'s second pass), every SkillTester
    bot keeps its state in a database of its own on a real PostgreSQL, copied from one
    migrated at the start (a template: a migration per test would double the time)."""
    if os.environ.get(ON_POSTGRES) != "1":
        yield
        return
    from hatbot.testing import TEMPLATE, TEST_POSTGRES, SkillTester

    server = request.getfixturevalue("postgres")
    url = server.new_database(TEMPLATE)
    SkillTester(config={"bot": {"database_url": url}},
                data_dir=tmp_path_factory.mktemp("template")).close()
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("DELETE FROM apscheduler_jobs")  # each bot schedules its own
    os.environ[TEST_POSTGRES] = server.url("").rstrip("/")
    try:
        yield
    finally:
        del os.environ[TEST_POSTGRES]


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A real PostgreSQL for the whole session (Debian's ``postgresql``, which make test
    installs as root); skips, or fails under HATBOT_REQUIRE_SERVERS=1, when missing."""
    from tests.integration.servers import Postgres

    require_server(Postgres.available(), "PostgreSQL is not installed (apt-get install "
                                         "postgresql)")
    server = Postgres()
    server.start()
    yield server
    server.close()
