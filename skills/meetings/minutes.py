"""Minutes as data, and the plain-text formats: MeetBot's ``.txt``, Markdown, ``.log.txt``
and Hatbot's own ``.log.json`` (which ``hatbot minutes replay`` reads back)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from hatbot.skills.meetings.engine import Item, Line, Meeting, hms

UNASSIGNED = "UNASSIGNED"
LOG_FORMAT = "hatbot-meeting-log"

# Characters that may stand in an IRC nick (and Matrix bridges' "[m]" suffixes): a nick
# only counts as named when it is not part of a longer such word.
_NICK_CHARS = r"\w\[\]\\`^{}|-"


def base_name(meeting: Meeting) -> str:
    """``nova.2026-01-05-16.00``: MeetBot's file name, from the name and the UTC start time."""
    return f"{meeting.name}.{meeting.started_at:%Y-%m-%d-%H.%M}{meeting.file_suffix}"


def relative_base(meeting: Meeting) -> str:
    """``nova/2026/nova.2026-01-05-16.00``: where the files live under ``minutes_dir``."""
    return f"{meeting.name}/{meeting.started_at:%Y}/{base_name(meeting)}"


def title_of(meeting: Meeting) -> str:
    """MeetBot's title: ``#chan: what the chair typed``, else ``#chan Meeting``."""
    if meeting.title:
        return f"{meeting.channel_title}: {meeting.title}"
    return f"{meeting.channel_title} Meeting"


_NICK_RUN = re.compile(rf"[{_NICK_CHARS}]+")


def names(nick: str, text: str) -> bool:
    """Whether ``text`` names ``nick``: not as part of a longer nick-like word."""
    return re.search(rf"(?<![{_NICK_CHARS}]){re.escape(nick)}(?![{_NICK_CHARS}])", text,
                     re.IGNORECASE) is not None


class Namer:
    """Who of ``nicks`` each text names, as ``names`` decides, in time linear in the text:
    a nick made only of nick characters is named exactly when it is one of the text's
    nick-like words, so each text is split once and its words looked up. Other names
    (Matrix and Slack display names with spaces) are few and checked one by one."""

    def __init__(self, nicks: list[str]) -> None:
        self._nicks = nicks
        self._words: dict[str, list[int]] = {}
        self._others: list[int] = []
        for index, nick in enumerate(nicks):
            if _NICK_RUN.fullmatch(nick):
                self._words.setdefault(nick.lower(), []).append(index)
            else:
                self._others.append(index)

    def named(self, text: str) -> list[str]:
        found = {i for word in _NICK_RUN.findall(text) for i in self._words.get(word.lower(), ())}
        lowered = text.lower()
        found |= {i for i in self._others
                  if self._nicks[i].lower() in lowered and names(self._nicks[i], text)}
        return [self._nicks[i] for i in sorted(found)]


@dataclass
class Minutes:
    meeting: Meeting
    bot_name: str
    log_url: str  # where readers find the full log (absolute, or relative to the minutes)

    @property
    def base(self) -> str:
        return base_name(self.meeting)

    @property
    def title(self) -> str:
        return title_of(self.meeting)

    @cached_property
    def sections(self) -> list[tuple[Item | None, list[Item]]]:
        """Items grouped under their topic; items said before any topic come first."""
        groups: list[tuple[Item | None, list[Item]]] = [(None, [])]
        for item in self.meeting.items:
            if item.kind == "TOPIC":
                groups.append((item, []))
            else:
                groups[-1][1].append(item)
        return [g for g in groups if g[0] is not None or g[1]]

    @cached_property
    def people(self) -> list[tuple[str, int]]:
        """Everyone who said something, chairs and people named present (``#nick``,
        ``#here``) with 0 lines if they never spoke; most lines first."""
        counts: dict[str, int] = {}
        for line in self.meeting.lines:
            counts[line.nick] = counts.get(line.nick, 0) + 1
        spoke = {nick.lower() for nick in counts}
        for nick in [*self.meeting.chairs.values(), *self.meeting.present.values()]:
            if nick.lower() not in spoke:
                counts[nick] = 0
                spoke.add(nick.lower())
        return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].lower()))

    @cached_property
    def actions(self) -> list[tuple[Item, list[str]]]:
        """Each action item with the participants its text names."""
        namer = Namer([nick for nick, _ in self.people if nick != self.bot_name])
        return [(item, namer.named(item.text))
                for item in self.meeting.items if item.kind == "ACTION"]

    @cached_property
    def by_person(self) -> list[tuple[str, list[Item]]]:
        """Action items under each person named, then ``UNASSIGNED`` (always listed)."""
        people: dict[str, list[Item]] = {}
        unassigned: list[Item] = []
        for item, assignees in self.actions:
            for nick in assignees:
                people.setdefault(nick, []).append(item)
            if not assignees:
                unassigned.append(item)
        ordered = sorted(people.items(), key=lambda pair: pair[0].lower())
        return [*ordered, (UNASSIGNED, unassigned)]

    @property
    def closing(self) -> str:
        if self.meeting.ended_at is not None:
            return f"Meeting ended at {hms(self.meeting.ended_at)} UTC."
        last = self.meeting.lines[-1].ts
        return f"Meeting still running; these minutes were saved at {hms(last)} UTC."


