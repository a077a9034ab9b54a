from hypothesis import given
from hypothesis import strategies as st

from hatbot.markup import (
    _PLAIN,
    _SLACK,
    _as_plain,
    _blocks,
    _markdown,
    escape,
    render_html,
    render_plain,
    render_slack,
)

SAMPLE = "Hello **alice**, see [the guide](https://docs.example.org) and `!help`"


def test_plain_drops_emphasis_and_shows_link_targets() -> None:
    assert render_plain(SAMPLE) == "Hello alice, see the guide <https://docs.example.org> and !help"


def test_slack_mrkdwn() -> None:
    assert render_slack(SAMPLE) == (
        "Hello *alice*, see <https://docs.example.org|the guide> and `!help`"
    )


def test_slack_escapes_control_characters() -> None:
    assert render_slack("a <b> & c") == "a &lt;b&gt; &amp; c"


def test_html_escapes_user_text() -> None:
    rendered = render_html("<script>alert(1)</script> & **ok**")
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered
    assert "<strong>ok</strong>" in rendered


def test_lists_and_lines() -> None:
    text = "Open tasks:\n- docs\n- CI\n\n1. first\n2. second"
    assert render_plain(text) == "Open tasks:\n- docs\n- CI\n1. first\n2. second"


def test_chat_lines_that_look_like_markdown_layout_stay_text() -> None:
    assert render_plain("# 5 open items\n----") == "# 5 open items\n----"


def test_escape_shows_user_text_literally() -> None:
    user_text = "**not bold** [x](http://evil) <b>"
    assert render_plain(escape(user_text)) == user_text
    assert "<strong>" not in render_html(escape(user_text))


def test_mentions_notify_on_each_platform() -> None:
    from hatbot.markup import mention

    slack = f"thanks {mention('slack:U0RAJ', 'Raj [PT]')}!"
    assert render_slack(slack) == "thanks <@U0RAJ>!"
    assert render_plain(slack) == "thanks @Raj [PT]!"
    matrix = mention("matrix:@raj:example.org", "Raj")
    assert render_html(matrix) == '<p><a href="https://matrix.to/#/@raj:example.org">@Raj</a></p>'
    assert render_html(mention("irc:raj", "raj")) == "<p><a>@raj</a></p>"
    assert render_slack(mention("irc:raj", "raj")) == "@raj"


def test_markup_quotes_plain_text_it_meets() -> None:
    from hatbot.markup import Markup, escape, render_plain, render_slack

    link = "[x](https://evil.example)"
    assert render_plain(Markup("**{}** said {}").format(Markup("*a*"), link)) == \
        f"a said {link}"
    assert render_slack(Markup("- ") + link) == "- [x](https://evil.example)"
    assert render_plain(link + Markup(" **ok**")) == f"{link} ok"
    assert render_plain(Markup(", ").join([link, escape("<!channel>")])) == \
        f"{link}, <!channel>"
    assert render_plain(escape("back\\slash [x](y)")) == "back\\slash [x](y)"


def test_a_mention_notifies_on_every_platform() -> None:
    from hatbot.markup import mention, render_html, render_plain, render_slack

    assert render_plain(mention("irc:alice", "Alice A")) == "alice"  # the nick highlights
    assert render_plain(mention("console:bob", "bob")) == "bob"
    assert render_slack(mention("slack:U0RAJ", "Raj")) == "<@U0RAJ>"
    assert 'href="https://matrix.to/#/@ana:example.org"' in render_html(
        mention("matrix:@ana:example.org", "Ana"))


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                max_size=40)
_MARKUPISH = st.text(alphabet="ab 1.-+*_\\`[]()<>&!#~|:\n\t", max_size=20)


@given(_TEXT)
def test_the_plain_fast_path_agrees_with_the_parser_on_escaped_text(text: str) -> None:
    markup = escape(text)
    assert render_plain(markup) == _blocks(_markdown().parse(markup), _PLAIN)
    assert render_slack(markup) == _blocks(_markdown().parse(markup), _SLACK)


@given(_MARKUPISH)
def test_the_plain_fast_path_agrees_with_the_parser_on_any_markup(markup: str) -> None:
    assert render_plain(markup) == _blocks(_markdown().parse(markup), _PLAIN)
    assert render_slack(markup) == _blocks(_markdown().parse(markup), _SLACK)


def test_most_replies_skip_the_parser() -> None:
    assert _as_plain("pong") == "pong"
    assert _as_plain(escape("OK, in 2h I will say: stand-up (daily)")) == \
        "OK, in 2h I will say: stand-up (daily)"
    assert _as_plain("**bold**") is None and _as_plain("- item") is None
