"""A skill written from the README alone: ``hatbot new-skill``, the README's code, installed
beside Hatbot, tested with the shipped pytest plugin, switched on, and in ``!help``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, run_cli
from tests.integration.test_cli import write_config


def readme_blocks(language: str) -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Write a skill", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)


def install(package: Path, into: Path) -> dict[str, str]:
    """pip-install ``package`` into a folder of its own (the test venv stays as it is);
    return the environment that sees it."""
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(into), str(package)], check=True, timeout=300,
                   capture_output=True)
    return {"PYTHONPATH": str(into)}


def run_tests(package: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=package, env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
        check=False)


def test_the_template_passes_its_own_test(tmp_path: Path) -> None:
    made = run_cli("new-skill", "greet", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    package = tmp_path / "hatbot-greet"
    env = install(package, tmp_path / "site")
    result = run_tests(package, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_dice_from_the_readme(tmp_path: Path) -> None:
    (skill, test) = readme_blocks("python")
    (table,) = readme_blocks("toml")
    assert run_cli("new-skill", "dice", cwd=tmp_path).returncode == 0
    package = tmp_path / "hatbot-dice"
    (package / "hatbot_dice" / "__init__.py").write_text(skill)
    (package / "tests" / "test_dice.py").write_text(test)
    env = install(package, tmp_path / "site")

    tested = run_tests(package, env)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "3 passed" in tested.stdout

    # Installed but not configured: off.
    off = run_cli("run", "--config", str(write_config(tmp_path)), stdin="!dice 2d6\n",
                  cwd=tmp_path, env=env)
    assert "Unknown command !dice" in off.stdout, off.stdout + off.stderr

    on = write_config(tmp_path, table)
    ran = run_cli("run", "--config", str(on), stdin="<alice> !help dice\n!dice 3d2\n",
                  cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    assert "!dice DICE: Roll dice" in ran.stdout.splitlines()[0]
    assert re.search(r"3d2: [12] \+ [12] \+ [12] = \d", ran.stdout), ran.stdout
