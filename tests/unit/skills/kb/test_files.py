"""``hatbot kb export`` and ``import``: Markdown with YAML front matter that reads back
into the same entries (the round trip is lossless), and a bad file changes nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hatbot.config import BotConfig
from hatbot.skill import CliContext
from hatbot.skills.kb.cli import exported, run_export, run_import
from hatbot.skills.kb.files import BadFile, from_markdown
from hatbot.skills.kb.models import KbEntry, KbRevision
from hatbot.skills.kb.settings import KbConfig
from hatbot.storage.db import sync_engine
from hatbot.testing import SkillTester, database_for


def config(data: Path) -> BotConfig:
    """The bot's configuration for the data folder, on the database its tests use."""
    return BotConfig(data_dir=str(data), database_url=database_for(data))


def cli(data: Path) -> CliContext:
    return CliContext(bot=config(data), public_url="", options=KbConfig(), database=True)


def entries(data: Path) -> list[KbEntry]:
    engine = sync_engine(config(data).db_url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(KbEntry).order_by(KbEntry.id)))
    finally:
        engine.dispose()


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    data = tmp_path / "first"
    bot = SkillTester(config={"skills": {"kb": {"reviewers": ["memory:rita"]}}},
                      data_dir=data)
    try:
        bot.say("<alice> !kb add How do I run the unit tests? | Run `tox -e py3`.\n\n"
                "- for one test: `tox -e py3 -- tests.unit.test_x` | testing, tox")
        bot.say("<bob> the docs job fails: 'WARNING: undefined label' — ideas?")
        bot.say("<carol> Sphinx 8 turns warnings into errors: fix the :ref: or pin sphinx<8")
        bot.say("<bob> !kb capture 2")
        bot.say("<dora> !kb add Is this a draft? | Yes, never exported")
        bot.say("<rita> !kb approve 1")
        bot.say("<rita> !kb approve 2")
    finally:
        bot.close()
    return data


def test_export_then_import_gives_the_same_entries_and_files(filled: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "kb"
    assert run_export(cli(filled), argparse.Namespace(folder=out)) == 0
    names = sorted(p.name for p in out.glob("*.md"))
    assert names == ["0001-how-do-i-run-the-unit-tests.md",
                     "0002-the-docs-job-fails-warning-undefined-label-ideas.md", "index.md"]
    first = (out / names[0]).read_text()
    assert first.startswith("---\nid: 1\ntitle: How do I run the unit tests?\n")
    assert "reviewed-by:\n- name: rita\n  id: memory:rita\n" in first
    assert first.endswith("# How do I run the unit tests?\n\nRun `tox -e py3`. - for one "
                          "test: `tox -e py3 -- tests.unit.test_x`\n")
    captured = (out / names[1]).read_text()  # a conversation: its lines kept as they were
    assert "\n\n<carol> Sphinx 8 turns warnings into errors: fix the :ref: or pin sphinx<8\n" \
        in captured
    index = (out / "index.md").read_text()
    assert "## testing\n\n- [How do I run the unit tests?](0001-how-do-i-run-the-unit-tests" \
        ".md)" in index

    second = tmp_path / "second"
    SkillTester(data_dir=second).close()  # an empty bot: its database migrated
    assert run_import(cli(second), argparse.Namespace(folder=out)) == 0
    before = [exported(e) for e in entries(filled) if e.status == "approved"]
    assert [exported(e) for e in entries(second)] == before
    again = tmp_path / "again"
    assert run_export(cli(second), argparse.Namespace(folder=again)) == 0
    for path in out.glob("*.md"):
        assert (again / path.name).read_text() == path.read_text(), path.name
    # Importing the same files again changes nothing; an edited file is a new revision.
    assert run_import(cli(second), argparse.Namespace(folder=out)) == 0
    edited = out / names[0]
    edited.write_text(edited.read_text().replace("Run `tox -e py3`.", "Run `tox -e py312`."))
    assert run_import(cli(second), argparse.Namespace(folder=out)) == 0
    engine = sync_engine(config(second).db_url)
    with Session(engine) as session:
        actions = [r.action for r in session.scalars(
            select(KbRevision).where(KbRevision.entry_id == 1).order_by(KbRevision.id))]
    engine.dispose()
    assert actions == ["imported", "edited"]
    assert entries(second)[0].answer.startswith("Run `tox -e py312`.")


def test_a_bad_file_is_named_and_nothing_is_imported(filled: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    out = tmp_path / "kb"
    run_export(cli(filled), argparse.Namespace(folder=out))
    (out / "0003-new.md").write_text("---\ntitle: New one\nid: -4\n---\nAnswer\n")
    (out / "0001-how-do-i-run-the-unit-tests.md").write_text("changed, no front matter")
    count = len(entries(filled))
    assert run_import(cli(filled), argparse.Namespace(folder=out)) == 1
    err = capsys.readouterr().err
    assert "0003-new.md: id: expected a positive number, got -4" in err
    assert "0001-how-do-i-run-the-unit-tests.md: no front matter" in err
    assert len(entries(filled)) == count


def test_a_file_written_by_hand_is_a_draft_until_reviewed() -> None:
    entry = from_markdown("---\ntitle: Where is the CLA?\ntags: [legal]\n---\n"
                          "# Where is the CLA?\n\nThere is none: we use the DCO.\n")
    assert (entry.id, entry.question, entry.answer, entry.tags, entry.reviewer) == (
        None, "Where is the CLA?", "There is none: we use the DCO.", ["legal"], "")
    with pytest.raises(BadFile, match="tags: expected a list"):
        from_markdown("---\ntitle: X\ntags: legal\n---\nY\n")
