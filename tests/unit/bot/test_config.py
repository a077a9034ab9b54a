import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from hatbot.config import ConfigError, build, load
from hatbot.plugins import discover

REPO = Path(__file__).resolve().parents[3]


class IrcLike(BaseModel):
    model_config = ConfigDict(extra="forbid")
    port: int = 6697
    password: str = ""
    channels: list[str] = []


ADAPTERS = {"console": IrcLike, "irc": IrcLike}
SKILLS = {"core": IrcLike}


def problems(text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        build(tomllib.loads(text), ADAPTERS, SKILLS, environ or {})
    return caught.value.problems


def test_wrong_type_names_the_key() -> None:
    assert problems('[adapters.irc]\nport = "abc"') == [
        'adapters.irc.port: expected an integer, got "abc"'
    ]


def test_unknown_keys_are_errors_at_every_level() -> None:
    found = problems('typo = 1\n[bot]\ncolour = "red"\n[adapters.irc]\nprot = 1\n[skills.nope]')
    assert "typo: unknown key" in found
    assert "bot.colour: unknown key" in found
    assert "adapters.irc.prot: unknown key" in found
    assert any(p.startswith("skills.nope: unknown skill") for p in found)


def test_list_items_are_named_by_index() -> None:
    assert problems('[adapters.irc]\nchannels = ["#a", 3]') == [
        "adapters.irc.channels[1]: expected a string, got 3"
    ]


def test_variables_are_substituted() -> None:
    config = build(
        tomllib.loads('[adapters.irc]\npassword = "${PW}-$${LITERAL}"'), ADAPTERS, SKILLS,
        {"PW": "s3cret"},
    )
    options = config.adapters["irc"].options
    assert isinstance(options, IrcLike)
    assert options.password == "s3cret-${LITERAL}"


def test_missing_variable_is_an_error_where_in_use_only() -> None:
    text = (
        '[adapters.irc]\npassword = "${IRC_PW}"\n'
        '[adapters.console]\nenabled = false\npassword = "${UNUSED}"\n'
        '[skills.core]\nenabled = false\npassword = "${ALSO_UNUSED}"\n'
    )
    assert problems(text) == ["adapters.irc.password: environment variable IRC_PW is not set"]


def test_all_problems_reported_together() -> None:
    found = problems('[bot]\nadmins = ["alice"]\nwrong = 1\n[adapters.irc]\nport = "x"\n'
                     'password = "${NOPE}"')
    assert len(found) == 4


def test_bot_values_are_checked() -> None:
    found = problems('[bot]\ntimezone = "Mars/Olympus"\nadmins = ["alice"]')
    assert 'bot.timezone: unknown timezone "Mars/Olympus"' in found
    assert 'bot.admins: expected "platform:id", got "alice"' in found


def test_enabled_must_be_boolean() -> None:
    assert problems('[adapters.irc]\nenabled = "yes"') == [
        'adapters.irc.enabled: expected true or false, got "yes"'
    ]


def test_skills_default_on_adapters_only_when_present() -> None:
    config = build({}, ADAPTERS, SKILLS, {})
    assert [s.name for s in config.enabled_skills()] == ["core"]
    assert config.enabled_adapters() == []


def test_a_bot_with_no_adapter_is_refused() -> None:
    from hatbot.config import check_runnable

    message = ("adapters: none is enabled, so the bot would hear nothing; add one of "
               "[adapters.console], [adapters.irc] (or remove its enabled = false)")
    for text in ("", "[adapters.console]\nenabled = false\n"):
        config = build(tomllib.loads(text), ADAPTERS, SKILLS, {})  # valid, but deaf
        with pytest.raises(ConfigError) as caught:
            check_runnable(config, ADAPTERS)
        assert caught.value.problems == [message]


def test_what_would_fail_at_start_is_caught() -> None:
    found = discover()
    cases = {
        "[adapters.slack]\nsigning_secret = \"s\"\n":
            ["adapters.slack.bot_token: required (the xoxb-… token of the Slack app)"],
        "[adapters.matrix]\npassword = \"pw\"\n":
            ["adapters.matrix.homeserver: still the example's placeholder; set your own",
             "adapters.matrix.user_id: still the example's placeholder; set your own"],
        "[bot]\ndatabase_url = \"mysql://x\"\n[adapters.console]\n":
            ['bot.database_url: "mysql" is not supported; use sqlite:///PATH or '
             "postgresql+psycopg://USER@HOST/DB"],
        "[web]\npublic_url = \"bot.example.org\"\n[adapters.console]\n":
            ['web.public_url: expected an absolute http(s) URL like https://bot.example.org, '
             'got "bot.example.org"'],
        "[adapters.irc]\nsasl_password = \"${HATBOT_IRC_PASSWORD:-}\"\n": [],
    }
    for text, expected in cases.items():
        try:
            build(tomllib.loads(text), found.adapter_models(), found.skill_models(), {})
            got: list[str] = []
        except ConfigError as exc:
            got = exc.problems
        assert got == expected, text


def test_embedded_default_is_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load(None, ADAPTERS, SKILLS, environ={})
    assert [a.name for a in config.enabled_adapters()] == ["console"]
    assert config.bot.db_url == "sqlite:///./hatbot-data/hatbot.db"
    assert (config.web.host, config.web.port) == ("127.0.0.1", 8080)
    assert config.source is None


def test_hatbot_toml_in_the_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hatbot.toml").write_text('[bot]\nname = "hatty"\n[adapters.console]\n')
    assert load(None, ADAPTERS, SKILLS, environ={}).bot.name == "hatty"


def test_invalid_toml_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot\nname=")
    with pytest.raises(ConfigError) as caught:
        load(bad, ADAPTERS, SKILLS, environ={})
    assert len(caught.value.problems) == 1
    assert "invalid TOML" in caught.value.problems[0]


def test_example_config_is_valid_with_no_variables_set() -> None:
    plugins = discover()
    config = load(REPO / "config.example.toml", plugins.adapter_models(),
                  plugins.skill_models(), environ={})
    assert [a.name for a in config.enabled_adapters()] == ["console"]


def test_example_config_documents_every_key() -> None:
    """Every key a plugin or the core accepts appears in the example file."""
    plugins = discover()
    example = tomllib.loads((REPO / "config.example.toml").read_text())
    from hatbot.config import BotConfig, WebConfig

    def keys(model: type[BaseModel]) -> set[str]:
        return set(model.model_fields)

    assert keys(BotConfig) <= set(example["bot"])
    assert keys(WebConfig) <= set(example["web"])
    for name, model in plugins.adapter_models().items():
        assert keys(model) <= set(example["adapters"][name]), name
    for name, model in plugins.skill_models().items():
        assert keys(model) <= set(example["skills"][name]), name


def test_secrets_are_not_in_reprs() -> None:
    plugins = discover()
    config = build(
        {"adapters": {"irc": {"enabled": False, "sasl_password": "hunter2"}, "console": {}}},
        plugins.adapter_models(), plugins.skill_models(), {},
    )
    assert "hunter2" not in repr(config)


def test_an_unset_variable_in_a_welcome_is_one_clear_line() -> None:
    found = discover()
    text = '[adapters.console]\n[skills.welcome]\nmessage = "Hi {name}, see ${DOCS_URL}"\n'
    with pytest.raises(ConfigError) as caught:
        build(tomllib.loads(text), found.adapter_models(), found.skill_models(), {})
    assert caught.value.problems == [
        "skills.welcome.message: environment variable DOCS_URL is not set"]
    config = build(tomllib.loads(text), found.adapter_models(), found.skill_models(),
                   {"DOCS_URL": "https://docs.example.org"})
    assert config.skills["welcome"].options.message == (  # type: ignore[attr-defined]
        "Hi {name}, see https://docs.example.org")
