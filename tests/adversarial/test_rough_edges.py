"""The smaller defects a hostile or careless user finds: each answered plainly now."""

from __future__ import annotations

from pathlib import Path

import httpx

from hatbot.markup import render_plain
from tests.conftest import StartBot, memory, run_cli


async def said(app: object, text: str, **where: object) -> list[str]:
    replies = await memory(app).say(text, **where)  # type: ignore[arg-type]
    return [render_plain(r.markup_text) for r in replies]


async def test_meeting_commands_outside_a_meeting_say_so(start_bot: StartBot) -> None:
    app = await start_bot()
    for command in ("#endmeeting", "#vote yes", "#undo"):
        (reply,) = await said(app, command)
        assert reply.startswith(f"No meeting is running here, so {command.split()[0]} does "
                                "nothing.")
    assert await said(app, "#info just chatting") == []  # may be ordinary chat
    assert await said(app, "!meeting start secret", direct=True) == [
        "Meetings run in a channel: say #startmeeting NAME there."]


async def test_bare_and_empty_addresses(start_bot: StartBot) -> None:
    app = await start_bot()
    await said(app, "!hat add Review docs", nick="admin")
    (reply,) = await said(app, "!hat assign 1 :", nick="admin")
    assert reply.startswith('expected a channel or person like #nova, bob or irc:bob, got ":". '
                            "Usage: !hat assign ID PERSON")
    (reply,) = await said(app, "!welcome reset :", nick="admin")
    assert "Usage: !welcome reset" in reply
    welcome, reply = await said(app, "!welcome preview #nova", nick="admin")
    assert welcome.startswith("Welcome admin!")
    assert reply == "Sent you the welcome by direct message."
    assert (await said(app, "!hat assign 1 bob", nick="admin"))[0].startswith("#1 Review docs "
                                                                             "is now worn by bob")


async def test_odd_paths_and_partial_files_are_not_served(
    start_bot: StartBot, tmp_path: Path
) -> None:
    minutes = tmp_path / "minutes"
    app = await start_bot(raw={"web": {"enabled": True, "port": 0},
                               "skills": {"meetings": {"minutes_dir": str(minutes)}}})
    await said(app, "#startmeeting docs")
    await said(app, "#endmeeting")
    (html,) = minutes.glob("docs/*/docs.*[0-9].html")
    partial = html.with_name(html.name + ".partial")
    partial.write_text("half written")
    base = f"http://127.0.0.1:{app.web.port}/meetings"
    async with httpx.AsyncClient() as client:
        year = html.parent.name
        assert (await client.get(f"{base}/docs/{year}/{html.name}")).status_code == 200
        assert (await client.get(f"{base}/docs/{year}/{partial.name}")).status_code == 404
        assert (await client.get(f"{base}/{'a' * 5000}/2026/x.html")).status_code == 404
        assert (await client.get(f"{base}/docs/{year}/docs.{'a' * 5000}.html")
                ).status_code == 404


def test_console_input_that_is_not_utf8_and_controls_in_output(tmp_path: Path) -> None:
    result = run_cli("run", stdin=None, cwd=tmp_path, input_bytes=b"!hat add caf\xe9 \x1b[31m\n"
                     b"!ping\n")
    assert result.returncode == 0, result.stderr
    assert "Task #1 added: caf\ufffd \u241b[31m" in result.stdout
    assert "\x1b[31m" not in result.stdout
    assert "[#general] <hatbot> pong" in result.stdout


def test_deeply_nested_toml_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "deep.toml"
    config.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    result = run_cli("check-config", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"{config}: invalid TOML: nested too deeply"
