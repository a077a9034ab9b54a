"""The bot's one HTTP server: health, metrics, and the routes skills declare."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from html import escape

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from hatbot.config import WebConfig
from hatbot.metrics import Metrics
from hatbot.web_access import guard

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # webhooks larger than this get 413
# Every connection costs a file descriptor that meeting minutes need too: idle ones are
# closed, slow ones are cut off, and past a limit new ones are refused at once.
IDLE_TIMEOUT = 10.0  # seconds a connection may sit without a request (or mid-headers)
REQUEST_TIMEOUT = 30.0  # seconds to read a request's body and answer it
MAX_CONNECTIONS = 500
SHUTDOWN_GRACE = 2.0  # seconds shutdown waits for requests in progress
RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# The landing page's links, shown when something serves them.
PAGES = [("/community/", "Community health"), ("/meetings/", "Meeting minutes"),
         ("/actions/", "Action items"), ("/schedule/", "Meeting schedule"),
         ("/kb/", "Knowledge base"),
         ("/healthz", "Health (JSON)"),
         ("/metrics", "Metrics (Prometheus)")]
NO_ADAPTER = '<tr><td colspan="2">no adapter</td></tr>'
# A hat, drawn in SVG (browsers take it at /favicon.ico by its content type).
ICON = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        b'<rect x="4" y="22" width="24" height="4" rx="2" fill="#0b57d0"/>'
        b'<path d="M9 22 L11 8 H21 L23 22 Z" fill="#0b57d0"/>'
        b'<rect x="10" y="17" width="12" height="3" fill="#fff3bf"/></svg>')

LANDING = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name}</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em}}
td{{padding:.2em 1em .2em 0}}</style></head>
<body><h1>{name}</h1><p>A Hatbot: meetings, welcomes, the Community Hat and CI pings.</p>
<h2>Chat</h2><table><tr><th>adapter</th><th>state</th></tr>{rows}</table>{trouble}
<h2>Pages</h2><ul>{links}</ul></body></html>
"""


class _Refused(asyncio.Protocol):
    """Over the connection limit: closed as soon as it is opened."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


@web.middleware
async def _time_limit(request: web.Request, handler: RouteHandler) -> web.StreamResponse:
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            return await handler(request)
    except TimeoutError:
        log.warning("web: %s %s took over %.0fs; cut off", request.method, request.path,
                    REQUEST_TIMEOUT)
        return web.json_response({"error": "request timeout"}, status=408)


class WebServer:
    def __init__(
        self,
        config: WebConfig,
        metrics: Metrics,
        adapter_states: Callable[[], dict[str, str]],
        problems: Callable[[], dict[str, str]] = dict,
        bot_name: str = "hatbot",
        more_metrics: Callable[[], Awaitable[str]] | None = None,
        warnings: Callable[[], dict[str, str]] = dict,
        role: Callable[[], str] = lambda: "leader",
    ) -> None:
        self.config = config
        self.bot_name = bot_name
        self._metrics = metrics
        self._states = adapter_states
        self._problems = problems
        self._warnings = warnings
        self._role = role  # "leader", or "standby": another replica speaks (bot/replicas.py)
        self._more_metrics = more_metrics  # the community's gauges, gathered by the app
        login = guard(config)
        self.app = web.Application(client_max_size=MAX_BODY,
                                   middlewares=[_time_limit, *([login] if login else [])])
        self.app.router.add_get("/", self._landing)
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/metrics", self._metrics_page)
        self.app.router.add_get("/favicon.ico", self._icon)
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self.port: int | None = None

    def add_route(self, method: str, path: str, handler: RouteHandler) -> None:
        self.app.router.add_route(method, path, handler)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, keepalive_timeout=IDLE_TIMEOUT,
                                     shutdown_timeout=SHUTDOWN_GRACE)
        await self._runner.setup()
        loop = asyncio.get_running_loop()
        try:
            self._listener = await loop.create_server(
                self._connection, self.config.host, self.config.port, reuse_address=True)
        except OSError as exc:
            await self._runner.cleanup()
            raise OSError(f"web: cannot listen on {self.config.host}:{self.config.port}: "
                          f"{exc.strerror or exc}") from None
        self.port = int(self._listener.sockets[0].getsockname()[1])  # the real one for 0
        log.info("web server on http://%s:%s", self.config.host, self.port)

    def _connection(self) -> asyncio.BaseProtocol:
        server = self._runner.server if self._runner is not None else None
        if server is None or len(server.connections) >= MAX_CONNECTIONS:
            return _Refused()
        return server()

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _landing(self, request: web.Request) -> web.Response:
        """Who this is, how it is, and where everything else is."""
        states, problems = self._states(), {**self._problems(), **self._warnings()}
        known = {info.get("path") or info.get("formatter")
                 for info in (r.get_info() for r in self.app.router.resources())}
        pages = [(path, label) for path, label in PAGES if path in known]
        rows = "".join(f"<tr><td>{escape(name)}</td><td>{escape(state)}</td></tr>"
                       for name, state in sorted(states.items()))
        trouble = "".join(f"<li>{escape(what)}: {escape(why)}</li>"
                          for what, why in sorted(problems.items()))
        links = "".join(f'<li><a href="{path}">{label}</a></li>' for path, label in pages)
        page = LANDING.format(name=escape(self.bot_name), rows=rows or NO_ADAPTER,
                              trouble=f"<ul>{trouble}</ul>" if trouble else "", links=links)
        return web.Response(text=page, content_type="text/html")

    async def _icon(self, request: web.Request) -> web.Response:
        """What browsers ask every site for; a missing one is an error in their console."""
        return web.Response(body=ICON, content_type="image/svg+xml",
                            headers={"Cache-Control": "max-age=86400"})

    async def _healthz(self, request: web.Request) -> web.Response:
        states, problems, role = self._states(), self._problems(), self._role()
        # A standby is not connected to chat, by design: it is ready when its storage is.
        connected = role != "leader" or all(state == "connected" for state in states.values())
        healthy = connected and not problems
        body: dict[str, object] = {"status": "ok" if healthy else "degraded", "role": role,
                                   "adapters": states}
        if problems:
            body["problems"] = problems
        warnings = self._warnings()
        if warnings:
            body["warnings"] = warnings
        return web.Response(status=200 if healthy else 503, text=json.dumps(body),
                            content_type="application/json")

    async def _metrics_page(self, request: web.Request) -> web.Response:
        body = self._metrics.render()
        if self._more_metrics is not None:
            body += (await self._more_metrics()).encode()
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response
