"""The skill API: a base class and the decorators that declare what a skill does.

    class Hat(Skill):
        name = "hat"

        @command("hat claim", help="Take a task", examples=["hat claim 3"])
        async def claim(self, ctx: Context, task_id: int) -> None: ...

        @on(Join)
        async def greet(self, ctx: Context, event: Join) -> None: ...

        @every(config_key="reminders")
        async def remind(self, ctx: Context, channel: str, cron: str) -> None: ...

        @route("POST", "/hooks/github")
        async def github(self, ctx: Context, request: web.Request) -> web.Response: ...

Decorators only attach metadata; the core collects it when the skill is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from apscheduler.triggers.cron import CronTrigger
from pydantic import AfterValidator, BaseModel, ConfigDict

from bot.commands import CommandMeta, UsageError, format_duration, parse_duration, shorten
from bot.config import BotConfig
from bot.context import Context
from bot.events import Address, Person
from bot.markup import Markup
from bot.markup import escape as escape_markup
from bot.markup import mention as _mention


def mention(person: Person) -> Markup:
    """Markup naming ``person`` so their platform notifies them (``<@U…>`` on Slack)."""
    return _mention(str(person.address), person.name)


def _address_text(value: str) -> str:
    Address.parse(value)
    return value


# A ``platform:id`` string in a skill's configuration, checked when the config loads.
AddressText = Annotated[str, AfterValidator(_address_text)]


def _cron_text(value: str) -> str:
    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f'expected a crontab line like "0 9 * * MON", got "{value}": {exc}') \
            from None
    return value


# A five-field crontab line (minute hour day month weekday).
CronText = Annotated[str, AfterValidator(_cron_text)]


class SkillConfig(BaseModel):
    """Base of every skill's table in the configuration; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class CliContext:
    """What a skill's own ``hatbot`` subcommand is given: the configuration, nothing running."""

    bot: BotConfig
    public_url: str
    options: Any  # the skill's own validated table


C = TypeVar("C", bound=SkillConfig)
F = TypeVar("F", bound=Callable[..., Any])


class Skill(Generic[C]):
    """A unit of behaviour. Subclasses set ``name`` and, if configurable, ``config_model``."""

    name: ClassVar[str]
    config_model: ClassVar[type[SkillConfig]] = SkillConfig
    # A folder of Alembic revisions for this skill's own tables, on a branch of its own.
    migrations: ClassVar[Path | None] = None

    def __init__(self, config: C) -> None:
        self.config = config

    async def setup(self, ctx: Context) -> None:
        """Called once after the database and scheduler are ready, before any event."""

    def reconfigure(self, config: C) -> list[str]:
        """Take a new configuration while running (SIGHUP). Returns the keys, if any, that
        only a restart applies; a skill that derives state from its config overrides this."""
        self.config = config
        return []

    async def teardown(self) -> None:
        """Called once at shutdown, after the last event was handled."""

    @classmethod
    def add_cli(cls, commands: Any) -> None:
        """Add subcommands to ``hatbot`` (``commands`` is argparse's subparsers object).

        Each subcommand sets ``handler=fn`` with ``fn(ctx: CliContext, args) -> int``.
        """


@dataclass(frozen=True)
class ScheduleMeta:
    cron: str | None
    config_key: str | None


@dataclass(frozen=True)
class RouteMeta:
    method: str
    path: str


COMMAND_ATTR = "__hatbot_command__"
EVENTS_ATTR = "__hatbot_events__"
SCHEDULE_ATTR = "__hatbot_schedule__"
ROUTE_ATTR = "__hatbot_route__"


def command(
    name: str,
    *,
    help: str,
    args: str | None = None,
    examples: Sequence[str] = (),
    admin: bool = False,
) -> Callable[[F], F]:
    """Declare a chat command; its arguments are parsed from the method's signature.

    ``examples`` are written without the prefix (``"hat claim 3"``); they appear in
    ``!help`` and in usage errors, and the test suite checks that each one parses.
    """

    def mark(func: F) -> F:
        setattr(func, COMMAND_ATTR, CommandMeta(name.lower(), help, args, tuple(examples), admin))
        return func

    return mark


def on(*event_types: type) -> Callable[[F], F]:
    """Call the method with every event of these types (commands included)."""

    def mark(func: F) -> F:
        setattr(func, EVENTS_ATTR, event_types)
        return func

    return mark


def every(*, cron: str | None = None, config_key: str | None = None) -> Callable[[F], F]:
    """Run the method on a cron schedule kept in the persistent job store.

    With ``config_key`` the schedules come from the skill's config: a list of tables
    each with a ``cron`` key; each table's keys are passed to the method.
    """
    if (cron is None) == (config_key is None):
        raise TypeError("every() takes exactly one of cron= or config_key=")

    def mark(func: F) -> F:
        setattr(func, SCHEDULE_ATTR, ScheduleMeta(cron, config_key))
        return func

    return mark


def route(method: str, path: str) -> Callable[[F], F]:
    """Serve an HTTP endpoint on the bot's web server; the method gets ``(ctx, request)``."""

    def mark(func: F) -> F:
        setattr(func, ROUTE_ATTR, RouteMeta(method.upper(), path))
        return func

    return mark


def marked(skill: Skill[Any], attr: str) -> list[tuple[Callable[..., Any], Any]]:
    """The bound methods of ``skill`` carrying ``attr``, with their metadata."""
    found = []
    for attr_name in dir(type(skill)):
        func = getattr(type(skill), attr_name, None)
        meta = getattr(func, attr, None)
        if meta is not None:
            found.append((getattr(skill, attr_name), meta))
    return found


__all__ = [
    "AddressText",
    "CliContext",
    "CronText",
    "Markup",
    "Skill",
    "SkillConfig",
    "UsageError",
    "command",
    "escape_markup",
    "every",
    "format_duration",
    "mention",
    "on",
    "parse_duration",
    "route",
    "shorten",
]
