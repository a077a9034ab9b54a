"""The event contents the bot sends, as Matrix defines them: no client, so each shape is
tested as it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hatbot.events import Choice
from hatbot.i18n import N_
from hatbot.markup import escape, render_html, render_plain

CHOICES_KEY = "org.hatbot.choices"  # the reactions a message takes, and their commands


REACT_HINT = N_("React {emoji}: {label}")  # a choice's line, in the room's language


def notice(markup: str, thread: str | None = None, choices: Sequence[Choice] = (),
           hint: str = REACT_HINT) -> dict[str, Any]:
    """A reply: ``m.notice`` (bots should not trigger other bots) with an HTML body, in
    the thread it answers, falling back to a reply for clients without threads. Matrix
    has no buttons: a choice with an emoji is a reaction people may put on it, said in
    a last line and kept in the content, so the bot reads what a reaction means from the
    message itself, even one it sent before a restart."""
    reacting = [choice for choice in choices if choice.emoji]
    if reacting:
        markup += escape("\n" + " · ".join(hint.format(emoji=choice.emoji, label=choice.label)
                                          for choice in reacting))
    content: dict[str, Any] = {"msgtype": "m.notice", "body": render_plain(markup),
                               "format": "org.matrix.custom.html",
                               "formatted_body": render_html(markup)}
    if reacting:
        content[CHOICES_KEY] = [{"emoji": c.emoji, "command": c.command} for c in reacting]
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


def command_for_reaction(content: dict[str, Any], emoji: str) -> str:
    """The command ``emoji`` means on a message of the bot's with this content ("")."""
    for choice in content.get(CHOICES_KEY) or ():
        if isinstance(choice, dict) and choice.get("emoji") == emoji:
            return str(choice.get("command", ""))
    return ""


def annotation(event_id: str, emoji: str) -> dict[str, Any]:
    """An ``m.reaction`` annotating ``event_id`` with ``emoji``."""
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": emoji}}
