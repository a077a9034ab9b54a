from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import pytest

from hatbot.commands import (
    CommandMeta,
    Registry,
    UsageError,
    Word,
    extract,
    format_duration,
    is_admin,
    make_command,
    parse_arguments,
    parse_duration,
)
from hatbot.context import Context
from hatbot.events import Address, Person
from hatbot.plugins import discover
from hatbot.skill import COMMAND_ATTR, command, marked


class Sample:
    @command("hat add", args="TITLE [every=14d] [area=docs]", help="Add",
             examples=["hat add Review docs every=14d area=docs"])
    async def add(self, ctx: Context, title: str, *, every: timedelta | None = None,
                  area: str = "other") -> None: ...

    @command("hat claim", args="ID", help="Claim", examples=["hat claim 3"])
    async def claim(self, ctx: Context, task_id: int) -> None: ...

    @command("mentor add", help="Volunteer", examples=["mentor add python docs tz=+02:00"])
    async def mentor(self, ctx: Context, tags: list[str], *, tz: str = "+00:00",
                     capacity: int = 2) -> None: ...

    @command("ci mute", help="Mute", examples=["ci mute nova 2h"])
    async def mute(self, ctx: Context, repo: str, duration: timedelta) -> None: ...

    @command("actions", help="List", examples=["actions", "actions bob"])
    async def actions(self, ctx: Context, nick: str = "") -> None: ...


def build(name: str) -> Any:
    sample = Sample()
    for handler, meta in marked(sample, COMMAND_ATTR):  # type: ignore[arg-type]
        assert isinstance(meta, CommandMeta)
        if meta.name == name:
            return make_command("sample", handler, meta)
    raise KeyError(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!ping", "ping"),
        ("  !help ping", "help ping"),
        ("hatbot: meeting start", "meeting start"),
        ("Hatbot, ping", "ping"),
        ("@hatbot ping", "ping"),
        ("! ping", None),
        ("!", None),
        ("hello there", None),
        ("hatbotty: ping", None),
        ("hatbot rocks", None),
        ("hatbot:", None),
    ],
)
def test_extract(text: str, expected: str | None) -> None:
    assert extract(text, prefix="!", bot_name="hatbot", is_direct=False) == expected


def test_extract_bare_command_in_direct_message() -> None:
    assert extract("ping", prefix="!", bot_name="hatbot", is_direct=True) == "ping"


def test_rest_of_line_and_options() -> None:
    cmd = build("hat add")
    args, kwargs = parse_arguments(cmd, "Write the release notes every=14d area=release")
    assert args == ["Write the release notes"]
    assert kwargs == {"every": timedelta(days=14), "area": "release"}


def test_rest_keeps_apostrophes_and_unknown_equals() -> None:
    args, kwargs = parse_arguments(build("hat add"), "Let's fix a=b things")
    assert args == ["Let's fix a=b things"]
    assert kwargs == {}


def test_typed_positional() -> None:
    assert parse_arguments(build("hat claim"), "42") == ([42], {})


def test_usage_error_names_argument_as_declared() -> None:
    with pytest.raises(UsageError,
                       match='ID: expected a whole number from 0 to 2147483647, got "x"'):
        parse_arguments(build("hat claim"), "x")
    with pytest.raises(UsageError, match="missing ID"):
        parse_arguments(build("hat claim"), "")
    with pytest.raises(UsageError, match='unexpected "4"'):
        parse_arguments(build("hat claim"), "3 4")


def test_list_argument_and_options() -> None:
    args, kwargs = parse_arguments(build("mentor add"), "python docs tz=+02:00 capacity=3")
    assert args == [["python", "docs"]]
    assert kwargs == {"tz": "+02:00", "capacity": 3}
    with pytest.raises(UsageError, match="missing TAGS"):
        parse_arguments(build("mentor add"), "capacity=3")


def test_option_value_is_converted() -> None:
    with pytest.raises(UsageError, match="CAPACITY: expected a whole number"):
        parse_arguments(build("mentor add"), "python capacity=lots")


def test_optional_positional() -> None:
    assert parse_arguments(build("actions"), "") == ([""], {})
    assert parse_arguments(build("actions"), "bob") == (["bob"], {})


def test_duration_argument() -> None:
    assert parse_arguments(build("ci mute"), "nova 2h30m") == (
        ["nova", timedelta(hours=2, minutes=30)], {}
    )


def test_generated_usage() -> None:
    assert build("mentor add").usage("!") == (
        "!mentor add TAGS… [tz=…] [capacity=…] (e.g. !mentor add python docs tz=+02:00)"
    )
    assert build("hat claim").usage("!") == "!hat claim ID (e.g. !hat claim 3)"


