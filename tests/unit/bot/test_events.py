import pytest

from hatbot.events import Address, Person


@pytest.mark.parametrize(
    ("text", "platform", "ident"),
    [
        ("irc:#openstack-nova", "irc", "#openstack-nova"),
        ("slack:C0123ABCD", "slack", "C0123ABCD"),
        ("matrix:!roomid:example.org", "matrix", "!roomid:example.org"),
        ("matrix:@alice:example.org", "matrix", "@alice:example.org"),
        ("console:alice", "console", "alice"),
    ],
)
def test_address_round_trip(text: str, platform: str, ident: str) -> None:
    address = Address.parse(text)
    assert (address.platform, address.id) == (platform, ident)
    assert str(address) == text


@pytest.mark.parametrize("text", ["alice", ":alice", "irc:", "i-rc:x"])
def test_address_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError, match="platform:id"):
        Address.parse(text)


def test_person_name_prefers_display_name() -> None:
    address = Address("slack", "U1")
    assert Person(address, "Alice").name == "Alice"
    assert Person(address).name == "U1"
