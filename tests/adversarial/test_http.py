"""Slow and idle HTTP clients cannot exhaust the bot: idle connections close, slow bodies
are cut off, connections are bounded, and shutdown does not wait on anyone slow."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from hatbot import web as bot_web
from hatbot.app import App
from tests.adversarial.test_webhooks import CONFIG
from tests.conftest import StartBot


@pytest.fixture
async def app(start_bot: StartBot, monkeypatch: pytest.MonkeyPatch) -> App:
    monkeypatch.setattr(bot_web, "IDLE_TIMEOUT", 1.0)
    monkeypatch.setattr(bot_web, "REQUEST_TIMEOUT", 1.0)
    monkeypatch.setattr(bot_web, "MAX_CONNECTIONS", 100)
    return await start_bot(raw=CONFIG)


async def healthz(app: App) -> int:
    async with httpx.AsyncClient(timeout=5) as client:
        return (await client.get(f"http://127.0.0.1:{app.web.port}/healthz")).status_code


async def test_an_idle_connection_flood_is_bounded_and_passes(app: App) -> None:
    opened = [await asyncio.open_connection("127.0.0.1", app.web.port) for _ in range(300)]
    try:
        await asyncio.sleep(0.2)
        runner = app.web._runner
        assert runner is not None and runner.server is not None
        assert len(runner.server.connections) <= 100  # the rest were refused at once
        for _ in range(50):  # idle ones are closed after IDLE_TIMEOUT
            if not runner.server.connections:
                break
            await asyncio.sleep(0.1)
        assert await healthz(app) == 200
    finally:
        for _, writer in opened:
            writer.close()


async def test_a_body_that_never_comes_is_cut_off(app: App) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", app.web.port)
    writer.write(b"POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                 b"X-GitHub-Event: workflow_run\r\n\r\n{")
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 10)
    assert status.startswith(b"HTTP/1.1 408")
    writer.close()


async def test_shutdown_does_not_wait_on_a_slow_client(app: App) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", app.web.port)
    writer.write(b"POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
    await writer.drain()
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await app.stop()
    assert time.monotonic() - started < bot_web.SHUTDOWN_GRACE + 1.5
    writer.close()
