"""The Adapter interface, and the small host interface the core hands each adapter.

An adapter knows its platform and nothing of skills or the database: it emits
neutral events to the host, sends the replies the host gives it, and keeps its
small state (sync tokens, nick state) in the key-value store the host provides.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from hatbot.events import Address, Edit, Event, Outbound, Person, React, Reply, SetTopic

if TYPE_CHECKING:  # aiohttp loads with the web server, after the adapters started
    from aiohttp import web

log = logging.getLogger(__name__)


class AdapterConfig(BaseModel):
    """Base of every adapter's table in the configuration; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")

    def problems_when_enabled(self) -> list[str]:
        """What would stop the adapter from working, as ``key: reason`` lines; checked by
        ``check-config`` and at start for enabled adapters only (a disabled table may
        keep its placeholders)."""
        return []


class KeyValue(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...

    async def delete(self, key: str) -> None: ...


class Host(Protocol):
    """What the core offers an adapter."""

    @property
    def name(self) -> str:
        """The adapter's table name (``libera`` for ``[adapters.libera]``): the first part
        of every address it makes, so replies find their way back to it."""
        ...

    @property
    def bot_name(self) -> str: ...

    @property
    def kv(self) -> KeyValue: ...

    @property
    def files(self) -> Path:
        """A folder of the adapter's own, for state that is files (Matrix key stores)."""
        ...

    def emit(self, event: Event) -> Awaitable[None]:
        """Hand over an event; awaiting the result waits until every skill handled it."""
        ...

    @property
    def leading(self) -> bool:
        """Whether this process speaks for the bot. A replica standing by
        (``bot/replicas.py``) makes its adapters, so their HTTP endpoints answer, but
        never starts them: what such an endpoint receives goes to the leader (``relay``)."""
        ...

    async def relay(self, payload: str) -> None:
        """Keep ``payload`` (a request's body, already verified) for the leader, whose
        adapter of the same name takes it in ``Adapter.relayed``; stored when this
        returns, so the platform may be told it arrived."""
        ...

    def translate(self, message: str, where: Address | None = None) -> str:
        """``message`` (English, marked ``N_``) in the language of ``where`` (None: the
        bot's own), for the few words an adapter adds itself."""
        ...

    async def home(self, person: Person) -> list[tuple[str, list[str]]]:
        """What ``person`` has open with every skill, as (title, lines of markup) panes:
        their action items, hat tasks, next meetings (Slack's App Home tab)."""
        ...

    def input_finished(self) -> None:
        """The adapter's input has ended for good (console at end of file): the bot stops
        if this adapter was its only one, and runs on otherwise."""
        ...

    def add_route(
        self, method: str, path: str,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> None:
        """Serve an HTTP endpoint on the bot's web server (call it from ``__init__``:
        routes are fixed once the server starts)."""
        ...


C = TypeVar("C", bound=AdapterConfig)

# A message kept in the outbox (bot/replicas.py) may only leave it once it is written to
# the platform, not merely queued: a leader killed with lines in its paced queue must
# leave them to the next leader. Rather than make every adapter's ``send`` return
# something, the caller opens a tally around it and each queued item adds a promise.
_tally: ContextVar[list[asyncio.Future[bool]] | None] = ContextVar("hatbot_writes",
                                                                    default=None)


@contextmanager
def tally_writes() -> Iterator[list[asyncio.Future[bool]]]:
    """The promises of every item an adapter queues inside the block: each resolves True
    once written (or refused for good), False when given up unwritten (queue overflow,
    shutdown). Cancelling one withdraws its item: the queue skips it. An adapter that
    writes at once queues nothing, so an empty tally means written."""
    writes: list[asyncio.Future[bool]] = []
    token = _tally.set(writes)
    try:
        yield writes
    finally:
        _tally.reset(token)


def promise_write() -> asyncio.Future[bool] | None:
    """For an adapter's queue taking an item: the promise to resolve when the item is
    written, if someone is counting (None otherwise)."""
    writes = _tally.get()
    if writes is None:
        return None
    promise: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    writes.append(promise)
    return promise


class Status:
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"


class Adapter(abc.ABC, Generic[C]):
    platform: ClassVar[str]
    config_model: ClassVar[type[AdapterConfig]] = AdapterConfig
    # The outbound event types this platform has; anything else is a logged no-op.
    supports: ClassVar[frozenset[type]] = frozenset({Reply})

    def __init__(self, config: C, host: Host) -> None:
        self.config = config
        self.host = host
        # Addresses begin with this, not with ``platform``: two IRC networks in one
        # process are ``libera:#nova`` and ``oftc:#nova``.
        self.instance = host.name
        self.status = Status.DISCONNECTED

    @abc.abstractmethod
    async def start(self) -> None:
        """Connect and begin emitting events; return once running (reconnects are internal)."""

    @abc.abstractmethod
    async def send(self, reply: Reply) -> None:
        """Deliver (or queue for delivery) one reply; it must not be lost once accepted."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Stop reading, deliver every queued reply, then disconnect."""

    async def deliver(self, event: Outbound) -> bool:
        """Carry out one outbound event; False where the platform has no such thing (a
        logged no-op, never an exception) or refused it."""
        if type(event) not in self.supports:
            log.info("%s: %s has no %s; skipped", self.instance, self.platform,
                     type(event).__name__)
            return False
        if isinstance(event, Reply):
            await self.send(event)
            return True
        if isinstance(event, SetTopic):
            return await self.set_topic(event.target, event.topic)
        if isinstance(event, React):
            return await self.react(event)
        return await self.edit(event)

    async def relayed(self, payload: str) -> None:
        """Take what a standby replica received on this adapter's endpoint
        (``Host.relay``), as if it had come straight from the platform."""
        log.warning("%s: cannot take what a standby relayed; dropped", self.instance)

    async def set_topic(self, channel: Address, topic: str) -> bool:
        """Set a channel's topic where the platform has one; False where it cannot (no
        such thing, or the bot lacks the right). Never raises for a refusal."""
        return False

    async def react(self, reaction: React) -> bool:
        """Put an emoji on a message; False where refused."""
        return False

    async def edit(self, edit: Edit) -> bool:
        """Change a message the bot sent (by its ``Reply.key``); False where it cannot (not
        sent yet, long forgotten, or refused)."""
        return False

