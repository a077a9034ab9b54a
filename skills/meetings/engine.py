"""The meeting engine: MeetBot's rules applied to lines, knowing no platform and no storage.

A meeting is its log. ``Meeting.log`` records a line; ``Meeting.apply`` carries
out a command said on that line. Replaying the same lines gives the same
meeting, which is how a meeting survives a restart and how ``hatbot minutes
replay`` rebuilds minutes from a log file.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import overload

from hatbot.skill import extract, tr

COMMANDS = (
    "startmeeting", "endmeeting", "topic", "info", "idea", "link", "help", "action",
    "agreed", "accepted", "rejected", "chair", "unchair", "undo", "meetingname",
    "meetingtopic", "nick", "here", "startvote", "vote", "showvote", "endvote", "save",
    "lurk", "unlurk", "restrictlogs", "commands",
    "faq",  # QUESTION | ANSWER: a draft for the knowledge base (the kb skill)
    # An incident is a meeting too: its log, crash safety and minutes, and at its end a
    # post-incident review drafted for the knowledge base (incident.py).
    "startincident", "endincident", "status", "cause", "fix",
    # MeetBot's other spellings
    "agree", "accept", "reject", "halp",
)
ITEM_KINDS = {
    "info": "INFO", "idea": "IDEA", "link": "LINK", "help": "HELP", "halp": "HELP",
    "action": "ACTION", "agreed": "AGREED", "agree": "AGREED", "accepted": "ACCEPTED",
    "accept": "ACCEPTED", "rejected": "REJECTED", "reject": "REJECTED", "faq": "FAQ",
    "status": "STATUS", "cause": "CAUSE", "fix": "FIX",
}
STARTS = {"startmeeting": False, "startincident": True}  # the command → an incident?
INCIDENT = "incident"  # the name of every incident: one series in the archive
CHAIR_ONLY = {
    "topic", "agreed", "agree", "accepted", "accept", "rejected", "reject", "chair",
    "unchair", "undo", "meetingname", "meetingtopic", "startvote", "endvote", "save", "lurk",
    "unlurk", "restrictlogs",
}
ALIASES = {"start": "startmeeting", "end": "endmeeting", "topic": "topic"}
LATE_END = timedelta(minutes=60)
BOT_KEY = "bot"
LONGEST_TIMEBOX = timedelta(hours=24)  # a meeting is hours, not centuries
MAX_NAMED = 20  # people one #chair line can name
NAME_LIMIT = 100  # characters of a meeting's name used in file names; the title keeps all

log = logging.getLogger(__name__)

# "#topic Bugs", and MeetBot's "#topic:Bugs" / "#action: x"; not "#openstack-dev".
_HASH_COMMAND = re.compile(r"^#([A-Za-z]+)(?:(?::|\s)\s*(.*))?$", re.DOTALL)
_URL_LINE = re.compile(r"^(?:https?|ftp)://\S+", re.IGNORECASE)
_TIMEBOX = re.compile(r"\((\d{1,9})\s*(m|min|mins|minutes|h|hours?)\)\s*$", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^a-z0-9]")  # OpenStack's rule: tripleo-ci → tripleo_ci
_UNSAFE_NAME_KEEPING_DASHES = re.compile(r"[^a-z0-9_-]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that some readers take for the end of a line (str.splitlines does, and so
# does a MeetBot log reader): in a logged line they could forge lines said by others.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def meeting_name(text: str, keep_dashes: bool = False) -> str:
    """The name for files: lower-case, every character but ``a-z0-9`` (and ``-`` with
    ``keep_dashes``) becomes ``_``, cut to NAME_LIMIT."""
    unsafe = _UNSAFE_NAME_KEEPING_DASHES if keep_dashes else _UNSAFE_NAME
    return unsafe.sub("_", text.strip().lower())[:NAME_LIMIT]


def one_line(text: str) -> str:
    """Text as one log line: line breaks become spaces, and what is not valid Unicode
    (a lone surrogate, left by undecodable input) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", _LINE_BREAKS.sub(" ", text))


class Ambiguous(Exception):
    def __init__(self, nick: str, candidates: list[str]) -> None:
        self.text = tr("'{nick}' could be {candidates}: say the exact nick.", nick=nick,
                       candidates=", ".join(candidates))
        super().__init__(self.text)


@dataclass(frozen=True, slots=True)
class Line:
    """One line said in the channel: by whom (``key`` is their verified identity) and when."""

    ts: datetime
    key: str
    nick: str
    text: str
    is_bot: bool = False
    is_action: bool = False  # "/me": logged as "* nick text"


