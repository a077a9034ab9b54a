"""Testing a skill: a running bot on the in-memory adapter, with a clock that moves on demand.

Installed with Hatbot as a pytest plugin, so a skill's own tests need no set-up:

    def test_roll(hatbot):
        assert hatbot.say("<alice> !dice 3d1") == ["3d1: 1 + 1 + 1 = 3"]

    def test_reminder(hatbot):
        hatbot.say("<alice> !remind 2h stand-up")
        assert hatbot.advance(hours=2) == ["Reminder from alice: stand-up"]

The ``hatbot`` fixture runs every installed skill (Hatbot's own and every other
installed one, enabled for the test) with the configuration the ``hatbot_config``
fixture returns; override that fixture in a ``conftest.py`` to configure a skill:

    @pytest.fixture
    def hatbot_config():
        return {"skills": {"dice": {"most": 20}}}

The clock starts on Monday 5 January 2026 at 00:00 UTC and moves only with
``advance``. The harness is synchronous: each call runs the bot until the line is fully
handled, so a test reads top to bottom with no ``await`` and no sleeping.
Replies are plain text, as the console shows them; ``sent`` keeps the raw ones.

The bot keeps its state in SQLite in the test's folder, or, when ``HATBOT_TEST_POSTGRES``
names a PostgreSQL server (``postgresql+psycopg://user@host:port``), in a database of its
own there: one per data folder, so a test that restarts the bot finds its data again.
Hatbot's own suite runs the skills' tests both ways (``make test``).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from hatbot.adapters.memory import PLATFORM, MemoryAdapter, person
from hatbot.events import Address, Invoke, Join, Message, Part, Reaction, Reply

if TYPE_CHECKING:
    from hatbot.app import App
    from hatbot.skill import Skill

# Where the clock starts: a Monday at midnight, so schedules fire at predictable steps.
START = datetime(2026, 1, 5, tzinfo=UTC)
_SPEAKER = re.compile(r"<([^>\s]+)>\s?(.*)$", re.DOTALL)
_ACTOR = re.compile(r"\*\s+(\S+)\s(.*)$", re.DOTALL)


class SkillTester:
    """A bot with the given skills, started at once; ``close()`` stops it."""

    def __init__(
        self,
        *skills: type[Skill[Any]],
        config: dict[str, Any] | None = None,
        data_dir: Path,
        admins: tuple[str, ...] = ("admin",),
        channel: str = "#test",
        start: datetime = START,
    ) -> None:
        from hatbot.clock import FakeClock

        self.channel = channel
        self.clock = FakeClock(start)
        self._runner = asyncio.Runner()
        self._seen = 0
        self.said_id = ""  # the platform id of the last message ``say`` said
        self.app = self._runner.run(self._start(skills, config or {}, data_dir, admins))

    async def _start(self, skills: tuple[type[Skill[Any]], ...], raw: dict[str, Any],
                     data_dir: Path, admins: tuple[str, ...]) -> App:
        from hatbot.app import App
        from hatbot.config import build
        from hatbot.plugins import Plugins, discover

        found = discover()
        everything = {**found.skills, **{cls.name: cls for cls in skills}}
        plugins = Plugins(adapters={PLATFORM: MemoryAdapter}, skills=everything)
        base: dict[str, Any] = {
            "bot": {"data_dir": str(data_dir),
                    "admins": [f"{PLATFORM}:{nick}" for nick in admins],
                    **({"database_url": url} if (url := database_for(data_dir)) else {})},
            "web": {"enabled": False},
            "adapters": {PLATFORM: {}},
        }
        config = build(_merged(base, raw), plugins.adapter_models(), plugins.skill_models(),
                       environ={})
        app = App(config, plugins, clock=self.clock)
        await app.start()
        assert app.scheduler is not None  # loaded by the end of the start
        app.scheduler.pause()  # jobs run when the fake clock says so: advance()
        app.scheduler.realign(self.clock.now())
        return app

    def close(self) -> None:
        self._runner.run(self.app.stop())
        self._runner.close()

    # --- saying things --------------------------------------------------------------

    def say(self, line: str, *, channel: str | None = None) -> list[str]:
        """``<alice> !ping`` (or ``* alice waves``) in the channel; the replies to it."""
        nick, text, action = _speaker(line)
        where = Address(PLATFORM, channel or self.channel)
        self.said_id = self.memory.next_id()
        return self._handle(Message(channel=where, sender=person(nick), text=text,
                                    is_action=action, ts=self.clock.now(), id=self.said_id))

    def dm(self, line: str) -> list[str]:
        """``<alice> help`` said to the bot directly; the replies to it."""
        nick, text, action = _speaker(line)
        sender = person(nick)
        return self._handle(Message(channel=sender.address, sender=sender, text=text,
                                    is_direct=True, is_action=action, ts=self.clock.now(),
                                    id=self.memory.next_id()))

    def react(self, nick: str, emoji: str, message_id: str, *, channel: str | None = None
              ) -> list[str]:
        """``nick`` puts ``emoji`` on a message (``said_id`` is the last one said)."""
        where = Address(PLATFORM, channel or self.channel)
        return self._handle(Reaction(channel=where, person=person(nick),
                                     message_id=message_id, emoji=emoji, ts=self.clock.now()))

    def press(self, nick: str, label: str, reply: Reply | None = None) -> list[str]:
        """``nick`` presses the choice labelled ``label`` under ``reply`` (default: the
        latest reply that has one); the replies to it."""
        offered = [reply] if reply is not None else reversed(self.memory.sent)
        for said in offered:
            for choice in said.choices:
                if choice.label == label:
                    return self._handle(Invoke(
                        channel=said.target, sender=person(nick), text=choice.command,
                        thread=said.thread, message_id=said.key, ts=self.clock.now()))
        raise AssertionError(f"no reply offers {label!r}")

    def join(self, nick: str, *, channel: str | None = None) -> list[str]:
        where = Address(PLATFORM, channel or self.channel)
        return self._handle(Join(channel=where, person=person(nick), ts=self.clock.now()))

    def part(self, nick: str, *, channel: str | None = None) -> list[str]:
        where = Address(PLATFORM, channel or self.channel)
        return self._handle(Part(channel=where, person=person(nick), ts=self.clock.now()))

    def advance(self, delta: timedelta | None = None, **units: float) -> list[str]:
        """Move the clock on (``hours=2``) and run every job that came due; what was said."""
        self.clock.advance(delta if delta is not None else timedelta(**units))
        before = len(self.memory.sent)
        self._runner.run(self._run_due())
        return [_plain(r) for r in self.memory.sent[before:]]

    async def _run_due(self) -> None:
        assert self.app.scheduler is not None
        await self.app.scheduler.run_due(self.clock.now())
        await self.app.dispatcher.drain()

    def replies(self) -> list[str]:
        """Everything the bot has said since the last call, as plain text."""
        fresh = self.memory.sent[self._seen:]
        self._seen = len(self.memory.sent)
        return [_plain(r) for r in fresh]

    @property
    def sent(self) -> list[Reply]:
        """Every reply so far, with its target, thread and markup."""
        return list(self.memory.sent)

    @property
    def memory(self) -> MemoryAdapter:
        adapter = self.app.adapters[PLATFORM]
        assert isinstance(adapter, MemoryAdapter)
        return adapter

    def _handle(self, event: Message | Join | Part | Reaction | Invoke) -> list[str]:
        before = len(self.memory.sent)
        self._runner.run(self._emit(event))
        return [_plain(r) for r in self.memory.sent[before:]]

    async def _emit(self, event: Message | Join | Part | Reaction | Invoke) -> None:
        await self.memory.emit(event)

    # --- examples as tests ----------------------------------------------------------

    def check_examples(self, *skill_names: str) -> int:
        """Run every example that declares its reply (``examples=[("dice 3d1", "…")]``)
        of these skills (default: all) and fail naming each one that answered otherwise.
        Returns how many were checked."""
        prefix = self.app.config.bot.prefix
        wrong: list[str] = []
        checked = 0
        for cmd in self.app.commands:
            if skill_names and cmd.skill not in skill_names:
                continue
            for example, expected in cmd.expected:
                got = "\n".join(self.say(f"<alice> {prefix}{example}"))
                checked += 1
                matches = (expected.fullmatch(got) is not None
                           if isinstance(expected, re.Pattern) else got == expected)
                if not matches:
                    shown = expected.pattern if isinstance(expected, re.Pattern) else expected
                    wrong.append(f"{prefix}{example} ({cmd.skill}): expected {shown!r}, "
                                 f"got {got!r}")
        if wrong:
            raise AssertionError("examples that answer otherwise:\n" + "\n".join(wrong))
        return checked


def _speaker(line: str) -> tuple[str, str, bool]:
    if said := _SPEAKER.match(line):
        return said.group(1), said.group(2), False
    if acted := _ACTOR.match(line):
        return acted.group(1), acted.group(2), True
    raise ValueError(f'write who says it: "<alice> {line}" (or "* alice {line}" for /me)')


def _plain(reply: Reply) -> str:
    from hatbot.markup import render_plain

    return render_plain(reply.markup_text)


TEST_POSTGRES = "HATBOT_TEST_POSTGRES"
TEMPLATE = "hatbot_template"  # a migrated database new ones are copied from, if there


def database_for(data_dir: Path, *, migrated: bool = True) -> str | None:
    """Under ``HATBOT_TEST_POSTGRES``, the URL of the data folder's own database on that
    server (made on first use: from the migrated template where there is one, or empty
    when not ``migrated``); else None: SQLite in the folder."""
    server = os.environ.get(TEST_POSTGRES, "").rstrip("/")
    if not server:
        return None
    import psycopg

    from hatbot.leader import libpq_url

    name = "t_" + hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:24]
    admin = libpq_url(server) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return f"{server}/{name}"
        template = migrated and conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (TEMPLATE,)).fetchone()
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{TEMPLATE}"'
                                                     if template else ""))
    return f"{server}/{name}"


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and \
            isinstance(out.get(key), dict) else value
    return out


# --- the pytest plugin (entry point ``pytest11``) --------------------------------------

@pytest.fixture
def hatbot_config() -> dict[str, Any]:
    """The configuration the ``hatbot`` fixture starts with; override it to set options."""
    return {}


@pytest.fixture
def hatbot(tmp_path: Path, hatbot_config: dict[str, Any]) -> Iterator[SkillTester]:
    """A running bot with every installed skill, on the in-memory adapter and a fake clock."""
    bot = SkillTester(config=hatbot_config, data_dir=tmp_path / "hatbot")
    try:
        yield bot
    finally:
        bot.close()


__all__ = ["SkillTester", "hatbot", "hatbot_config", "person"]
