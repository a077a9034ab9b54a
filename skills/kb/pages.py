"""``/kb/`` (search, the latest approved entries, drafts waiting), ``/kb/ID`` (an entry
with its revisions and the chat it came from) and ``/kb/decisions/SERIES`` (what a
meeting series decided, each with its line in the minutes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import func, select

from hatbot.context import Context
from hatbot.skill import page_templates
from hatbot.storage.kv import opted_out

from .models import APPROVED, DRAFT, KbDecision, KbEntry, KbRevision
from .search import MAX_WORDS, search

if TYPE_CHECKING:
    from .skill import Kb

MAX_QUERY = 200
LISTED = 50
SOMEONE = "someone"  # in place of a name whose person opted out of the pages


def _render(ctx: Context, template: str, **values: object) -> web.Response:
    html = page_templates(Path(__file__).with_name("templates")).get_template(
        template).render(bot_name=ctx.bot_name, **values)
    return web.Response(text=html, content_type="text/html")


def _shown(name: str | None, hidden: set[str]) -> str:
    return SOMEONE if name and name.lower() in hidden else (name or "")


async def index(skill: Kb, ctx: Context, request: web.Request) -> web.Response:
    query = request.query.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise web.HTTPBadRequest(text=f"q: a search is at most {MAX_QUERY} characters, "
                                      "e.g. ?q=release+notes")
    hits = await search(ctx.db, query, limit=LISTED) if query else []
    latest = [] if query else list(await ctx.db.scalars(
        select(KbEntry).where(KbEntry.status == APPROVED)
        .order_by(KbEntry.updated_at.desc(), KbEntry.id.desc()).limit(LISTED)))
    drafts = list(await ctx.db.scalars(select(KbEntry).where(KbEntry.status == DRAFT,
                                                             KbEntry.channel != "")
                                       .order_by(KbEntry.created_at, KbEntry.id)
                                       .limit(LISTED)))
    series = list(await ctx.db.execute(select(KbDecision.series, func.count())
                                       .group_by(KbDecision.series)
                                       .order_by(KbDecision.series)))
    return _render(ctx, "kb.html.j2", title=f"Knowledge base · {ctx.bot_name}", query=query,
                   hits=hits, latest=latest, drafts=drafts, series=series,
                   max_words=MAX_WORDS, hidden=await opted_out(ctx.db), shown=_shown)


async def entry(skill: Kb, ctx: Context, request: web.Request) -> web.Response:
    found = await ctx.db.get(KbEntry, int(request.match_info["entry_id"]))
    if found is None or (found.status != APPROVED and not found.channel):
        # What someone wrote to the bot in private is public once a reviewer approved it.
        raise web.HTTPNotFound(text="no such entry")
    revisions = list(await ctx.db.scalars(select(KbRevision).where(
        KbRevision.entry_id == found.id).order_by(KbRevision.at, KbRevision.id)))
    source = found.source_url if found.source_url.startswith(("https://", "http://")) else ""
    return _render(ctx, "entry.html.j2", title=f"#{found.id} {found.question} · "
                   f"{ctx.bot_name}", entry=found, revisions=revisions, source=source,
                   hidden=await opted_out(ctx.db), shown=_shown)


async def decisions(skill: Kb, ctx: Context, request: web.Request) -> web.Response:
    series = request.match_info["series"].lower()
    found = list(await ctx.db.scalars(select(KbDecision).where(KbDecision.series == series)
                                      .order_by(KbDecision.at.desc(), KbDecision.id.desc())
                                      .limit(500)))
    if not found:
        raise web.HTTPNotFound(text=f'no decisions recorded for "{series}"')
    return _render(ctx, "decisions.html.j2", title=f"Decisions of {series} · "
                   f"{ctx.bot_name}", series=series, decisions=found,
                   hidden=await opted_out(ctx.db), shown=_shown)
