"""Who may post a build: GitHub's body signature and the shared tokens of GitLab and Jenkins,
each compared in constant time."""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr


def _bytes(header: str) -> bytes:
    # Headers arrive as Latin-1 text, undecodable bytes as surrogates: back to the bytes.
    return header.encode("utf-8", "surrogateescape")


def token_ok(given: str | None, expected: SecretStr) -> bool:
    """A shared token (``X-Gitlab-Token``, ``X-Hatbot-Token``); no secret set: refused."""
    secret = expected.get_secret_value()
    return bool(secret) and given is not None and hmac.compare_digest(_bytes(given),
                                                                       secret.encode())


def github_signature_ok(body: bytes, header: str | None, secret: SecretStr) -> bool:
    """``X-Hub-Signature-256``: HMAC-SHA256 of the raw body, compared in constant time."""
    key = secret.get_secret_value()
    if not key or not header:
        return False
    digest = "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(digest.encode(), _bytes(header))
