"""An in-process adapter: events go in by method call, replies are kept in a list.

For tests, benchmarks and embedding Hatbot in another program. Not a chat
platform, so it is not registered as an entry point.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable

from hatbot.adapter import Adapter, AdapterConfig, Host, Status
from hatbot.events import (
    Address,
    Choice,
    Edit,
    Event,
    Message,
    Person,
    React,
    Reply,
    SetTopic,
)

PLATFORM = "memory"


class MemoryAdapter(Adapter[AdapterConfig]):
    platform = PLATFORM
    supports = frozenset({Reply, SetTopic, React, Edit, Choice})

    def __init__(self, config: AdapterConfig, host: Host) -> None:
        super().__init__(config, host)
        self.sent: list[Reply] = []
        self.topics: list[tuple[Address, str]] = []
        self.reactions: list[React] = []
        self.edits: list[Edit] = []
        self._ids = itertools.count(1)

    async def start(self) -> None:
        self.status = Status.CONNECTED

    async def send(self, reply: Reply) -> None:
        self.sent.append(reply)

    async def set_topic(self, channel: Address, topic: str) -> bool:
        self.topics.append((channel, topic))
        return True

    async def react(self, reaction: React) -> bool:
        self.reactions.append(reaction)
        return True

    async def edit(self, edit: Edit) -> bool:
        if not any(r.key == edit.key for r in self.sent):
            return False
        self.edits.append(edit)
        return True

    def next_id(self) -> str:
        """An id for a message said here, as a platform gives one."""
        return str(next(self._ids))

    async def stop(self) -> None:
        self.status = Status.DISCONNECTED

    def emit(self, event: Event) -> Awaitable[None]:
        return self.host.emit(event)

    async def say(
        self, text: str, *, nick: str = "alice", channel: str = "#test", direct: bool = False
    ) -> list[Reply]:
        """Say ``text`` as ``nick``; return the replies sent while it was handled."""
        before = len(self.sent)
        sender = person(nick)
        where = sender.address if direct else Address(PLATFORM, channel)
        await self.emit(Message(channel=where, sender=sender, text=text, is_direct=direct,
                                id=self.next_id()))
        return self.sent[before:]


def person(nick: str, *, verified: bool = True, display_name: str = "") -> Person:
    """A memory-platform person; ``verified=False`` has no account, like an unidentified nick."""
    address = Address(PLATFORM, nick)
    return Person(address=address, display_name=display_name or nick,
                  account=address if verified else None)
