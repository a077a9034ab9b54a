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
