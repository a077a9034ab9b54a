"""The bot's one HTTP server: health, metrics, and the routes skills declare."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.config import WebConfig
from bot.metrics import Metrics

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # webhooks larger than this get 413
RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebServer:
    def __init__(
        self,
        config: WebConfig,
        metrics: Metrics,
        adapter_states: Callable[[], dict[str, str]],
    ) -> None:
        self.config = config
        self._metrics = metrics
        self._states = adapter_states
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/metrics", self._metrics_page)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def add_route(self, method: str, path: str, handler: RouteHandler) -> None:
        self.app.router.add_route(method, path, handler)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            raise OSError(f"web: cannot listen on {self.config.host}:{self.config.port}: "
                          f"{exc.strerror or exc}") from None
        self.port = int(self._runner.addresses[0][1])  # the real one when port = 0
        log.info("web server on http://%s:%s", self.config.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        states = self._states()
        healthy = all(state == "connected" for state in states.values())
        body = {"status": "ok" if healthy else "degraded", "adapters": states}
        return web.Response(status=200 if healthy else 503, text=json.dumps(body),
                            content_type="application/json")

    async def _metrics_page(self, request: web.Request) -> web.Response:
        response = web.Response(body=self._metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response