class LineLog(Sequence[Line]):
    """A meeting's lines, kept as plain tuples and handed out as ``Line``s.

    The lines of the running meetings are most of what a busy bot holds, and every full
    collection of the garbage collector walked each ``Line`` (20 to 90 ms with ten long
    meetings, the longest pauses the dispatch benchmark saw). A tuple of strings, times
    and booleans is not tracked by the collector once it has seen it.
    """

    __slots__ = ("_rows",)

    def __init__(self, lines: Iterable[Line] = ()) -> None:
        self._rows: list[tuple[datetime, str, str, str, bool, bool]] = []
        for line in lines:
            self.append(line)

    def append(self, line: Line) -> None:
        self._rows.append((line.ts, line.key, line.nick, line.text, line.is_bot,
                           line.is_action))

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Line: ...

    @overload
    def __getitem__(self, index: slice) -> list[Line]: ...

    def __getitem__(self, index: int | slice) -> Line | list[Line]:
        if isinstance(index, slice):
            return [Line(*row) for row in self._rows[index]]
        return Line(*self._rows[index])

    def __iter__(self) -> Iterator[Line]:
        return (Line(*row) for row in self._rows)

    def __reversed__(self) -> Iterator[Line]:
        return (Line(*row) for row in reversed(self._rows))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LineLog) and self._rows == other._rows

    __hash__ = None  # type: ignore[assignment]  # mutable, as a list is


@dataclass
class Item:
    kind: str  # TOPIC, INFO, IDEA, LINK, HELP, ACTION, AGREED, ACCEPTED, REJECTED, VOTE, FAQ
    text: str
    nick: str
    ts: datetime
    line: int  # 1-based number of the log line it was said on


@dataclass
class Vote:
    question: str
    options: list[str]
    ballots: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (nick, option)

    def tally(self) -> list[tuple[str, list[str]]]:
        return [(option, [nick for nick, chosen in self.ballots.values() if chosen == option])
                for option in self.options]

    def describe(self) -> str:
        return "; ".join(f"{option} ({len(voters)})" + (f": {', '.join(voters)}" if voters else "")
                         for option, voters in self.tally())


@dataclass
class Outcome:
    """What the skill must do after a line: say things, write minutes, watch a time box."""

    replies: list[str] = field(default_factory=list)
    write_minutes: bool = False
    ended: bool = False
    timebox: tuple[Item, timedelta] | None = None
    channel_topic: str | None = None  # #topic: what the channel's topic could become


def parse_hash(text: str) -> tuple[str, str] | None:
    """``#topic Bugs`` → ``("topic", "Bugs")``; ``#12345``, ``#openstack-dev`` are not commands."""
    match = _HASH_COMMAND.match(text.strip())
    if match is None or match.group(1).lower() not in COMMANDS:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()


def parse_alias(text: str, prefix: str, bot_name: str) -> tuple[str, str] | None:
    """``!meeting start NAME``, ``hatbot: meeting end`` → the MeetBot command they stand for."""
    # Addressed to the bot by the router's own rule, so both agree on every line.
    body = extract(text, prefix=prefix, bot_name=bot_name, is_direct=False)
    if body is None:
        return None
    match = re.match(r"^meeting\s+(\w+)(?:\s+(.*))?$", body.strip(), re.IGNORECASE | re.DOTALL)
    if match is None or match.group(1).lower() not in ALIASES:
        return None
    return ALIASES[match.group(1).lower()], (match.group(2) or "").strip()


def hms(ts: datetime) -> str:
    return ts.strftime("%H:%M:%S")


