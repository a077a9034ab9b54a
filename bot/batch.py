"""Group commit: many handlers' writes in one transaction, each handler still waiting
until its own write is committed.

SQLite has one writer, and every transaction costs a few round trips to it, more than
a small insert itself. A ``BatchWriter`` queues items from any number of handlers; one
background task takes whatever has queued up (up to ``batch``) and records it in one
transaction. Nobody waits for a timer: while one batch is being written the next one
gathers, so a quiet bot writes each item at once and a busy one writes many together.
Items are recorded in the order they were taken, which keeps each channel's order.

``take`` waits for the commit; ``put`` does not, for a handler with nothing to do after
its write (a meeting's chatter): the channel's next message need not wait for the disk.
Nothing is promised before the commit either way, because the bot says nothing until
every accepted write is in (``Context.send`` waits for ``Unsaved``). For the same reason a
record function must not speak itself: it returns what its handlers should say.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from hatbot.context import Context

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
BATCH = 200  # items in one transaction at the most

# Records a batch and commits it before returning one result per item, in order.
Record = Callable[[Context, list[T]], Awaitable[list[R]]]


class BatchWriter(Generic[T, R]):
    def __init__(self, record: Record[T, R], batch: int = BATCH, name: str = "writer") -> None:
        self._record = record
        self._batch = batch
        self._name = name
        self._inbox: asyncio.Queue[tuple[T, asyncio.Future[R]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._failing: Exception | None = None  # the last batch's error, until one succeeds

    async def take(self, ctx: Context, item: T) -> R:
        """Queue ``item``; return its result once its batch is committed. A failed batch
        raises its error in every handler that had an item in it."""
        return await self._queue(ctx, item)

    def put(self, ctx: Context, item: T) -> asyncio.Future[R]:
        """Queue ``item`` and go on; the future holds its result once it is committed.

        While the writer's batches fail (a locked or full disk), the item is queued all
        the same and the last error is raised, so the handler's guard can say so."""
        done = self._queue(ctx, item)
        if self._failing is not None:
            raise self._failing
        return done

    def _queue(self, ctx: Context, item: T) -> asyncio.Future[R]:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._inbox.put_nowait((item, done))
        ctx.runtime.unsaved.add(ctx.channel, done)
        if self._task is None or self._task.done():
            self._task = ctx.spawn(self._write, name=self._name)
        return done

    async def _write(self, ctx: Context) -> None:
        """The writer loop, a background task with a context of its own."""
        while True:
            batch = [await self._inbox.get()]
            while not self._inbox.empty() and len(batch) < self._batch:
                batch.append(self._inbox.get_nowait())
            try:
                results = await self._record(ctx, [item for item, _ in batch])
            except Exception as exc:
                log.exception("%s: recording %d items failed", self._name, len(batch))
                self._failing = exc
                await ctx.close(failed=True)
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            await ctx.close()
            self._failing = None
            for (_, done), result in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(result)
