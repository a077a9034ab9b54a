"""Finding adapters and skills: through entry points, so ``pip install`` adds one."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from adapters.base import Adapter
from bot.skill import Skill

log = logging.getLogger(__name__)

ADAPTER_GROUP = "hatbot.adapters"
SKILL_GROUP = "hatbot.skills"


@dataclass(frozen=True)
class Plugins:
    adapters: dict[str, type[Adapter[Any]]]
    skills: dict[str, type[Skill[Any]]]

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
        from storage.db import upgrade

        names = list(enabled)
        upgrade(url, self.migration_dirs(),
                [n for n in names if self.skills[n].migrations is not None])


def discover() -> Plugins:
    return Plugins(
        adapters=_load(ADAPTER_GROUP, Adapter),
        skills=_load(SKILL_GROUP, Skill),
    )


def _load(group: str, base: type[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for point in entry_points(group=group):
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
