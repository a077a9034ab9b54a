"""The event contents the bot sends, as Matrix defines them: no client, so each shape is
tested as it is."""

from __future__ import annotations

from typing import Any

from hatbot.markup import render_html, render_plain


def notice(markup: str, thread: str | None = None) -> dict[str, Any]:
    """A reply: ``m.notice`` (bots should not trigger other bots) with an HTML body, in
    the thread it answers, falling back to a reply for clients without threads."""
    content: dict[str, Any] = {"msgtype": "m.notice", "body": render_plain(markup),
                               "format": "org.matrix.custom.html",
                               "formatted_body": render_html(markup)}
    if thread:
        content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread,
                                   "is_falling_back": True,
                                   "m.in_reply_to": {"event_id": thread}}
    return content


def replacement(markup: str, event_id: str) -> dict[str, Any]:
    """An edit of the bot's message ``event_id``: clients that know edits show
    ``m.new_content``; the rest see "* new text"."""
    new = notice(markup)
    return {**new, "body": "* " + new["body"], "m.new_content": new,
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}}


def annotation(event_id: str, emoji: str) -> dict[str, Any]:
    """An ``m.reaction`` annotating ``event_id`` with ``emoji``."""
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": emoji}}
