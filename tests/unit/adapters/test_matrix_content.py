"""The Matrix event contents the bot sends, shape by shape."""

from __future__ import annotations

from hatbot.adapters.matrix.content import annotation, notice, replacement


def test_a_notice_has_a_plain_and_an_html_body_and_keeps_its_thread() -> None:
    plain = notice("**bold** <b>")
    assert plain["msgtype"] == "m.notice" and "m.relates_to" not in plain
    assert plain["formatted_body"] == "<p><strong>bold</strong> &lt;b&gt;</p>"
    assert plain["body"] == "bold <b>"
    threaded = notice("hi", thread="$root")
    assert threaded["m.relates_to"] == {"rel_type": "m.thread", "event_id": "$root",
                                        "is_falling_back": True,
                                        "m.in_reply_to": {"event_id": "$root"}}


def test_an_edit_replaces_and_falls_back_to_a_star() -> None:
    edit = replacement("done", "$old")
    assert edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$old"}
    assert edit["body"] == "* done" and edit["m.new_content"]["body"] == "done"
    assert "m.relates_to" not in edit["m.new_content"]


def test_a_reaction_annotates_the_event() -> None:
    assert annotation("$e", "👀") == {"m.relates_to": {"rel_type": "m.annotation",
                                                      "event_id": "$e", "key": "👀"}}


def test_choices_are_reactions_named_in_a_last_line_in_the_rooms_language() -> None:
    from hatbot.adapters.matrix.content import CHOICES_KEY, REACT_HINT, command_for_reaction
    from hatbot.events import Choice
    from hatbot.i18n import translations

    choices = (Choice("Claim #1", "!hat claim 1", emoji="✅"), Choice("Approve", "!kb approve 1"))
    content = notice("Take one.", choices=choices)
    assert content["body"] == "Take one.\nReact ✅: Claim #1"  # no emoji, no line
    assert content[CHOICES_KEY] == [{"emoji": "✅", "command": "!hat claim 1"}]
    assert command_for_reaction(content, "✅") == "!hat claim 1"
    assert command_for_reaction(content, "👀") == ""
    german = notice("Nimm eine.", choices=choices[:1],
                    hint=translations("de").gettext(REACT_HINT))
    assert german["body"] == "Nimm eine.\nReagiere mit ✅: Claim #1"
