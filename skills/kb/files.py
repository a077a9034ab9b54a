"""Entries as Markdown files with YAML front matter, for a docs site and for review by
pull request: ``hatbot kb export DIR`` writes them, ``hatbot kb import DIR`` reads them.

One file per approved entry, ``NNNN-slug.md`` (the id keeps names stable when a question
is reworded), beginning with its question as the page's title, and an ``index.md``
listing them by tag. MkDocs, Sphinx with MyST and Hugo all build such a folder as it is:
the front matter is theirs to ignore or use (Hugo takes ``title`` and ``tags``).
Reading a file back gives the same entry: the round trip is lossless, so the knowledge
base can live in a Git repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

INDEX = "index.md"
_SLUG = re.compile(r"[^a-z0-9]+")
_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)


class BadFile(ValueError):
    """A file that is not an entry; the message names what is wrong."""


@dataclass
class Exported:
    """An entry as the files hold it."""

    id: int | None
    question: str
    answer: str
    tags: list[str] = field(default_factory=list)
    author: str = ""  # identity
    author_name: str = ""
    reviewer: str = ""
    reviewer_name: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    reviewed_at: datetime | None = None
    origin: str = "import"
    channel: str = ""
    source_url: str = ""
    source_text: str = ""


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:60] or "entry"


def file_name(entry: Exported) -> str:
    return f"{entry.id:04d}-{slug(entry.question)}.md"


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def to_markdown(entry: Exported) -> str:
    front: dict[str, Any] = {
        "id": entry.id,
        "title": entry.question,
        "tags": entry.tags,
        "authors": [{"name": entry.author_name, "id": entry.author}],
        "reviewed-by": [{"name": entry.reviewer_name, "id": entry.reviewer}]
        if entry.reviewer else [],
        "created": _time(entry.created_at),
        "updated": _time(entry.updated_at),
        "reviewed": _time(entry.reviewed_at),
        "origin": entry.origin,
        "sources": [s for s in (entry.source_url, entry.channel) if s],
    }
    if entry.source_text:
        front["conversation"] = entry.source_text
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n# {entry.question}\n\n{entry.answer.rstrip()}\n"


def _read_time(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise BadFile(f"{what}: expected a time like 2026-12-06T10:00:00+00:00, "
                          f"got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _person(value: Any, what: str) -> tuple[str, str]:
    if not value:
        return "", ""
    if not isinstance(value, list) or not isinstance(value[0], dict):
        raise BadFile(f"{what}: expected a list like [{{name: alice, id: irc:alice}}]")
    first = value[0]
    return str(first.get("id", "")), str(first.get("name", ""))


def from_markdown(text: str) -> Exported:
    """The entry a file holds; BadFile saying what is wrong."""
    found = _FRONT.match(text.replace("\r\n", "\n"))
    if found is None:
        raise BadFile("no front matter: the file must begin with a --- block")
    try:
        front = yaml.safe_load(found.group(1)) or {}
    except yaml.YAMLError as exc:
        raise BadFile(f"front matter is not YAML: {exc}") from None
    if not isinstance(front, dict):
        raise BadFile("front matter must be a mapping")
    body = found.group(2)
    title = str(front.get("title") or "").strip()
    heading, _, answer = body.partition("\n")
    if heading.startswith("# "):
        title = title or heading[2:].strip()
        body = answer
    if not title:
        raise BadFile("no question: give a title in the front matter or a # heading")
    entry_id = front.get("id")
    if entry_id is not None and (not isinstance(entry_id, int) or entry_id < 1):
        raise BadFile(f"id: expected a positive number, got {entry_id!r}")
    tags = front.get("tags") or []
    if not isinstance(tags, list):
        raise BadFile("tags: expected a list like [docs, ci]")
    author, author_name = _person(front.get("authors"), "authors")
    reviewer, reviewer_name = _person(front.get("reviewed-by"), "reviewed-by")
    sources = [str(s) for s in front.get("sources") or []]
    url = next((s for s in sources if "://" in s), "")
    channel = next((s for s in sources if "://" not in s), "")
    return Exported(
        id=entry_id, question=title, answer=body.strip("\n"),
        tags=[str(t).lower() for t in tags], author=author, author_name=author_name,
        reviewer=reviewer, reviewer_name=reviewer_name,
        created_at=_read_time(front.get("created"), "created"),
        updated_at=_read_time(front.get("updated"), "updated"),
        reviewed_at=_read_time(front.get("reviewed"), "reviewed"),
        origin=str(front.get("origin") or "import"), channel=channel, source_url=url,
        source_text=str(front.get("conversation") or ""))


def index(entries: list[Exported], title: str) -> str:
    """``index.md``: every entry by tag (untagged ones last)."""
    by_tag: dict[str, list[Exported]] = {}
    for entry in entries:
        for tag in entry.tags or [""]:
            by_tag.setdefault(tag, []).append(entry)
    lines = ["---", f"title: {yaml.safe_dump(title, width=1000).splitlines()[0]}", "---",
             f"# {title}", ""]
    for tag in sorted(by_tag, key=lambda t: (t == "", t)):
        lines += [f"## {tag or 'Other'}", ""]
        lines += [f"- [{e.question}]({file_name(e)})" for e in by_tag[tag]]
        lines.append("")
    return "\n".join(lines)


def read_folder(folder: Path) -> tuple[list[tuple[Path, Exported]], list[str]]:
    """Every entry file of ``folder`` (not ``index.md``), and what was wrong with others."""
    found: list[tuple[Path, Exported]] = []
    errors: list[str] = []
    for path in sorted(folder.glob("*.md")):
        if path.name == INDEX:
            continue
        try:
            found.append((path, from_markdown(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, BadFile) as exc:
            errors.append(f"{path}: {exc}")
    return found, errors
