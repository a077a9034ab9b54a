"""Per-channel ordered queues: one channel's events in arrival order, channels side by side.

Each conversation (channel, or DM peer) gets a worker task while it has events
waiting; a slow handler in one channel never delays another.

A dispatcher made ``held`` queues events without handling them until ``release``: the
bot's adapters start before its skills have loaded (``App.start``), and what is heard
meanwhile is handled, in order, once they have.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from hatbot.events import Address, Event

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(
        self,
        handle: Callable[[Event], Awaitable[None]],
        on_depth: Callable[[int], None] = lambda depth: None,
        *,
        held: bool = False,
    ) -> None:
        self._handle = handle
        self._held = held
        self._on_depth = on_depth
        self._queues: dict[Address, deque[tuple[Event, asyncio.Future[None]]]] = {}
        self._workers: dict[Address, asyncio.Task[None]] = {}
        self._depth = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def depth(self) -> int:
        """Events accepted and not yet fully handled."""
        return self._depth

    def submit(self, event: Event) -> asyncio.Future[None]:
        """Queue an event; the future resolves once every handler has finished with it."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        key = event.channel
        self._queues.setdefault(key, deque()).append((event, done))
        self._set_depth(self._depth + 1)
        if key not in self._workers and not self._held:
            self._start(key)
        return done

    @property
    def held(self) -> bool:
        return self._held

    def release(self) -> None:
        """Handle what was queued while held, and from now on every event as it comes."""
        self._held = False
        for key in list(self._queues):
            if key not in self._workers:
                self._start(key)

    def drop_held(self) -> int:
        """Give up what was queued while held (the bot failed to start); how many."""
        dropped = 0
        if self._held:
            for key, queue in list(self._queues.items()):
                for _, done in queue:
                    done.cancel()
                dropped += len(queue)
                del self._queues[key]
            self._set_depth(self._depth - dropped)
        return dropped

    def _start(self, key: Address) -> None:
        self._workers[key] = asyncio.create_task(self._work(key), name=f"dispatch {key}")

    async def drain(self) -> None:
        """Wait until every accepted event has been handled."""
        await self._idle.wait()

    async def _work(self, key: Address) -> None:
        queue = self._queues[key]
        try:
            while queue:
                event, done = queue.popleft()
                try:
                    await self._handle(event)
                except Exception:
                    # The router isolates skills; this guards the queue against the router.
                    log.exception("handling failed for %r", event)
                finally:
                    self._set_depth(self._depth - 1)
                    if not done.done():
                        done.set_result(None)
        finally:
            for _, done in queue:
                done.cancel()
            del self._queues[key]
            del self._workers[key]

    def _set_depth(self, depth: int) -> None:
        self._depth = depth
        self._on_depth(depth)
        if depth == 0:
            self._idle.set()
        else:
            self._idle.clear()
