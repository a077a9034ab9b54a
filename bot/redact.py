"""No secret in the log, at any level: every configured secret, and the shapes secrets
take on the wire (a SASL exchange, an access token in a URL), are masked before a log
line is written."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, SecretStr

MASK = "***"
SHORTEST_SECRET = 4  # shorter values would mask ordinary words
# Secrets as they appear in protocols, whatever their configured value.
_WIRE = [
    re.compile(r"(AUTHENTICATE\s+)(?!PLAIN\b|EXTERNAL\b|SCRAM-|\+)[A-Za-z0-9+/=]+"),
    re.compile(r"((?:access_token|password|token)[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+",
               re.IGNORECASE),
    re.compile(r"((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"()xox[abprs]-[A-Za-z0-9-]+"),
]


def secrets_in(value: Any) -> set[str]:
    """Every SecretStr value inside a configuration, however deeply nested."""
    found: set[str] = set()
    if isinstance(value, SecretStr):
        secret = value.get_secret_value()
        if len(secret) >= SHORTEST_SECRET:
            found.add(secret)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found |= secrets_in(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            found |= secrets_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            found |= secrets_in(item)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        for item in vars(value).values():
            found |= secrets_in(item)
    return found


class Redactor(logging.Filter):
    """A handler filter that rewrites each record's text with secrets masked."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        known = sorted(set(secrets), key=len, reverse=True)  # longest first: no partial masks
        self._known = re.compile("|".join(map(re.escape, known))) if known else None

    def redact(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(MASK, text)
        for pattern in _WIRE:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report, not ours
            return True
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def install(secrets: Iterable[str]) -> Redactor:
    """Mask secrets in everything the root logger's handlers write."""
    redactor = Redactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor
