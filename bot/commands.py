"""Chat commands: finding them in a message, parsing typed arguments, the registry.

A command's arguments come from its handler's signature, after ``ctx``:

- ``int``, ``float``, ``timedelta`` (``10m``, ``2h30m``, ``14d``), ``Address``, ``Word``
  and ``str``: one word each, except that a last positional ``str`` takes the rest of
  the line (a ``Word`` never does, so ``!dice 2d6 extra`` is a usage error);
- a type of the skill's own: ``Annotated[Dice, parse_dice]``, where ``parse_dice(word)``
  returns the value or raises ``ValueError`` whose message becomes the usage reply;
- ``list[str]``: every remaining word (at least one unless it has a default);
- keyword-only parameters: ``name=value`` words anywhere on the line;
- parameters with defaults are optional.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
import types
import typing
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from hatbot.events import Address, Person
from hatbot.i18n import tr


@dataclass(frozen=True)
class CommandMeta:
    """What ``@command`` declares; the handler's signature supplies the rest."""

    name: str
    help: str
    args: str | None
    examples: Sequence[str]
    admin: bool
    # Examples with the reply they must give (a string, or a pattern to match whole),
    # run as tests by ``SkillTester.check_examples``.
    expected: Sequence[tuple[str, str | re.Pattern[str]]] = ()


class UsageError(Exception):
    """The words after a command do not fit it; the message says why and how (a ``tr()``
    text is said in the channel's language)."""

    @property
    def reason(self) -> str:
        """What was wrong, as given (a ``Text`` stays one, to be translated)."""
        given = self.args[0] if self.args else ""
        return given if isinstance(given, str) else str(given)


T = typing.TypeVar("T")


