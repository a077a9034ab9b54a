"""The knowledge base as a user meets it (issue #19): a scripted console session in
``hatbot run`` in which a question is captured, reviewed, found by search and suggested
to the next person who asks it; a meeting's decision and ``#faq`` reach it; then
``hatbot kb export`` writes it as Markdown and the pages serve it over HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx

from hatbot.testing import database_for
from tests.conftest import REPO, StartBot, run_cli
from tests.integration.week import said

SESSION = REPO / "tests" / "fixtures" / "kb" / "session.console"


async def test_captured_reviewed_found_suggested_and_exported(start_bot: StartBot,
                                                              tmp_path: Path) -> None:
    data = tmp_path / "data"
    config = tmp_path / "hatbot.toml"
    database = database_for(data)  # make test's PostgreSQL pass: the bots' database
    config.write_text(f'[bot]\ndata_dir = "{data}"\n'
                      + (f'database_url = "{database}"\n' if database else "")
                      + '[web]\npublic_url = "https://bot.example"\n[adapters.console]\n'
                      '[skills.kb]\nreviewers = ["console:rita"]\n'
                      'help_channels = ["console:#help"]\n')
    lines = said(config, SESSION.read_text(), tmp_path).splitlines()
    bot = [line for line in lines if "<hatbot>" in line]
    expected = [
        '[#help] <hatbot> Captured 2 lines as draft #1 ("how do I build the docs locally?");'
        ' !kb edit 1 | ANSWER gives it a clean answer.',
        '[#help] <hatbot> Nothing approved matches "build docs". !kb add QUESTION | ANSWER '
        'adds it for review.',
        "[#help] <hatbot> #1 how do I build the docs locally? (by helper, 0d old)",
        "[#help] <hatbot> #1 has a new answer.",
        "[#help] <hatbot> Approved #1: how do I build the docs locally? "
        "https://bot.example/kb/1",
        "[#help] <hatbot> #1 how do I build the docs locally? — Run tox -e docs; the HTML is "
        "in doc/build/html. https://bot.example/kb/1",
        "[#help] <hatbot> second: this may answer it — #1 how do I build the docs locally? — "
        "Run tox -e docs; the HTML is in doc/build/html. https://bot.example/kb/1 "
        "(not it? !kb wrong 1)",
    ]
    for line in expected:
        assert line in bot, (line, bot)
    assert sum("may answer it" in line for line in bot) == 1  # once a day, not twice
    decision = next(line for line in bot if "install guide moves" in line)
    assert decision.startswith("[#meeting] <hatbot> ") and \
        "docs: the install guide moves to the docs site https://bot.example/meetings/docs/" \
        in decision and decision.endswith(".log.html#l-3")
    assert "[#meeting] <hatbot> #2 Where is the style guide? (by alice, 0d old)" in bot
    assert any("Draft #3 added: What is my private question?" in line for line in lines)

    out = tmp_path / "exported"
    done = run_cli("kb", "export", str(out), "--config", str(config), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (out / "0001-how-do-i-build-the-docs-locally.md").read_text()
    assert "reviewed-by:\n- name: rita\n  id: console:rita\n" in page
    assert page.endswith("# how do I build the docs locally?\n\nRun tox -e docs; the HTML is "
                         "in doc/build/html.\n")
    assert not (out / "0002-where-is-the-style-guide.md").exists()  # a draft stays home

    app = await start_bot(data_dir=data, raw={"web": {"enabled": True, "port": 0}})
    assert app.web is not None
    base = f"http://127.0.0.1:{app.web.port}"
    async with httpx.AsyncClient() as client:
        index = await client.get(f"{base}/kb/?q=docs+build")
        entry = await client.get(f"{base}/kb/1")
        decisions = await client.get(f"{base}/kb/decisions/docs")
        missing = await client.get(f"{base}/kb/99")
        private = await client.get(f"{base}/kb/3")  # a draft said to the bot in private
        too_long = await client.get(f"{base}/kb/", params={"q": "x" * 201})
    assert index.status_code == 200 and '<a href="1">#1 how do I build the docs locally?</a>' \
        in index.text
    assert entry.status_code == 200
    assert "&lt;helper&gt; tox -e docs, then open doc/build/html/index.html" in entry.text
    assert "<td>rita</td><td>approved</td>" in entry.text
    assert decisions.status_code == 200 and "the install guide moves to the docs site" in \
        decisions.text
    assert missing.status_code == 404 and too_long.status_code == 400
    assert private.status_code == 404 and "private question" not in index.text


async def test_search_and_suggestions_on_postgresql(start_bot: StartBot, tmp_path: Path,
                                                    postgres: Any) -> None:
    """The same entries on PostgreSQL (its own full-text search, weighted like BM25's
    columns): the best hit of each pinned query is the one SQLite gives, and at the
    configured threshold no labelled question gets a wrong suggestion."""
    from bench import kb as labelled
    from hatbot.skills.kb.search import search
    from hatbot.skills.kb.settings import THRESHOLD

    url = postgres.new_database(f"kb_{uuid.uuid4().hex[:8]}")
    app = await start_bot(raw={"bot": {"database_url": url}})
    corpus = labelled.corpus()
    async with app.sessions() as session:
        await labelled.fill(session, corpus["entries"])
        for query, best in (("unit tests", 1), ("docs sphinx", 19), ("gerrit", 3),
                            ("release notes", 6), ("stable branch backport", 20)):
            assert (await search(session, query, limit=1))[0].id == best, query
        found = await labelled.outcomes(session, corpus["questions"])
    made, right, answerable = labelled.curve(found, THRESHOLD)
    assert made == right and right / answerable >= 0.7
