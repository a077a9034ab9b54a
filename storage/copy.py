"""``hatbot db copy``: every table of one database into another, when a community moves
from the embedded SQLite file to PostgreSQL.

The target is migrated first (by the caller) so that it has the same schema, with its
own search indexes; then each table is copied in the order its foreign keys need, a batch
at a time, in one transaction: a copy that fails leaves the target as it was. Tables that
no migration makes (the scheduler's ``apscheduler_jobs``) are made in the target from the
source's columns. SQLite's full-text tables are not copied: PostgreSQL indexes the rows
itself. Row counts are compared at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Integer, MetaData, Select, Table, func, select, text
from sqlalchemy.engine import make_url

from hatbot.storage.db import SCHEMA_KEY, sync_engine

BATCH = 2000
NOT_COPIED = {"alembic_version"}  # the target's own, checked equal instead
_FTS_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


class CopyError(Exception):
    """Why the copy was refused or failed; nothing was written."""


@dataclass(frozen=True)
class Copied:
    table: str
    source_rows: int
    target_rows: int


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _fts_tables(engine: Engine) -> set[str]:
    """SQLite's full-text tables and the tables they keep their index in."""
    if engine.dialect.name != "sqlite":
        return set()
    with engine.connect() as conn:
        virtual = [row[0] for row in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND sql LIKE 'CREATE VIRTUAL TABLE%'"))]
    return set(virtual) | {name + suffix for name in virtual for suffix in _FTS_SHADOWS}


def _tables(engine: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(engine)
    for name in _fts_tables(engine) | NOT_COPIED:
        if name in metadata.tables:
            metadata.remove(metadata.tables[name])
    return metadata


def _rows(table: Table) -> Select[Any]:
    """The rows of ``table`` worth copying: not the target's own schema fingerprint."""
    query = select(table)
    if table.name == "kv":
        query = query.where(~((table.c.namespace == SCHEMA_KEY[0])
                              & (table.c.key == SCHEMA_KEY[1])))
    return query


def _count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(_rows(table).subquery()))
                   .scalar_one())


def _versions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def copy(source_url: str, target_url: str, *, replace: bool = False,
         progress: Callable[[int], None] | None = None,
         total: Callable[[int], None] | None = None) -> list[Copied]:
    """Copy every table of ``source_url`` into ``target_url`` (both migrated alike).
    ``total`` hears the number of rows to copy, ``progress`` each batch's."""
    source, target = sync_engine(source_url), sync_engine(target_url)
    try:
        if target.dialect.name == "sqlite":
            raise CopyError("the target must be PostgreSQL: a copy into SQLite would need "
                            "its search index rebuilt; keep the SQLite file instead")
        if _versions(source) != _versions(target):
            raise CopyError(f"the two databases are at different migrations "
                            f"({sorted(_versions(source))} and {sorted(_versions(target))}); "
                            f"run the same Hatbot with the same skills on both")
        tables = _tables(source)
        existing = _tables(target)
        missing = [t for t in tables.sorted_tables if t.name not in existing.tables]
        ordered = list(tables.sorted_tables)
        counts = {t.name: _count(source, t) for t in ordered}
        if not replace:
            full = [f"{t.name} ({n} rows)" for t in existing.sorted_tables
                    if (n := _count(target, t))]
            if full:
                raise CopyError(f"{shown(target_url)} is not empty: {', '.join(full[:5])}; "
                                f"--replace empties its tables first")
        if total is not None:
            total(sum(counts.values()))
        with target.begin() as out:
            for table in missing:  # the scheduler's table: no migration makes it
                made = table.to_metadata(MetaData())
                for column in made.columns:
                    column.type = column.type.as_generic()
                made.create(out)
            existing = MetaData()
            existing.reflect(out)
            if replace:
                for table in reversed(existing.sorted_tables):
                    if table.name in tables.tables and table.name not in NOT_COPIED:
                        out.execute(table.delete())
            for table in ordered:
                into = existing.tables[table.name]
                names = [c.name for c in table.columns if c.name in into.columns]
                with source.connect() as reading:
                    result = reading.execution_options(stream_results=True).execute(
                        _rows(table))
                    for batch in result.mappings().partitions(BATCH):
                        out.execute(into.insert(), [{n: row[n] for n in names}
                                                    for row in batch])
                        if progress is not None:
                            progress(len(batch))
            _move_sequences(out, existing, ordered)
        return [Copied(t.name, counts[t.name], _count(target, existing.tables[t.name]))
                for t in ordered]
    finally:
        source.dispose()
        target.dispose()


def _move_sequences(out: Connection, existing: MetaData, tables: list[Table]) -> None:
    """PostgreSQL's id sequences past the ids copied, so the next row gets a new one."""
    for table in tables:
        into = existing.tables[table.name]
        keys = list(into.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0].name
        out.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
            f"coalesce((SELECT max({column}) FROM {table.name}), 1)) "
            f"WHERE pg_get_serial_sequence('{table.name}', '{column}') IS NOT NULL"))