def test_command_with_arguments_needs_an_example() -> None:
    class NoExample:
        @command("bare", help="x")
        async def bare(self, ctx: Context, item: int) -> None: ...

    meta = NoExample.bare.__hatbot_command__  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="needs examples"):
        make_command("s", NoExample().bare, meta)


def test_registry_prefers_the_longest_name() -> None:
    registry = Registry()
    for name in ("hat add", "hat claim", "actions"):
        registry.add(build(name))
    found = registry.find("hat  claim 3")
    assert found is not None
    assert (found[0].name, found[1]) == ("hat claim", "3")
    assert registry.find("hat frob") is None
    assert [c.name for c in registry.group("HAT")] == ["hat add", "hat claim"]
    with pytest.raises(ValueError, match="clashes"):
        registry.add(build("actions"))


@pytest.mark.parametrize(
    ("text", "delta"),
    [("90s", timedelta(seconds=90)), ("10m", timedelta(minutes=10)),
     ("2h30m", timedelta(hours=2, minutes=30)), ("14d", timedelta(days=14)),
     ("1w", timedelta(weeks=1))],
)
def test_parse_duration(text: str, delta: timedelta) -> None:
    assert parse_duration(text) == delta


@pytest.mark.parametrize("text", ["", "10", "abc", "0m", "5x", "10m foo"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(timedelta(hours=2, minutes=13)) == "2h 13m"
    assert format_duration(timedelta(days=3, hours=4)) == "3d 4h"
    assert format_duration(timedelta(seconds=5)) == "5s"


def test_admin_is_by_verified_account_never_display_name() -> None:
    admins = frozenset({Address("irc", "alice")})
    real = Person(Address("irc", "alice"), "alice", account=Address("irc", "alice"))
    impostor = Person(Address("irc", "alice"), "alice", account=None)
    renamed = Person(Address("irc", "mallory"), "alice", account=Address("irc", "mallory"))
    assert is_admin(real, admins)
    assert not is_admin(impostor, admins)
    assert not is_admin(renamed, admins)


def test_every_installed_command_example_parses() -> None:
    """Examples shown in !help are real: each one finds its command and parses."""
    registry = Registry()
    for name, cls in discover().skills.items():
        skill = cls(cls.config_model())
        for handler, meta in marked(skill, COMMAND_ATTR):
            registry.add(make_command(name, handler, meta))
    checked = 0
    for cmd in registry:
        for example in cmd.examples:
            found = registry.find(example)
            assert found is not None and found[0] is cmd, example
            parse_arguments(cmd, found[1])
            checked += 1
    assert checked >= 4


@dataclass(frozen=True)
class Dice:
    count: int
    sides: int


def parse_dice(text: str) -> Dice:
    count, d, sides = text.lower().partition("d")
    if not (d and count.isdigit() and sides.isdigit()):
        raise ValueError(f'expected dice like 2d6, got "{text}"')
    return Dice(int(count), int(sides))


class OwnTypes:
    @command("dice", help="Roll", examples=["dice 2d6"])
    async def dice(self, ctx: Any, roll: Annotated[Dice, parse_dice]) -> None: ...

    @command("label", help="Label", examples=["label bug"])
    async def label(self, ctx: Any, name: Word) -> None: ...

    @command("pool", help="Pool", examples=["pool 1d4 2d8"])
    async def pool(self, ctx: Any, rolls: list[Annotated[Dice, parse_dice]],
                   extra: Annotated[Dice, parse_dice] | None = None) -> None: ...


def _own(name: str) -> Any:
    (handler, meta), = [(h, m) for h, m in marked(OwnTypes(), COMMAND_ATTR)  # type: ignore[arg-type]
                        if m.name == name]
    return make_command("own", handler, meta)


def test_a_skill_declares_its_own_argument_type() -> None:
    dice = _own("dice")
    assert parse_arguments(dice, "2d6") == ([Dice(2, 6)], {})
    with pytest.raises(UsageError, match='ROLL: expected dice like 2d6, got "two"'):
        parse_arguments(dice, "two")
    with pytest.raises(UsageError, match='unexpected "extra"'):
        parse_arguments(dice, "2d6 extra")
    assert parse_arguments(_own("pool"), "1d4 2d8") == ([[Dice(1, 4), Dice(2, 8)], None], {})


def test_a_word_is_one_word_even_last() -> None:
    label = _own("label")
    assert parse_arguments(label, "bug") == (["bug"], {})
    with pytest.raises(UsageError, match='unexpected "and more"'):
        parse_arguments(label, "bug and more")
