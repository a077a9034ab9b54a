"""The IRC adapter's parts on their own: capability negotiation and the roster."""

from __future__ import annotations

import base64

from hatbot.adapters.irc.caps import Capabilities
from hatbot.adapters.irc.roster import Roster


def test_capabilities_are_asked_for_and_sasl_follows() -> None:
    caps = Capabilities("hatbot", "s3cret")
    assert caps.on_cap(["LS", "*", "multi-prefix sasl=PLAIN"]) == []  # more to come
    assert caps.on_cap(["LS", "account-tag extended-join"]) == [
        "CAP REQ :account-tag extended-join sasl"]
    assert caps.on_cap(["ACK", "account-tag extended-join sasl"]) == ["AUTHENTICATE PLAIN"]
    assert caps.accounts and caps.account_tag
    (line,) = caps.on_authenticate("+", [])
    assert base64.b64decode(line.split()[1]) == b"hatbot\0hatbot\0s3cret"
    assert caps.on_authenticate("other", ["x"]) == []
    caps.reset()
    assert not caps.accounts and caps.offered == set()


def test_no_capabilities_end_negotiation_at_once() -> None:
    caps = Capabilities()
    assert caps.on_cap(["LS", "multi-prefix"]) == ["CAP END"]
    assert Capabilities().on_cap(["NAK", "sasl"]) == ["CAP END"]
    plain = Capabilities()  # no SASL configured: sasl on offer is not asked for
    assert plain.on_cap(["LS", "sasl account-notify"]) == ["CAP REQ :account-notify"]
    assert plain.on_cap(["ACK", "account-notify"]) == ["CAP END"]
    assert plain.accounts and not plain.account_tag


def test_the_roster_follows_logins_only_in_sight() -> None:
    roster = Roster()
    kinds = {"accounts": True, "account_tag": False}
    roster.bot_joined("#dev")
    assert roster.joined("ana", "#dev")
    roster.logged_in("ana", "ana-account")
    assert roster.account("ana", None, said=True, **kinds) == "ana-account"
    roster.renamed("ana", "ana_away")  # the login moves with her
    assert roster.account("ana_away", None, said=True, **kinds) == "ana-account"
    assert roster.account("ana", None, said=True, **kinds) is None
    roster.left("ana_away", "#dev")  # out of sight: forgotten
    assert roster.account("ana_away", None, said=True, **kinds) is None
    # A tag is the truth; with account-tag, no tag means not logged in.
    assert roster.account("bob", "bob", said=True, accounts=True, account_tag=True) == "bob"
    assert roster.account("bob", None, said=True, accounts=True, account_tag=True) is None
    # A server that tells no accounts: the nick is all there is.
    assert roster.account("carl", None, said=True, accounts=False, account_tag=False) == "carl"


def test_a_netsplit_rejoin_is_not_an_arrival() -> None:
    roster = Roster()
    roster.names("#dev", "@ana +bob carl")
    assert roster.in_sight("bob")
    assert roster.quit("bob", "hub.example.net leaf.example.net") == ["#dev"]
    roster.left("bob", "#dev")
    assert not roster.joined("bob", "#dev")  # back after the split
    assert roster.quit("carl", "Quit: bye") == ["#dev"]
    roster.left("carl", "#dev")
    assert roster.joined("carl", "#dev")  # a real quit: the next join is an arrival
