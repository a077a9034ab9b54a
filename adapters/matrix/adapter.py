"""The Matrix adapter, on matrix-nio's AsyncClient.

The bot logs in once with its password and keeps the device id and access token
in its key-value store, so a restart is the same device. It stores the sync
token after every sync: after a restart it neither replays old messages as new
nor misses the ones sent while it was down. Replies go out as ``m.notice`` (bots
should not trigger other bots), with an HTML ``formatted_body``.

End-to-end encryption works when the ``e2e`` extra is installed (matrix-nio with
vodozemac); the keys live in a store under the bot's data folder, tied to the
stored device. Without it, the bot says once in an encrypted room that it cannot
read it, instead of staying silent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    JoinError,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    ReactionEvent,
    RoomMemberEvent,
    RoomMessageEmote,
    RoomMessageText,
    RoomPutStateError,
    RoomSendError,
    SyncResponse,
    WhoamiError,
)
from nio.crypto import ENCRYPTION_ENABLED

from hatbot.adapter import Adapter, Host, Status
from hatbot.adapters.flow import LruCache, Outbox, Outgoing, Retry, cancel, keep_trying
from hatbot.adapters.matrix.config import MatrixConfig
from hatbot.adapters.matrix.content import (
    REACT_HINT,
    annotation,
    command_for_reaction,
    notice,
    replacement,
)
from hatbot.adapters.matrix.rooms import Rooms
from hatbot.backoff import Backoff
from hatbot.events import (
    Address,
    Edit,
    Invoke,
    Join,
    Message,
    Part,
    Person,
    React,
    Reaction,
    Reply,
    SetTopic,
)

log = logging.getLogger(__name__)

PLATFORM = "matrix"
SYNC_TIMEOUT_MS = 30_000
SENT_REMEMBERED = 1000  # the bot's recent messages, by reply key, for edits



ENCRYPTED_NOTICE = ("I cannot read encrypted messages in this room: Hatbot runs here without "
                    "end-to-end encryption. Invite me to an unencrypted room instead.")


class MatrixAdapter(Adapter[MatrixConfig]):
    platform = PLATFORM
    supports = frozenset({Reply, SetTopic, React, Edit})
    config_model = MatrixConfig

    def __init__(self, config: MatrixConfig, host: Host) -> None:
        super().__init__(config, host)
        # nio would retry failed requests forever on its own; the adapter's one backoff
        # (sync) and outbox (sends, 429 included) do it instead, visibly and bounded.
        self.encrypted = config.encryption and ENCRYPTION_ENABLED
        store = host.files / "keys"
        if self.encrypted:
            store.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(config.homeserver, config.user_id,
                                  store_path=str(store) if self.encrypted else "",
                                  config=AsyncClientConfig(encryption_enabled=self.encrypted,
                                                           store_sync_tokens=False,
                                                           max_timeouts=0,
                                                           max_limit_exceeded=0))
        self._outbox: Outbox[Outgoing] = Outbox("matrix", self._deliver)
        # The bot's recent messages: reply key → (room, event id), for edits.
        self._sent: LruCache[str, tuple[str, str]] = LruCache(SENT_REMEMBERED)
        # The bot's messages with choices, by event id (their content says what each
        # reaction means); reactions acted on, so each person's counts once.
        self._with_choices: LruCache[str, dict[str, Any]] = LruCache(SENT_REMEMBERED)
        self._acted: LruCache[tuple[str, str, str], None] = LruCache(SENT_REMEMBERED)
        self._known: set[str] = set()  # rooms joined before the latest sync
        self._task: asyncio.Task[None] | None = None
        self._warned_rooms: set[str] = set()
        self._rooms = Rooms(self.client, host.kv)
        self.requests = 0  # sync requests made, for tests of the backoff

    @property
    def server_name(self) -> str:
        return self.config.user_id.split(":", 1)[-1]

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """A login the homeserver refuses stops the bot with its reason; a homeserver
        that cannot be reached is retried in the background while the bot runs."""
        self.status = Status.CONNECTING
        logged_in = True
        try:
            await self._log_in()
        except (ClientError, TimeoutError, OSError) as exc:
            log.warning("matrix: cannot reach %s (%s); retrying", self.config.homeserver, exc)
            logged_in = False
        # Started only now: a retry must never race the first login (a second device).
        self._task = asyncio.create_task(self._run(logged_in), name="matrix sync")

    async def _run(self, logged_in: bool) -> None:
        if not logged_in:
            await keep_trying("matrix", self._log_in,
                              (ClientError, TimeoutError, OSError, RuntimeError))
        await self._sync_forever()

    async def stop(self) -> None:
        await self._outbox.close()
        await cancel(self._task)
        await self.client.close()
        self.status = Status.DISCONNECTED

    async def _log_in(self) -> None:
        """Reuse the stored device, else the configured token, else log in by password."""
        kv = self.host.kv
        device, token = await kv.get("device_id"), await kv.get("access_token")
        if device and token:
            self.client.restore_login(self.config.user_id, device, token)
        elif self.config.access_token.get_secret_value():
            await self._use_token(self.config.access_token.get_secret_value())
        else:
            response = await self.client.login(self.config.password.get_secret_value(),
                                               device_name="Hatbot")
            if not isinstance(response, LoginResponse):
                raise RuntimeError(f"matrix: login as {self.config.user_id} failed: "
                                   f"{getattr(response, 'message', response)}")
            await kv.set("device_id", response.device_id)
            await kv.set("access_token", response.access_token)
        self.client.next_batch = await kv.get("next_batch") or ""
        self._log_device()

    def _log_device(self) -> None:
        """The device and, when encrypting, its key: what people compare with Element's
        (the bot's profile → Sessions) to know its messages come from it (README)."""
        olm = self.client.olm
        key = olm.account.identity_keys.get("ed25519", "") if olm is not None else ""
        log.info("matrix: device %s of %s%s", self.client.device_id, self.config.user_id,
                 f", key {key}" if key else " (no encryption)")

    async def _use_token(self, token: str) -> None:
        """A configured token: the homeserver says which device it belongs to."""
        self.client.user_id, self.client.access_token = self.config.user_id, token
        who = await self.client.whoami()
        device = getattr(who, "device_id", None)
        if isinstance(who, WhoamiError):
            if who.status_code in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_FORBIDDEN"):
                raise RuntimeError(f"matrix: the access_token of {self.config.user_id} was "
                                   f"refused: {who.message}")
            raise OSError(f"whoami failed: {who.message}")  # unreachable: retried
        if device:
            self.client.restore_login(self.config.user_id, device, token)
            await self.host.kv.set("device_id", device)

    async def _sync_forever(self) -> None:
        backoff = Backoff(initial=1.0, cap=300.0)
        first = True
        while True:
            # With no stored token everything in the first sync is history, not news. The
            # first sync after a restart asks for full state too: nothing is kept on disk.
            resuming = bool(self.client.next_batch)
            try:
                self.requests += 1
                response = await self.client.sync(
                    timeout=0 if first else SYNC_TIMEOUT_MS,
                    since=self.client.next_batch or None, full_state=first)
            except (ClientError, TimeoutError, OSError) as exc:
                response = exc
            if not isinstance(response, SyncResponse):
                self.status = Status.DISCONNECTED
                delay = backoff.next()
                log.warning("matrix: sync failed (%s); again in %.1fs", response, delay)
                await asyncio.sleep(delay)
                continue
            backoff.reset()
            self.status = Status.CONNECTED
            await self._tend_keys()
            if first:
                await self._rooms.resolve_configured(self.config.rooms)
            if first:
                self._known.update(response.rooms.join)
            await self._process(response, news=resuming or not first)
            await self.host.kv.set("next_batch", response.next_batch)
            if first:
                await self._join_rooms()
                first = False

    async def _process(self, response: SyncResponse, news: bool) -> None:
        """Hand over what happened since the last sync (``news``: else it is history).
        A room the bot has just joined brings its history along: only what follows the
        bot's own join is news. Invitations are answered either way."""
        for room_id, info in response.rooms.join.items() if news else ():
            news = room_id in self._known
            self._known.add(room_id)
            room = self.client.rooms.get(room_id)
            if room is None:
                continue
            for event in info.timeline.events:
                if not news:
                    news = isinstance(event, RoomMemberEvent) and self._mine(event.state_key) \
                        and event.membership == "join"
                    continue
                if isinstance(event, RoomMessageText | RoomMessageEmote):
                    await self._on_text(room, event)
                elif isinstance(event, RoomMemberEvent):
                    await self._on_member(room, event)
                elif isinstance(event, ReactionEvent):
                    await self._on_reaction(room, event)
                elif isinstance(event, MegolmEvent):
                    await self._on_encrypted(room, event)
        for room_id, invited in response.rooms.invite.items():
            for event in invited.invite_state:
                if isinstance(event, InviteMemberEvent):
                    await self._on_invite(room_id, event)

    async def _tend_keys(self) -> None:
        """What an encrypting client owes after a sync: its own keys published, and the
        keys of the people it shares rooms with fetched, so its messages reach them."""
        if self.client.olm is None:
            return
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        if self.client.should_query_keys:
            await self.client.keys_query()
        if self.client.should_claim_keys:
            await self.client.keys_claim(self.client.get_users_for_key_claiming())

    async def _join_rooms(self) -> None:
        for room in self.config.rooms:
            result = await self.client.join(room)
            if isinstance(result, JoinError):
                log.error("matrix: cannot join %s: %s", room, result.message)
            else:
                self._rooms.configured.add(result.room_id)

    # --- receiving --------------------------------------------------------------------

    def _channel(self, room_id: str) -> Address:
        return Address(self.instance, self._rooms.name(room_id))

    def _mine(self, sender: str) -> bool:
        return bool(sender == self.client.user_id)

    def _person(self, room: MatrixRoom, user: str) -> Person:
        """The homeserver vouches for user ids; names are per room, as Matrix shows them."""
        address = Address(self.instance, user)
        return Person(address=address, display_name=room.user_name(user) or user,
                      account=address)

    async def _on_text(self, room: MatrixRoom, event: RoomMessageText | RoomMessageEmote) -> None:
        if self._mine(event.sender):
            return
        content = event.source.get("content", {})
        relation = content.get("m.relates_to") or {}
        thread = relation.get("event_id") if relation.get("rel_type") == "m.thread" else None
        sender = self._person(room, event.sender)
        direct = await self._is_direct(room, event.sender)
        self.host.emit(Message(
            channel=sender.address if direct else self._channel(room.room_id),
            channel_name="" if direct else room.display_name,
            sender=sender, text=event.body,
            ts=datetime.fromtimestamp(event.server_timestamp / 1000, UTC), thread=thread,
            is_direct=direct, id=event.event_id,
            is_action=isinstance(event, RoomMessageEmote)))

    async def _on_reaction(self, room: MatrixRoom, event: ReactionEvent) -> None:
        if self._mine(event.sender):
            return
        person = self._person(room, event.sender)
        self.host.emit(Reaction(
            channel=self._channel(room.room_id), person=person,
            message_id=event.reacts_to, emoji=event.key,
            ts=datetime.fromtimestamp(event.server_timestamp / 1000, UTC)))
        await self._choose_by_reaction(room, event.reacts_to, event.key, person)

    async def _choose_by_reaction(self, room: MatrixRoom, event_id: str, emoji: str,
                                  person: Person) -> None:
        """A reaction on one of the bot's messages that one of its choices names runs
        that choice's command, once per person, read from the message as the
        homeserver keeps it (so a message from before a restart works too)."""
        once = (event_id, emoji, person.address.id)
        if once in self._acted:
            return
        content = self._with_choices.get(event_id)
        if content is None:
            try:
                found = await self.client.room_get_event(room.room_id, event_id)
            except (ClientError, TimeoutError, OSError) as exc:
                log.warning("matrix: cannot read %s to see what a reaction means: %s",
                            event_id, exc)
                return
            source = getattr(getattr(found, "event", None), "source", None) or {}
            content = source.get("content", {}) if self._mine(source.get("sender", "")) \
                else {}
        command = command_for_reaction(content, emoji)
        if not command:
            return
        self._acted[once] = None
        direct = await self._is_direct(room, person.address.id)
        self.host.emit(Invoke(channel=person.address if direct else self._channel(room.room_id),
                              sender=person, text=command, message_id=event_id))

    async def _is_direct(self, room: MatrixRoom, sender: str) -> bool:
        """A room of just the bot and one person, with no name: a direct chat. Remembered,
        so replies to that person go there."""
        if room.room_id in self._rooms.configured or room.member_count != 2 or room.name \
                or room.canonical_alias:
            return False
        key = f"dm:{sender}"
        if await self.host.kv.get(key) != room.room_id:
            await self.host.kv.set(key, room.room_id)
        return True

    async def _on_member(self, room: MatrixRoom, event: RoomMemberEvent) -> None:
        if self._mine(event.state_key):
            return
        before, now = event.prev_membership, event.membership
        person = self._person(room, event.state_key)
        channel = self._channel(room.room_id)
        if now == "join" and before != "join":
            self.host.emit(Join(channel=channel, person=person))
        elif now in ("leave", "ban") and before == "join":
            self.host.emit(Part(channel=channel, person=person))
        # join → join is a profile change (name, avatar): not an arrival.

    async def _on_invite(self, room_id: str, event: InviteMemberEvent) -> None:
        if event.state_key != self.client.user_id or event.membership != "invite":
            return
        allowed = self.config.invite_servers or [self.server_name]
        server = event.sender.split(":", 1)[-1]
        if server in allowed:
            await self.client.join(room_id)
        else:
            log.info("matrix: ignored an invite to %s from %s", room_id, event.sender)

    async def _on_encrypted(self, room: MatrixRoom, event: MegolmEvent) -> None:
        """An event nio could not decrypt. Without encryption support, say so once."""
        if self.client.olm is None and room.room_id not in self._warned_rooms:
            self._warned_rooms.add(room.room_id)
            self._outbox.put(room.room_id, Outgoing(ENCRYPTED_NOTICE, None, False, ""))

    # --- sending ----------------------------------------------------------------------

    async def send(self, reply: Reply) -> None:
        self._outbox.put(reply.target.id, Outgoing(reply.markup_text, reply.thread,
                                                    reply.direct, reply.key,
                                                    choices=reply.choices))

    async def edit(self, edit: Edit) -> bool:
        # Through the outbox, behind the message it changes, which may still be queued.
        self._outbox.put(edit.target.id, Outgoing(edit.markup_text, None, False, edit.key,
                                                   edit=True))
        return True

    async def react(self, reaction: React) -> bool:
        try:
            room = await self._rooms.target(reaction.target.id)
            answer = await self.client.room_send(
                room, "m.reaction", annotation(reaction.message_id, reaction.emoji),
                ignore_unverified_devices=True)
        except (ClientError, TimeoutError, OSError, RuntimeError) as exc:
            log.warning("matrix: cannot react on %s: %s", reaction.target.id, exc)
            return False
        if isinstance(answer, RoomSendError):
            log.warning("matrix: reaction on %s refused: %s", reaction.target.id,
                        answer.message)
            return False
        return True

    async def _deliver(self, target: str, message: Outgoing) -> None:
        if message.edit:
            sent = self._sent.get(message.key)
            if sent is None:
                log.warning("matrix: cannot edit a message it does not remember")
                return
            room, body = sent[0], replacement(message.body, sent[1])
        else:
            room = await self._rooms.direct(target) if message.direct \
                else await self._rooms.room_id(target)
            # Only a message with choices has a hint line to word in the room's language.
            hint = self.host.translate(REACT_HINT, None if message.direct else Address(
                self.instance, target)) if message.choices else REACT_HINT
            body = notice(message.body, message.thread, message.choices, hint)
        try:
            response = await self.client.room_send(room, "m.room.message", body,
                                                   ignore_unverified_devices=True)
        except (ClientError, TimeoutError, OSError) as exc:
            raise Retry(f"cannot reach the homeserver ({exc})") from None
        if isinstance(response, RoomSendError):
            if response.status_code == "M_LIMIT_EXCEEDED":
                raise Retry("rate limited", after=(response.retry_after_ms or 1000) / 1000)
            log.error("matrix: message to %s refused: %s", target, response.message)
        elif not message.edit:
            if message.key:
                self._sent[message.key] = (room, response.event_id)
            if message.choices:
                self._with_choices[response.event_id] = body

    async def set_topic(self, channel: Address, topic: str) -> bool:
        room = await self._rooms.room_id(channel.id)
        answer = await self.client.room_put_state(room, "m.room.topic", {"topic": topic})
        if isinstance(answer, RoomPutStateError):  # most often: too low a power level
            log.warning("matrix: cannot set the topic of %s: %s", channel.id, answer.message)
            return False
        return True
