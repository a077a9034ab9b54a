"""The console adapter: the embedded default for trying Hatbot, and the scripted test driver.

Input lines (from a terminal, a pipe or a file):

    text                 message from the default user in the current channel
    <nick> text          message from console:nick
    /channel #name       switch the current channel
    /join nick           console:nick joins the current channel (/part: leaves)
    /dm nick text        direct message from console:nick to the bot

Each event is handled completely before the next line is read, so a piped
session is deterministic.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import itertools
import re
import sys
import threading
from typing import TextIO

from pydantic import Field

from hatbot.adapter import Adapter, AdapterConfig, Host, Status
from hatbot.adapters.flow import LruCache, cancel
from hatbot.events import Address, Edit, Event, Join, Message, Part, Person, React, Reply
from hatbot.markup import render_plain

PLATFORM = "console"
_SPEAKER = re.compile(r"^<([^<>\s]+)>\s?(.*)$")


_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f]")


class ConsoleConfig(AdapterConfig):
    channel: str = Field(default="#general", pattern=r"^#\S+$")
    user: str = Field(default="you", pattern=r"^[^\s<>]+$")


class ConsoleAdapter(Adapter[ConsoleConfig]):
    platform = PLATFORM
    config_model = ConsoleConfig
    supports = frozenset({Reply, React, Edit})

    def __init__(
        self,
        config: ConsoleConfig,
        host: Host,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        super().__init__(config, host)
        if stdin is None and isinstance(sys.stdin, io.TextIOWrapper):
            # Bytes that are not UTF-8 become U+FFFD instead of ending the input thread.
            sys.stdin.reconfigure(errors="replace")
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout
        self._channel = config.channel
        self._interactive = self._stdin.isatty()
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None
        self._prompt_shown = False
        self._ids = itertools.count(1)
        self._said: LruCache[str, str] = LruCache(1000)  # reply key → where it was said

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def read_lines() -> None:
            # A daemon thread: a blocked read must never keep the process alive at exit.
            while True:
                line = self._stdin.readline()
                loop.call_soon_threadsafe(self._lines.put_nowait, line or None)
                if not line:
                    return

        threading.Thread(target=read_lines, name="console stdin", daemon=True).start()
        self._reader = asyncio.create_task(self._read(), name="console input")
        self.status = Status.CONNECTED

    async def _read(self) -> None:
        while True:
            self._prompt()
            line = await self._lines.get()
            self._prompt_shown = False
            if line is None:
                self.host.input_finished()
                return
            event = self.parse(line.rstrip("\r\n"))
            if event is not None:
                if isinstance(event, Message):  # numbered, so a skill can react to it
                    event = dataclasses.replace(event, id=str(next(self._ids)))
                await self.host.emit(event)

    def _prompt(self) -> None:
        if self._interactive:
            self._stdout.write(f"[{self._channel}] {self.config.user}> ")
            self._stdout.flush()
            self._prompt_shown = True

    def parse(self, line: str) -> Event | None:
        """One input line → one event (or a channel switch, or nothing)."""
        if not line.strip():
            return None
        channel = Address(self.instance, self._channel)
        if line.startswith("/"):
            verb, _, rest = line[1:].partition(" ")
            rest = rest.strip()
            if verb == "channel" and rest:
                self._channel = rest if rest.startswith("#") else f"#{rest}"
                return None
            if verb in ("join", "part") and rest:
                kind = Join if verb == "join" else Part
                return kind(channel=channel, person=self._person(rest.split()[0]))
            if verb == "me" and rest:  # "/me waves", or "/me <alice> waves" as alice
                speaker = _SPEAKER.match(rest)
                nick, text = (speaker.group(1), speaker.group(2)) if speaker \
                    else (self.config.user, rest)
                return Message(channel=channel, sender=self._person(nick), text=text,
                               is_action=True)
            if verb == "dm" and " " in rest:
                nick, text = rest.split(None, 1)
                person = self._person(nick)
                return Message(channel=person.address, sender=person, text=text, is_direct=True)
            self._error(f"console: cannot read {line!r}; try /channel #name, /join nick, "
                        "/part nick, /me text or /dm nick text")
            return None
        nick, text = self.config.user, line
        speaker = _SPEAKER.match(line)
        if speaker:
            nick, text = speaker.group(1), speaker.group(2)
        return Message(channel=channel, sender=self._person(nick), text=text)

    def _person(self, nick: str) -> Person:
        # The console is local: whoever types is trusted to be who they say.
        address = Address(self.instance, nick)
        return Person(address=address, display_name=nick, account=address)

    async def send(self, reply: Reply) -> None:
        where = f"dm:{reply.target.id}" if reply.direct else reply.target.id
        self._said[reply.key] = where
        self._print(f"[{where}] <{self.host.bot_name}> ", reply.markup_text)

    async def react(self, reaction: React) -> bool:
        self._print(f"[{reaction.target.id}] * {self.host.bot_name} reacts {reaction.emoji} "
                    f"to message {reaction.message_id}", "")
        return True

    async def edit(self, edit: Edit) -> bool:
        where = self._said.get(edit.key)
        if where is None:
            return False
        self._print(f"[{where}] <{self.host.bot_name}> (edited) ", edit.markup_text)
        return True

    def _print(self, head: str, markup: str) -> None:
        # Control characters from anyone's text would drive the terminal: shown instead.
        text = _CONTROLS.sub(lambda m: chr(0x2400 + ord(m.group())), render_plain(
            markup)).replace("\x7f", "\u2421")
        # A message that arrives while the prompt waits (a reminder) replaces the prompt
        # line and shows the prompt again below it, instead of running into it.
        interrupting = self._prompt_shown
        if interrupting:
            self._stdout.write("\r\x1b[K")
        self._stdout.write("".join(f"{head}{line}\n" for line in text.split("\n")))
        self._stdout.flush()
        if interrupting:
            self._prompt()

    def _error(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    async def stop(self) -> None:
        await cancel(self._reader)
        self.status = Status.DISCONNECTED
