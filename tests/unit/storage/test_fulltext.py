"""Full-text search behind one interface (``storage/fulltext.py``): the same tests on
SQLite and on a real PostgreSQL. An index made by ``ddl`` follows inserts, updates and
deletes; all-words and any-word searches find what they should; the heavier column
ranks first; snippets mark the words; on PostgreSQL the queries of the knowledge base
and the meeting archive use the GIN indexes their migrations made."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from hatbot.storage.fulltext import FullText, ddl, mark

NOTES = FullText("notes", "n", "notes_fts", (("title", 4.0), ("body", 1.0)),
                 language="english", tokenize="porter unicode61")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = create_engine(f"sqlite:///{tmp_path / 'notes.db'}")
    else:
        server = request.getfixturevalue("postgres")
        made = create_engine(server.new_database(f"fulltext_{tmp_path.name[-20:]}"))
    with made.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, "
                                "title TEXT NOT NULL, body TEXT NOT NULL)"))
        connection.execute(text("INSERT INTO notes VALUES (1, 'Release notes', "
                                "'Who writes them before a release')"))
        for statement in ddl(NOTES, made.dialect.name):
            connection.execute(text(statement))
    yield made
    made.dispose()


def found(engine: Engine, words: list[str], **how: Any) -> list[tuple[int, str]]:
    match = NOTES.search(engine.dialect.name, words, marks=("[", "]"), **how)
    with engine.connect() as connection:
        rows = connection.execute(text(
            f"SELECT n.id, {match.snippet} AS snippet, {match.rank} AS rank "
            f"FROM {match.source} WHERE {match.where} ORDER BY rank DESC, n.id"),
            match.params)
        return [(row.id, match.finish(row.snippet)) for row in rows]


def test_the_index_follows_every_write_and_ranks_by_weight(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO notes VALUES (2, 'Gate jobs', 'The release gate is flaky'), "
            "(3, 'Mentoring', 'Pairing newcomers with mentors'), "
            "(4, 'Old', 'to be deleted: release')"))
        connection.execute(text("DELETE FROM notes WHERE id = 4"))
        connection.execute(text("UPDATE notes SET body = 'Mentors meet newcomers weekly' "
                                "WHERE id = 3"))
    # Stemmed ("releases" finds "release"); the title match ranks above the body's.
    assert [hit for hit, _ in found(engine, ["releases"])] == [1, 2]
    assert found(engine, ["pairing"]) == []  # updated away
    assert [hit for hit, _ in found(engine, ["release", "flaky"])] == [2]  # all words
    assert [hit for hit, _ in found(engine, ["flaky", "mentors"], any_word=True)] == [3, 2]
    assert found(engine, ["deleted"]) == []
    assert found(engine, ["gate"]) == [(2, "Gate jobs".replace("Gate", "[Gate]"))]


def test_punctuation_splits_words_on_both(tmp_path: Path, engine: Engine) -> None:
    """FTS5 reads words inside a link; PostgreSQL's parser keeps the URL as one token
    unless told to split it (as the meeting archive is)."""
    links = FullText("links", "k", "links_fts", (("said", 1.0),), split_punctuation=True)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE links (id INTEGER PRIMARY KEY, said TEXT)"))
        connection.execute(text("INSERT INTO links VALUES "
                                "(1, 'see https://docs.example/gate-jobs/flaky.html')"))
        for statement in ddl(links, engine.dialect.name, triggers=False):
            connection.execute(text(statement))
    match = links.search(engine.dialect.name, ["gate", "flaky"])
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT k.id FROM {match.source} WHERE {match.where}"),
                                  match.params).scalars().all() == [1]


def test_a_search_needs_a_word() -> None:
    with pytest.raises(ValueError, match="at least one word"):
        NOTES.search("sqlite", ["?!", ""])


def test_long_text_is_cut_around_the_first_match() -> None:
    said = "word " * 60 + "the gate job " + "more " * 60
    snippet = mark(said, ["GATE"], "<", ">")
    assert "the <gate> job" in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < len(said) // 2


def test_skill_searches_use_their_migrations_index_on_postgresql(
        postgres: Any, tmp_path: Path) -> None:
    """The query's expression must be the index's, or PostgreSQL reads every row."""
    from hatbot.skills.kb.search import INDEX as KB
    from hatbot.skills.meetings.archive import LINES
    from hatbot.testing import SkillTester

    url = postgres.new_database(f"fulltext_migrated_{tmp_path.name[-16:]}")
    SkillTester(config={"bot": {"database_url": url}}, data_dir=tmp_path).close()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SET enable_seqscan = off"))
            for index, name in ((KB, "ix_kb_entries_search"),
                                (LINES, "ix_meeting_lines_search")):
                for any_word in (False, True):
                    match = index.search("postgresql", ["release", "gate"],
                                         any_word=any_word)
                    plan = "\n".join(connection.execute(text(
                        f"EXPLAIN SELECT {index.alias}.id FROM {match.source} "
                        f"WHERE {match.where}"), match.params).scalars())
                    assert name in plan, plan
    finally:
        engine.dispose()