def read_or_usage(read: Callable[[str], T], text: str) -> T:
    """``read(text)`` for a word a handler reads itself (from free text); its
    ``ValueError`` becomes a ``UsageError``, so the reply is the reason with the usage."""
    try:
        return read(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@dataclass(frozen=True)
class Param:
    name: str
    convert: Callable[[str], Any]
    kind: str  # "word", "rest", "list" or "option"
    required: bool
    default: Any
    label: str = ""  # how usage text names it; the parameter name by default

    @property
    def shown(self) -> str:
        return self.label or self.name.upper()

    @property
    def usage(self) -> str:
        shown = self.shown
        if self.kind == "option":
            return f"[{self.name}=…]"
        if self.kind == "list":
            shown += "…"
        return shown if self.required else f"[{shown}]"


@dataclass(frozen=True)
class Command:
    name: str
    skill: str
    handler: Callable[..., Awaitable[Any]]
    params: tuple[Param, ...]
    help: str
    args: str
    examples: tuple[str, ...]
    admin: bool
    expected: tuple[tuple[str, str | re.Pattern[str]], ...] = ()

    def usage(self, prefix: str) -> str:
        line = f"{prefix}{self.name} {self.args}".rstrip()
        if self.examples:
            return tr("{usage} (e.g. {example})", usage=line,
                      example=prefix + self.examples[0])
        return line


# Bounds on what a chat line can ask for: every number is stored, scheduled or looped
# over somewhere, so none may be unbounded.
LONGEST_COMMAND = 4000  # characters of a command the parser reads at all
LONGEST_DURATION = timedelta(days=366)
LARGEST_NUMBER = 2**31 - 1  # fits an SQL INTEGER everywhere
_DURATION = re.compile(r"(\d{1,9})\s*([wdhms])", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def shorten(text: str, limit: int = 40) -> str:
    """User text quoted back in a reply: never more than ``limit`` characters."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def parse_duration(text: str) -> timedelta:
    """``90s``, ``10m``, ``2h30m``, ``14d``, ``1w`` → a positive timedelta up to a year."""
    cleaned = text.strip().lower()
    wrong = ValueError(f'expected a duration like 10m, 2h or 14d, got "{shorten(text)}"')
    if not cleaned or len(cleaned) > 40 or _DURATION.sub("", cleaned).strip():
        raise wrong
    total = timedelta()
    for amount, unit in _DURATION.findall(cleaned):
        total += timedelta(**{_UNITS[unit.lower()]: int(amount)})
        if total > LONGEST_DURATION:
            raise ValueError(f"a duration can be at most {LONGEST_DURATION.days}d, "
                             f'got "{shorten(text)}"')
    if total <= timedelta():
        raise wrong
    return total


def format_duration(delta: timedelta) -> str:
    """The inverse of ``parse_duration``, to the minute: ``2h 13m``, ``3d 4h``."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return f"{int(delta.total_seconds())}s"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts)


def _whole_number(text: str) -> int:
    """A count or an ID: 0 to LARGEST_NUMBER."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10 \
            or int(text) > LARGEST_NUMBER:
        raise ValueError(f'expected a whole number from 0 to {LARGEST_NUMBER}, '
                         f'got "{shorten(text)}"')
    return int(text)


def _number(text: str) -> float:
    try:
        value = float(text) if len(text) <= 40 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > LARGEST_NUMBER:
        raise ValueError(f'expected a number, got "{shorten(text)}"')
    return value


def _word(text: str) -> str:
    return text


# One word of text: unlike a last ``str``, it never swallows the rest of the line.
Word = Annotated[str, _word]


_CONVERTERS: dict[Any, Callable[[str], Any]] = {
    str: str,
    int: _whole_number,
    float: _number,
    timedelta: parse_duration,
    Address: Address.parse,
}


def _without_none(annotation: Any) -> Any:
    """``X | None`` → ``X``: an optional argument converts as X; its default covers absence."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def _plain(annotation: Any) -> Any:
    """``Annotated[X, …]`` without parsers → ``X``."""
    if typing.get_origin(annotation) is Annotated and \
            not any(callable(m) for m in annotation.__metadata__):
        return annotation.__origin__
    return annotation


def _converter(annotation: Any, where: str) -> Callable[[str], Any]:
    annotation = _without_none(annotation)
    if typing.get_origin(annotation) is Annotated:
        # The skill's own parser: the last callable of the metadata.
        parsers = [m for m in annotation.__metadata__ if callable(m)]
        if parsers:
            parser: Callable[[str], Any] = parsers[-1]
            return parser
        annotation = annotation.__origin__
    if annotation not in _CONVERTERS:
        raise TypeError(f"{where}: unsupported argument type {annotation!r}")
    return _CONVERTERS[annotation]


def params_of(handler: Callable[..., Any]) -> tuple[Param, ...]:
    """Read a handler's signature (after ``ctx``) into argument descriptions."""
    hints = typing.get_type_hints(handler, include_extras=True)
    signature = inspect.signature(handler)
    found: list[Param] = []
    positional = [
        p for p in list(signature.parameters.values())[1:]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    for param in list(signature.parameters.values())[1:]:
        where = f"{handler.__qualname__}({param.name})"
        annotation = _without_none(hints.get(param.name, str))
        required = param.default is inspect.Parameter.empty
        default = None if required else param.default
        if param.kind == param.KEYWORD_ONLY:
            found.append(Param(param.name, _converter(annotation, where), "option", False,
                               default))
        elif typing.get_origin(_plain(annotation)) is list:
            annotation = _plain(annotation)
            (inner,) = typing.get_args(annotation)
            found.append(Param(param.name, _converter(inner, where), "list", required, default))
        elif param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            convert = _converter(annotation, where)
            is_last = param is positional[-1]
            kind = "rest" if is_last and convert is str else "word"
            found.append(Param(param.name, convert, kind, required, default))
        else:
            raise TypeError(f"{where}: *args and **kwargs are not command arguments")
    return tuple(found)


def make_command(skill: str, handler: Callable[..., Awaitable[Any]], meta: CommandMeta) -> Command:
    params = params_of(handler)
    if meta.args is not None:
        params = _label(params, meta.args)
    args = meta.args if meta.args is not None else " ".join(p.usage for p in params)
    if any(p.required for p in params) and not meta.examples:
        raise TypeError(f"command {meta.name!r} takes arguments and needs examples=")
    return Command(meta.name, skill, handler, params, meta.help, args, tuple(meta.examples),
                   meta.admin, tuple(meta.expected))


def _label(params: tuple[Param, ...], args: str) -> tuple[Param, ...]:
    """Name positional parameters as the declared usage text does (``ID`` for ``task_id``)."""
    words = [w.strip("[]….") for w in args.split() if "=" not in w]
    labelled = []
    for param in params:
        if param.kind != "option" and words:
            param = dataclasses.replace(param, label=words.pop(0))
        labelled.append(param)
    return tuple(labelled)


def parse_arguments(command: Command, text: str) -> tuple[list[Any], dict[str, Any]]:
    """Turn the words after a command into call arguments, or raise UsageError."""
    if len(text) > LONGEST_COMMAND:
        raise UsageError(tr("too long ({count} characters; at most {limit})", count=len(text),
                            limit=LONGEST_COMMAND))
    options = {p.name: p for p in command.params if p.kind == "option"}
    kwargs: dict[str, Any] = {}
    kept: list[str] = []
    for word in text.split():  # one pass over the words: linear in the line's length
        name, equals, value = word.partition("=")
        if equals and name.lower() in options:
            kwargs[name.lower()] = _convert(options[name.lower()], value)
        else:
            kept.append(word)
    rest = " ".join(kept)

    args: list[Any] = []
    for param in command.params:
        if param.kind == "option":
            continue
        if param.kind == "rest":
            if rest:
                args.append(rest)
            elif param.required:
                raise UsageError(tr("missing {argument}", argument=param.shown))
            else:
                args.append(param.default)
            rest = ""
        elif param.kind == "list":
            words = rest.split()
            if not words and param.required:
                raise UsageError(tr("missing {argument}", argument=param.shown))
            args.append([_convert(param, w) for w in words] if words else param.default)
            rest = ""
        else:
            word, _, rest = rest.partition(" ")
            if word:
                args.append(_convert(param, word))
            elif param.required:
                raise UsageError(tr("missing {argument}", argument=param.shown))
            else:
                args.append(param.default)
    if rest:
        raise UsageError(tr('unexpected "{words}"', words=rest))
    return args, kwargs


def _convert(param: Param, word: str) -> Any:
    try:
        return param.convert(word)
    except ValueError as exc:
        raise UsageError(f"{param.shown}: {shorten(str(exc), 160)}") from None


class Registry:
    """Every command by name; names may be several words (``hat claim``)."""

    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def add(self, command: Command) -> None:
        if command.name in self._commands:
            other = self._commands[command.name].skill
            raise ValueError(f"command {command.name!r} of {command.skill} clashes with {other}")
        self._commands[command.name] = command

    def __iter__(self) -> typing.Iterator[Command]:
        return iter(sorted(self._commands.values(), key=lambda c: c.name))

    def get(self, name: str) -> Command | None:
        return self._commands.get(" ".join(name.lower().split()))

    def find(self, text: str) -> tuple[Command, str] | None:
        """The longest command name that starts ``text``, and the words after it."""
        words = text.split()
        for size in range(min(len(words), 3), 0, -1):
            name = " ".join(words[:size]).lower()
            if name in self._commands:
                parts = text.strip().split(None, size)
                return self._commands[name], parts[size] if len(parts) > size else ""
        return None

    def group(self, word: str) -> list[Command]:
        """Commands whose name starts with ``word`` and more (``hat`` → ``hat claim``…)."""
        head = word.lower() + " "
        return [c for c in self if c.name.startswith(head)]


def extract(text: str, *, prefix: str, bot_name: str, is_direct: bool) -> str | None:
    """The command part of a message, or None when the message is not a command.

    ``!cmd``, ``hatbot: cmd``, ``hatbot, cmd`` and ``@hatbot cmd`` are commands; in a
    direct message the bare ``cmd`` is too.
    """
    stripped = text.strip()
    if stripped.startswith(prefix):
        body = stripped[len(prefix):]
        return body if body and not body[0].isspace() else None
    # "@hatbot ping", "hatbot: ping", "hatbot, ping"; not "hatbot rocks", which is chat.
    name = re.escape(bot_name)
    addressed = re.match(rf"(?:@{name}[:,]?|{name}\s*[:,])\s*(\S.*)$", stripped, re.IGNORECASE)
    if addressed:
        return addressed.group(1)
    return stripped if is_direct and stripped else None


def is_admin(person: Person, admins: frozenset[Address]) -> bool:
    """Admin rights follow the verified account, never the display name or nick."""
    return person.account is not None and person.account in admins




def describe(commands: Sequence[Command], prefix: str) -> str:
    """A one-line list of commands, for ``!help`` and unknown-group hints."""
    return ", ".join(f"{prefix}{c.name}" for c in commands)


__all__ = [
    "Command",
    "CommandMeta",
    "Registry",
    "UsageError",
    "Word",
    "describe",
    "extract",
    "format_duration",
    "is_admin",
    "make_command",
    "parse_arguments",
    "parse_duration",
    "read_or_usage",
    "shorten",
]
