"""Configuration: TOML, ``${VAR}`` substitution, and validation that names the key.

Core tables (``[bot]``, ``[web]``) are described here. Each adapter and skill
describes its own table with a pydantic model (``config_model``); this module is
handed those models, so it knows no plugin by name.
"""

from __future__ import annotations

import importlib.util
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from hatbot.events import Address

DEFAULT_FILE = Path("hatbot.toml")
# Database backends Hatbot runs on: the module of the driver, and the extra that brings it.
DRIVERS = {"sqlite": ("aiosqlite", "sqlite"), "postgresql": ("psycopg", "postgres")}
M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """The configuration is unusable; ``problems`` has one line per bad key."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _shipped(language: str) -> str:
    from hatbot.i18n import available

    if language not in available():
        raise ValueError(f'no translation into "{language}"; shipped: '
                         f'{", ".join(available())}')
    return language


class BotConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="hatbot", min_length=1)
    prefix: str = Field(default="!", min_length=1)
    admins: list[str] = []
    timezone: str = "UTC"
    data_dir: str = "./hatbot-data"
    database_url: str | None = None
    # The language of the bot's replies, and per channel where it differs.
    language: str = "en"
    channel_languages: dict[str, str] = {}

    @field_validator("language")
    @classmethod
    def _shipped_language(cls, value: str) -> str:
        return _shipped(value)

    @field_validator("channel_languages")
    @classmethod
    def _channel_languages(cls, value: dict[str, str]) -> dict[str, str]:
        for channel, language in value.items():
            Address.parse(channel)
            _shipped(language)
        return value

    def language_of(self, where: object) -> str:
        """The language of replies in ``where`` (a channel address, or None)."""
        return self.channel_languages.get(str(where), self.language) if where else \
            self.language

    @field_validator("admins")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for item in value:
            Address.parse(item)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'unknown timezone "{value}"') from None
        return value

    @field_validator("database_url")
    @classmethod
    def _usable_database(cls, value: str | None) -> str | None:
        if value is None:
            return value
        # SQLAlchemy is a third of the start; the embedded default (no URL) never needs
        # it before the chat adapters are up (docs/architecture.md, "Start-up order").
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f'not a database URL: "{value}"') from None
        backend = url.get_backend_name()
        if backend not in DRIVERS:
            raise ValueError(f'"{backend}" is not supported; use sqlite:///PATH or '
                             "postgresql+psycopg://USER@HOST/DB")
        module, extra = DRIVERS[backend]
        if importlib.util.find_spec(module) is None:
            raise ValueError(f"its driver is not installed: pip install 'hatbot[{extra}]'")
        return value

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir.rstrip('/')}/hatbot.db"

    @property
    def admin_addresses(self) -> frozenset[Address]:
        return frozenset(Address.parse(item) for item in self.admins)


class WebConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    public_url: str | None = None
    # false: every page but /healthz asks for a login (the webhooks check their own
    # signatures): HTTP Basic as one of ``users``, or ``Authorization: Bearer`` one of
    # ``tokens`` (a scraper's).
    public: bool = True
    users: dict[str, SecretStr] = {}
    tokens: list[SecretStr] = []

    @model_validator(mode="after")
    def _someone_may_read(self) -> WebConfig:
        if not self.public and not (self.users or self.tokens):
            raise ValueError("public = false needs users or tokens: nobody could read "
                             "the pages (e.g. users = { admin = \"${HATBOT_WEB_PASSWORD}\" })")
        for name in self.users:
            if not name or ":" in name:
                raise ValueError(f'users: "{name}" cannot be an HTTP Basic user name '
                                 "(empty, or with a colon)")
        return self

    @field_validator("public_url")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f'expected an absolute http(s) URL like https://bot.example.org, '
                             f'got "{value}"')
        return value

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


@dataclass(frozen=True)
class PluginSettings:
    """One adapter's or skill's table: whether it runs, and its validated options."""

    name: str
    enabled: bool
    options: BaseModel
    # Which plugin: for an adapter, its table's ``type`` (the name by default), so one
    # process can run two of a kind (``[adapters.libera]`` and ``[adapters.oftc]``).
    type: str = ""

    @property
    def kind(self) -> str:
        return self.type or self.name


@dataclass(frozen=True)
class Config:
    bot: BotConfig
    web: WebConfig
    adapters: dict[str, PluginSettings]
    skills: dict[str, PluginSettings]
    source: Path | None = None

    def enabled_adapters(self) -> list[PluginSettings]:
        return [p for p in self.adapters.values() if p.enabled]

    def enabled_skills(self) -> list[PluginSettings]:
        return [p for p in self.skills.values() if p.enabled]


# The embedded default: console in the terminal, every installed skill on its defaults.
EMBEDDED_DEFAULT: dict[str, Any] = {"adapters": {"console": {}}}


def check_runnable(config: Config, adapter_names: Iterable[str]) -> None:
    """What ``run`` (and ``check-config``) need beyond a valid file: an adapter to hear with.
    Commands that only read the database (``minutes rebuild``, ``db upgrade``) do not."""
    if not config.enabled_adapters():
        raise ConfigError([
            "adapters: none is enabled, so the bot would hear nothing; add one of "
            + ", ".join(f"[adapters.{n}]" for n in sorted(adapter_names))
            + " (or remove its enabled = false)"])


def reload_plan(old: Config, new: Config) -> list[str]:
    """The keys that differ between ``old`` and ``new`` and that only a restart applies:
    the bot's settings other than ``admins``, ``[web]``, every adapter's table, and
    which skills run."""
    later = [f"bot.{key}" for key in BotConfig.model_fields
             if key != "admins" and getattr(old.bot, key) != getattr(new.bot, key)]
    if old.web != new.web:
        later.append("web")
    for name in sorted(set(old.adapters) | set(new.adapters)):
        if old.adapters.get(name) != new.adapters.get(name):
            later.append(f"adapters.{name}")
    for name in sorted(set(old.skills) | set(new.skills)):
        was, now = old.skills.get(name), new.skills.get(name)
        if (was is not None and was.enabled) != (now is not None and now.enabled):
            later.append(f"skills.{name}.enabled")
    return later


def load(
    path: Path | None,
    adapter_models: Mapping[str, type[BaseModel]],
    skill_models: Mapping[str, type[BaseModel]],
    environ: Mapping[str, str] | None = None,
    *,
    default_on: Iterable[str] | None = None,
) -> Config:
    """Read ``path`` (or ``./hatbot.toml``, or the embedded default) and validate it.

    ``default_on``: the skills that run unless ``enabled = false`` (Hatbot's own); any
    other installed skill runs only where its table is present. Default: every skill."""
    if path is None and DEFAULT_FILE.exists():
        path = DEFAULT_FILE
    if path is None:
        raw: dict[str, Any] = EMBEDDED_DEFAULT
    else:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError([f"{path}: no such file"]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{path}: cannot read: {exc}"]) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"{path}: invalid TOML: {exc}"]) from None
        except RecursionError:
            raise ConfigError([f"{path}: invalid TOML: nested too deeply"]) from None
    return build(raw, adapter_models, skill_models, os.environ if environ is None else environ,
                 source=path, default_on=default_on)


def build(
    raw: Mapping[str, Any],
    adapter_models: Mapping[str, type[BaseModel]],
    skill_models: Mapping[str, type[BaseModel]],
    environ: Mapping[str, str],
    source: Path | None = None,
    *,
    default_on: Iterable[str] | None = None,
) -> Config:
    problems: list[str] = []
    always = set(skill_models if default_on is None else default_on) & set(skill_models)
    substituted, missing = _substitute(raw, environ, ())

    for key in substituted:
        if key not in ("bot", "web", "adapters", "skills"):
            problems.append(f"{key}: unknown key")

    bot = _validate(BotConfig, substituted.get("bot", {}), "bot", problems)
    web = _validate(WebConfig, substituted.get("web", {}), "web", problems)
    adapters = _plugins("adapter", substituted.get("adapters", {}), adapter_models,
                        always=(), problems=problems, typed=True)
    skills = _plugins("skill", substituted.get("skills", {}), skill_models,
                      always=always, problems=problems)

    in_use: set[tuple[str, ...]] = {("bot",), ("web",)}
    in_use |= {("adapters", n) for n in _switched_on(substituted.get("adapters"), ())}
    in_use |= {("skills", n) for n in _switched_on(substituted.get("skills"), always)}
    for where, var in missing:
        if where[:1] in in_use or where[:2] in in_use:
            problems.append(f"{_dotted(where)}: environment variable {var} is not set")

    if problems or bot is None or web is None:
        raise ConfigError(problems)
    return Config(bot=bot, web=web, adapters=adapters, skills=skills, source=source)


def _switched_on(tables: Any, always: Iterable[str]) -> set[str]:
    """Tables in use: present (or, for skills, installed) and not ``enabled = false``."""
    tables = tables if isinstance(tables, dict) else {}
    names = set(tables) | set(always)
    return {
        n for n in names
        if not (isinstance(tables.get(n), dict) and tables[n].get("enabled", True) is False)
    }


def _plugins(
    kind: str,
    tables: Any,
    models: Mapping[str, type[BaseModel]],
    *,
    always: Iterable[str],
    problems: list[str],
    typed: bool = False,
) -> dict[str, PluginSettings]:
    """The tables of the plugins in use: each present one, and those of ``always``.

    ``typed``: a table names its plugin with ``type`` (default: the table's name)."""
    section = f"{kind}s"
    if not isinstance(tables, dict):
        problems.append(f"{section}: expected a table, got {_describe(tables)}")
        return {}
    result: dict[str, PluginSettings] = {}
    known = ", ".join(sorted(models)) or "none"
    for name in tables:
        if not typed and name not in models:
            problems.append(f"{section}.{name}: unknown {kind} (installed: {known})")
    chosen = set(always) | set(tables)
    # Present tables in the file's order, the rest in installation order.
    names = [n for n in tables if typed or n in models] + \
        [n for n in models if n in chosen and n not in tables]
    for name in names:
        table = tables.get(name, {})
        where = f"{section}.{name}"
        if not isinstance(table, dict):
            problems.append(f"{where}: expected a table, got {_describe(table)}")
            continue
        options = dict(table)
        plugin = options.pop("type", name) if typed else name
        if typed and not _INSTANCE.fullmatch(name):
            problems.append(f"{where}: the name begins every address it makes (libera:#nova); "
                            "use lowercase letters, digits, - and _")
            continue
        if not isinstance(plugin, str):
            problems.append(f"{where}.type: expected one of {known}, got {_describe(plugin)}")
            continue
        if plugin not in models:
            problems.append(f"{where}{'.type' if plugin != name else ''}: unknown {kind} "
                            f"{_describe(plugin) if plugin != name else ''}".rstrip()
                            + f" (installed: {known})")
            continue
        enabled = options.pop("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(f"{where}.enabled: expected true or false, got {_describe(enabled)}")
            continue
        try:
            model_type = models[plugin]
        except KeyError:  # installed, but it fails to import: the log says why
            problems.append(f"{where}: the {kind} {plugin} cannot be loaded (see the log)")
            continue
        model = _validate(model_type, options, where, problems)
        if model is not None:
            result[name] = PluginSettings(name=name, enabled=enabled, options=model,
                                          type=plugin if typed else "")
            check = getattr(model, "problems_when_enabled", None)
            if enabled and check is not None:
                problems += [f"{where}.{problem}" for problem in check()]
    return result


# An adapter instance's name: the first part of its addresses, so no ":" and no space.
_INSTANCE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def _validate(
    model: type[M], data: Any, where: str, problems: list[str]
) -> M | None:
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a table, got {_describe(data)}")
        return None
    try:
        # Strict: TOML has real types, so "8080" for a port is a mistake worth naming.
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        for err in exc.errors():
            path = _dotted((where, *err["loc"]))
            problems.append(f"{path}: {_explain(err)}")
        return None


_TYPE_WORDS = {
    "int": "an integer",
    "float": "a number",
    "string": "a string",
    "bool": "true or false",
    "list": "a list",
    "dict": "a table",
    "model": "a table",
    "model_attributes": "a table",
}


def _explain(err: Any) -> str:
    kind: str = err["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    base = kind.removesuffix("_type").removesuffix("_parsing").removesuffix("_from_float")
    if base in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[base]}, got {_describe(err['input'])}"
    return f"{err['msg'][:1].lower()}{err['msg'][1:]}, got {_describe(err['input'])}"


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _dotted(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}")


def _substitute(
    value: Any, environ: Mapping[str, str], where: tuple[Any, ...]
) -> tuple[Any, list[tuple[tuple[Any, ...], str]]]:
    """Replace ``${VAR}`` in every string (``${VAR:-default}`` where it may be unset, ``$$``
    for a literal ``$``); list what is unset and has no default."""
    missing: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out[key], more = _substitute(item, environ, (*where, key))
            missing += more
        return out, missing
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            new, more = _substitute(item, environ, (*where, index))
            items.append(new)
            missing += more
        return items, missing
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return "$"
            if name not in environ:
                if match.group(2) is not None:
                    return match.group(3)
                missing.append((where, name))
                return match.group(0)
            return environ[name]

        return _VAR.sub(replace, value), missing
    return value, missing