@dataclass
class Meeting:
    channel: str  # "platform:id" of the channel
    name: str
    started_at: datetime
    starter_key: str
    starter_nick: str
    chairs: dict[str, str] = field(default_factory=dict)  # key → nick
    lines: LineLog = field(default_factory=LineLog)
    items: list[Item] = field(default_factory=list)
    vote: Vote | None = None
    ended_at: datetime | None = None
    channel_name: str = ""  # the channel as people know it, where its id is opaque (Slack)
    title: str = ""  # what the chair typed (#startmeeting, #meetingtopic); "" for none
    present: dict[str, str] = field(default_factory=dict)  # key → nick: #nick, #here, chairs
    lurking: bool = False  # #lurk: the bot logs but says nothing
    restricted_logs: bool = False  # #restrictlogs: the logs are not published
    keep_dashes: bool = False  # the file-name rule: OpenStack's (False) or dashes kept
    incident: bool = False  # started by #startincident
    # "-2", "-3"…: for a second meeting of the same name started in the same minute,
    # whose files would otherwise replace the first one's.
    file_suffix: str = ""

    @classmethod
    def start(cls, channel: str, line: Line, name: str, keep_dashes: bool = False,
              incident: bool = False) -> tuple[Meeting, Outcome]:
        default = channel.split(":", 1)[-1].lstrip("#!&")
        meeting = cls(
            channel=channel,
            name=INCIDENT if incident else meeting_name(name or default, keep_dashes)
            or "meeting",
            keep_dashes=keep_dashes,
            title=" ".join(name.split()),
            started_at=line.ts,
            starter_key=line.key,
            starter_nick=line.nick,
            chairs={line.key: line.nick},
            incident=incident,
        )
        meeting.log(line)
        if incident:
            return meeting, Outcome(replies=[tr(
                "Incident started at {time} UTC: {title}. {lead} leads it. Say #status, "
                "#cause, #fix and #action as it goes; #endincident ends it and drafts the "
                "post-incident review.", time=hms(line.ts), title=meeting.title or "untitled",
                lead=line.nick)])
        return meeting, Outcome(replies=[tr(
            "Meeting started at {time} UTC. The chair is {chair}. The meeting name is "
            "'{name}'. Say #commands for the list of commands.",
            time=hms(line.ts), chair=line.nick, name=meeting.name)])

    @property
    def channel_id(self) -> str:
        return self.channel.split(":", 1)[-1]

    @property
    def channel_title(self) -> str:
        return self.channel_name or self.channel_id

    @property
    def topic(self) -> Item | None:
        return next((item for item in reversed(self.items) if item.kind == "TOPIC"), None)

    def log(self, line: Line) -> int:
        """Record a line; returns its number (1-based)."""
        text, nick = one_line(line.text), one_line(line.nick)
        if (text, nick) != (line.text, line.nick):
            line = dataclasses.replace(line, text=text, nick=nick)
        self.lines.append(line)
        return len(self.lines)

    def is_chair(self, key: str) -> bool:
        return key in self.chairs

    def apply(self, line: Line, command: str, arg: str) -> Outcome:
        """Carry out ``command`` said on ``line``, which must already be logged."""
        if line.is_bot or self.ended_at is not None:
            return Outcome()
        arg = one_line(arg)
        if one_line(line.nick) != line.nick:
            line = dataclasses.replace(line, nick=one_line(line.nick))
        number = len(self.lines)
        if command in STARTS:
            return Outcome(replies=[tr("A meeting is already running here: '{name}', started "
                                       "by {nick} at {time} UTC.", name=self.name,
                                       nick=self.starter_nick, time=hms(self.started_at))])
        if command in ("endmeeting", "endincident"):
            return self._end(line)
        if command in CHAIR_ONLY and not self.is_chair(line.key):
            return Outcome(replies=[tr("{nick}: only a chair can use #{command} (chairs: "
                                       "{chairs}).", nick=line.nick, command=command,
                                       chairs=", ".join(sorted(self.chairs.values())))])
        if command in ITEM_KINDS:
            if arg:
                self.items.append(Item(ITEM_KINDS[command], arg, line.nick, line.ts, number))
            return Outcome()
        handler = getattr(self, f"_{command}")
        result: Outcome = handler(line, arg, number)
        return result

    def hear(self, line: Line, command: tuple[str, str] | None) -> Outcome:
        """Log a line and, if it carries a command (or starts with a URL), carry it out."""
        number = self.log(line)
        if command is not None:
            outcome = self.apply(line, *command)
            if self.lurking:  # #lurk: everything is recorded, nothing is said
                outcome.replies = []
            return outcome
        if not line.is_bot and self.ended_at is None and _URL_LINE.match(line.text.strip()):
            self.items.append(Item("LINK", line.text.strip(), line.nick, line.ts, number))
        return Outcome()

    # --- the commands ---------------------------------------------------------------

    def _end(self, line: Line) -> Outcome:
        late = line.ts - self.started_at >= LATE_END
        if not (self.is_chair(line.key) or late):
            return Outcome(replies=[tr("{nick}: only a chair can end the meeting before it has "
                                       "run {minutes} minutes.", nick=line.nick,
                                       minutes=int(LATE_END.total_seconds() // 60))])
        self.ended_at = line.ts
        if self.incident:
            return Outcome(replies=[tr("Incident ended at {time} UTC, after {span}.",
                                       time=hms(line.ts),
                                       span=_span(line.ts - self.started_at))],
                           write_minutes=True, ended=True)
        return Outcome(replies=[tr("Meeting ended at {time} UTC.", time=hms(line.ts))],
                       write_minutes=True, ended=True)

    def _topic(self, line: Line, arg: str, number: int) -> Outcome:
        if not arg:
            return Outcome()
        item = Item("TOPIC", arg, line.nick, line.ts, number)
        self.items.append(item)
        topic = f"{self.title or self.name}: {arg}"
        box = _TIMEBOX.search(arg)
        if box is None:
            return Outcome(channel_topic=topic)
        unit = box.group(2).lower()
        length = timedelta(hours=int(box.group(1))) if unit.startswith("h") \
            else timedelta(minutes=int(box.group(1)))
        if not timedelta() < length <= LONGEST_TIMEBOX:
            return Outcome(replies=[tr("A time box is 1m to {hours}h; '{topic}' is recorded "
                                       "without one.", hours=_hours(LONGEST_TIMEBOX),
                                       topic=arg)], channel_topic=topic)
        return Outcome(replies=[tr("Topic '{topic}' is time-boxed: I will say when "
                                   "{length} are up.", topic=arg,
                                   length=f"{box.group(1)}{unit[0]}")], timebox=(item, length),
                       channel_topic=topic)

    def _chair(self, line: Line, arg: str, number: int) -> Outcome:
        found, replies = self._people(arg)
        for key, nick in found:
            self.chairs[key] = self._nick_of(key, nick)
        return Outcome(replies=[*replies, self._chair_list()])

    def _unchair(self, line: Line, arg: str, number: int) -> Outcome:
        found, replies = self._people(arg)
        for key, _ in found:
            if key != self.starter_key:
                self.chairs.pop(key, None)
        return Outcome(replies=[*replies, self._chair_list()])

    def _people(self, arg: str) -> tuple[list[tuple[str, str]], list[str]]:
        """The identities and nicks a ``#chair``-style line names, and a reply for each
        nick that is ambiguous."""
        found: list[tuple[str, str]] = []
        unclear: list[str] = []
        for nick in arg.replace(",", " ").split()[:MAX_NAMED]:
            try:
                found.append((self._resolve(nick), nick))
            except Ambiguous as problem:
                unclear.append(problem.text)
        return found, unclear

    def _chair_list(self) -> str:
        return tr("Current chairs: {chairs}", chairs=", ".join(sorted(self.chairs.values())))

    def _undo(self, line: Line, arg: str, number: int) -> Outcome:
        if not self.items:
            return Outcome(replies=[tr("Nothing to undo.")])
        item = self.items.pop()
        return Outcome(replies=[tr("Removing item from minutes: {kind}: {text}", kind=item.kind,
                                   text=item.text)])

    def _meetingname(self, line: Line, arg: str, number: int) -> Outcome:
        if not meeting_name(arg, self.keep_dashes):
            return Outcome(replies=[tr("Usage: #meetingname NAME (e.g. #meetingname nova)")])
        self.name = meeting_name(arg, self.keep_dashes)
        return Outcome(replies=[tr("The meeting name has been set to '{name}'", name=self.name)])

    def _meetingtopic(self, line: Line, arg: str, number: int) -> Outcome:
        if not arg:
            return Outcome(replies=[tr("Usage: #meetingtopic TEXT (e.g. #meetingtopic Nova "
                                       "weekly)")])
        self.title = " ".join(arg.split())
        return Outcome(replies=[tr("The meeting topic has been set to '{title}'",
                                   title=self.title)])

    def _nick(self, line: Line, arg: str, number: int) -> Outcome:
        """Name people as present, whether or not they speak (and so assignable)."""
        for nick in arg.replace(",", " ").split()[:MAX_NAMED]:
            self.present.setdefault(f"{self.channel.split(':', 1)[0]}:{nick}", nick)
        return Outcome()

    def _here(self, line: Line, arg: str, number: int) -> Outcome:
        self.present.setdefault(line.key, line.nick)
        return Outcome()

    def _lurk(self, line: Line, arg: str, number: int) -> Outcome:
        self.lurking = True
        return Outcome()

    def _unlurk(self, line: Line, arg: str, number: int) -> Outcome:
        self.lurking = False
        return Outcome()

    def _restrictlogs(self, line: Line, arg: str, number: int) -> Outcome:
        self.restricted_logs = True
        return Outcome(replies=[tr("The logs of this meeting will not be published; the "
                                   "minutes will.")])

    def _startvote(self, line: Line, arg: str, number: int) -> Outcome:
        if self.vote is not None:
            return Outcome(replies=[tr("A vote is already running: {question} Say #endvote "
                                       "first.", question=self.vote.question)])
        question, mark, rest = arg.partition("?")
        if not mark or not question.strip():
            return Outcome(replies=[tr("Usage: #startvote QUESTION? [OPTION, OPTION…] (e.g. "
                                       "#startvote Release on Friday? Yes, No, Abstain)")])
        rest = re.sub(r"^\s*options\s*:", "", rest, flags=re.IGNORECASE)
        options = [o.strip() for o in rest.split(",") if o.strip()] or ["Yes", "No"]
        self.vote = Vote(question.strip() + "?", options)
        return Outcome(replies=[tr("Begin voting on: {question} Valid vote options are "
                                   "{options}. Vote with #vote OPTION; only your last vote "
                                   "counts.", question=self.vote.question,
                                   options=", ".join(options))])

    def _vote(self, line: Line, arg: str, number: int) -> Outcome:
        if self.vote is None:
            return Outcome(replies=[tr("There is no vote running.")])
        choice = next((o for o in self.vote.options if o.lower() == arg.strip().lower()), None)
        if choice is None:
            return Outcome(replies=[tr("{nick}: '{option}' is not a valid option; choose from "
                                       "{options}.", nick=line.nick, option=arg,
                                       options=", ".join(self.vote.options))])
        self.vote.ballots[line.key] = (line.nick, choice)
        return Outcome()

    def _showvote(self, line: Line, arg: str, number: int) -> Outcome:
        if self.vote is None:
            return Outcome(replies=[tr("There is no vote running.")])
        return Outcome(replies=[f"{self.vote.question} {self.vote.describe()}"])

    def _endvote(self, line: Line, arg: str, number: int) -> Outcome:
        vote, self.vote = self.vote, None
        if vote is None:
            return Outcome(replies=[tr("There is no vote running.")])
        counts = ", ".join(f"{option}: {len(voters)}" for option, voters in vote.tally())
        self.items.append(Item("VOTE", f"{vote.question} ({counts})", line.nick, line.ts, number))
        return Outcome(replies=[tr("Voted on \"{question}\" Results are: {results}",
                                   question=vote.question, results=vote.describe())])

    def _save(self, line: Line, arg: str, number: int) -> Outcome:
        return Outcome(write_minutes=True)

    def _commands(self, line: Line, arg: str, number: int) -> Outcome:
        return Outcome(replies=[tr("Meeting commands: {commands}",
                                   commands=", ".join(f"#{c}" for c in COMMANDS))])

    # --- people -----------------------------------------------------------------------

    def _resolve(self, nick: str) -> str:
        """The identity behind a nick, by precedence: whoever spoke with exactly that nick
        (or identity), else the one person whose nick matches it in another case, else
        the nick as an address on this channel's platform (an IRC nick, a console user).

        Raises Ambiguous when several people match only in another case: ``ALICE`` must
        never take the chair meant for ``alice``.
        """
        speakers = [line for line in reversed(self.lines) if not line.is_bot]
        for line in speakers:
            if nick in (line.nick, line.key.split(":", 1)[-1]):
                return line.key
        folded = nick.casefold()
        matches = {line.key: line.nick for line in speakers if folded in (
            line.nick.casefold(), line.key.split(":", 1)[-1].casefold())}
        if len(matches) > 1:
            raise Ambiguous(nick, sorted(matches.values()))
        if matches:
            return next(iter(matches))
        return f"{self.channel.split(':', 1)[0]}:{nick}"

    def _nick_of(self, key: str, fallback: str) -> str:
        return next((line.nick for line in reversed(self.lines) if line.key == key), fallback)


def _span(delta: timedelta) -> str:
    """``1h 05m``, ``12m``: how long something lasted, to the minute."""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def _hours(delta: timedelta) -> int:
    return int(delta.total_seconds() // 3600)


def replay(
    lines: Iterable[Line], channel: str, prefix: str = "!", bot_name: str = "hatbot",
    keep_dashes: bool = False,
) -> Meeting | None:
    """Rebuild a meeting from its lines, as a live meeting would have seen them."""
    meeting: Meeting | None = None
    for line in lines:
        command = None if line.is_bot or line.is_action else (
            parse_hash(line.text) or parse_alias(line.text, prefix, bot_name))
        if meeting is None:
            if command is not None and command[0] in STARTS:
                meeting, _ = Meeting.start(channel, line, command[1], keep_dashes,
                                           incident=STARTS[command[0]])
            continue
        try:
            meeting.hear(line, command)
        except Exception:
            # One bad line must not cost the meeting: it stays in the log, unacted on.
            log.exception("meeting %s: line %d could not be replayed", meeting.name,
                          len(meeting.lines))
        if meeting.ended_at is not None:
            break
    return meeting
