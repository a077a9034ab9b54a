"""Answers for skills' HTTP routes, made without importing aiohttp until a request needs
one: the web server, and aiohttp with it, loads after the chat adapters have started, and
a skill module that imported aiohttp itself would load it before them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from aiohttp import web


def html(page: str, status: int = 200) -> web.Response:
    from aiohttp import web

    return web.Response(text=page, content_type="text/html", status=status)


def json(data: Any, status: int = 200) -> web.Response:
    from aiohttp import web

    return web.json_response(data, status=status)


def csv(text: str, filename: str) -> web.Response:
    """A CSV download (UTF-8, ``filename`` as the name to save it under)."""
    from aiohttp import web

    return web.Response(text=text, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def file(path: Path, content_type: str) -> web.FileResponse:
    from aiohttp import web

    return web.FileResponse(path, headers={"Content-Type": content_type})


def not_found() -> NoReturn:
    from aiohttp import web

    raise web.HTTPNotFound()


def moved(location: str) -> NoReturn:
    """A permanent redirect (301)."""
    from aiohttp import web

    raise web.HTTPMovedPermanently(location)
