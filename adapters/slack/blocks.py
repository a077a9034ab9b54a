"""The choices under the bot's replies as Slack's Block Kit, and back.

A reply with choices is sent as a section (its text) and an actions block of buttons.
Each button's value is the command it runs and its action id names its reaction, so a
message read back from Slack (after a restart, or by another replica) still says what
each button and each reaction means: nothing about it needs to be stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import emoji

from hatbot.events import Choice
from hatbot.i18n import N_

ACTION_PREFIX = "hatbot:"  # action ids: "hatbot:0:white_check_mark", "hatbot:1:"
CHOICES_BLOCK = "hatbot-choices"
PRESSED_BLOCK = "hatbot-pressed"
SECTION_LIMIT = 3000  # characters of a section's text
BUTTONS_LIMIT = 25  # buttons in one actions block
LABEL_LIMIT = 75  # characters of a button's text
PRESSED_SHOWN = 10  # elements of a context block


def emoji_name(character: str) -> str:
    """Slack's name of an emoji: "✅" → "white_check_mark" ("" stays "")."""
    return emoji.demojize(character, language="alias").strip(":") if character else ""


def blocks(text: str, choices: Sequence[Choice]) -> list[dict[str, Any]]:
    """The message as blocks: its text, then a button for each choice."""
    buttons = []
    for number, choice in enumerate(choices[:BUTTONS_LIMIT]):
        button: dict[str, Any] = {
            "type": "button", "action_id": f"{ACTION_PREFIX}{number}:{emoji_name(choice.emoji)}",
            "text": {"type": "plain_text", "text": choice.label[:LABEL_LIMIT], "emoji": True},
            "value": choice.command}
        if choice.danger:
            button["style"] = "danger"
        buttons.append(button)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}},
            {"type": "actions", "block_id": CHOICES_BLOCK, "elements": buttons}]


def command_for_reaction(message: dict[str, Any], reaction: str) -> str:
    """The command a reaction (Slack's name: "white_check_mark") means on one of the bot's
    messages, read from its buttons; "" when it means nothing."""
    for block in message.get("blocks") or ():
        if block.get("block_id") != CHOICES_BLOCK:
            continue
        for element in block.get("elements") or ():
            _, _, name = str(element.get("action_id", "")).removeprefix(ACTION_PREFIX) \
                .partition(":")
            if name and name == reaction:
                return str(element.get("value", ""))
    return ""


def pressed(message: dict[str, Any], label: str, user: str) -> list[dict[str, Any]]:
    """The message's blocks with a line saying who pressed what (the buttons stay: a
    press the command refused leaves the choice to someone else)."""
    kept = [b for b in message.get("blocks") or () if b.get("block_id") != PRESSED_BLOCK]
    earlier = [b for b in message.get("blocks") or () if b.get("block_id") == PRESSED_BLOCK]
    elements = list(earlier[0].get("elements", [])) if earlier else []
    elements.append({"type": "mrkdwn", "text": f"{label} — <@{user}>"})
    return [*kept, {"type": "context", "block_id": PRESSED_BLOCK,
                    "elements": elements[-PRESSED_SHOWN:]}]


HOME_HEADER = N_("{bot}: yours")
HOME_EMPTY = N_("Nothing open for you: no action items, no Community Hat tasks, no meetings "
                "coming. Say `/hatbot help` to see what the bot does.")


def home_view(panes: Sequence[tuple[str, Sequence[str]]], header: str, empty: str
              ) -> dict[str, Any]:
    """A person's App Home tab: a section per pane (title and lines, already in Slack's
    markup), or ``empty``, a word on how to get some."""
    shown: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header}}]
    for title, lines in panes:
        text = f"*{title}*\n" + "\n".join(f"• {line}" for line in lines)
        shown.append({"type": "section", "text": {"type": "mrkdwn",
                                                  "text": text[:SECTION_LIMIT]}})
    if not panes:
        shown.append({"type": "section", "text": {"type": "mrkdwn", "text": empty}})
    return {"type": "home", "blocks": shown}
