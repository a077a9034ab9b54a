"""The IRC adapter's reading of server events, without a network: what it emits."""

from __future__ import annotations

from typing import Any

from irc.client import Event, NickMask

from hatbot.adapters.irc import IrcAdapter, IrcConfig
from hatbot.events import Join, Message, Part


class Host:
    name = "irc"
    bot_name = "hatbot"
    kv: Any = None

    def __init__(self) -> None:
        self.events: list[object] = []

    def emit(self, event: object) -> None:
        self.events.append(event)

    def input_finished(self) -> None: ...


def adapter() -> tuple[IrcAdapter, Host]:
    host = Host()
    irc = IrcAdapter(IrcConfig(nick="hatbot"), host)  # type: ignore[arg-type]
    irc._on_join(None, Event("join", NickMask("hatbot!b@h"), "#dev", []))  # type: ignore[arg-type]
    return irc, host


def event(kind: str, source: str, target: str | None, *args: str) -> Event:
    return Event(kind, NickMask(source), target, list(args))


def test_netsplit_rejoin_is_not_a_first_join() -> None:
    irc, host = adapter()
    irc._on_join(None, event("join", "ann!a@h", "#dev"))  # type: ignore[arg-type]
    irc._on_quit(None, event("quit", "ann!a@h", None, "hub.example.net leaf.example.net"))  # type: ignore[arg-type]
    irc._on_join(None, event("join", "ann!a@h", "#dev"))  # type: ignore[arg-type]
    irc._on_quit(None, event("quit", "ann!a@h", None, "Quit: bye"))  # type: ignore[arg-type]
    irc._on_join(None, event("join", "ann!a@h", "#dev"))  # type: ignore[arg-type]
    joins = [e for e in host.events if isinstance(e, Join)]
    assert [j.first_time_hint for j in joins] == [True, False, True]
    parts = [e for e in host.events if isinstance(e, Part)]
    assert [str(p.person.address) for p in parts] == ["irc:ann", "irc:ann"]


def test_kick_is_a_part_and_own_lines_are_ignored() -> None:
    irc, host = adapter()
    irc._on_join(None, event("join", "bob!b@h", "#dev"))  # type: ignore[arg-type]
    irc._on_kick(None, event("kick", "op!o@h", "#dev", "bob", "spam"))  # type: ignore[arg-type]
    irc._on_pubmsg(None, event("pubmsg", "hatbot!b@h", "#dev", "my own line"))  # type: ignore[arg-type]
    kinds = [(type(e).__name__, str(e.person.address)) for e in host.events
             if isinstance(e, Join | Part)]
    assert kinds == [("Join", "irc:bob"), ("Part", "irc:bob")]


def test_messages_mentions_and_actions() -> None:
    irc, host = adapter()
    irc._on_pubmsg(None, event("pubmsg", "ann!a@h", "#dev", "thanks Hatbot!"))  # type: ignore[arg-type]
    irc._on_pubmsg(None, event("pubmsg", "ann!a@h", "#dev", "hatbotty is not me"))  # type: ignore[arg-type]
    irc._on_action(None, event("action", "ann!a@h", "#dev", "waves"))  # type: ignore[arg-type]
    irc._on_privmsg(None, event("privmsg", "ann!a@h", "hatbot", "help"))  # type: ignore[arg-type]
    messages = [e for e in host.events if isinstance(e, Message)]
    assert [(str(m.channel), m.text, m.is_direct, m.is_action) for m in messages] == [
        ("irc:#dev", "thanks Hatbot!", False, False),
        ("irc:#dev", "hatbotty is not me", False, False),
        ("irc:#dev", "waves", False, True),
        ("irc:ann", "help", True, False),
    ]
    # No account capabilities on this server: the nick is the identity.
    assert str(messages[0].sender.account) == "irc:ann"


def test_line_budget_counts_the_prefix() -> None:
    irc, _ = adapter()
    assert irc._budget("#dev") == 512 - len(":hatbot!b@h PRIVMSG #dev :\r\n")