def item_label(item: Item) -> str:
    """How an item reads in the minutes: INFO plain, the others with their kind."""
    return item.text if item.kind == "INFO" else f"{item.kind}: {item.text}"


@dataclass(frozen=True)
class _Outline:
    """How one plain-text format writes the shared outline of the minutes."""

    bullet: str
    quote: Callable[[str], str]  # user text, made literal
    topic: Callable[[str], str]  # a topic's title, already quoted
    gap: str  # between an item and its "(nick, time)"
    heading: Callable[[str], list[str]]
    spacing: list[str]  # blank lines before a heading


def _outline(minutes: Minutes, o: _Outline) -> list[str]:
    q, b = o.quote, o.bullet
    out = o.heading("Meeting summary")
    for topic, items in minutes.sections:
        indent = ""
        if topic is not None:
            out.append(f"{b} {o.topic(q(topic.text))}{o.gap}({q(topic.nick)}, {hms(topic.ts)})")
            indent = "  "
        out += [f"{indent}{b} {q(item_label(i))}{o.gap}({q(i.nick)}, {hms(i.ts)})"
                for i in items]
    out += ["", minutes.closing, *o.spacing, *o.heading("Action items")]
    out += [f"{b} {q(item.text)}" for item, _ in minutes.actions] or [f"{b} (none)"]
    out += [*o.spacing, *o.heading("Action items, by person")]
    for nick, items in minutes.by_person:
        out.append(f"{b} {q(nick)}")
        out += [f"  {b} {q(item.text)}" for item in items] or [f"  {b} (none)"]
    out += [*o.spacing, *o.heading("People present (lines said)")]
    out += [f"{b} {q(nick)} ({count})" for nick, count in minutes.people]
    return out


_TEXT = _Outline(bullet="*", quote=lambda t: t, topic=lambda t: t, gap="  ",
                 heading=lambda title: [title, "-" * len(title)], spacing=["", "", ""])


def render_text(minutes: Minutes) -> str:
    """MeetBot's ``.txt`` minutes, section for section."""
    m = minutes.meeting
    bar = "=" * len(minutes.title)
    out = [bar, minutes.title, bar, "", "",
           f"Meeting started by {m.starter_nick} at {hms(m.started_at)} UTC.  "
           f"The full logs are available at", f"{minutes.log_url} .", "", "", "",
           *_outline(minutes, _TEXT), "", "", "", "Generated by Hatbot", ""]
    return "\n".join(out)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|])")


def _md(text: str) -> str:
    """User text shown literally in Markdown: markup characters and HTML neutralised."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


_MARKDOWN = _Outline(bullet="-", quote=_md, topic=lambda t: f"**{t}**", gap=" ",
                     heading=lambda title: [f"## {title}", ""], spacing=[""])


def render_markdown(minutes: Minutes) -> str:
    m = minutes.meeting
    out = [f"# {_md(minutes.title)}", "",
           f"Meeting started by {_md(m.starter_nick)} at {hms(m.started_at)} UTC. "
           f"[Full log]({minutes.log_url})", "", *_outline(minutes, _MARKDOWN)]
    return "\n".join(out) + "\n"


def render_log_text(meeting: Meeting) -> str:
    """MeetBot's ``HH:MM:SS <nick> text`` log, which MeetBot's replay reads too."""
    return "".join(f"{hms(line.ts)} * {line.nick} {line.text}\n" if line.is_action
                   else f"{hms(line.ts)} <{line.nick}> {line.text}\n" for line in meeting.lines)


def render_log_json(meeting: Meeting, bot_name: str) -> str:
    document = {
        "format": LOG_FORMAT,
        "version": 1,
        "channel": meeting.channel,
        **({"channel_name": meeting.channel_name} if meeting.channel_name else {}),
        "name": meeting.name,
        "started_at": meeting.started_at.isoformat(),
        "ended_at": meeting.ended_at.isoformat() if meeting.ended_at else None,
        "bot": bot_name,
        "lines": [
            {"ts": line.ts.isoformat(), "key": line.key, "nick": line.nick, "text": line.text,
             "bot": line.is_bot, **({"action": True} if line.is_action else {})}
            for line in meeting.lines
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def lines_from_json(text: str) -> tuple[str, str, str, list[Line]]:
    """Read a ``.log.json`` back: (channel, its name, bot name, lines)."""
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("format") != LOG_FORMAT:
        raise ValueError(f"not a Hatbot meeting log (no \"format\": \"{LOG_FORMAT}\")")
    lines = [Line(ts=datetime.fromisoformat(raw["ts"]), key=raw["key"], nick=raw["nick"],
                  text=raw["text"], is_bot=bool(raw.get("bot")),
                  is_action=bool(raw.get("action")))
             for raw in document["lines"]]
    return (document["channel"], document.get("channel_name", ""),
            document.get("bot", "hatbot"), lines)
