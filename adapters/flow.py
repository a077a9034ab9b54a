"""Outbound flow, written once for every adapter: pacing, fairness, splitting, backoff."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


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

    def put(self, target: str, item: T) -> None:
        if self._size >= self.limit:
            longest = max(self._queues, key=lambda key: len(self._queues[key]))
            self._queues[longest].popleft()
            self._size -= 1
            log.warning("outbound queue full: dropped the oldest message for %s", longest)
        self._queues.setdefault(target, deque()).append(item)
        self._size += 1
        self._ready.set()

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


class Backoff:
    """Exponential reconnect delays with jitter, capped: never a tight loop, never in step
    with every other client that lost the same server."""

    def __init__(self, initial: float = 1.0, cap: float = 300.0, factor: float = 2.0,
                 rng: random.Random | None = None) -> None:
        self.initial = initial
        self.cap = cap
        self.factor = factor
        self._rng = rng or random.Random()
        self.attempts = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.initial * self.factor ** self.attempts)
        self.attempts += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.attempts = 0
