"""Which of several ``hatbot run`` processes on one PostgreSQL speaks: the one holding a
PostgreSQL advisory lock on a connection of its own (issue #20).

The lock lives exactly as long as that connection: a leader that is killed loses it the
moment the server sees the connection close, and a standby, trying every second, takes
it. The leader asks its connection every second whether it is alive; when it cannot
tell, it can no longer prove it leads, so it stops speaking at once (``App`` then starts
over as a standby). Only the leader connects to chat and runs scheduled jobs; every
replica serves the web pages and accepts webhooks, whose messages the leader posts
(``storage/outbox.py``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)

LOCK_KEY = 0x4861_7462  # "Hatb": one bot's replicas per database (locks are per database)
CHECK_TIMEOUT = 3.0  # seconds a check of the leader's connection may take


def libpq_url(url: str) -> str:
    """SQLAlchemy's ``postgresql+psycopg://`` as psycopg itself takes it."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql://{rest}" if sep and scheme.startswith("postgresql") else url


class Leadership:
    def __init__(self, url: str) -> None:
        self._url = libpq_url(url)
        self._connection: Any = None

    async def try_lead(self) -> bool:
        """Take the lock if no one holds it; whether this process leads now."""
        import psycopg

        try:
            if self._connection is None or self._connection.closed:
                self._connection = await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True, connect_timeout=5,
                    application_name="hatbot leader")
            cursor = await self._connection.execute("SELECT pg_try_advisory_lock(%s)",
                                                    (LOCK_KEY,))
            row = await cursor.fetchone()
            return bool(row and row[0])
        except psycopg.Error as exc:
            log.warning("leadership: cannot reach the database (%s)", exc)
            await self.close()
            return False

    async def still_leading(self) -> bool:
        """Whether the lock's connection still answers (so the lock is still ours)."""
        import psycopg

        if self._connection is None or self._connection.closed:
            return False
        try:
            await asyncio.wait_for(self._connection.execute("SELECT 1"), CHECK_TIMEOUT)
            return True
        except (psycopg.Error, TimeoutError, OSError):
            return False

    async def close(self) -> None:
        """Let the lock go (closing its connection)."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            try:
                await connection.close()
            except Exception:  # closing a broken connection: nothing left to release
                log.debug("leadership: closing the lock's connection failed", exc_info=True)
