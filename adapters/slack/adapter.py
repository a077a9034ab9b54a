"""Slack, on slack_bolt's AsyncApp: Socket Mode when ``app_token`` is set, else the Events
API on ``POST /slack/events`` of the bot's own web server.

The endpoint verifies request signatures and the five-minute timestamp window (401
otherwise) before Bolt sees anything; Bolt acknowledges events before our listeners
run, and listeners only translate and hand over, so the acknowledgement is never late.
A standby replica relays what reaches it to the leader (``Host.relay``). Choices under
the bot's messages are Block Kit buttons (``blocks``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import emoji
from aiohttp import ClientError, web
from pydantic import Field, SecretStr
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from hatbot.adapter import Adapter, AdapterConfig, Host, Status
from hatbot.adapters.flow import (
    LruCache,
    Outbox,
    Outgoing,
    Retry,
    cancel,
    keep_trying,
    split_utf8,
)
from hatbot.adapters.slack import blocks
from hatbot.events import (
    Address,
    Choice,
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
from hatbot.markup import render_slack

log = logging.getLogger(__name__)

PLATFORM = "slack"
EVENTS_PATH = "/slack/events"
SENT_REMEMBERED = 1000  # the bot's recent messages, by reply key, for edits


def events_path(instance: str) -> str:
    """``/slack/events`` for ``[adapters.slack]``; a second workspace's table
    ``[adapters.acme]`` (``type = "slack"``) gets ``/slack/acme/events``."""
    return EVENTS_PATH if instance == PLATFORM else f"/slack/{instance}/events"
TEXT_LIMIT = 3500  # bytes a message; Slack advises staying under 4,000 characters
NAME_TTL = 3600.0  # seconds a looked-up display name is trusted
HUMAN_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}
LOOKUPS_PER_MESSAGE = 10  # users.info calls one message may cause
CACHED = 5000  # people and channels remembered
SEEN_MESSAGES = 1000  # message ids remembered, so message + app_mention count once
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL_REF = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto|ftp):[^|>]+)(?:\|([^>]*))?>")


class SlackConfig(AdapterConfig):
    bot_token: SecretStr = SecretStr("")
    app_token: SecretStr = SecretStr("")  # set: Socket Mode; empty: Events API
    signing_secret: SecretStr = SecretStr("")
    api_url: str = "https://slack.com/api/"
    # The slash command of the app (its manifest): "/hatbot actions mine".
    slash_command: str = Field(default="/hatbot", pattern=r"^/[a-z0-9_-]{1,31}$")

    def problems_when_enabled(self) -> list[str]:
        problems = []
        if not self.bot_token.get_secret_value():
            problems.append("bot_token: required (the xoxb-… token of the Slack app)")
        if not (self.app_token.get_secret_value() or self.signing_secret.get_secret_value()):
            # Without it no request to /slack/events could be told from a forgery.
            problems.append("signing_secret: required for the Events API (or set app_token "
                            "for Socket Mode)")
        return problems


class SlackAdapter(Adapter[SlackConfig]):
    platform = PLATFORM
    supports = frozenset({Reply, SetTopic, React, Edit, Choice})
    config_model = SlackConfig

    def __init__(self, config: SlackConfig, host: Host) -> None:
        super().__init__(config, host)
        self.client = AsyncWebClient(
            token=config.bot_token.get_secret_value(), base_url=config.api_url,
            retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=3),
                            AsyncRateLimitErrorRetryHandler(max_retry_count=10)])
        # Bolt's own check of signatures is off: the endpoint checks them before Bolt sees
        # anything (``_signed``), Socket Mode has none, and what a standby replica relays
        # was checked there, maybe longer ago than Bolt's five minutes allow.
        self.bolt = AsyncApp(signing_secret=config.signing_secret.get_secret_value() or None,
                             client=self.client, request_verification_enabled=False)
        self.bolt.event("message")(self._on_message)
        self.bolt.event("app_mention")(self._on_message)
        self.bolt.event("member_joined_channel")(self._on_joined)
        self.bolt.event("member_left_channel")(self._on_left)
        self.bolt.event("reaction_added")(self._on_reaction)
        self.bolt.event("app_home_opened")(self._on_home_opened)
        self.bolt.action(re.compile("^" + re.escape(blocks.ACTION_PREFIX)))(self._on_choice)
        self.bolt.command(config.slash_command)(self._on_slash_command)
        self._verifier = SignatureVerifier(config.signing_secret.get_secret_value())
        self.socket_mode = bool(config.app_token.get_secret_value())
        self._socket: AsyncSocketModeHandler | None = None
        if not self.socket_mode:
            host.add_route("POST", events_path(host.name), self._events_endpoint)
        self.bot_user = ""
        # user id → (display name, when); user id → DM channel id; channel id → "#name"
        self._names: LruCache[str, tuple[str, float]] = LruCache(CACHED)
        self._dm_channels: LruCache[str, str] = LruCache(CACHED)
        self._channel_names: LruCache[str, str] = LruCache(CACHED)
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        # Presses and reactions acted on, so that a retry or a second ✅ acts once.
        self._acted: LruCache[tuple[str, ...], None] = LruCache(SEEN_MESSAGES)
        # (channel, ts) → the message, for the bot's messages with choices it posted.
        self._with_choices: LruCache[tuple[str, str], dict[str, Any]] = LruCache(CACHED)
        self._outbox: Outbox[Outgoing] = Outbox("slack", self._deliver)
        # The bot's recent messages: reply key → (channel, ts), for edits.
        self._posted: LruCache[str, tuple[str, str]] = LruCache(SENT_REMEMBERED)
        self._connector: asyncio.Task[None] | None = None

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """A token Slack refuses stops the bot with Slack's reason; an unreachable Slack
        is retried in the background, with backoff, while the bot runs."""
        self.status = Status.CONNECTING
        try:
            await self._connect()
        except SlackApiError as exc:
            raise RuntimeError(f"slack: {exc.response.get('error')}") from None
        except (ClientError, TimeoutError) as exc:
            log.warning("slack: cannot reach %s (%s); retrying", self.config.api_url, exc)
            self._connector = asyncio.create_task(
                keep_trying("slack", self._connect, (SlackApiError, ClientError, TimeoutError)),
                name="slack connect")

    async def _connect(self) -> None:
        auth = await self.client.auth_test()
        self.bot_user = str(auth.get("user_id", ""))
        if self.socket_mode:
            self._socket = AsyncSocketModeHandler(
                self.bolt, app_token=self.config.app_token.get_secret_value(),
                web_client=self.client)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
        self.status = Status.CONNECTED
        log.info("slack: connected as %s (%s)", auth.get("user"),
                 "Socket Mode" if self.socket_mode else f"Events API on {EVENTS_PATH}")

    async def stop(self) -> None:
        await self._outbox.close()
        await cancel(self._connector)
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        self.status = Status.DISCONNECTED

    async def _events_endpoint(self, request: web.Request) -> web.Response:
        """Signature first, on the raw bytes: nothing an outsider sends is parsed."""
        body = await request.read()
        if not self._signed(body, request.headers):
            log.warning("slack: refused a request to %s without a valid signature",
                        EVENTS_PATH)
            return web.json_response({"error": "invalid signature"}, status=401)
        text = body.decode("utf-8", errors="replace")
        if not self.host.leading and not _is_url_check(text):
            # Another replica leads and runs this adapter; it takes the event (or the
            # press of a button) from the inbox. Stored before Slack hears it arrived (a
            # failure here is a 500, which Slack retries).
            await self.host.relay(json.dumps({"type": request.content_type, "body": text}))
            return web.Response(status=200)
        try:
            bolt_response = await self.bolt.async_dispatch(AsyncBoltRequest(
                body=text, query=request.query_string, headers=dict(request.headers)))
        except Exception as exc:  # a signed request Bolt cannot read: Slack's to retry
            log.warning("slack: malformed signed request (%s)", type(exc).__name__)
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(bolt_response)

    async def relayed(self, payload: str) -> None:
        """What a standby replica received on this endpoint (an event, a press), taken
        here as if Slack had sent it here."""
        request = json.loads(payload)
        await self.bolt.async_dispatch(AsyncBoltRequest(
            body=request["body"], headers={"content-type": request["type"]}))

    def _signed(self, body: bytes, headers: Any) -> bool:
        try:
            return self._verifier.is_valid(
                body=body, timestamp=headers.get("X-Slack-Request-Timestamp"),
                signature=headers.get("X-Slack-Signature"))
        except (ValueError, TypeError):  # a timestamp or signature that is not one
            return False

    # --- receiving --------------------------------------------------------------------

    async def _on_message(self, event: dict[str, Any]) -> None:
        if event.get("subtype") not in HUMAN_SUBTYPES or event.get("bot_id") \
                or not event.get("user") or event.get("user") == self.bot_user:
            return
        key = (str(event.get("channel")), str(event.get("ts")))
        if key in self._seen:  # the same message as "message" and as "app_mention"
            return
        self._seen[key] = None
        while len(self._seen) > SEEN_MESSAGES:
            self._seen.popitem(last=False)
        user = str(event["user"])
        sender = await self._person(user)
        direct = event.get("channel_type") == "im"
        if direct:
            self._dm_channels[user] = str(event["channel"])
        text = await self._readable(str(event.get("text", "")))
        self.host.emit(Message(
            channel=sender.address if direct else Address(self.instance, str(event["channel"])),
            channel_name="" if direct else await self._channel_name(str(event["channel"])),
            sender=sender, text=text, ts=_time(event.get("ts")),
            is_action=event.get("subtype") == "me_message",
            thread=event.get("thread_ts"), is_direct=direct, id=str(event.get("ts", ""))))

    async def _on_joined(self, event: dict[str, Any]) -> None:
        if event.get("user") == self.bot_user:
            return
        self.host.emit(Join(channel=Address(self.instance, str(event["channel"])),
                            person=await self._person(str(event["user"]))))

    async def _on_left(self, event: dict[str, Any]) -> None:
        if event.get("user") == self.bot_user:
            return
        self.host.emit(Part(channel=Address(self.instance, str(event["channel"])),
                            person=await self._person(str(event["user"]))))

    async def _on_reaction(self, event: dict[str, Any]) -> None:
        """A reaction on a message, as the character ("pushpin" → 📌; a skin tone is
        dropped); a custom emoji keeps its name."""
        item = event.get("item") or {}
        user = str(event.get("user") or "")
        if item.get("type") != "message" or not user or user == self.bot_user:
            return
        name = str(event.get("reaction", "")).split("::", 1)[0]
        character = emoji.emojize(f":{name}:", language="alias")
        channel = str(item.get("channel", ""))
        person = await self._person(user)
        self.host.emit(Reaction(
            channel=Address(self.instance, channel), person=person,
            message_id=str(item.get("ts", "")), emoji=name if character == f":{name}:"
            else character, ts=_time(event.get("event_ts"))))
        if event.get("item_user") == self.bot_user:
            await self._choose_by_reaction(channel, str(item.get("ts", "")), name, person)

    async def _choose_by_reaction(self, channel: str, ts: str, name: str,
                                  person: Person) -> None:
        """A reaction on one of the bot's messages that one of its choices names runs
        that choice's command, once per person (taking a ✅ off and on again does not
        run it twice)."""
        once = ("reaction", channel, ts, name, person.address.id)
        if once in self._acted:
            return
        message = self._with_choices.get((channel, ts)) or await self._message(channel, ts)
        command = blocks.command_for_reaction(message, name)
        if not command:
            return
        self._acted[once] = None
        self.host.emit(Invoke(channel=self._conversation(channel, person), sender=person,
                              text=command, message_id=ts))

    async def _message(self, channel: str, ts: str) -> dict[str, Any]:
        """One message as Slack has it (its blocks say what its buttons mean); {} when
        it cannot be read."""
        try:
            found = await self.client.conversations_history(
                channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1)
        except (SlackApiError, ClientError, TimeoutError) as exc:
            log.warning("slack: cannot read message %s in %s: %s", ts, channel, exc)
            return {}
        messages = found.get("messages") or []
        return dict(messages[0]) if messages else {}

    def _conversation(self, channel: str, person: Person) -> Address:
        """Where an answer to ``person`` goes: the channel, or the person in a DM."""
        return person.address if channel.startswith("D") else Address(self.instance, channel)

    async def _on_home_opened(self, event: dict[str, Any]) -> None:
        """The person opened the bot's Home tab: show what they have open, fresh."""
        user = str(event.get("user") or "")
        if event.get("tab", "home") != "home" or not user:
            return
        person = await self._person(user)
        panes = [(title, [render_slack(line) for line in lines])
                 for title, lines in await self.host.home(person)]
        try:
            header = self.host.translate(blocks.HOME_HEADER).format(bot=self.host.bot_name)
            await self.client.views_publish(user_id=user, view=blocks.home_view(
                panes, header, self.host.translate(blocks.HOME_EMPTY)))
        except (SlackApiError, ClientError, TimeoutError) as exc:
            log.warning("slack: cannot show %s their home: %s", user, exc)

    async def _on_slash_command(self, ack: Any, command: dict[str, Any]) -> None:
        """``/hatbot actions mine``: the command, run as the person who typed it; an
        answer that concerns only them is shown to them alone (``Reply.visible_to``)."""
        await ack()
        user = str(command.get("user_id", ""))
        channel = str(command.get("channel_id", ""))
        if not user or not channel:
            return
        person = await self._person(user)
        self.host.emit(Invoke(channel=self._conversation(channel, person), sender=person,
                              text=str(command.get("text", "")).strip() or "help",
                              private=True))

    async def _on_choice(self, ack: Any, body: dict[str, Any], action: dict[str, Any]
                         ) -> None:
        """A button under one of the bot's messages: its command runs as the person who
        pressed it, once however often Slack sends the same press, and the message
        shows who pressed what."""
        await ack()
        user = str((body.get("user") or {}).get("id", ""))
        channel = str((body.get("channel") or {}).get("id", ""))
        message = dict(body.get("message") or {})
        ts = str(message.get("ts", ""))
        once = ("press", channel, ts, str(action.get("action_id", "")), user,
                str(action.get("action_ts", "")))
        if not user or not channel or once in self._acted:
            return
        self._acted[once] = None
        person = await self._person(user)
        self.host.emit(Invoke(channel=self._conversation(channel, person), sender=person,
                              text=str(action.get("value", "")),
                              thread=message.get("thread_ts"), message_id=ts))
        if not message:  # under an answer only the presser saw: Slack keeps no message
            return
        label = str((action.get("text") or {}).get("text", ""))
        shown = blocks.pressed(message, label, user)
        try:
            await self.client.chat_update(channel=channel, ts=ts,
                                          text=str(message.get("text", "")), blocks=shown)
            self._with_choices[(channel, ts)] = {**message, "blocks": shown}
        except (SlackApiError, ClientError, TimeoutError) as exc:
            log.warning("slack: cannot show who pressed %s: %s", label, exc)

    async def _readable(self, text: str) -> str:
        """Slack's wire text as people read it: ``<@U1>`` → ``@Name``, links unwrapped,
        entities decoded. A leading mention of the bot becomes ``@botname``."""
        names: dict[str, str] = {}
        lookups = 0
        for uid in dict.fromkeys(_MENTION.findall(text)):  # in order, once each
            if uid == self.bot_user:
                continue
            cached = self._names.get(uid)
            if cached is not None or lookups < LOOKUPS_PER_MESSAGE:
                lookups += cached is None
                names[uid] = (await self._person(uid)).name
            else:  # a message naming hundreds of people costs no more calls than this
                names[uid] = uid

        def mention(match: re.Match[str]) -> str:
            uid = match.group(1)
            return f"@{self.host.bot_name}" if uid == self.bot_user else f"@{names[uid]}"

        text = _MENTION.sub(mention, text)
        text = _CHANNEL_REF.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
        text = _LINK.sub(_unwrap_link, text)
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return text

    async def _channel_name(self, channel: str) -> str:
        """``#general`` for ``C0123``, looked up once (renames show after a restart)."""
        if channel not in self._channel_names:
            name = ""
            try:
                info = (await self.client.conversations_info(channel=channel)).get("channel")
                name = f"#{info['name']}" if info and info.get("name") else ""
            except (SlackApiError, ClientError) as exc:
                log.warning("slack: cannot look up channel %s: %s", channel, exc)
            self._channel_names[channel] = name
        return self._channel_names[channel]

    async def _person(self, user: str) -> Person:
        """Slack verifies its users: the user id is the account. Names are cached a while."""
        cached = self._names.get(user)
        if cached is None or time.monotonic() - cached[1] > NAME_TTL:
            name = user
            try:
                info = (await self.client.users_info(user=user)).get("user") or {}
                profile = info.get("profile") or {}
                name = (profile.get("display_name") or profile.get("real_name")
                        or info.get("real_name") or info.get("name") or user)
            except (SlackApiError, ClientError) as exc:
                log.warning("slack: cannot look up %s: %s", user, exc)
            cached = (name, time.monotonic())
            self._names[user] = cached
        address = Address(self.instance, user)
        return Person(address=address, display_name=cached[0], account=address)

    # --- sending ----------------------------------------------------------------------

    async def send(self, reply: Reply) -> None:
        text = render_slack(reply.markup_text)
        pieces = split_utf8(text, blocks.SECTION_LIMIT if reply.choices else TEXT_LIMIT)
        for number, piece in enumerate(pieces):
            # An edit changes the first piece: the one the key names; the buttons go
            # under the last.
            last = number == len(pieces) - 1
            self._outbox.put(reply.target.id, Outgoing(
                piece, reply.thread, reply.direct, reply.key if number == 0 else "",
                choices=reply.choices if last else (),
                visible_to=reply.visible_to.id if reply.visible_to else ""))

    async def edit(self, edit: Edit) -> bool:
        # Through the outbox, behind the message it changes, which may still be queued.
        text = render_slack(edit.markup_text)
        self._outbox.put(edit.target.id, Outgoing(text[:TEXT_LIMIT], None, False, edit.key,
                                                   edit=True))
        return True

    async def react(self, reaction: React) -> bool:
        name = emoji.demojize(reaction.emoji, language="alias").strip(":")
        try:
            channel = await self._dm_channel(reaction.target.id) \
                if reaction.target.id[:1] in ("U", "W") else reaction.target.id
            await self.client.reactions_add(channel=channel, timestamp=reaction.message_id,
                                            name=name)
        except SlackApiError as exc:  # already_reacted, invalid_name, no reactions:write
            log.warning("slack: cannot react %s: %s", name, exc.response.get("error"))
            return False
        except (ClientError, TimeoutError) as exc:
            log.warning("slack: cannot react %s: %s", name, exc)
            return False
        return True

    async def set_topic(self, channel: Address, topic: str) -> bool:
        try:
            await self.client.conversations_setTopic(channel=channel.id, topic=topic[:250])
        except SlackApiError as exc:  # not in the channel, or no channels:manage scope
            log.warning("slack: cannot set the topic of %s: %s", channel.id,
                        exc.response.get("error"))
            return False
        except (ClientError, TimeoutError) as exc:
            log.warning("slack: cannot set the topic of %s: %s", channel.id, exc)
            return False
        return True

    async def _deliver(self, target: str, message: Outgoing) -> None:
        try:
            if message.edit:
                posted = self._posted.get(message.key)
                if posted is None:
                    log.warning("slack: cannot edit a message it does not remember")
                    return
                await self.client.chat_update(channel=posted[0], ts=posted[1],
                                              text=message.body)
                return
            channel = await self._dm_channel(target) if message.direct else target
            # 429s are waited out by the client's rate-limit handler (Retry-After).
            shown = blocks.blocks(message.body, message.choices) if message.choices else None
            if message.visible_to:  # for one person's eyes: not kept, never edited
                await self.client.chat_postEphemeral(
                    channel=channel, user=message.visible_to, text=message.body,
                    thread_ts=message.thread, blocks=shown)
                return
            answer = await self.client.chat_postMessage(channel=channel, text=message.body,
                                                        thread_ts=message.thread, blocks=shown)
            posted = (str(answer["channel"]), str(answer["ts"]))
            if message.key:
                self._posted[message.key] = posted
            if shown:
                self._with_choices[posted] = {"text": message.body, "blocks": shown}
        except SlackApiError as exc:
            log.error("slack: message to %s refused: %s", target, exc.response.get("error"))
        except (ClientError, TimeoutError) as exc:
            raise Retry(f"cannot reach the Web API ({exc})") from None

    async def _dm_channel(self, user: str) -> str:
        if user not in self._dm_channels:
            opened = await self.client.conversations_open(users=user)
            self._dm_channels[user] = str(opened["channel"]["id"])
        return self._dm_channels[user]


def _is_url_check(body: str) -> bool:
    """Whether a request is the check of the URL Slack makes at set-up, which any
    replica answers itself (everything else a standby relays to the leader)."""
    try:
        payload = json.loads(body)
    except ValueError:  # a form: a press of a button, a slash command
        return False
    return isinstance(payload, dict) and payload.get("type") == "url_verification"


def _unwrap_link(match: re.Match[str]) -> str:
    """``<url>`` → url; ``<url|label>`` → "label url" unless the label only repeats the url."""
    url, label = match.group(1), match.group(2)
    if not label or label in (url, url.split("://", 1)[-1], url.split(":", 1)[-1]):
        return url
    return f"{label} {url}"


def _time(ts: Any) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)
