"""IRCv3 capability negotiation and SASL PLAIN: which lines to send for the lines the
server sends, with no connection of its own (so it is tested line by line)."""

from __future__ import annotations

import base64

# Any of these tells us people's services accounts.
ACCOUNT_CAPS = {"account-notify", "extended-join", "account-tag"}


class Capabilities:
    def __init__(self, sasl_username: str = "", sasl_password: str = "") -> None:
        self.sasl_username = sasl_username
        self._sasl_password = sasl_password
        self.reset()

    def reset(self) -> None:
        """A new connection: nothing offered, nothing agreed."""
        self.offered: set[str] = set()
        self.accounts = False  # the server tells accounts (any of ACCOUNT_CAPS)
        self.account_tag = False  # every message says its sender's account, or has none

    def on_cap(self, args: list[str]) -> list[str]:
        """``CAP LS``/``ACK``/``NAK`` from the server → the lines to answer with."""
        sub = args[0].upper() if args else ""
        if sub == "LS":
            self.offered |= {c.split("=", 1)[0] for c in args[-1].split()}
            if len(args) > 2 and args[1] == "*":
                return []  # more LS lines to come
            wanted = ACCOUNT_CAPS & self.offered
            if self.sasl_username and "sasl" in self.offered:
                wanted.add("sasl")
            return [f"CAP REQ :{' '.join(sorted(wanted))}"] if wanted else ["CAP END"]
        if sub == "ACK":
            acked = set(args[-1].split())
            self.accounts = bool(ACCOUNT_CAPS & acked)
            self.account_tag = "account-tag" in acked
            return ["AUTHENTICATE PLAIN"] if "sasl" in acked else ["CAP END"]
        if sub == "NAK":
            return ["CAP END"]
        return []

    def on_authenticate(self, target: str, args: list[str]) -> list[str]:
        """``AUTHENTICATE +`` (the library reads the "+" as the target) → our credentials."""
        if target != "+" and args[:1] != ["+"]:
            return []
        user = self.sasl_username
        token = base64.b64encode(f"{user}\0{user}\0{self._sasl_password}".encode()).decode()
        return [f"AUTHENTICATE {token}"]
