"""Outbound flow, written once for every adapter: pacing, fairness, splitting, backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from hatbot.adapter import promise_write
from hatbot.backoff import Backoff
from hatbot.events import Choice

log = logging.getLogger(__name__)
T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up: a steady pace with short bursts."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def delay(self) -> float:
        """Seconds until a token is available (0 when one is)."""
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def consume(self) -> None:
        self._refill()
        self._tokens -= 1

    async def take(self) -> None:
        """Wait for a token and use it (one waiter at a time: the adapter's writer)."""
        wait = self.delay()
        if wait > 0:
            await asyncio.sleep(wait)
        self.consume()


class FairQueue(Generic[T]):
    """Items queued per target and handed out round-robin, so one busy channel cannot starve
    the others. Bounded: when full, the oldest item of the longest queue is dropped."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self._queues: OrderedDict[str, deque[T]] = OrderedDict()
        self._size = 0
        self._ready = asyncio.Event()

    def __len__(self) -> int:
        return self._size

    def put(self, target: str, item: T) -> T | None:
        """Queue ``item``; the item dropped to make room, if the queue was full."""
        dropped = None
        if self._size >= self.limit:
            longest = max(self._queues, key=lambda key: len(self._queues[key]))
            dropped = self._queues[longest].popleft()
            self._size -= 1
            log.warning("outbound queue full: dropped the oldest message for %s", longest)
        self._queues.setdefault(target, deque()).append(item)
        self._size += 1
        self._ready.set()
        return dropped

    def drain(self) -> list[T]:
        """Take every item out (at shutdown: what was never sent)."""
        items = [item for queue in self._queues.values() for item in queue]
        self._queues.clear()
        self._size = 0
        return items

    def put_front(self, target: str, item: T) -> None:
        """Give an item back (it could not be sent); it goes out first for its target."""
        self._queues.setdefault(target, deque()).appendleft(item)
        self._queues.move_to_end(target, last=False)
        self._size += 1
        self._ready.set()

    async def get(self) -> tuple[str, T]:
        while not self._size:
            self._ready.clear()
            await self._ready.wait()
        target, queue = next(iter(self._queues.items()))
        item = queue.popleft()
        self._size -= 1
        del self._queues[target]
        if queue:
            self._queues[target] = queue  # to the back of the round
        return target, item


def split_utf8(text: str, limit: int) -> list[str]:
    """Pieces of ``text`` of at most ``limit`` bytes in UTF-8, cut at spaces where possible
    and never inside a character."""
    if limit < 4:
        raise ValueError("limit must leave room for one character")
    pieces: list[str] = []
    while len(text.encode()) > limit:
        cut = _fit(text, limit)
        space = text.rfind(" ", 0, cut + 1)
        if space > cut // 2:  # a word boundary not too far back
            pieces.append(text[:space])
            text = text[space + 1:]
        else:
            pieces.append(text[:cut])
            text = text[cut:]
    if text or not pieces:
        pieces.append(text)
    return pieces


def _fit(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` bytes."""
    size = 0
    for index, char in enumerate(text):
        size += len(char.encode())
        if size > limit:
            return index
    return len(text)


class LruCache(OrderedDict[K, V]):
    """A dict that forgets its least recently used entries past ``limit``: what an
    adapter remembers about people and channels must not grow with every stranger."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __getitem__(self, key: K) -> V:
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


async def cancel(*tasks: asyncio.Task[None] | None) -> None:
    """Cancel background tasks and wait until they have stopped."""
    for task in tasks:
        if task is not None:
            task.cancel()
    for task in tasks:
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def keep_trying(
    name: str, attempt: Callable[[], Awaitable[None]], errors: tuple[type[Exception], ...]
) -> None:
    """Call ``attempt`` until it succeeds, after a backoff delay each time (the first
    try is the caller's, already failed)."""
    backoff = Backoff(initial=1.0, cap=300.0)
    while True:
        await asyncio.sleep(backoff.next())
        try:
            await attempt()
            return
        except errors as exc:
            log.warning("%s: still cannot connect: %s", name, exc)


@dataclass(frozen=True)
class Outgoing:
    """A message in an adapter's outbox: its body in the platform's own form, the thread
    it goes to, whether it is private, the key the bot knows it by, whether it replaces
    the message of that key instead of being posted, the choices offered under it, and
    who alone sees it (an ephemeral answer)."""

    body: str
    thread: str | None
    direct: bool
    key: str
    edit: bool = False
    choices: tuple[Choice, ...] = ()
    visible_to: str = ""  # the one person who sees it, where the platform can do that


class Retry(Exception):
    """Raised by a delivery function: put the item back and try again after ``after``
    seconds (or after the next backoff delay)."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Outbox(Generic[T]):
    """Everything an adapter sends goes through here: a bounded fair queue, optional
    pacing, one writer task, retries with backoff, and a flush at shutdown. Each item
    keeps the promise ``hatbot.adapter.tally_writes`` asked for, if any, and resolves
    it when the item is written or given up."""

    def __init__(
        self,
        name: str,
        deliver: Callable[[str, T], Awaitable[None]],
        *,
        pace: TokenBucket | None = None,
        ready: asyncio.Event | None = None,
        limit: int = 5000,
    ) -> None:
        self.name = name
        self._deliver = deliver
        self._pace = pace
        self._ready = ready
        self._queue: FairQueue[tuple[T, asyncio.Future[bool] | None]] = FairQueue(limit=limit)
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._queue)

    def put(self, target: str, item: T) -> None:
        self._idle.clear()
        dropped = self._queue.put(target, (item, promise_write()))
        if dropped is not None:
            _settle(dropped[1], written=False)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"{self.name} outbox")

    async def close(self, flush_timeout: float = 30.0) -> None:
        """Deliver what is queued (for at most ``flush_timeout`` seconds), then stop."""
        if not self._idle.is_set():
            try:
                await asyncio.wait_for(self._idle.wait(), flush_timeout)
            except TimeoutError:
                if len(self):  # nothing left undelivered is nothing to warn about
                    log.warning("%s: %d messages not delivered at shutdown", self.name,
                                len(self))
        await cancel(self._task)
        self._task = None
        for _, promise in self._queue.drain():
            _settle(promise, written=False)

    async def _run(self) -> None:
        backoff = Backoff(initial=1.0, cap=60.0)
        while True:
            target, (item, promise) = await self._queue.get()
            try:
                if self._ready is not None:
                    await self._ready.wait()
                if self._pace is not None:
                    await self._pace.take()
                if promise is not None and promise.cancelled():  # withdrawn meanwhile
                    continue
                await self._deliver(target, item)
                _settle(promise, written=True)
                backoff.reset()
            except Retry as retry:
                self._queue.put_front(target, (item, promise))
                delay = retry.after if retry.after is not None else backoff.next()
                log.info("%s: %s; retrying in %.1fs", self.name, retry, delay)
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                # Stopped between taking the item and writing it: still unsent.
                _settle(promise, written=False)
                raise
            except Exception:
                log.exception("%s: cannot deliver to %s; message dropped", self.name, target)
                _settle(promise, written=True)  # refused for good: sending again won't help
            finally:
                self._check_idle()

    def _check_idle(self) -> None:
        if not len(self._queue):
            self._idle.set()


def _settle(promise: asyncio.Future[bool] | None, *, written: bool) -> None:
    if promise is not None and not promise.done():
        promise.set_result(written)
