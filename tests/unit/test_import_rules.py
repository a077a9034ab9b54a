"""The import rules of docs/architecture.md, checked on every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

OURS = ("bot", "adapters", "skills", "storage")
ALLOWED = {
    # module prefix: what of ours it may import (by module prefix)
    "bot.events": (),
    "adapters": ("bot.events", "bot.markup", "adapters.base", "adapters.flow"),
    "skills": ("bot.skill", "bot.context", "bot.events", "storage"),
    "storage": ("storage",),
}


def modules() -> list[tuple[str, Path]]:
    found = []
    for top in OURS:
        for path in sorted((REPO / top).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(p for p in parts if p != "__init__")
            found.append((name, path))
    return found


def our_imports(path: Path) -> set[str]:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module)
    return {name for name in imported if name.split(".")[0] in OURS}


def rule_for(module: str) -> tuple[str, ...] | None:
    for prefix in sorted(ALLOWED, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return ALLOWED[prefix]
    return None


@pytest.mark.parametrize(("module", "path"), modules(), ids=lambda v: str(v))
def test_module_imports_follow_the_rules(module: str, path: Path) -> None:
    allowed = rule_for(module)
    if allowed is None:
        return  # the rest of bot/ may use anything
    own_package = module.split(".")[0] + "." + module.split(".")[1] if "." in module else module
    for name in our_imports(path):
        if module.startswith("skills.") and name.startswith(own_package):
            continue  # a skill package may import its own modules
        assert any(name == a or name.startswith(a + ".") for a in allowed), (
            f"{module} imports {name}; allowed: {allowed}"
        )


def test_the_rules_are_checked_on_real_modules() -> None:
    names = {name for name, _ in modules()}
    assert {"bot.events", "adapters.console", "skills.core", "storage.db"} <= names
