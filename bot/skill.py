"""The skill API, all of it in one module: the base class, the decorators that declare
what a skill does, the context handlers get, the events, the argument types.

    class Hat(Skill):
        name = "hat"

        @command("hat claim", help="Take a task", examples=["hat claim 3"])
        async def claim(self, ctx: Context, task_id: int) -> None: ...

        @on(Join)
        async def greet(self, ctx: Context, event: Join) -> None: ...

        @every(config_key="reminders")       # each [[skills.hat.reminders]] table
        async def remind(self, ctx: Context, channel: str) -> None: ...

        @every(cron="0 9 * * MON")
        async def weekly(self, ctx: Context) -> None: ...

        @route("POST", "/hooks/github")
        async def github(self, ctx: Context, request: web.Request) -> web.Response: ...

Decorators only attach metadata; the core collects it when the skill is loaded.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from apscheduler.triggers.cron import CronTrigger
from pydantic import AfterValidator, BaseModel, ConfigDict

import hatbot.responses as responses
import hatbot.times as times
from hatbot.aside import run_aside
from hatbot.backoff import Backoff
from hatbot.batch import BatchWriter
from hatbot.commands import (
    CommandMeta,
    UsageError,
    Word,
    extract,
    format_duration,
    parse_duration,
    read_or_usage,
    shorten,
)
from hatbot.config import BotConfig
from hatbot.context import Context
from hatbot.events import Address, Choice, Event, Invoke, Join, Message, Part, Person, Reaction
from hatbot.figures import Credit, Figure, Pane, community, home, recognition, week_of
from hatbot.i18n import N_, Text, tr
from hatbot.markup import Markup
from hatbot.markup import escape as escape_markup
from hatbot.markup import mention as _mention
from hatbot.pages import bar_chart, csv_table
from hatbot.pages import templates as page_templates


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
    # Whether the database at ``bot.db_url`` is there and migrated (``hatbot`` migrates it
    # before a skill's subcommand runs); a context made by hand has none.
    database: bool = False


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

    async def take_over(self, ctx: Context) -> None:
        """Called when this process takes the lead from another replica on the same
        PostgreSQL (docs/architecture.md, "Replicas"): what the skill keeps in memory from
        its tables (running meetings, newcomers awaited) is read again here, since the old
        leader changed them after ``setup``. Nothing by default."""

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
TAKES_ATTR = "__hatbot_takes__"


def command(
    name: str,
    *,
    help: str,
    args: str | None = None,
    examples: Sequence[str | tuple[str, str | re.Pattern[str]]] = (),
    admin: bool = False,
) -> Callable[[F], F]:
    """Declare a chat command; its arguments are parsed from the method's signature.

    ``examples`` are written without the prefix (``"hat claim 3"``); they appear in
    ``!help`` and in usage errors, and the test suite checks that each one parses.
    An example may carry the reply it gives, ``("dice 3d1", "3d1: 1 + 1 + 1 = 3")``
    (or a compiled pattern the whole reply matches): ``SkillTester.check_examples``
    then runs it as a test.
    """
    texts = tuple(e if isinstance(e, str) else e[0] for e in examples)
    expected = tuple((e[0], e[1]) for e in examples if not isinstance(e, str))

    def mark(func: F) -> F:
        setattr(func, COMMAND_ATTR,
                CommandMeta(name.lower(), help, args, texts, admin, expected))
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
    each with a ``cron`` key. The method is given the keys of its table that it
    declares as parameters (all of them with ``**kwargs``); a parameter without a
    default that no table can give is an error when the skill loads.
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


def takes(kind: str) -> Callable[[F], F]:
    """Take the work other skills hand off as ``kind`` (``ctx.hand_off(kind, **payload)``):
    the method gets ``(ctx, **payload)``, the payload keys it declares, in a transaction
    that also marks the handoff taken. One skill takes a kind; if it fails, the handoff
    is tried again at the next one and at the next start, a few times."""

    def mark(func: F) -> F:
        setattr(func, TAKES_ATTR, kind)
        return func

    return mark


def declared(method: Callable[..., Any], offered: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``offered`` that ``method`` takes as keyword arguments."""
    params = inspect.signature(method).parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return dict(offered)
    return {k: v for k, v in offered.items() if k in params
            and params[k].kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                   inspect.Parameter.KEYWORD_ONLY)}


def check_schedule(skill: Skill[Any], method: Callable[..., Any], meta: ScheduleMeta) -> None:
    """Refuse, when the skill loads, a scheduled method its schedule cannot call."""
    where = f"{type(skill).__name__}.{method.__name__}"
    params = list(inspect.signature(method).parameters.values())
    if not params or params[0].kind not in (inspect.Parameter.POSITIONAL_ONLY,
                                            inspect.Parameter.POSITIONAL_OR_KEYWORD):
        raise TypeError(f"{where}: a scheduled method takes ctx first")
    needed = {p.name for p in params[1:] if p.default is inspect.Parameter.empty
              and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    if meta.cron is not None:
        offers = [("@every(cron=…)", set[str]())]
    else:
        offers = [(f"each [skills.{skill.name}.{meta.config_key}] table", set(keys))
                  for keys in _entry_keys(skill, meta.config_key or "")]
    for source, keys in offers:
        missing = sorted(needed - keys)
        if missing:
            raise TypeError(f"{where} needs {', '.join(missing)}, which {source} does not "
                            f"give; give the parameters defaults or drop them")


def _entry_keys(skill: Skill[Any], config_key: str) -> list[set[str]]:
    """The keys each schedule table can have: the entry model's fields, and each
    configured table's own keys."""
    found: list[set[str]] = []
    field = type(skill.config).model_fields.get(config_key)
    if field is None:
        raise TypeError(f"{type(skill).__name__}: @every(config_key={config_key!r}) names "
                        f"no key of {type(skill.config).__name__}")
    (entry,) = typing.get_args(field.annotation) or (None,)
    if isinstance(entry, type) and issubclass(entry, BaseModel):
        found.append(set(entry.model_fields))
    for table in getattr(skill.config, config_key, None) or []:
        found.append(set(table.model_dump() if isinstance(table, BaseModel) else table))
    return found


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
    "N_",
    "Address",
    "AddressText",
    "Backoff",
    "BatchWriter",
    "Choice",
    "CliContext",
    "Context",
    "Credit",
    "CronText",
    "Event",
    "Figure",
    "Invoke",
    "Join",
    "Markup",
    "Message",
    "Pane",
    "Part",
    "Person",
    "Reaction",
    "Skill",
    "SkillConfig",
    "Text",
    "UsageError",
    "Word",
    "bar_chart",
    "command",
    "community",
    "csv_table",
    "escape_markup",
    "every",
    "extract",
    "format_duration",
    "home",
    "mention",
    "on",
    "page_templates",
    "parse_duration",
    "read_or_usage",
    "recognition",
    "responses",
    "route",
    "run_aside",
    "shorten",
    "takes",
    "times",
    "tr",
    "week_of",
]
