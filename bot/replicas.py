"""Several ``hatbot run`` processes on one PostgreSQL: one leads, the others stand by.

The leader (``bot/leader.py``) is connected to chat, runs the scheduled jobs, and posts
what standbys kept in the outbox. A standby serves the web pages and webhooks; whatever
it has to say is written to the outbox (``storage/outbox.py``) for the leader to post,
and what a chat platform pushes to it over HTTP (Slack's Events API) goes to the inbox
(``storage/inbox.py``) for the leader's adapter to take.
Each second a standby tries to take the lead, and the leader checks it still holds it.
On SQLite there is one process (the data folder's lock sees to it), always the leader.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from hatbot.adapter import tally_writes
from hatbot.events import Address, Choice, Edit, Outbound, React, Reply, SetTopic
from hatbot.leader import Leadership

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

EVERY = 1.0  # seconds between tries to lead, checks of the lead, and outbox reads
CLOSE_WAIT = 5.0  # seconds the loops get to end at shutdown
# What the leader wrote itself is posted at once; the outbox loop takes it only if that
# failed and this long has passed.
OWN_GRACE = timedelta(seconds=10)
_KINDS: dict[str, type[Any]] = {"Reply": Reply, "SetTopic": SetTopic, "React": React,
                                "Edit": Edit}


def to_row(event: Outbound) -> dict[str, Any]:
    """An outbound event as plain JSON data, for the outbox."""
    data: dict[str, Any] = {"type": type(event).__name__}
    for name, value in vars(event).items():
        data[name] = str(value) if isinstance(value, Address) else value
    if isinstance(event, Reply):
        data["choices"] = [vars(choice) for choice in event.choices]
    return data


def from_row(data: dict[str, Any]) -> Outbound:
    fields = dict(data)
    kind = _KINDS[fields.pop("type")]
    fields["target"] = Address.parse(fields["target"])
    if fields.get("visible_to"):
        fields["visible_to"] = Address.parse(fields["visible_to"])
    if "choices" in fields:
        fields["choices"] = tuple(Choice(**choice) for choice in fields["choices"])
    event: Outbound = kind(**fields)
    return event


class Replicas:
    def __init__(self, url: str, sessions: Callable[[], AsyncSession],
                 send: Callable[[Outbound], Awaitable[bool]],
                 take: Callable[[str, str], Awaitable[None]] | None = None) -> None:
        self.leadership = Leadership(url)
        self.leading = False
        self.failovers = 0  # times this process took the lead from another
        self._sessions = sessions
        self._send = send  # straight to the adapters
        self._take = take  # (adapter name, payload): what a standby relayed, to its adapter
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing = asyncio.Event()
        self._id = uuid.uuid4().hex[:16]
        # Outbox rows handed to an adapter and not yet written: the outbox loop leaves
        # them alone, and a deposed leader withdraws them.
        self._in_flight: dict[int, list[asyncio.Future[bool]]] = {}

    async def _pause(self) -> bool:
        """Wait a moment between tries; False once closing (the loops end on their own:
        cancelling one in the middle of a database call can leave its connection stuck)."""
        try:
            await asyncio.wait_for(self._closing.wait(), EVERY)
        except TimeoutError:
            return True
        return False

    @property
    def role(self) -> str:
        return "leader" if self.leading else "standby"

    @property
    def owner(self) -> str:
        """Whose outbox rows: the leader's are its own to post at once."""
        return f"{self.role}:{self._id}"

    def keep_in(self, session: AsyncSession, event: Outbound) -> Any:
        """Add ``event`` to the outbox in ``session``'s transaction; the row. Its time is
        the machine's, as the outbox loop reads it (not the bot's clock, which tests
        move)."""
        from hatbot.storage import outbox

        return outbox.keep(session, to_row(event), datetime.now(UTC), self.owner)

    async def post_kept(self, row_id: int, event: Outbound) -> bool:
        """Post what this process kept, if it leads; a standby leaves it for the leader.
        The row is deleted once the adapter has written the message, not when it queued
        it: a leader killed with lines in its paced queue leaves their rows to the next
        leader. (A kill between the write and the delete repeats that one message: chat
        platforms take no idempotency key.)"""
        if not self.leading:
            return True
        with tally_writes() as writes:
            accepted = await self._send(event)
        self._in_flight[row_id] = writes
        self._spawn(self._forget_when_written(row_id, writes), f"outbox row {row_id}")
        return accepted

    async def _forget_when_written(self, row_id: int,
                                   writes: list[asyncio.Future[bool]]) -> None:
        from hatbot.storage import outbox

        try:
            if writes:
                await asyncio.wait(writes)
            if all(not w.cancelled() and w.result() for w in writes):
                async with self._sessions() as session:
                    await outbox.sent(session, row_id)
                    await session.commit()
            else:  # given up or withdrawn unwritten: the row waits for a later try
                log.info("outbox row %d not written; kept for the leader", row_id)
        except Exception:
            log.exception("outbox row %d written but not deleted; it may be posted again",
                          row_id)
        finally:
            del self._in_flight[row_id]

    def withdraw(self) -> None:
        """Unwritten kept messages stay unwritten (the lead is lost: another replica will
        post them from their rows)."""
        for writes in self._in_flight.values():
            for write in writes:
                write.cancel()

    async def elect(self) -> bool:
        """Try once to lead (at start); whether this process does."""
        self.leading = await self.leadership.try_lead()
        return self.leading

    def stand_by(self, lead: Callable[[], Awaitable[None]]) -> None:
        """Try to lead every second; once this process does, ``lead()`` starts what a
        leader runs."""
        async def wait() -> None:
            while True:  # polling: the lock can only be asked for, not waited on here
                if await self.leadership.try_lead():
                    break
                if not await self._pause():
                    return
            self.leading = True
            self.failovers += 1
            log.warning("leadership: this replica leads now")
            await lead()
        self._spawn(wait(), "waiting to lead")

    def lead(self, deposed: Callable[[], Awaitable[None]]) -> None:
        """While leading: post what standbys kept, and check each second that the lead
        is still ours; if not, stop speaking at once and call ``deposed()``."""
        async def watch() -> None:
            while await self.leadership.still_leading():
                await self._take_relayed()
                await self._post_kept()
                if not await self._pause():
                    return
            self.leading = False
            self.withdraw()
            log.error("leadership: the database no longer confirms this replica leads; "
                      "it stops speaking and starts over as a standby")
            await self.leadership.close()
            await deposed()
        self._spawn(watch(), "leading")

    async def keep(self, event: Outbound) -> bool:
        """What a standby says goes to the outbox, for the leader."""
        async with self._sessions() as session:
            self.keep_in(session, event)
            await session.commit()
        return True

    async def relay(self, adapter: str, payload: str) -> None:
        """What a standby received for a chat adapter goes to the inbox, for the leader."""
        from hatbot.storage import inbox

        async with self._sessions() as session:
            inbox.keep(session, adapter, payload, datetime.now(UTC))
            await session.commit()

    async def _take_relayed(self) -> None:
        """Hand what standbys relayed to this leader's adapters, oldest first; each row
        goes once its adapter has taken it (a kill in between hands it over again)."""
        from hatbot.storage import inbox

        if self._take is None:
            return
        try:
            async with self._sessions() as session:
                for row_id, adapter, payload in await inbox.waiting(session):
                    if not self.leading:
                        return
                    try:
                        await self._take(adapter, payload)
                    except Exception:  # one bad payload must not block the others
                        log.exception("leadership: %s could not take what a standby "
                                      "relayed; dropped", adapter)
                    await inbox.taken(session, row_id)
                    await session.commit()
        except Exception:  # the database is failing: the lead check says so next
            log.exception("leadership: taking what the standbys relayed failed")

    async def _post_kept(self) -> None:
        from hatbot.storage import outbox

        try:
            async with self._sessions() as session:
                waiting = await outbox.waiting(session, self.owner, datetime.now(UTC),
                                               OWN_GRACE)
            for row_id, data in waiting:
                if not self.leading:
                    return
                if row_id not in self._in_flight:
                    await self.post_kept(row_id, from_row(data))
        except Exception:  # the database is failing: the lead check says so next
            log.exception("leadership: posting what the standbys kept failed")

    def _spawn(self, work: Awaitable[Any], name: str) -> None:
        task = asyncio.ensure_future(work)
        task.set_name(f"replicas: {name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        self._closing.set()
        if self._tasks:
            _, late = await asyncio.wait(list(self._tasks), timeout=CLOSE_WAIT)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self.leadership.close()
