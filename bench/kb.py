"""``python -m bench kb``: how well the knowledge base answers repeated questions, on the
labelled set in tests/fixtures/kb/corpus.yaml (20 entries, 64 questions, 26 of them near
misses that no entry answers). For each threshold: how many questions get a suggestion,
how many of those are right (precision), and how many of the answerable ones are
answered (recall); the skill's threshold is the lowest one at full precision.
Also the time a search takes."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "kb" / "corpus.yaml"
THRESHOLDS = [round(0.05 * n, 2) for n in range(4, 19)]


@dataclass(frozen=True)
class Outcome:
    question: str
    expected: int | None
    best: int | None  # the entry the suggestion would name, at any threshold
    score: float


def corpus() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return loaded


async def fill(session: Any, entries: list[dict[str, Any]]) -> None:
    from hatbot.skills.kb.models import APPROVED, KbEntry

    now = datetime(2026, 12, 6, tzinfo=UTC)
    for e in entries:
        session.add(KbEntry(id=e["id"], question=e["question"], answer=e["answer"],
                            tags=" ".join(e["tags"]), status=APPROVED, author="bench",
                            author_name="bench", created_at=now, updated_at=now,
                            reason="", origin="import", channel="", source_url="",
                            source_text=""))
    await session.commit()


async def outcomes(session: Any, questions: list[dict[str, Any]]) -> list[Outcome]:
    from hatbot.skills.kb.search import best_match, search

    found = []
    for item in questions:
        match = best_match(item["q"], await search(session, item["q"], limit=5), 0.0)
        found.append(Outcome(item["q"], item["answer"], match[0].id if match else None,
                             match[1] if match else 0.0))
    return found


def curve(found: list[Outcome], threshold: float) -> tuple[int, int, int]:
    """At ``threshold``: suggestions made, right ones, answerable questions."""
    made = [o for o in found if o.best is not None and o.score >= threshold]
    right = [o for o in made if o.best == o.expected]
    return len(made), len(right), sum(1 for o in found if o.expected is not None)


def chosen(found: list[Outcome]) -> float:
    """The lowest threshold at which every suggestion made is right."""
    for threshold in THRESHOLDS:
        made, right, _ = curve(found, threshold)
        if made == right:
            return threshold
    return THRESHOLDS[-1]


async def measure(folder: Path, repeat: int) -> None:
    from hatbot.plugins import discover
    from hatbot.storage.db import async_engine, sessions, upgrade

    url = f"sqlite:///{folder}/kb.db"
    kb = discover().skills["kb"]
    upgrade(url, [kb.migrations], ["kb"])
    engine = async_engine(url)
    try:
        async with sessions(engine)() as session:
            data = corpus()
            await fill(session, data["entries"])
            found = await outcomes(session, data["questions"])
            timings = []
            for _ in range(repeat):
                for item in data["questions"]:
                    began = time.perf_counter()
                    await outcomes(session, [item])
                    timings.append(time.perf_counter() - began)
    finally:
        await engine.dispose()
    print(f"{len(data['entries'])} entries, {len(found)} questions "
          f"({sum(1 for o in found if o.expected is None)} that no entry answers)")
    print("threshold  suggested  right  precision  recall")
    for threshold in THRESHOLDS:
        made, right, answerable = curve(found, threshold)
        precision = right / made if made else 1.0
        print(f"{threshold:9.2f}  {made:9d}  {right:5d}  {precision:9.2f}  "
              f"{right / answerable:6.2f}")
    print(f"lowest threshold at full precision: {chosen(found):.2f}")
    timings.sort()
    print(f"search and score, per question: median {statistics.median(timings) * 1000:.2f} ms,"
          f" p95 {timings[int(len(timings) * 0.95)] * 1000:.2f} ms")


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(measure(Path(folder), args.repeat))
