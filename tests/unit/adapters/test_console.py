import io

import pytest

from hatbot.adapters.console import ConsoleAdapter, ConsoleConfig
from hatbot.events import Address, Event, Join, Message, Part, Reply


class Host:
    name = "console"
    bot_name = "hatbot"
    kv = None

    def __init__(self) -> None:
        self.finished = False

    def emit(self, event: Event) -> None:  # not used by parse()
        raise AssertionError

    def input_finished(self) -> None:
        self.finished = True


def console(out: io.StringIO | None = None) -> ConsoleAdapter:
    return ConsoleAdapter(ConsoleConfig(), Host(), stdin=io.StringIO(), stdout=out or io.StringIO())


def test_plain_line_is_the_default_user_in_the_current_channel() -> None:
    event = console().parse("hello")
    assert isinstance(event, Message)
    assert event.channel == Address("console", "#general")
    assert event.sender.address == Address("console", "you")
    assert event.sender.account == Address("console", "you")
    assert event.text == "hello" and not event.is_direct


def test_speaker_prefix() -> None:
    event = console().parse("<alice> #info the plan")
    assert isinstance(event, Message)
    assert (event.sender.name, event.text) == ("alice", "#info the plan")


def test_channel_switch_join_part_and_dm() -> None:
    adapter = console()
    assert adapter.parse("/channel #nova") is None
    joined = adapter.parse("/join bob")
    assert isinstance(joined, Join)
    assert joined.channel == Address("console", "#nova")
    assert joined.person.address == Address("console", "bob")
    parted = adapter.parse("/part bob")
    assert isinstance(parted, Part) and parted.channel == Address("console", "#nova")
    dm = adapter.parse("/dm carol !ping")
    assert isinstance(dm, Message)
    assert dm.is_direct and dm.channel == Address("console", "carol") and dm.text == "!ping"


@pytest.mark.parametrize("line", ["", "   ", "/nonsense", "/dm carol"])
def test_lines_that_make_no_event(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert console().parse(line) is None


async def test_output_format_channel_dm_and_multiline() -> None:
    out = io.StringIO()
    adapter = console(out)
    await adapter.send(Reply(Address("console", "#general"), "**two**\nlines"))
    await adapter.send(Reply(Address("console", "alice"), "psst", direct=True))
    assert out.getvalue() == (
        "[#general] <hatbot> two\n[#general] <hatbot> lines\n[dm:alice] <hatbot> psst\n"
    )


def test_me_is_an_action() -> None:
    adapter = console()
    mine, theirs = adapter.parse("/me waves"), adapter.parse("/me <alice> nods")
    assert isinstance(mine, Message) and isinstance(theirs, Message)
    assert (mine.sender.name, mine.text, mine.is_action) == ("you", "waves", True)
    assert (theirs.sender.name, theirs.text, theirs.is_action) == ("alice", "nods", True)
