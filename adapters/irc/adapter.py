"""The IRC adapter, on the ``irc`` package's asyncio client.

It keeps one connection alive (reconnecting with backoff), negotiates IRCv3
capabilities for verified identities (``caps``), follows who is where and logged in
as whom (``roster``), and paces what it sends so that a busy bot is never
disconnected for flooding.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from importlib.metadata import version
from typing import Any

from irc.client import Event, ServerConnection, ServerNotConnectedError
from irc.client_aio import AioConnection, AioReactor
from irc.connection import AioFactory
from jaraco.stream.buffer import LenientDecodingLineBuffer  # type: ignore[import-untyped]

from hatbot.adapter import Adapter, Host, Status
from hatbot.adapters.flow import Outbox, Retry, TokenBucket, cancel, split_utf8
from hatbot.adapters.irc.caps import Capabilities
from hatbot.adapters.irc.config import IrcConfig
from hatbot.adapters.irc.roster import Roster
from hatbot.backoff import Backoff
from hatbot.events import Address, Join, Message, Part, Person, Reply, SetTopic
from hatbot.markup import render_plain

log = logging.getLogger(__name__)

PLATFORM = "irc"
LINE_LIMIT = 512  # bytes, CR LF included
REGISTRATION_TIMEOUT = 30.0
RECLAIM_EVERY = 30.0  # seconds between attempts to get the configured nick back
CTCP_QUEUED = 5  # CTCP replies waiting at once; more requests are ignored
FLUSH_TIMEOUT = 30.0  # how long shutdown waits for queued messages to go out


class IrcAdapter(Adapter[IrcConfig]):
    platform = PLATFORM
    supports = frozenset({Reply, SetTopic})
    config_model = IrcConfig

    def __init__(self, config: IrcConfig, host: Host) -> None:
        super().__init__(config, host)
        self.nick = config.nick
        self._conn: AioConnection | None = None
        self._backoff = Backoff(initial=1.0, cap=300.0)
        self._ready = asyncio.Event()  # registered and able to send
        self._lost = asyncio.Event()
        self._closing = False
        # (command, text): PRIVMSG for what skills say, NOTICE for CTCP replies; one queue
        # and one pace for both, so nothing the bot sends can get it kicked for flooding.
        self._outbox: Outbox[tuple[str, str]] = Outbox(
            "irc", self._deliver, ready=self._ready,
            pace=TokenBucket(config.messages_per_second, config.burst))
        self._tasks: list[asyncio.Task[None]] = []
        self._ctcp_pending: set[str] = set()  # lower nicks with a CTCP reply queued
        self._caps = Capabilities(config.sasl_username,
                                  config.sasl_password.get_secret_value())
        self._roster = Roster()
        self._userhost: str | None = None  # our own user@host, as others see it
        self.connections = 0  # successful registrations, for health and tests

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        self.status = Status.CONNECTING
        for name, job in (("connection", self._run()), ("nick reclaim", self._reclaim())):
            self._tasks.append(asyncio.create_task(job, name=f"irc {name}"))

    async def stop(self) -> None:
        self._closing = True
        await self._outbox.close(FLUSH_TIMEOUT if self._ready.is_set() else 0)
        await cancel(*self._tasks)
        if self._conn is not None and self._conn.is_connected():
            self._conn.disconnect("Hatbot is shutting down")
        self.status = Status.DISCONNECTED

    async def _run(self) -> None:
        """Stay connected: connect, wait for the connection to drop, back off, again."""
        while not self._closing:
            self.status = Status.CONNECTING
            try:
                await self._connect()
                await self._lost.wait()
            except (OSError, TimeoutError, ServerNotConnectedError) as exc:
                log.warning("irc: connection to %s:%s failed: %s", self.config.host,
                            self.config.port, exc or type(exc).__name__)
            self._ready.clear()
            self.status = Status.DISCONNECTED
            if self._conn is not None and self._conn.is_connected():
                self._conn.disconnect("reconnecting")
            delay = self._backoff.next()
            log.info("irc: reconnecting in %.1fs", delay)
            await asyncio.sleep(delay)

    async def _connect(self) -> None:
        self._lost.clear()
        self._caps.reset()
        self._roster.reset()  # nobody's place or login is known on a new connection
        loop = asyncio.get_running_loop()
        reactor = AioReactor(loop=loop, on_connect=self._opening)
        reactor.add_global_handler("all_events", self._on_event)
        conn = reactor.server()
        # IRC carries bytes: a line that is not UTF-8 is read as Latin-1 instead of
        # ending the connection (the library's default decoder raises on it).
        conn.buffer_class = LenientDecodingLineBuffer
        self._conn = conn
        factory = AioFactory(ssl=self._tls()) if self.config.tls else AioFactory()
        await conn.connect(self.config.host, self.config.port, self.config.nick,
                           connect_factory=factory)
        await asyncio.wait_for(self._registered_or_lost(), REGISTRATION_TIMEOUT)

    def _tls(self) -> ssl.SSLContext:
        """Certificates are always verified; a private network can name its own CA."""
        return ssl.create_default_context(cafile=self.config.tls_ca_file or None)

    async def _registered_or_lost(self) -> None:
        ready = asyncio.create_task(self._ready.wait())
        lost = asyncio.create_task(self._lost.wait())
        await asyncio.wait({ready, lost}, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        lost.cancel()

    def _opening(self, protocol: Any, transport: Any) -> None:
        # Capability negotiation must begin before NICK/USER, which the library sends next.
        transport.write(b"CAP LS 302\r\n")

    # --- sending ----------------------------------------------------------------------

    async def send(self, reply: Reply) -> None:
        target = reply.target.id
        budget = self._budget(target)
        for line in render_plain(reply.markup_text).split("\n"):
            if line.strip():
                for piece in split_utf8(line, budget):
                    self._outbox.put(target, ("PRIVMSG", piece))

    def _budget(self, target: str) -> int:
        """Bytes of text that fit in one PRIVMSG as the server relays it to others."""
        # ":nick!user@host PRIVMSG target :text\r\n"; until we know our own user@host,
        # assume the longest the protocol allows (10-byte user, 63-byte host).
        userhost = self._userhost or "u" * 10 + "@" + "h" * 63
        overhead = len(f":{self.nick}!{userhost} PRIVMSG {target} :\r\n".encode())
        return LINE_LIMIT - overhead

    async def set_topic(self, channel: Address, topic: str) -> bool:
        # Paced like everything sent; a refusal (482, not a channel operator) is logged.
        self._outbox.put(channel.id, ("TOPIC", split_utf8(topic, self._budget(channel.id))[0]))
        return True

    def _on_chanoprivsneeded(self, conn: ServerConnection, event: Event) -> None:
        log.warning("irc: not allowed in %s: %s", event.arguments[0] if event.arguments
                    else "?", event.arguments[-1] if event.arguments else "")

    async def _deliver(self, target: str, line: tuple[str, str]) -> None:
        if not self._ready.is_set() or self._conn is None:
            raise Retry("not connected", after=0)  # the outbox waits for the reconnect
        command, text = line
        try:
            if command == "TOPIC":
                self._conn.topic(target, text)
            elif command == "NOTICE":
                self._ctcp_pending.discard(target.lower())
                self._conn.notice(target, text)
            else:
                self._conn.privmsg(target, text)
        except ServerNotConnectedError:
            raise Retry("connection lost", after=0) from None

    async def _reclaim(self) -> None:
        while True:
            await asyncio.sleep(RECLAIM_EVERY)
            self._try_reclaim()

    def _try_reclaim(self) -> None:
        if self._ready.is_set() and self._conn is not None \
                and self.nick.lower() != self.config.nick.lower():
            self._conn.nick(self.config.nick)

    # --- receiving --------------------------------------------------------------------

    def _on_event(self, conn: ServerConnection, event: Event) -> None:
        handler = getattr(self, f"_on_{event.type}", None)
        if handler is not None:
            try:
                handler(conn, event)
            except Exception:
                log.exception("irc: failed to handle %s %r", event.type, event.arguments)

    def _on_disconnect(self, conn: ServerConnection, event: Event) -> None:
        self._ready.clear()
        self._lost.set()

    def _on_cap(self, conn: ServerConnection, event: Event) -> None:
        for line in self._caps.on_cap(list(event.arguments)):
            conn.send_raw(line)

    def _on_authenticate(self, conn: ServerConnection, event: Event) -> None:
        for line in self._caps.on_authenticate(event.target or "", list(event.arguments)):
            conn.send_raw(line)

    def _on_saslsuccess(self, conn: ServerConnection, event: Event) -> None:
        log.info("irc: logged in with SASL as %s", self.config.sasl_username)
        conn.send_raw("CAP END")

    def _on_saslfail(self, conn: ServerConnection, event: Event) -> None:
        log.error("irc: SASL login as %s failed; going on without it", self.config.sasl_username)
        conn.send_raw("CAP END")

    _on_sasltoolong = _on_saslaborted = _on_saslfail

    def _on_nicknameinuse(self, conn: ServerConnection, event: Event) -> None:
        if not self._ready.is_set():  # during registration: take a variant for now
            self.nick = f"{self.nick}_"
            conn.nick(self.nick)

    def _on_welcome(self, conn: ServerConnection, event: Event) -> None:
        self.nick = conn.get_nickname()
        self._backoff.reset()
        self.connections += 1
        self.status = Status.CONNECTED
        self._ready.set()
        log.info("irc: connected to %s:%s as %s", self.config.host, self.config.port, self.nick)
        if self.config.channels:
            conn.join(",".join(self.config.channels))

    def _on_namreply(self, conn: ServerConnection, event: Event) -> None:
        self._roster.names(event.arguments[1], event.arguments[2])

    def _on_join(self, conn: ServerConnection, event: Event) -> None:
        nick, channel = event.source.nick, event.target
        if self._is_me(nick):
            self._userhost = event.source.userhost
            self._roster.bot_joined(channel)
            return
        if self._caps.accounts and event.arguments:  # extended-join: account, realname
            self._roster.logged_in(nick, event.arguments[0])
        first_time = self._roster.joined(nick, channel)
        self.host.emit(Join(channel=Address(self.instance, channel),
                            person=self._person(nick, event.tags), first_time_hint=first_time))

    def _on_part(self, conn: ServerConnection, event: Event) -> None:
        self._leave(event.source.nick, event.target, event.tags)

    def _on_kick(self, conn: ServerConnection, event: Event) -> None:
        kicked = event.arguments[0]
        if self._is_me(kicked):
            log.warning("irc: kicked from %s: %s", event.target, event.arguments[1:])
            return
        self._leave(kicked, event.target, None)

    def _on_quit(self, conn: ServerConnection, event: Event) -> None:
        nick = event.source.nick
        reason = event.arguments[0] if event.arguments else ""
        for channel in self._roster.quit(nick, reason):
            self._leave(nick, channel, event.tags)
        self._roster.forget(nick)
        if nick.lower() == self.config.nick.lower():
            self._try_reclaim()

    def _leave(self, nick: str, channel: str, tags: Any) -> None:
        if self._is_me(nick):
            return
        person = self._person(nick, tags)
        self._roster.left(nick, channel)
        self.host.emit(Part(channel=Address(self.instance, channel), person=person))

    def _on_nick(self, conn: ServerConnection, event: Event) -> None:
        old, new = event.source.nick, event.target
        if self._is_me(old):
            self.nick = new
            return
        self._roster.renamed(old, new)
        if old.lower() == self.config.nick.lower():
            self._try_reclaim()

    def _on_account(self, conn: ServerConnection, event: Event) -> None:
        account = event.target or (event.arguments[0] if event.arguments else "*")
        self._roster.logged_in(event.source.nick, account)

    def _on_pubmsg(self, conn: ServerConnection, event: Event) -> None:
        self._message(event, event.target, event.arguments[0], direct=False)

    def _on_privmsg(self, conn: ServerConnection, event: Event) -> None:
        self._message(event, event.source.nick, event.arguments[0], direct=True)

    def _on_action(self, conn: ServerConnection, event: Event) -> None:
        direct = self._is_me(event.target)
        where = event.source.nick if direct else event.target
        self._message(event, where, event.arguments[0] if event.arguments else "", direct,
                      action=True)

    def _on_ctcp(self, conn: ServerConnection, event: Event) -> None:
        nick = event.source.nick
        if not event.arguments or event.arguments[0].upper() != "VERSION":
            return
        # One reply queued per asker and a few in all: a CTCP flood costs us nothing.
        if nick.lower() in self._ctcp_pending or len(self._ctcp_pending) >= CTCP_QUEUED:
            return
        self._ctcp_pending.add(nick.lower())
        self._outbox.put(nick, ("NOTICE", f"\x01VERSION Hatbot {version('hatbot')}\x01"))

    def _message(self, event: Event, where: str, text: str, direct: bool,
                 action: bool = False) -> None:
        nick = event.source.nick
        if self._is_me(nick):
            return
        self.host.emit(Message(channel=Address(self.instance, where),
                               sender=self._person(nick, event.tags, said=True), text=text,
                               is_direct=direct, is_action=action))

    # --- people -----------------------------------------------------------------------

    def _is_me(self, nick: str | None) -> bool:
        return nick is not None and nick.lower() == self.nick.lower()

    def _person(self, nick: str, tags: Any, *, said: bool = False) -> Person:
        tag = next((t.get("value") for t in tags or [] if t.get("key") == "account"), None)
        account = self._roster.account(nick, tag, said=said, accounts=self._caps.accounts,
                                       account_tag=self._caps.account_tag)
        return Person(address=Address(self.instance, nick), display_name=nick,
                      account=Address(self.instance, account) if account else None)
