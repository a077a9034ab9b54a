"""Who is in which channel on one IRC connection, and who is logged in as whom: the
rules that make a person's identity their services account where the server tells it,
kept apart from the connection so each rule is tested on its own.

A login is remembered only for people in a channel with the bot, who are the only ones
whose account changes the bot hears (``account-notify``): the memory is bounded, and
someone out of sight who takes a nick must prove their own login.
"""

from __future__ import annotations

import re
import time

NETSPLIT_MEMORY = 15 * 60.0  # a rejoin this soon after a netsplit quit is no new arrival
_NETSPLIT = re.compile(r"^[\w.-]+\.[\w.-]+ [\w.-]+\.[\w.-]+$")
_NICK_PREFIXES = "~&@%+"


class Roster:
    def __init__(self) -> None:
        self._accounts: dict[str, str | None] = {}  # lower nick → services account
        self._members: dict[str, set[str]] = {}  # lower channel → lower nicks
        self._split: dict[str, float] = {}  # lower nick → when a netsplit took them

    def reset(self) -> None:
        """A new connection: nobody's place or login is known any more."""
        self._members.clear()
        self._accounts.clear()

    # --- who is where ---------------------------------------------------------------

    def names(self, channel: str, names: str) -> None:
        """A NAMES reply (``@ana +bob carl``)."""
        members = self._members.setdefault(channel.lower(), set())
        members |= {name.lstrip(_NICK_PREFIXES).lower() for name in names.split()}

    def bot_joined(self, channel: str) -> None:
        self._members.setdefault(channel.lower(), set())

    def joined(self, nick: str, channel: str) -> bool:
        """Someone joined; False when it is a rejoin after a netsplit (not an arrival)."""
        self._members.setdefault(channel.lower(), set()).add(nick.lower())
        split_at = self._split.pop(nick.lower(), None)
        return not (split_at is not None and time.monotonic() - split_at < NETSPLIT_MEMORY)

    def left(self, nick: str, channel: str) -> None:
        """Someone left a channel (part or kick); out of sight, their login is forgotten."""
        self._members.get(channel.lower(), set()).discard(nick.lower())
        if not self.in_sight(nick):
            self._accounts.pop(nick.lower(), None)

    def quit(self, nick: str, reason: str) -> list[str]:
        """Someone quit: the channels they were in (each a part). A netsplit is noted."""
        if _NETSPLIT.match(reason):
            self._split[nick.lower()] = time.monotonic()
        return [channel for channel, members in self._members.items()
                if nick.lower() in members]

    def forget(self, nick: str) -> None:
        self._accounts.pop(nick.lower(), None)

    def renamed(self, old: str, new: str) -> None:
        """A nick change: the place and the login move with the person, and a stale login
        of the new nick does not stay."""
        for members in self._members.values():
            if old.lower() in members:
                members.discard(old.lower())
                members.add(new.lower())
        account = self._accounts.pop(old.lower(), None)
        self._accounts.pop(new.lower(), None)
        if account is not None:
            self._accounts[new.lower()] = account

    def in_sight(self, nick: str) -> bool:
        """Whether the bot shares a channel with ``nick``, and so hears of their account."""
        return any(nick.lower() in members for members in self._members.values())

    # --- who is logged in as whom ---------------------------------------------------

    def logged_in(self, nick: str, account: str) -> None:
        """``ACCOUNT``, or the account of an extended JOIN: ``*`` is logged out."""
        self._accounts[nick.lower()] = None if account == "*" else account

    def account(self, nick: str, tag: str | None, *, said: bool, accounts: bool,
                account_tag: bool) -> str | None:
        """The identity of ``nick``: their services account, None if not logged in.

        ``tag`` is the message's ``account`` tag; ``said``: it comes with a message;
        ``accounts``: the server tells accounts at all; ``account_tag``: every message
        carries its sender's. A server that tells no accounts leaves only the nick."""
        if tag:
            if self.in_sight(nick):  # only people we share a channel with: a bounded cache
                self._accounts[nick.lower()] = tag
            return tag
        if said and account_tag:
            # With account-tag, a message without the tag is from someone not logged in.
            self._accounts.pop(nick.lower(), None)
            return None
        if not accounts:
            return nick
        return self._accounts.get(nick.lower())
