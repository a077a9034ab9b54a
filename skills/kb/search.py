"""Finding entries: full-text search ranked by BM25 (``!kb QUERY``, ``/kb/``), and the
stricter test of whether a question said in a help channel is one an entry answers.

Search is SQLite's FTS5 there (``bm25()`` with the question weighing most, then the tags,
then the answer) and PostgreSQL's full-text search there (``ts_rank_cd`` over the same
three, weighted A, B, C); the words of a query are alternatives, so a question worded
differently still finds its entry, and the best come first.

Suggesting is stricter than searching: the best hits are scored again by how much of
what was asked the entry's question and tags cover (``similarity``), and one is
suggested only above the threshold measured on a labelled set of questions
(``python -m bench kb``; ``bench/README.md`` has the curve).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from hatbot.storage.fulltext import FullText

from .models import APPROVED

MAX_WORDS = 12  # of a query: more make it no better and slower
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words that say nothing of what is asked; questions are full of them.
_STOPWORD_TEXT = """
a about above after again all also am an and any are as at be because been before being
below between both but by can could did do does doing done during each few for from get
got has have having he her here hers him his how i if in into is it its itself just know
let like me might more most my need no nor not now of off on once only or other our out
over own please same she should so some someone something such than thank thanks that the
their them then there these they this those through to too under until up use using very
want was way we were what when where which while who whom why will with would you your
anyone anybody hi hello hey folks guys everyone question ask asking tell
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_QUESTION_START = re.compile(
    r"^(?:how|what|why|where|when|who|which|is|are|can|could|does|do|did|should|would|"
    r"will|has|have|anyone|anybody|any)\b", re.IGNORECASE)


def words(text: str) -> list[str]:
    """The words of ``text`` that carry meaning, lower case, in order."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]


def stem(word: str) -> str:
    """A crude English stem, enough to match "tests" with "testing" when scoring (search
    itself stems with Porter's algorithm, in the database)."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_ASKS = re.compile(r"\b(why|where|when|who|which)\b", re.IGNORECASE)


def terms(text: str) -> set[str]:
    """The stemmed words of ``text``, and what kind of question it is ("?who", "?where";
    not "how", which most questions are):
    "who writes the release notes" is not asking what "where are the release notes"
    answers."""
    found = {stem(w) for w in words(text)}
    asks = _ASKS.search(text)
    if asks:
        found.add("?" + asks.group(1).lower())
    return found


def is_question(text: str) -> bool:
    """Whether a line asks something: it ends with "?" or starts like a question."""
    line = text.strip()
    return len(words(line)) >= 2 and (line.endswith("?") or bool(_QUESTION_START.match(line)))


def similarity(asked: str, question: str, tags: str = "") -> float:
    """From 0 to 1: how well an entry's question (and tags) matches what was asked, as
    the cosine of their sets of stemmed words; rarer, longer words weigh more."""
    said, known = terms(asked), terms(question) | terms(tags)
    if not said or not known:
        return 0.0

    def weight(term: str) -> float:
        return math.log(2 + len(term))

    shared = sum(weight(t) ** 2 for t in said & known)
    return shared / math.sqrt(sum(weight(t) ** 2 for t in said)
                              * sum(weight(t) ** 2 for t in known))


@dataclass(frozen=True)
class Hit:
    id: int
    question: str
    answer: str
    tags: str
    rank: float  # higher is better, comparable within one search only


# As migration 0001_kb created it: FTS5 with Porter stemming, weighted A/B/C on PostgreSQL.
INDEX = FullText("kb_entries", "e", "kb_fts",
                 (("question", 4.0), ("answer", 1.0), ("tags", 2.0)),
                 language="english", tokenize="porter unicode61 remove_diacritics 2")


async def search(session: AsyncSession, query: str, *, limit: int = 5,
                 status: str = APPROVED) -> list[Hit]:
    """The entries with ``status`` that best match ``query``, best first."""
    found = list(dict.fromkeys(words(query)))[:MAX_WORDS]
    if not found:
        return []
    match = INDEX.search(session.get_bind().dialect.name, found, any_word=True)
    rows = await session.execute(text(
        f"SELECT e.id, e.question, e.answer, e.tags, {match.rank} AS rank "
        f"FROM {match.source} WHERE {match.where} AND e.status = :status "
        f"ORDER BY rank DESC, e.id LIMIT :limit"),
        {**match.params, "status": status, "limit": limit})
    return [Hit(row.id, row.question, row.answer, row.tags, float(row.rank)) for row in rows]


def best_match(asked: str, hits: Sequence[Hit], threshold: float
               ) -> tuple[Hit, float] | None:
    """The hit whose question matches ``asked`` best, if it reaches ``threshold``."""
    scored = [(similarity(asked, hit.question, hit.tags), hit) for hit in hits]
    if not scored:
        return None
    score, hit = max(scored, key=lambda pair: pair[0])
    return (hit, score) if score >= threshold else None
