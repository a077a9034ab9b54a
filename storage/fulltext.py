"""Full-text search on either database, behind one interface.

A skill describes once which columns of a table are searched (``FullText``); from that
come the index (``ddl``, for its migration) and the pieces of every search query
(``FullText.search``), so no skill writes dialect-specific search SQL of its own:

- SQLite: an FTS5 table kept beside the indexed one (external content, kept in step by
  triggers), ranked with ``bm25()`` by the columns' weights, snippets by ``snippet()``.
- PostgreSQL: a GIN index over the columns' ``tsvector`` (each column weighted A, B, C…
  from the heaviest), ranked with ``ts_rank_cd``, snippets marked in Python (its
  ``ts_headline`` takes "<b>" said in a line for markup and drops it).

Queries are lists of words (``\\w+``); a search wants all of them or any of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"\w+", re.UNICODE)
_WEIGHTS = "ABCD"  # PostgreSQL's four weight classes, heaviest first
SNIPPET_CHARACTERS = 160  # of a long text, around the first match
SNIPPET_TOKENS = 16  # SQLite's snippet(): words around the match


@dataclass(frozen=True)
class Search:
    """The pieces of one search query. ``source`` stands for the indexed table in a FROM
    clause (under its alias), ``where`` is the match, ``rank`` is higher for better
    matches, ``newest`` orders by the rows' ids; ``snippet`` is the first column with the
    matched words between the marks, once passed through ``finish``."""

    source: str
    where: str
    rank: str
    newest: str
    snippet: str
    params: dict[str, Any]
    finish: Callable[[str], str]


@dataclass(frozen=True)
class FullText:
    """Which columns of ``table`` (whose key is ``id``) are searched, in the order of the
    SQLite FTS5 table ``fts``, with their weights; ``language`` is PostgreSQL's text
    search configuration ("english" stems, as FTS5's porter tokenizer does; "simple"
    keeps words as they are). ``split_punctuation``: on PostgreSQL, punctuation separates
    words (its parser keeps a URL or a path as one token, FTS5 does not)."""

    table: str
    alias: str
    fts: str
    columns: tuple[tuple[str, float], ...]
    language: str = "simple"
    tokenize: str = "unicode61"
    split_punctuation: bool = False

    def document(self, *, qualified: bool = True) -> str:
        """The ``tsvector`` expression PostgreSQL indexes and searches: the same text in
        the index and the query, or the index is not used (``qualified``: the columns
        under the table's alias, as queries name them)."""
        def vector(column: str) -> str:
            value = f"{self.alias}.{column}" if qualified else column
            if self.split_punctuation:
                value = f"regexp_replace({value}, '[^[:alnum:]]+', ' ', 'g')"
            return f"to_tsvector('{self.language}', {value})"

        if len(self.columns) == 1:
            return vector(self.columns[0][0])
        heaviest = sorted(self.columns, key=lambda column: -column[1])
        return " || ".join(f"setweight({vector(name)}, '{_WEIGHTS[rank]}')"
                           for rank, (name, _) in enumerate(heaviest))

    def search(self, dialect: str, words: Sequence[str], *, any_word: bool = False,
               marks: tuple[str, str] = ("", "")) -> Search:
        found = [w for word in words for w in _WORD.findall(word)]
        if not found:
            raise ValueError("a search needs at least one word")
        first = self.columns[0][0]
        if dialect == "postgresql":
            document = self.document()
            query = (f"to_tsquery('{self.language}', :fts_query)" if any_word
                     else f"plainto_tsquery('{self.language}', :fts_query)")
            return Search(
                source=f"{self.table} {self.alias}", where=f"({document}) @@ {query}",
                rank=f"ts_rank_cd({document}, {query})", newest=f"{self.alias}.id",
                snippet=f"{self.alias}.{first}",
                params={"fts_query": " | ".join(found) if any_word else " ".join(found)},
                finish=lambda said: mark(said, found, *marks))
        weights = ", ".join(str(weight) for _, weight in self.columns)
        return Search(
            source=f"{self.fts} JOIN {self.table} {self.alias} "
                   f"ON {self.alias}.id = {self.fts}.rowid",
            where=f"{self.fts} MATCH :fts_query",
            rank=f"-bm25({self.fts}, {weights})", newest=f"{self.fts}.rowid",
            snippet=f"snippet({self.fts}, 0, :fts_start, :fts_stop, '…', {SNIPPET_TOKENS})",
            params={"fts_query": (" OR " if any_word else " ").join(f'"{w}"' for w in found),
                    "fts_start": marks[0], "fts_stop": marks[1]},
            finish=lambda said: said)

    def fill(self, where: str) -> str:
        """SQLite: the statement adding the rows that match ``where`` to an index made
        without triggers (``ddl(..., triggers=False)``), for a skill that indexes rows
        when they are final rather than as they are written."""
        listed = ", ".join(name for name, _ in self.columns)
        return (f"INSERT INTO {self.fts}(rowid, {listed}) SELECT id, {listed} "
                f"FROM {self.table} WHERE {where}")


def ddl(index: FullText, dialect: str, *, triggers: bool = True) -> list[str]:
    """The statements that create ``index`` (in the migration that adds it, after its
    table; existing rows are indexed too). On SQLite, ``triggers`` keep the index in
    step with every write; without them the skill adds rows itself (``FullText.fill``)."""
    columns = [name for name, _ in index.columns]
    if dialect == "postgresql":
        return [f"CREATE INDEX ix_{index.table}_search ON {index.table} "
                f"USING gin (({index.document(qualified=False)}))"]
    listed = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    fts, table = index.fts, index.table
    forget = f"INSERT INTO {fts}({fts}, rowid, {listed}) VALUES ('delete', old.id, {old});"
    learn = f"INSERT INTO {fts}(rowid, {listed}) VALUES (new.id, {new});"
    made = [f"CREATE VIRTUAL TABLE {fts} USING fts5({listed}, content='{table}', "
            f"content_rowid='id', tokenize='{index.tokenize}')",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"]
    if not triggers:
        return made
    return [
        *made,
        f"CREATE TRIGGER {table}_fts_ai AFTER INSERT ON {table} BEGIN {learn} END",
        f"CREATE TRIGGER {table}_fts_ad AFTER DELETE ON {table} BEGIN {forget} END",
        f"CREATE TRIGGER {table}_fts_au AFTER UPDATE OF {listed} ON {table} BEGIN "
        f"{forget} {learn} END",
    ]


def mark(said: str, words: Sequence[str], start: str, stop: str) -> str:
    """``said`` as a snippet: each of ``words`` (in any case) between ``start`` and
    ``stop``, cut around the first match when long (what SQLite's ``snippet()`` gives)."""
    if not start and not stop:
        return said
    wanted = {w.casefold() for w in words}
    spans = [m.span() for m in _WORD.finditer(said) if m.group().casefold() in wanted]
    if len(said) > SNIPPET_CHARACTERS and spans:
        begin = max(0, spans[0][0] - SNIPPET_CHARACTERS // 3)
        end = begin + SNIPPET_CHARACTERS
        spans = [(a - begin, b - begin) for a, b in spans if a >= begin and b <= end]
        said = ("…" if begin else "") + said[begin:end] + ("…" if end < len(said) else "")
        shift = 1 if begin else 0
        spans = [(a + shift, b + shift) for a, b in spans]
    for a, b in reversed(spans):
        said = said[:a] + start + said[a:b] + stop + said[b:]
    return said
