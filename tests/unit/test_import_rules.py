"""The import rules of docs/architecture.md, checked on every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

OURS = ("bot", "adapters", "skills", "storage")
ALLOWED = {
    # module (or package prefix): what of ours it may import (by module prefix)
    "bot": (),  # the package itself; every module of bot/ has its own line below
    "bot.__main__": ("bot.cli",),
    "bot.events": (),
    "bot.clock": (),
    "bot.times": (),
    "bot.markup": (),
    "bot.metrics": (),
    "bot.lock": (),
    "bot.redact": (),
    "bot.health": (),
    "bot.backoff": (),
    "bot.newskill": (),
    "bot.commands": ("bot.events", "bot.i18n"),
    "bot.config": ("bot.events", "bot.i18n"),
    "bot.i18n": (),
    "bot.adapter": ("bot.events",),
    "bot.dispatch": ("bot.events",),
    "bot.context": ("bot.clock", "bot.commands", "bot.config", "bot.events", "bot.i18n",
                    "bot.markup"),
    "bot.batch": ("bot.context",),
    "bot.aside": (),
    "bot.background_import": (),
    "bot.responses": (),
    "bot.skill": ("bot.aside", "bot.backoff", "bot.batch", "bot.commands", "bot.config",
                  "bot.context", "bot.events", "bot.figures", "bot.i18n", "bot.markup",
                  "bot.pages",
                  "bot.responses", "bot.times"),
    "bot.handoffs": ("bot.context", "bot.skill", "storage"),
    "bot.leader": (),
    "bot.replicas": ("bot.adapter", "bot.events", "bot.leader", "storage"),
    "bot.pages": (),
    "bot.figures": (),
    "bot.community": ("bot.figures", "bot.pages", "bot.responses"),
    "bot.recognition": ("bot.figures", "bot.pages", "bot.responses"),
    "bot.router": ("bot.commands", "bot.context", "bot.events", "bot.health", "bot.i18n",
                   "bot.metrics"),
    "bot.scheduler": ("storage", "bot.scheduling"),
    "bot.scheduling": (),
    "bot.web": ("bot.config", "bot.metrics", "bot.web_access"),
    "bot.web_access": ("bot.config",),
    "bot.plugins": ("bot.adapter", "bot.config", "bot.skill", "storage"),
    # The harness drives the in-memory adapter: the one adapter the core may name.
    "bot.testing": ("bot", "adapters.memory"),
    # Only these know every part of the core; none of them imports an adapter or a skill.
    "bot.app": ("bot", "storage"),
    "bot.cli": ("bot", "storage"),
    "adapters": ("bot.events", "bot.i18n", "bot.markup", "bot.adapter", "bot.backoff",
                 "adapters.flow"),
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


def our_imports(module: str, path: Path) -> set[str]:
    """Every module of ours that ``path`` imports, relative imports resolved (against the
    installed names, as Python resolves them)."""
    installed = installed_name(module)
    package = installed if path.name == "__init__.py" else installed.rpartition(".")[0]
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                imported.add(node.module or "")
                continue
            base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
            if node.module:
                imported.add(".".join([*base, node.module]))
            else:  # from . import a, b
                imported |= {".".join([*base, alias.name]) for alias in node.names}
    return {name for name in map(folder_name, imported) if name.split(".")[0] in OURS}


def installed_name(module: str) -> str:
    """``bot.skill`` → ``hatbot.skill``, ``adapters.irc`` → ``hatbot.adapters.irc``."""
    head, _, rest = module.partition(".")
    return ".".join(["hatbot", *([rest] if rest else [])]) if head == "bot" \
        else f"hatbot.{module}"


def folder_name(module: str) -> str:
    """The installed name (``hatbot.skill``, ``hatbot.adapters.irc``) as the repository's
    folders spell it (``bot.skill``, ``adapters.irc``), which the rules are written in."""
    head, _, rest = module.partition(".")
    if head != "hatbot":
        return module
    if rest.split(".")[0] in ("adapters", "skills", "storage"):
        return rest
    return f"bot.{rest}" if rest else "bot"


def rule_for(module: str) -> tuple[str, ...] | None:
    for prefix in sorted(ALLOWED, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return ALLOWED[prefix]
    return None


@pytest.mark.parametrize(("module", "path"), modules(), ids=lambda v: str(v))
def test_module_imports_follow_the_rules(module: str, path: Path) -> None:
    allowed = rule_for(module)
    assert allowed is not None, f"{module} has no import rule"
    own_package = module.split(".")[0] + "." + module.split(".")[1] if "." in module else module
    for name in our_imports(module, path):
        if module.startswith(("skills.", "adapters.")) and \
                (name == own_package or name.startswith(own_package + ".")):
            continue  # a skill or adapter package may import its own modules
        assert any(name == a or name.startswith(a + ".") for a in allowed), (
            f"{module} imports {name}; allowed: {allowed}"
        )


def test_the_rules_are_checked_on_real_modules() -> None:
    names = {name for name, _ in modules()}
    assert {"bot.events", "adapters.console", "skills.core", "storage.db"} <= names


def test_every_core_module_has_a_rule_of_its_own() -> None:
    """A new module of bot/ is placed in the layers on purpose, not by a default."""
    core = {name for name, _ in modules() if name.startswith("bot.")}
    assert core - set(ALLOWED) == set()


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    """The check itself can fail: an adapter import in the dispatcher, absolute or relative."""
    for line in ("from hatbot.adapters.irc import IrcAdapter", "from .adapters import irc"):
        path = tmp_path / "dispatch.py"
        path.write_text(f"{line}\n")
        with pytest.raises(AssertionError, match=r"bot\.dispatch imports adapters"):
            test_module_imports_follow_the_rules("bot.dispatch", path)
    sibling = tmp_path / "events.py"
    sibling.write_text("from . import config\n")
    with pytest.raises(AssertionError, match=r"bot\.events imports bot\.config"):
        test_module_imports_follow_the_rules("bot.events", sibling)
