"""A plain IRC client for tests: raw lines over a socket, independent of the bot's library."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass

_LINE = re.compile(r"^(?:@(?P<tags>\S+) )?(?::(?P<source>\S+) )?(?P<command>\S+)(?P<rest>.*)$")


@dataclass(frozen=True)
class Line:
    raw: bytes
    source: str
    command: str
    params: list[str]

    @property
    def nick(self) -> str:
        return self.source.split("!", 1)[0]

    @property
    def text(self) -> str:
        return self.params[-1] if self.params else ""


def parse(raw: bytes) -> Line:
    text = raw.decode("utf-8", "replace").rstrip("\r\n")
    match = _LINE.match(text)
    assert match is not None, text
    rest = match["rest"].strip()
    params: list[str] = []
    while rest:
        if rest.startswith(":"):
            params.append(rest[1:])
            break
        word, _, rest = rest.partition(" ")
        params.append(word)
        rest = rest.lstrip(" ")
    return Line(raw, match["source"] or "", match["command"].upper(), params)


CLOSED = "(closed)"  # the line a client sees when its connection ends


class IrcClient:
    def __init__(self, nick: str) -> None:
        self.nick = nick
        self.lines: asyncio.Queue[Line] = asyncio.Queue()
        self.seen: list[Line] = []
        self._reader_task: asyncio.Task[None] | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self, port: int, attempts: int = 3) -> IrcClient:
        """Connect and register; a connection the server drops before welcoming us (a burst
        of hundreds of connections on a loaded machine) is tried again, as a user would."""
        for attempt in range(attempts):
            reader, self._writer = await asyncio.open_connection("127.0.0.1", port)
            self._reader_task = asyncio.create_task(self._read(reader))
            self.send(f"NICK {self.nick}")
            self.send(f"USER {self.nick} 0 * :{self.nick} test client")
            line = await self.expect(lambda line: line.command in ("001", CLOSED))
            if line.command == "001":
                return self
            await self.close()
            await asyncio.sleep(0.5 * (attempt + 1))
        raise AssertionError(f"{self.nick}: the server closed {attempts} connections in a row")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while raw := await reader.readline():
                line = parse(raw)
                if line.command == "PING":
                    self.send(f"PONG :{line.text}")
                    continue
                self.seen.append(line)
                await self.lines.put(line)
        except OSError:  # reset by the server
            pass
        await self.lines.put(Line(b"", "", CLOSED, []))

    def send(self, text: str) -> None:
        assert self._writer is not None
        self._writer.write(text.encode() + b"\r\n")

    async def join(self, channel: str) -> None:
        self.send(f"JOIN {channel}")
        await self.expect(lambda line: line.command == "366")  # end of NAMES

    def say(self, target: str, text: str) -> None:
        self.send(f"PRIVMSG {target} :{text}")

    async def expect(self, wanted: object, within: float = 15.0) -> Line:
        """The next line matching ``wanted``: a predicate, or text a PRIVMSG contains."""
        def matches(line: Line) -> bool:
            if callable(wanted):
                return bool(wanted(line))
            return line.command == "PRIVMSG" and str(wanted) in line.text

        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = await asyncio.wait_for(self.lines.get(), left)
            except TimeoutError:
                break
            if matches(line):
                return line
        raise AssertionError(f"{self.nick}: nothing matching {wanted!r} within {within}s")

    async def close(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self.send("QUIT :bye")
                await self._writer.drain()
            self._writer.close()
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader_task
