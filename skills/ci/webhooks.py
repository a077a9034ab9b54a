"""The ci skill's HTTP side: GitHub, GitLab and Jenkins webhooks, authenticated, parsed into
builds, answered 2xx only once recorded."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from hatbot.skill import Context, responses, route, shorten
from hatbot.skills.ci import builds
from hatbot.skills.ci.auth import github_signature_ok, token_ok
from hatbot.skills.ci.base import CiBase
from hatbot.skills.ci.builds import IGNORED, BadPayload, Build

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)


class Webhooks(CiBase):
    @route("POST", "/hooks/github")
    async def github(self, ctx: Context, request: web.Request) -> web.Response:
        body = await request.read()
        if not github_signature_ok(body, request.headers.get("X-Hub-Signature-256"),
                                   self.config.github_secret):
            return _error(401, "bad or missing X-Hub-Signature-256")
        event = request.headers.get("X-GitHub-Event", "")
        if event == "ping":  # sent when a hook is made, for a repository or a whole org
            return responses.json({"status": "pong"})
        # Deliveries are told apart by what GitHub signed: the delivery id header is not
        # signed, so a captured body replayed under a new id must change nothing.
        return await self._receive(ctx, body, lambda data: builds.github(event, data))

    @route("POST", "/hooks/gitlab")
    async def gitlab(self, ctx: Context, request: web.Request) -> web.Response:
        return await self._with_token(ctx, request, "X-Gitlab-Token",
                                      self.config.gitlab_token, builds.gitlab)

    @route("POST", "/hooks/jenkins")
    async def jenkins(self, ctx: Context, request: web.Request) -> web.Response:
        return await self._with_token(ctx, request, "X-Hatbot-Token",
                                      self.config.jenkins_token, builds.jenkins)

    async def _with_token(self, ctx: Context, request: web.Request, header: str,
                          token: SecretStr, parse: Callable[[dict[str, Any]], Build | None]
                          ) -> web.Response:
        """A delivery whose sender proves itself with a shared token in ``header``."""
        body = await request.read()
        if not token_ok(request.headers.get(header), token):
            return _error(401, f"bad or missing {header}")
        return await self._receive(ctx, body, parse)

    async def _receive(self, ctx: Context, body: bytes,
                       parse: Callable[[dict[str, Any]], Build | None]) -> web.Response:
        try:
            build = builds.read(body, parse)
        except BadPayload as exc:
            log.warning("ci: refused a malformed webhook body: %s", shorten(str(exc), 200))
            return _error(400, f"malformed payload: {shorten(str(exc), 200)}")
        if build is None or build.outcome == IGNORED:
            return responses.json({"status": "ignored"}, status=202)
        if not self.channels_for(build):
            return responses.json({"status": "not watched"}, status=202)
        # A delivery is its body: a redelivery or a replay of the same body is one event.
        taken = await self.take(ctx, hashlib.sha256(body).hexdigest(), build)
        return responses.json({"status": "ok" if taken else "duplicate"})


def _error(status: int, message: str) -> web.Response:
    return responses.json({"error": message}, status=status)
