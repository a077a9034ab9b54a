"""Who an action item names: the linear Namer decides exactly as the one-regex-per-nick
rule does, and stays fast with thousands of people."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from hatbot.skills.meetings.minutes import Namer, names

NICK = st.text(alphabet="abAB_-[]|0é ", min_size=1, max_size=6).map(str.strip).filter(bool)
TEXT = st.text(alphabet="abAB_-[]|0é :,.' ", max_size=40)


@given(st.lists(NICK, max_size=8, unique=True), TEXT)
def test_the_namer_agrees_with_the_rule(nicks: list[str], text: str) -> None:
    assert Namer(nicks).named(text) == [nick for nick in nicks if names(nick, text)]


def test_display_names_with_spaces_are_named_too() -> None:
    namer = Namer(["Alice Moreau", "bob", "Bob [m]"])
    assert namer.named("Alice Moreau and bob to write it") == ["Alice Moreau", "bob"]
    assert namer.named("ask Bob [m]") == ["bob", "Bob [m]"]  # "Bob" is a word of it too
    assert namer.named("bobby will") == []


def test_thousands_of_people_and_actions_take_well_under_a_second() -> None:
    """The old rule took 31 s at 1,000 speakers; this is linear in the text."""
    nicks = [f"nick{i}" for i in range(5000)]
    actions = [f"nick{i} and nick{i * 7 % 5000} to review change {i}" for i in range(1000)]
    started = time.perf_counter()
    namer = Namer(nicks)
    found = [namer.named(text) for text in actions]
    elapsed = time.perf_counter() - started
    assert found[3] == ["nick3", "nick21"]
    assert elapsed < 5  # measured in bench/README.md; this only catches a quadratic relapse
