"""The folders install under the name ``hatbot``: every package folder is listed in
pyproject.toml, nothing installs as a bare ``bot`` or ``skills``, and the entry points
agree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from hatbot.plugins import discover
from tests.conftest import REPO

FOLDERS = {"bot": "hatbot", "adapters": "hatbot.adapters", "skills": "hatbot.skills",
           "storage": "hatbot.storage"}


def test_every_package_folder_is_installed() -> None:
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"] == {name: folder for folder, name in FOLDERS.items()}
    found = set()
    for folder, name in FOLDERS.items():
        for init in (REPO / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO / folder).parts
            found.add(".".join([name, *parts]))
    assert found == set(setuptools["packages"])


def test_the_installed_names_are_ours_alone(tmp_path: Path) -> None:
    """Outside the repository (where the folders are not on the path), as a user has it."""
    probe = ("import importlib.util as u, json; print(json.dumps("
             "[u.find_spec(n) is not None for n in ('bot', 'adapters', 'skills', 'storage')]"
             " + [u.find_spec('hatbot.adapters.flow').origin]))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, check=True, env={k: v for k, v in os.environ.items()
                                                      if k != "PYTHONPATH"})
    *bare, origin = json.loads(done.stdout)
    assert bare == [False, False, False, False]
    assert origin == str(REPO / "adapters" / "flow.py")


def test_each_skills_settings_entry_point_is_its_config_model() -> None:
    """The configuration is read through ``hatbot.skill_configs`` (without loading the
    skills); a skill reads its settings through ``config_model``: one model for both."""
    plugins = discover()
    assert set(plugins.skill_configs) == set(plugins.default_on or ())
    for name in plugins.skill_configs:
        assert plugins.skill_configs[name] is plugins.skills[name].config_model, name
