"""Handing work from one skill to another (``ctx.hand_off`` → ``@takes``), through the
``handoffs`` table (storage/handoffs.py): written in the giver's transaction, taken in
the taker's, so it happens once whatever stops when.

Taking runs right after the giving handler has committed, before the event's handling
ends, so what a handoff causes is seen in order (a meeting's decisions are in the
knowledge base when its end is announced); and at start, for what a stop left behind.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hatbot.context import Context
from hatbot.skill import declared

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

Run = Callable[[str, Callable[[Context], Awaitable[Any]], str], Awaitable[Any]]


class Handoffs:
    def __init__(self, run: Run, sessions: Callable[[], AsyncSession]) -> None:
        self._run = run  # a skill's piece of work behind the router's guard
        self._sessions = sessions
        self.takers: dict[str, tuple[str, Callable[..., Awaitable[Any]]]] = {}
        self._taking = False
        self._again = False

    def add_taker(self, skill: str, kind: str, method: Callable[..., Awaitable[Any]]) -> None:
        if kind in self.takers:
            raise TypeError(f"skills {self.takers[kind][0]} and {skill} both take {kind!r} "
                            f"handoffs; one skill takes a kind")
        self.takers[kind] = (skill, method)

    @staticmethod
    def give(session: AsyncSession, kind: str, payload: dict[str, Any], now: datetime
             ) -> None:
        from hatbot.storage import handoffs

        json.dumps(payload)  # a TypeError here, in the giver, not later in the taker
        handoffs.give(session, kind, payload, now)

    async def take(self) -> None:
        """Have every waiting handoff taken. A call while one runs (a taker handing off in
        turn, another channel) only makes the running one look again before it ends."""
        if not self.takers:
            return
        if self._taking:
            self._again = True
            return
        self._taking = True
        failed: set[int] = set()  # tried again at the next call, not in a loop now
        try:
            while True:
                self._again = False
                if not await self._take_batch(failed) and not self._again:
                    return
        finally:
            self._taking = False

    async def _take_batch(self, failed: set[int]) -> bool:
        """Take the waiting handoffs; whether any was taken."""
        from hatbot.storage import handoffs

        async with self._sessions() as session:
            rows = [(row.id, row.kind, row.payload)
                    for row in await handoffs.waiting(session, list(self.takers))
                    if row.id not in failed]
        took = False
        for row_id, kind, payload in rows:
            skill, method = self.takers[kind]
            data = json.loads(payload)

            async def take(ctx: Context, row_id: int = row_id,
                           method: Callable[..., Awaitable[Any]] = method,
                           data: dict[str, Any] = data) -> bool:
                await method(ctx, **declared(method, data))
                await handoffs.taken(ctx.db, row_id, ctx.now())
                return True

            if await self._run(skill, take, f"taking a {kind} handoff") is True:
                took = True
                continue
            failed.add(row_id)
            async with self._sessions() as session:
                await handoffs.failed(session, row_id)
                await session.commit()
        return took
