"""Who may read the web pages when ``[web] public = false``.

Every ``GET`` (and ``HEAD``) but ``/healthz`` (a load balancer's probe) and the site
icon then needs ``Authorization``: HTTP Basic as one of ``[web] users``, or a bearer
token from ``[web] tokens`` (for a scraper such as Prometheus). Other methods are the
webhooks', which check their own signatures. Secrets are compared in constant time,
and an unknown user costs the same comparison as a known one.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from hatbot.config import WebConfig

OPEN_PATHS = frozenset({"/healthz", "/favicon.ico"})
CHALLENGE = 'Basic realm="hatbot", charset="UTF-8"'
_NOBODY = b"\0" * 32  # what an unknown user's password is compared with


class Access:
    """The logins of ``[web]``: ``allows`` an ``Authorization`` header or not."""

    def __init__(self, config: WebConfig) -> None:
        self._users = {name.encode(): secret.get_secret_value().encode()
                       for name, secret in config.users.items()}
        self._tokens = [token.get_secret_value().encode() for token in config.tokens]

    def allows(self, header: str) -> bool:
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() == "bearer":
            given = value.strip().encode()
            found = False
            for token in self._tokens:  # every one compared: no timing tells which
                found |= hmac.compare_digest(given, token)
            return found
        if scheme.lower() == "basic":
            try:
                name, colon, password = base64.b64decode(value.strip(), validate=True
                                                         ).partition(b":")
            except (binascii.Error, ValueError):
                return False
            expected = self._users.get(name)
            same = hmac.compare_digest(password, expected if expected is not None else _NOBODY)
            return bool(colon) and expected is not None and same
        return False


def guard(config: WebConfig) -> Middleware | None:
    """The middleware that asks for a login, or None for a public site."""
    if config.public:
        return None
    access = Access(config)

    @web.middleware
    async def login_required(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method in ("GET", "HEAD") and request.path not in OPEN_PATHS \
                and not access.allows(request.headers.get("Authorization", "")):
            raise web.HTTPUnauthorized(headers={"WWW-Authenticate": CHALLENGE},
                                       text="Log in to read this bot's pages.")
        return await handler(request)

    return login_required
