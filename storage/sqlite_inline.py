"""SQLite on the event loop's own thread, in the shape SQLAlchemy's aiosqlite dialect
expects of an aiosqlite connection.

aiosqlite runs each connection in a thread of its own and hands every call over to it:
opening a cursor, executing, fetching and closing are four round trips between threads
for one SELECT, 100 to 400 µs each on a busy two-core machine, while SQLite itself answers
our statements in microseconds. A join that welcomed a newcomer took 16 such trips.

Here the calls run where they are made. That is safe because nothing in the bot waits
inside SQLite: in this process writers take turns before they reach it (``db.sessions``)
and WAL readers never wait for a writer. What a statement costs, it costs every channel;
our statements are small and indexed (``bench/``), and a long one is a bug to fix there.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        if parameters is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunAtOnce:
    """Stands in for aiosqlite's request queue, which SQLAlchemy's isolation-level
    setter feeds directly: the function runs at once and its future is answered."""

    def put_nowait(self, request: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = request
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class InlineConnection:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection  # None once closed
        self._tx = _RunAtOnce()

    def cursor(self) -> InlineCursor:
        # SQLAlchemy enters the result with ``__aenter__`` (aiosqlite's is a context manager).
        return InlineCursor(self._live().cursor())

    async def commit(self) -> None:
        self._live().commit()

    async def rollback(self) -> None:
        self._live().rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close at once (SQLAlchemy's forced close); a second close does nothing."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._live().create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def _live(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("Connection closed")
        return self._connection


def connector(database: str) -> Callable[[], Any]:
    """The ``async_creator`` for ``create_async_engine``: connections to ``database``."""

    async def connect() -> InlineConnection:
        # The pool may close a connection from the garbage collector's thread.
        return InlineConnection(sqlite3.connect(database, check_same_thread=False))

    return connect
