"""Finding adapters and skills: through entry points, so ``pip install`` adds one."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hatbot.adapter import Adapter
from hatbot.config import Config, load
from hatbot.skill import Skill

log = logging.getLogger(__name__)

ADAPTER_GROUP = "hatbot.adapters"
SKILL_GROUP = "hatbot.skills"
# A skill's settings model, by the skill's name: read without importing the skill, whose
# modules load SQLAlchemy and its models (the configuration is checked before that).
SKILL_CONFIG_GROUP = "hatbot.skill_configs"


# The distribution whose skills run unless switched off; any other installed skill
# runs only when the configuration has its table ("installing is not enabling").
OWN_DISTRIBUTION = "hatbot"


@dataclass(frozen=True)
class Plugins:
    adapters: Mapping[str, type[Adapter[Any]]]
    skills: Mapping[str, type[Skill[Any]]]
    # Skills on unless ``enabled = false``: Hatbot's own. None: every installed one.
    default_on: frozenset[str] | None = None
    # Settings models declared apart from their skill; the others are the class's.
    skill_configs: Mapping[str, type[BaseModel]] = field(default_factory=dict)

    def load_config(self, path: Path | None, environ: Mapping[str, str] | None = None
                    ) -> Config:
        """Read and check a configuration against these plugins."""
        return load(path, self.adapter_models(), self.skill_models(), environ,
                    default_on=self.default_on)

    def adapter_models(self) -> Mapping[str, type[BaseModel]]:
        return _Models(self.adapters)

    def skill_models(self) -> Mapping[str, type[BaseModel]]:
        return _Models(self.skills, self.skill_configs)

    def migration_dirs(self, skills: Iterable[str] | None = None) -> list[Path]:
        """Alembic folders of these skills (default: every installed one)."""
        return [
            folder for name in (self.skills if skills is None else skills)
            if (folder := self.skills[name].migrations) is not None
        ]

    def migrate(self, url: str, enabled: Iterable[str]) -> None:
        """Upgrade the core's tables and the enabled skills' ones; leave the rest alone."""
        from hatbot.storage.db import upgrade

        names = list(enabled)
        upgrade(url, self.migration_dirs(),
                [n for n in names if self.skills[n].migrations is not None])


class _Models(Mapping[str, type[BaseModel]]):
    """The config models of plugins, by name, loading a plugin only when asked for its."""

    def __init__(self, plugins: Mapping[str, type[Any]],
                 declared: Mapping[str, type[BaseModel]] | None = None) -> None:
        self._plugins = plugins
        self._declared = declared or {}

    def __getitem__(self, name: str) -> type[BaseModel]:
        if name in self._plugins and name in self._declared:
            return self._declared[name]
        model: type[BaseModel] = self._plugins[name].config_model
        return model

    def __contains__(self, name: object) -> bool:
        return name in self._plugins

    def __iter__(self) -> Iterator[str]:
        return iter(self._plugins)

    def __len__(self) -> int:
        return len(self._plugins)


def discover() -> Plugins:
    """Every installed adapter and skill, by name; a class is imported only when first
    used (a console bot never imports Matrix's client)."""
    # One pass over the installed distributions for both groups, and each one's name
    # read once (it is parsed from its metadata file at every ask).
    points = entry_points()
    names: dict[int, str] = {}
    own = frozenset(
        point.name for point in points.select(group=SKILL_GROUP)
        if point.dist is not None
        and names.setdefault(id(point.dist), point.dist.name.lower()) == OWN_DISTRIBUTION
    )
    return Plugins(
        adapters=Lazy(points.select(group=ADAPTER_GROUP), Adapter),
        skills=Lazy(points.select(group=SKILL_GROUP), Skill),
        default_on=own,
        skill_configs=Lazy(points.select(group=SKILL_CONFIG_GROUP), BaseModel),
    )


class Lazy(Mapping[str, Any]):
    """A group's plugins by name, each imported on first use. One that cannot be imported
    is logged and is then not there."""

    def __init__(self, points: Iterable[EntryPoint], base: type[Any]) -> None:
        self._base = base
        self._points: dict[str, EntryPoint] = {point.name: point for point in points}
        self._loaded: dict[str, type[Any]] = {}

    def __getitem__(self, name: str) -> type[Any]:
        if name not in self._loaded:
            point = self._points[name]  # KeyError: not installed
            try:
                cls = point.load()
            except Exception as exc:
                log.error("cannot load %s plugin %r: %s", point.group, name, exc)
                del self._points[name]
                raise KeyError(name) from None
            if not (isinstance(cls, type) and issubclass(cls, self._base)):
                log.error("%s plugin %r is not a %s", point.group, name, self._base.__name__)
                del self._points[name]
                raise KeyError(name)
            self._loaded[name] = cls
        return self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self._points

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._points))

    def __len__(self) -> int:
        return len(self._points)
