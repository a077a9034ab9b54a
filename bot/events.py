"""The neutral event model every adapter speaks and every skill reads.

Plain frozen dataclasses with no I/O and no imports from the rest of Hatbot, so
that any module may use them.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

# NUL and lone surrogates (what undecodable input leaves in a str) cannot be stored in
# SQL text nor written as UTF-8: they become U+FFFD before any skill sees them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True, order=True)
class Address:
    """A person or a channel on one platform, printed ``platform:id``."""

    platform: str
    id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Address:
        """Read ``platform:id``; the id may itself contain colons (Matrix)."""
        platform, sep, ident = text.partition(":")
        if not sep or not platform or not ident or not platform.isalnum():
            raise ValueError(f'expected "platform:id", got "{text}"')
        return cls(platform.lower(), ident)


@dataclass(frozen=True)
class Person:
    """Someone who speaks; ``account`` is the identity the platform verified, if any."""

    address: Address
    display_name: str = ""
    account: Address | None = None

    @property
    def name(self) -> str:
        """What to call them in chat and in minutes."""
        return self.display_name or self.address.id

    @property
    def identity(self) -> str:
        """Who they are, as text for storage: the verified account where the platform
        has one, else their address. Rights and records follow this, never the name."""
        return str(self.account or self.address)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Message:
    """A line of text said in a channel, or sent to the bot directly.

    For a direct message ``channel`` is the conversation, which adapters address
    as the sender's own address.
    """

    channel: Address
    sender: Person
    text: str
    ts: datetime = field(default_factory=_now)
    thread: str | None = None
    is_direct: bool = False
    channel_name: str = ""  # how people know the channel ("#general"), where it is not the id
    is_action: bool = False  # "/me waves": IRC ACTION, Slack me_message, Matrix m.emote
    id: str = ""  # the platform's id of the message (Slack ts, Matrix event id), to react to


@dataclass(frozen=True)
class Join:
    """Someone joined a channel. ``first_time_hint`` is False for rejoins the
    adapter can recognise (reconnects, netsplits), so welcome logic skips them."""

    channel: Address
    person: Person
    ts: datetime = field(default_factory=_now)
    first_time_hint: bool = True


@dataclass(frozen=True)
class Part:
    """Someone left a channel (part, quit or kick)."""

    channel: Address
    person: Person
    ts: datetime = field(default_factory=_now)


@dataclass(frozen=True)
class Reaction:
    """Someone put an emoji on a message (``message_id`` is that ``Message.id``): the
    character ("📌"), or a custom emoji's name where the platform has no character."""

    channel: Address
    person: Person
    message_id: str
    emoji: str
    ts: datetime = field(default_factory=_now)


@dataclass(frozen=True)
class Invoke:
    """Someone ran a command without saying it in the channel: pressed a button under a
    reply (a ``Choice``), reacted to one with its emoji, or typed a slash command. The
    router runs ``text`` (a command with its prefix: "!hat claim 3") as it would a
    message's, as ``sender`` and with the same permissions. It is no line of the
    conversation, so listeners of ``Message`` never see it (no minutes, no capture).
    ``message_id`` is the reply whose choice it was."""

    channel: Address
    sender: Person
    text: str
    thread: str | None = None
    message_id: str = ""
    ts: datetime = field(default_factory=_now)
    # A slash command: an answer that concerns only the asker may be shown to them alone.
    private: bool = False


Event = Message | Join | Part | Reaction | Invoke


def storable(text: str) -> str:
    return _UNSTORABLE.sub("\ufffd", text)


def cleaned(event: Event) -> Event:
    """The event with every text a skill might store made storable."""
    person = event.sender if isinstance(event, Message | Invoke) else event.person
    name = storable(person.display_name)
    if name != person.display_name:
        person = dataclasses.replace(person, display_name=name)
    if isinstance(event, Message | Invoke):
        text = storable(event.text)
        if text != event.text or person is not event.sender:
            return dataclasses.replace(event, text=text, sender=person)
        return event
    return event if person is event.person else dataclasses.replace(event, person=person)


# --- outbound: what the bot does, each a type an adapter may or may not support ----------


def _key() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Choice:
    """What people may do about a reply with one gesture: a button under it where the
    platform has buttons (``Choice`` in an adapter's ``supports``), and, where it has
    reactions, reacting with ``emoji``. Either runs ``command`` (with its prefix: "!hat
    claim 3") as the person, exactly as if they had typed it: same permissions, same
    answer. ``danger`` marks a button that undoes or refuses (Reject)."""

    label: str
    command: str
    emoji: str = ""
    danger: bool = False


@dataclass(frozen=True)
class Reply:
    """Something the bot says: markup text for a channel, or for a person when ``direct``
    (a direct message). ``key`` names it for a later ``Edit``; ``choices`` are what
    people may do about it (buttons, reactions); every one is a command people can type
    too, so a platform without either loses nothing."""

    target: Address
    markup_text: str
    thread: str | None = None
    direct: bool = False
    key: str = field(default_factory=_key)
    choices: tuple[Choice, ...] = ()
    # Shown in the channel to this person alone (Slack's ephemeral messages); set only in
    # answer to an ``Invoke`` that allows it.
    visible_to: Address | None = None


@dataclass(frozen=True)
class SetTopic:
    """Set a channel's topic."""

    target: Address
    topic: str


@dataclass(frozen=True)
class React:
    """Put an emoji (the character: "👀") on a message people said (``Message.id``)."""

    target: Address
    message_id: str
    emoji: str


@dataclass(frozen=True)
class Edit:
    """Change what the bot said earlier (the ``key`` of its ``Reply``) to new markup."""

    target: Address
    key: str
    markup_text: str


Outbound = Reply | SetTopic | React | Edit

