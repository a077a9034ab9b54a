"""``hatbot new-skill NAME``: a ready skill package that passes its own test out of the box.

The package is what a third party ships: a pyproject whose entry point makes
Hatbot find the skill once installed, the skill (one command with an example
that states its reply), and a test on the shipped pytest plugin.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")

_PYPROJECT = Template('''\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "hatbot-$dashed"
version = "0.1.0"
description = "The $name skill for Hatbot"
requires-python = ">=3.11"
dependencies = ["hatbot>=$hatbot_version"]

[project.optional-dependencies]
test = ["pytest>=8.0"]

# How Hatbot finds the skill once the package is installed. Installing is not
# enabling: a [skills.$name] table in hatbot.toml switches it on.
[project.entry-points."hatbot.skills"]
$name = "$module:$cls"

[tool.setuptools]
packages = ["$module"]
''')

_SKILL = Template('''\
"""The $name skill: ``!$name [WHO]`` greets someone."""

from __future__ import annotations

from hatbot.skill import Context, Skill, SkillConfig, Word, command


class ${cls}Config(SkillConfig):
    """The [skills.$name] table of hatbot.toml; unknown keys are refused."""

    greeting: str = "Hello"


class $cls(Skill[${cls}Config]):
    name = "$name"
    config_model = ${cls}Config

    # The signature is the grammar: WHO is one optional word. An example with its
    # reply is a test too (SkillTester.check_examples).
    @command("$name", help="Greet someone", examples=[("$name Ada", "Hello, Ada!"), "$name"])
    async def greet(self, ctx: Context, who: Word = "") -> None:
        await ctx.reply(f"{self.config.greeting}, {who or ctx.sender.name}!")
''')

_TEST = Template('''\
"""Tests on Hatbot's pytest plugin: ``hatbot`` is a running bot with a fake clock."""

from __future__ import annotations

import pytest


def test_greets_by_name(hatbot):
    assert hatbot.say("<alice> !$name Ada") == ["Hello, Ada!"]
    assert hatbot.say("<alice> !$name") == ["Hello, alice!"]


def test_one_name_only(hatbot):
    (reply,) = hatbot.say("<alice> !$name Ada Lovelace")
    assert reply.startswith('unexpected "Lovelace". Usage: !$name [WHO]')


def test_examples_give_their_replies(hatbot):
    assert hatbot.check_examples("$name") == 1


class TestConfigured:
    """A fixture named hatbot_config sets the bot's configuration for the tests in reach."""

    @pytest.fixture
    def hatbot_config(self):
        return {"skills": {"$name": {"greeting": "Hi"}}}

    def test_greeting(self, hatbot):
        assert hatbot.say("<bob> !$name") == ["Hi, bob!"]
''')

_README = Template('''\
# hatbot-$dashed

The `$name` skill for [Hatbot](https://pypi.org/project/hatbot/).

    pip install -e '.[test]'
    pytest

Enable it in `hatbot.toml` (installed skills stay off until configured):

    [skills.$name]
    greeting = "Hello"
''')


def create(name: str, where: Path, hatbot_version: str) -> Path:
    """Write the package for skill ``name`` into ``where/hatbot-NAME``; return that folder."""
    if not NAME.fullmatch(name):
        raise ValueError(f'NAME: expected a lowercase word like "dice" (letters, digits, _), '
                         f'got "{name}"')
    folder = where / f"hatbot-{name.replace('_', '-')}"
    if folder.exists():
        raise ValueError(f"{folder}: already exists; choose another NAME or folder")
    module = f"hatbot_{name}"
    values = {"name": name, "dashed": name.replace("_", "-"), "module": module,
              "cls": "".join(part.title() for part in name.split("_")),
              "hatbot_version": hatbot_version}
    files = {
        "pyproject.toml": _PYPROJECT,
        f"{module}/__init__.py": _SKILL,
        f"tests/test_{name}.py": _TEST,
        "README.md": _README,
    }
    for relative, template in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.substitute(values), encoding="utf-8")
    return folder
