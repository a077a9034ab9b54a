"""One small message markup (a Markdown subset) rendered for each platform.

Skills write Markdown: ``**bold**``, ``*italic*``, ```code```, ``[text](url)``
and lists. Adapters call one renderer: plain text (IRC, console), Slack mrkdwn,
or HTML (Matrix ``formatted_body``). Raw HTML in the source is never passed
through, so user text quoted by a skill cannot inject markup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@functools.cache
def _markdown() -> MarkdownIt:
    """The parser, made at the first formatted message: plain replies never need it, and
    it is a tenth of the start."""
    from markdown_it import MarkdownIt

    return (
        MarkdownIt("commonmark", {"html": False, "breaks": True})
        # Chat lines such as "# 5 open items" or "----" are text, not layout.
        .disable(["heading", "lheading", "code", "fence", "hr", "html_block", "html_inline"])
    )


MENTION_SCHEME = "mention:"


def mention(address: str, name: str) -> Markup:
    """Markup that names a person so each platform can notify them: ``<@U1>`` on Slack,
    a matrix.to pill on Matrix, ``@name`` in plain text. ``address`` is ``platform:id``."""
    return Markup(f"[@{escape(name)}]({MENTION_SCHEME}{address})")


@dataclass(frozen=True)
class _Style:
    escape: Callable[[str], str]
    strong: str
    em: str
    code: str
    link: Callable[[str, str], str]
    mention: Callable[[str, str], str] = lambda text, address: text


def _plain_link(text: str, href: str) -> str:
    return href if text in ("", href) else f"{text} <{href}>"


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(text: str, href: str) -> str:
    return f"<{href}>" if text in ("", href) else f"<{href}|{text}>"


def _slack_mention(text: str, address: str) -> str:
    platform, _, ident = address.partition(":")
    return f"<@{ident}>" if platform == "slack" else text


def _plain_mention(text: str, address: str) -> str:
    # In plain text the id is how a person is highlighted: an IRC or console nick, a
    # Matrix user id in a body; the display name would notify nobody. A Slack id means
    # nothing to a reader, so there (a plain fallback only) the name stays.
    platform, _, ident = address.partition(":")
    return text if platform == "slack" or not ident else ident


_PLAIN = _Style(escape=lambda s: s, strong="", em="", code="", link=_plain_link,
                mention=_plain_mention)
_SLACK = _Style(escape=_slack_escape, strong="*", em="_", code="`", link=_slack_link,
                mention=_slack_mention)


def _inline(children: list[Token], style: _Style) -> str:
    out: list[str] = []
    link_stack: list[tuple[str, int]] = []
    for tok in children:
        kind = tok.type
        if kind == "text":
            out.append(style.escape(tok.content))
        elif kind == "code_inline":
            out.append(f"{style.code}{style.escape(tok.content)}{style.code}")
        elif kind in ("strong_open", "strong_close"):
            out.append(style.strong)
        elif kind in ("em_open", "em_close"):
            out.append(style.em)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "link_open":
            link_stack.append((str(tok.attrs.get("href", "")), len(out)))
        elif kind == "link_close" and link_stack:
            href, start = link_stack.pop()
            text = "".join(out[start:])
            del out[start:]
            if href.startswith(MENTION_SCHEME):
                out.append(style.mention(text, href.removeprefix(MENTION_SCHEME)))
            else:
                out.append(style.link(text, style.escape(href)))
        elif kind == "image":
            out.append(style.escape(tok.content))
    return "".join(out)


def _blocks(tokens: list[Token], style: _Style) -> str:
    lines: list[str] = []
    lists: list[list[int]] = []  # one counter per open list; [-1] means bullets
    pending_prefix: str | None = None
    quote_depth = 0
    for tok in tokens:
        kind = tok.type
        if kind == "bullet_list_open":
            lists.append([-1])
        elif kind == "ordered_list_open":
            lists.append([int(tok.attrs.get("start", 1) or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            counter = lists[-1]
            indent = "  " * (len(lists) - 1)
            if counter[0] < 0:
                pending_prefix = f"{indent}- "
            else:
                pending_prefix = f"{indent}{counter[0]}. "
                counter[0] += 1
        elif kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind == "inline":
            text = _inline(tok.children or [], style)
            quote = "> " * quote_depth
            for i, line in enumerate(text.split("\n")):
                if i == 0 and pending_prefix is not None:
                    line = pending_prefix + line
                    pending_prefix = None
                elif lists:
                    line = "  " * len(lists) + line
                lines.append(quote + line)
    return "\n".join(lines)


# Markup whose text, once its backslash escapes are read, has none of these and does not
# start a block construct renders as that text: most replies ("pong", or any plain str a
# skill says, which ``escape`` made safe) then skip the Markdown parser.
_NOT_PLAIN = re.compile(r"[\\`*_\[\]<>&!#~|\n\r\t\x00]|^[-+=>0-9]|^\s|\s$")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: any ASCII punctuation


def _as_plain(markup: str) -> str | None:
    """The text ``markup`` renders to where it has no formatting at all; None otherwise."""
    if _NOT_PLAIN.search(_ESCAPE.sub("", markup)):
        return None
    return _ESCAPE.sub(r"\1", markup)


def render_plain(markup: str) -> str:
    """Plain text for IRC and the console: emphasis dropped, links as ``text <url>``."""
    text = _as_plain(markup)
    return text if text is not None else _blocks(_markdown().parse(markup), _PLAIN)


def render_slack(markup: str) -> str:
    """Slack mrkdwn: ``*bold*``, ``_italic_``, ``<url|text>``, with ``&<>`` escaped."""
    text = _as_plain(markup)
    if text is not None and not any(c in text for c in "&<>"):
        return text
    return _blocks(_markdown().parse(markup), _SLACK)


def render_html(markup: str) -> str:
    """HTML for Matrix ``formatted_body``; all text is escaped, raw HTML is not kept."""
    parser = _markdown()
    tokens = parser.parse(markup)
    for token in tokens:
        for child in token.children or []:
            href = str(child.attrs.get("href", ""))
            if child.type == "link_open" and href.startswith(MENTION_SCHEME):
                platform, _, ident = href.removeprefix(MENTION_SCHEME).partition(":")
                # Matrix clients turn matrix.to links into pills that notify the person.
                child.attrs["href"] = f"https://matrix.to/#/{ident}" if platform == "matrix" \
                    else ""
    html = str(parser.renderer.render(tokens, parser.options, {})).strip()
    return html.replace(' href=""', "")


class Markup(str):
    """Text that is already markup: its formatting is meant. Any plain ``str`` a skill
    sends is user-safe text and is quoted whole; so formatting must be asked for.

    Joining or adding plain text to Markup quotes the plain text, like Jinja's Markup.
    """

    __slots__ = ()

    def __add__(self, other: str) -> Markup:
        return Markup(str.__add__(self, as_markup(other)))

    def __radd__(self, other: str) -> Markup:
        return Markup(str.__add__(as_markup(other), self))

    def join(self, items: Iterable[str]) -> Markup:
        return Markup(str.join(self, (as_markup(item) for item in items)))

    def format(self, *args: object, **kwargs: object) -> Markup:
        """``Markup("hi {}, welcome").format(mention(p))``: arguments that are not Markup
        are quoted."""
        def quoted(value: object) -> object:
            return value if isinstance(value, Markup) else escape(str(value))

        return Markup(str.format(self, *map(quoted, args),
                                 **{k: quoted(v) for k, v in kwargs.items()}))


_SPECIAL = frozenset("\\`*_[]<>&#!-+.()|~")


def escape(text: str) -> Markup:
    """Quote user text so that it shows literally once rendered by any of the above."""
    if isinstance(text, Markup):
        return text
    return Markup("".join("\\" + ch if ch in _SPECIAL else ch for ch in text))


def as_markup(text: str) -> Markup:
    """Markup as it is; plain text quoted."""
    return text if isinstance(text, Markup) else escape(text)


__all__ = ["Markup", "as_markup", "escape", "mention", "render_html", "render_plain",
           "render_slack"]
