"""Finding adapters and skills: through entry points, so ``pip install`` adds one."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hatbot.adapter import Adapter
from hatbot.config import Config, load
from hatbot.skill import Skill

log = logging.getLogger(__name__)

ADAPTER_GROUP = "hatbot.adapters"
SKILL_GROUP = "hatbot.skills"


# The distribution whose skills run unless switched off; any other installed skill
# runs only when the configuration has its table ("installing is not enabling").
OWN_DISTRIBUTION = "hatbot"


@dataclass(frozen=True)
class Plugins:
    adapters: dict[str, type[Adapter[Any]]]
    skills: dict[str, type[Skill[Any]]]
    # Skills on unless ``enabled = false``: Hatbot's own. None: every installed one.
    default_on: frozenset[str] | None = None

    def load_config(self, path: Path | None, environ: Mapping[str, str] | None = None
                    ) -> Config:
        """Read and check a configuration against these plugins."""
        return load(path, self.adapter_models(), self.skill_models(), environ,
                    default_on=self.default_on)

    def adapter_models(self) -> dict[str, type[BaseModel]]:
        return {name: cls.config_model for name, cls in self.adapters.items()}

    def skill_models(self) -> dict[str, type[BaseModel]]:
        return {name: cls.config_model for name, cls in self.skills.items()}

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


def discover() -> Plugins:
    own: set[str] = set()
    return Plugins(
        adapters=_load(ADAPTER_GROUP, Adapter, set()),
        skills=_load(SKILL_GROUP, Skill, own),
        default_on=frozenset(own),
    )


def _load(group: str, base: type[Any], own: set[str]) -> dict[str, Any]:
    """Load a group's plugins; add the names of Hatbot's own to ``own``."""
    found: dict[str, Any] = {}
    for point in entry_points(group=group):
        if point.dist is not None and point.dist.name.lower() == OWN_DISTRIBUTION:
            own.add(point.name)
        try:
            cls = point.load()
        except Exception as exc:
            log.error("cannot load %s plugin %r: %s", group, point.name, exc)
            continue
        if not (isinstance(cls, type) and issubclass(cls, base)):
            log.error("%s plugin %r is not a %s", group, point.name, base.__name__)
            continue
        found[point.name] = cls
    return found
