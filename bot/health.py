"""What is wrong with the bot right now, beyond its adapters: today, its storage.

A full disk, a read-only file or a locked database makes every handler fail the
same way. Said once (a log line, ``/healthz`` 503 with the reason, one notice per
channel), not once per message; cleared by the first save that works again.
"""

from __future__ import annotations

import errno
import logging
import sys

log = logging.getLogger(__name__)

_STORAGE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO, errno.EFBIG,
                   errno.EMFILE, errno.ENFILE}


def storage_failure(exc: BaseException) -> str | None:
    """The reason, when ``exc`` says the storage cannot be written (not a bug of ours)."""
    # A database error exists only once SQLAlchemy is loaded, which the bot does after
    # its chat adapters start: no need to load it here to recognise one.
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_errors is not None and isinstance(exc, sqlalchemy_errors.DBAPIError) \
            and exc.connection_invalidated is False:
        text = str(exc.orig).lower()
        for sign in ("locked", "disk is full", "disk i/o", "readonly", "read-only",
                     "unable to open", "no space", "could not connect", "connection"):
            if sign in text:
                return str(exc.orig).splitlines()[0]
    if isinstance(exc, OSError) and exc.errno in _STORAGE_ERRNOS:
        return exc.strerror or str(exc)
    cause = exc.__cause__ or exc.__context__
    return storage_failure(cause) if cause is not None and cause is not exc else None


class Health:
    def __init__(self) -> None:
        self.storage_problem: str | None = None
        self._told: set[str] = set()  # channels told about the current outage

    def storage_failed(self, reason: str) -> None:
        if self.storage_problem is None:
            log.error("storage: cannot save (%s); the bot keeps answering and will recover "
                      "by itself once saving works again", reason)
        self.storage_problem = reason

    def storage_works(self) -> None:
        if self.storage_problem is not None:
            log.warning("storage: saving works again (it failed with: %s)",
                        self.storage_problem)
        self.storage_problem = None
        self._told.clear()

    def first_notice(self, channel: str) -> bool:
        """Whether ``channel`` has yet to hear about this outage (and now will)."""
        if channel in self._told:
            return False
        self._told.add(channel)
        return True

    def problems(self) -> dict[str, str]:
        return {"storage": self.storage_problem} if self.storage_problem else {}
