"""Importing a module in a thread of its own while the event loop goes on: how the bot
loads its web server's libraries (aiohttp is a fifth of the start) after the chat
adapters have started, instead of before them."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import importlib
import threading
from types import ModuleType

_importing: set[threading.Thread] = set()


def import_in_thread(name: str) -> asyncio.Future[ModuleType]:
    """Import module ``name`` in a daemon thread. The loop runs on meanwhile (an import
    holds the interpreter lock only in turns), and a stop need not wait for it; but the
    process must not finalise while it runs (see ``imports_running``)."""
    imported: concurrent.futures.Future[ModuleType] = concurrent.futures.Future()

    def load() -> None:
        try:
            module = importlib.import_module(name)
        except BaseException as exc:
            settle = functools.partial(imported.set_exception, exc)
        else:
            settle = functools.partial(imported.set_result, module)
        _importing.discard(thread)  # done importing, before anyone waiting can look
        settle()

    thread = threading.Thread(target=load, name=f"import {name}", daemon=True)
    _importing.add(thread)
    thread.start()
    return asyncio.wrap_future(imported)


def imports_running() -> bool:
    """Whether an ``import_in_thread`` is still at work. The interpreter cannot finalise
    under it (a C extension half initialised crashes it), so a process that stops this
    early leaves without finalising (``hatbot.cli``)."""
    return bool(_importing)
