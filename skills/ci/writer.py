"""The batching writer: deliveries go through one writer, in arrival order, which keeps
each repository's changes in order. It takes whatever has queued up as one batch, one
transaction for many deliveries: SQLite has one writer, and every round trip to it
costs more than the work itself."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from hatbot.skill import Address, Context

log = logging.getLogger(__name__)

T = TypeVar("T")
BATCH = 200  # deliveries in one transaction at the most

# Records a batch in one transaction (committed before it returns): whether each item was
# new, and what to say where.
Record = Callable[[Context, list[T]], Awaitable[tuple[list[bool], list[tuple[Address, str]]]]]


class BatchWriter(Generic[T]):
    def __init__(self, record: Record[T], batch: int = BATCH) -> None:
        self._record = record
        self._batch = batch
        self._inbox: asyncio.Queue[tuple[T, asyncio.Future[bool]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def take(self, ctx: Context, item: T) -> bool:
        """Queue ``item``; return once its batch is committed (False: it was not new)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._inbox.put_nowait((item, done))
        if self._task is None or self._task.done():
            self._task = ctx.spawn(self._write, name="writer")
        return await done

    async def _write(self, ctx: Context) -> None:
        """The writer loop, a background task with a context of its own."""
        while True:
            batch = [await self._inbox.get()]
            while not self._inbox.empty() and len(batch) < self._batch:
                batch.append(self._inbox.get_nowait())
            try:
                taken, posts = await self._record(ctx, [item for item, _ in batch])
                for channel, text in posts:
                    await ctx.say(channel, text)
            except Exception as exc:
                log.exception("recording %d deliveries failed", len(batch))
                await ctx.close(failed=True)
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            await ctx.close()
            for (_, done), result in zip(batch, taken, strict=True):
                if not done.done():
                    done.set_result(result)
