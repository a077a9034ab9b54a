"""The web server: health, metrics, and skill routes, over real HTTP on loopback."""

from __future__ import annotations

import re

import httpx
from aiohttp import web

from hatbot.adapter import Status
from hatbot.app import App
from hatbot.context import Context
from hatbot.skill import Skill, SkillConfig, route
from tests.conftest import StartBot, memory


class Echo(Skill[SkillConfig]):
    name = "echo"

    @route("POST", "/hooks/echo")
    async def echo(self, ctx: Context, request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({"bytes": len(body), "bot": ctx.bot_name})

    @route("GET", "/broken")
    async def broken(self, ctx: Context, request: web.Request) -> web.Response:
        raise RuntimeError("route failure")


async def started(start_bot: StartBot) -> tuple[App, str]:
    app = await start_bot(Echo, raw={"web": {"enabled": True, "port": 0}})
    return app, f"http://127.0.0.1:{app.web.port}"


async def test_healthz_reports_adapters(start_bot: StartBot) -> None:
    app, base = await started(start_bot)
    async with httpx.AsyncClient() as client:
        ok = await client.get(f"{base}/healthz")
        assert ok.status_code == 200
        assert ok.json() == {"status": "ok", "role": "leader",
                             "adapters": {"memory": "connected"}}
        memory(app).status = Status.DISCONNECTED
        down = await client.get(f"{base}/healthz")
        assert down.status_code == 503
        assert down.json()["adapters"] == {"memory": "disconnected"}


def sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in metrics")


async def test_metrics_count_messages_and_latency(start_bot: StartBot) -> None:
    app, base = await started(start_bot)
    core_runs = 'hatbot_handler_seconds_count{skill="core"}'
    async with httpx.AsyncClient() as client:
        before = (await client.get(f"{base}/metrics")).text
        await memory(app).say("!ping")
        await memory(app).say("just chatting")
        page = await client.get(f"{base}/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    text = page.text
    assert sample(text, 'hatbot_messages_in_total{adapter="memory"}') == 2.0
    assert sample(text, 'hatbot_messages_out_total{adapter="memory"}') == 1.0
    assert sample(text, core_runs) == sample(before, core_runs) + 1
    assert sample(text, "hatbot_queue_depth") == 0.0


async def test_skill_routes_and_body_limit(start_bot: StartBot) -> None:
    _, base = await started(start_bot)
    async with httpx.AsyncClient() as client:
        small = await client.post(f"{base}/hooks/echo", content=b"x" * 100)
        assert small.status_code == 200 and small.json() == {"bytes": 100, "bot": "hatbot"}
        big = await client.post(f"{base}/hooks/echo", content=b"x" * (1024 * 1024 + 1))
        assert big.status_code == 413
        broken = await client.get(f"{base}/broken")
        assert broken.status_code == 500 and broken.json() == {"error": "internal error"}
        ok = await client.get(f"{base}/healthz")
        assert ok.status_code == 200


async def test_adapter_key_value_state_survives_restart(start_bot: StartBot) -> None:
    app, _ = await started(start_bot)
    kv = app.adapters["memory"].host.kv
    await kv.set("next_batch", "s42")
    await app.stop()
    again = await start_bot(Echo)
    assert await again.adapters["memory"].host.kv.get("next_batch") == "s42"


async def test_landing_series_pages_and_redirects(start_bot: StartBot, tmp_path: object) -> None:
    from pathlib import Path

    minutes = Path(str(tmp_path)) / "minutes"
    app = await start_bot(raw={"web": {"enabled": True, "port": 0},
                               "bot": {"name": "hat<bot>"},
                               "skills": {"meetings": {"minutes_dir": str(minutes)}}})
    for name in ("docs", "infra"):
        await memory(app).say(f"#startmeeting {name}")
        await memory(app).say("#endmeeting")
    base = f"http://127.0.0.1:{app.web.port}"
    async with httpx.AsyncClient() as client:
        landing = await client.get(f"{base}/")
        assert landing.status_code == 200
        assert "<h1>hat&lt;bot&gt;</h1>" in landing.text  # the name, escaped
        assert "<td>memory</td><td>connected</td>" in landing.text
        for path in ("/meetings/", "/healthz", "/metrics"):
            assert f'href="{path}"' in landing.text
        moved = await client.get(f"{base}/meetings")
        assert moved.status_code == 301 and moved.headers["location"] == "/meetings/"
        index = (await client.get(f"{base}/meetings/")).text
        assert '<a href="docs/">docs</a>' in index and '<a href="infra/">infra</a>' in index
        series = await client.get(f"{base}/meetings/docs/")
        assert series.status_code == 200
        assert "Meetings: docs" in series.text and "infra" not in series.text
        (href,) = {h for h in re.findall(r'href="([^"]+\.html)"', series.text)
                   if not h.endswith(".log.html")}
        assert (await client.get(f"{base}/meetings/docs/{href}")).status_code == 200
        assert (await client.get(f"{base}/meetings/docs")).headers["location"] == \
            "/meetings/docs/"
        assert (await client.get(f"{base}/meetings/nosuch/")).status_code == 404
