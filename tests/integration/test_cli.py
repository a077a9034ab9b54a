"""The ``hatbot`` command as a user runs it, in a fresh directory each time."""

import re
import signal
import time
from pathlib import Path

from tests.conftest import REPO, free_port, run_cli
from tests.integration.conftest import Bot


def write_config(folder: Path, extra: str = "") -> Path:
    path = folder / "hatbot.toml"
    path.write_text(
        f'[bot]\ndata_dir = "{folder}/data"\n'
        f"[web]\nport = {free_port()}\n"
        "[adapters.console]\n" + extra
    )
    return path


def test_piped_session_on_the_embedded_default(tmp_path: Path) -> None:
    result = run_cli("run", stdin="!ping\n<alice> !help\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "[#general] <hatbot> pong"
    assert all(line.startswith("[#general] <hatbot> ") for line in lines)
    assert lines[1] == (
        "[#general] <hatbot> Commands: !action…, !actions, !chair…, !ci…, !hat…, !help, !kb…, "
        "!meeting…, !meetings, !mentee…, !mentor…, !next, !ping, !privacy, !remind…, "
        "!schedule…, !tz, !version, !welcome…. Say !help COMMAND for "
        "details, e.g. !help hat; the whole list comes by direct message with !help there.")
    assert len(lines) == 2  # one line in a channel, however many commands
    assert (tmp_path / "hatbot-data" / "hatbot.db").exists()
    assert "Traceback" not in result.stderr


def test_console_grammar_end_to_end(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    script = "\n".join([
        "!ping",
        "/channel #nova",
        "<carol> hatbot: ping",
        "/dm dave !ping",
        "/join erin",
        "hello, no command here",
        "!nosuch",
        "",
    ])
    result = run_cli("run", "--config", str(config), stdin=script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "[#general] <hatbot> pong",
        "[#nova] <hatbot> pong",
        "[dm:dave] <hatbot> pong",
        "[#nova] <hatbot> Unknown command !nosuch. Try !help.",
    ]


def test_same_input_same_output(tmp_path: Path) -> None:
    script = "!ping\n/dm a !ping\n/channel #b\n!version\n!help ping\n" * 5
    outputs = set()
    for run in range(2):
        folder = tmp_path / str(run)
        folder.mkdir()
        config = write_config(folder)
        result = run_cli("run", "--config", str(config), stdin=script, cwd=folder)
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert next(iter(outputs)).count("\n") == 25


def test_check_config_names_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[bot]\nnmae = \"typo\"\n"
        "[adapters.irc]\nenabled = true\nport = \"abc\"\n"
        "sasl_password = \"${HATBOT_TEST_UNSET_PASSWORD}\"\n"
    )
    result = run_cli("check-config", "--config", str(bad), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "bot.nmae: unknown key",
        'adapters.irc.port: expected an integer, got "abc"',
        "adapters.irc.sasl_password: environment variable HATBOT_TEST_UNSET_PASSWORD is not set",
    ]


def test_check_config_accepts_the_example(tmp_path: Path) -> None:
    result = run_cli("check-config", "--config", str(REPO / "config.example.toml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_run_with_bad_config_exits_2_before_starting(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[web]\nport = 99999\n")
    result = run_cli("run", "--config", str(bad), stdin="!ping\n", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "web.port: input should be less than or equal to 65535, got 99999"
    ]


def test_missing_config_file(tmp_path: Path) -> None:
    result = run_cli("run", "--config", "nope.toml", cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (2, "nope.toml: no such file")


def test_a_chat_server_that_is_down_does_not_stop_the_bot(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    config = write_config(tmp_path, f'[adapters.matrix]\nhomeserver = "{dead}"\n'
                                    'user_id = "@bot:localhost"\npassword = "x"\n')
    bot = Bot(config, tmp_path)
    try:
        bot.say("!ping")
        assert bot.expect("pong") == "[#general] <hatbot> pong"
        # As under a service manager: the console's input ends, the bot runs on.
        assert bot.proc.stdin is not None
        bot.proc.stdin.close()
        time.sleep(2)
        assert bot.proc.poll() is None
        bot.proc.send_signal(signal.SIGTERM)
        assert bot.proc.wait(timeout=30) == 0
        assert bot.proc.stderr is not None
        log = bot.proc.stderr.read()
        assert "matrix: cannot reach" in log
        assert "console: end of input; it is closed, and the bot runs on with matrix" in log
        assert "not delivered" not in log  # a normal stop is a quiet one
    finally:
        bot.kill()


def test_the_console_alone_ends_with_its_input(tmp_path: Path) -> None:
    result = run_cli("run", stdin="!ping\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[#general] <hatbot> pong\n"


def test_runtime_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    config = tmp_path / "hatbot.toml"
    config.write_text('[bot]\ndatabase_url = "sqlite:////proc/forbidden/x.db"\n'
                      "[web]\nenabled = false\n[adapters.console]\n")
    result = run_cli("run", "--config", str(config), stdin="", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("hatbot: error:")
    debug = run_cli("--debug", "run", "--config", str(config), stdin="", cwd=tmp_path)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_db_upgrade(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = run_cli("db", "upgrade", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "hatbot.db").exists()


def test_database_password_is_never_printed(tmp_path: Path) -> None:
    config = tmp_path / "hatbot.toml"
    config.write_text('[bot]\ndatabase_url = "postgresql://hatbot:${DB_PW}@127.0.0.1:1/hatbot"\n'
                      "[web]\nenabled = false\n[adapters.console]\n")
    result = run_cli("db", "upgrade", "--config", str(config), cwd=tmp_path,
                     env={"DB_PW": "s3cret-pw"})
    assert result.returncode in (1, 2)  # no server there, or no driver installed
    assert "s3cret-pw" not in result.stdout + result.stderr


def test_version_and_help(tmp_path: Path) -> None:
    version = run_cli("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("hatbot 0.")
    usage = run_cli("--help", cwd=tmp_path)
    assert usage.returncode == 0
    for word in ("run", "check-config", "db"):
        assert word in usage.stdout
    bad = run_cli("frobnicate", cwd=tmp_path)
    assert bad.returncode == 2
    bare = run_cli(cwd=tmp_path)  # no arguments: the help, not an error
    assert bare.returncode == 0 and bare.stdout == usage.stdout
    for command in (["run"], ["check-config"], ["db"], ["db", "upgrade"], ["minutes"],
                    ["minutes", "replay"], ["minutes", "rebuild"]):
        helped = run_cli(*command, "--help", cwd=tmp_path)
        assert helped.returncode == 0 and "example: hatbot " in helped.stdout, command


def test_run_port_and_host_override_the_config(tmp_path: Path) -> None:
    port = free_port()
    config = write_config(tmp_path)
    bot = Bot(config, tmp_path, extra=["--port", str(port), "--host", "127.0.0.1"])
    try:
        bot.say("!ping")
        bot.expect("pong")
        import httpx

        # Chat answers first; the web server comes up right after the adapters.
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, f"nothing listens on {port}"
                time.sleep(0.05)
        bot.finish()
    finally:
        bot.kill()
    bad = run_cli("run", "--config", str(config), "--port", "70000", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.strip() == "--port: expected 0 to 65535, got 70000"


def test_console_welcome_once_across_restarts(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    config.write_text(config.read_text() + '[skills.welcome]\nchannels = ["console:#general"]\n'
                                           'message = "Welcome {name} to {channel}!"\n')
    first = run_cli("run", "--config", str(config), stdin="/join newbie\n/part newbie\n"
                    "/join newbie\n", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == "[dm:newbie] <hatbot> Welcome newbie to #general!"
    assert all(line.startswith("[dm:newbie] ") for line in lines)
    assert sum(line.startswith("[dm:newbie] <hatbot> Welcome") for line in lines) == 1
    again = run_cli("run", "--config", str(config), stdin="/join newbie\n", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == ""


def test_console_community_hat_session(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    script = ("!hat add Review the contributor guide area=docs\n"
              "!hat add Triage new bugs area=review\n"
              "!hat add Write release notes every=14d area=release\n"
              "<bob> !hat claim 1\n"
              "<bob> !hat done 1 merged\n"
              "!hat remind\n")
    result = run_cli("run", "--config", str(config), stdin=script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    digest = result.stdout.split("[#general] <hatbot> Community Hat: these need someone.\n")[1]
    assert digest.splitlines() == [
        "[#general] <hatbot> - #2 Triage new bugs (review), unowned for 0m",
        "[#general] <hatbot> - #3 Write release notes (release), due (every 14d)",
        "[#general] <hatbot> Take one with !hat claim ID.",
    ]


def test_no_adapter_is_refused_by_run_and_check_config_only(tmp_path: Path) -> None:
    config = tmp_path / "hatbot.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path}/data"\n[adapters.console]\n'
                      "enabled = false\n")
    for command in ("run", "check-config"):
        result = run_cli(command, "--config", str(config), cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.startswith("adapters: none is enabled, so the bot would hear "
                                        "nothing; add one of [adapters.console]")
    assert run_cli("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0


def test_a_session_that_ends_as_it_starts_exits_cleanly(tmp_path: Path) -> None:
    """Input that ends at once stops the bot while the web server's libraries are still
    loading in a thread: finalising the interpreter under it crashed it (SIGSEGV) about
    one time in ten. Every run must answer and exit 0."""
    config = write_config(tmp_path)
    for _ in range(8):
        result = run_cli("run", "--config", str(config), stdin="!ping\n", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "pong" in result.stdout


def test_the_tour_in_german(tmp_path: Path) -> None:
    """The README's tour with ``[bot] language = "de"``, and one channel kept in English
    (``channel_languages``): what the bot says is German there, the minutes are the
    same files, and people's own words are never translated."""
    config = write_config(tmp_path, "")
    config.write_text(config.read_text().replace(
        "[bot]\n", '[bot]\nlanguage = "de"\nchannel_languages = {"console:#english" = "en"}\n'))
    script = "\n".join([
        "#startmeeting docs",
        "#topic Translations (10m)",
        "<ana> #info three languages are behind",
        "#action ana to ask the translators",
        "#agreed a translation sprint in March",
        "#endmeeting",
        "!actions ana",
        "!nosuch",
        "/channel #english",
        "!nosuch",
        "",
    ])
    result = run_cli("run", "--config", str(config), stdin=script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [re.sub(r"\d\d:\d\d:\d\d", "HH:MM:SS", line) for line in result.stdout.splitlines()]
    lines = [re.sub(r"http://\S+/docs\.[\d-]+\.[\d.]+", "URL", line) for line in lines]
    lines = [re.sub(r"\d{4}-\d\d-\d\d", "DATE", line) for line in lines]
    assert lines == [
        "[#general] <hatbot> Das Meeting begann um HH:MM:SS UTC. Den Vorsitz hat you. Der "
        "Name des Meetings ist 'docs'. #commands zeigt die Liste der Befehle.",
        "[#general] <hatbot> Das Thema 'Translations (10m)' hat eine feste Zeit: Ich sage "
        "Bescheid, wenn 10m um sind.",
        "[#general] <hatbot> Das Meeting endete um HH:MM:SS UTC.",
        "[#general] <hatbot> Protokoll: URLhtml",
        "[#general] <hatbot> Protokoll (Text): URLtxt",
        "[#general] <hatbot> Mitschnitt: URLlog.html",
        "[#general] <hatbot> #1 ana to ask the translators (ana), docs DATE",
        "[#general] <hatbot> Unbekannter Befehl !nosuch. Versuch es mit !help.",
        "[#english] <hatbot> Unknown command !nosuch. Try !help.",
    ]
    (log,) = (tmp_path / "data" / "meetings" / "docs").glob("*/docs.*.log.txt")
    assert "Das Meeting begann um" in log.read_text()  # logged as it was said
