"""MeetBot's commands and spellings that people who come from it type: titles as typed,
people present who never spoke, the short aliases, "#topic:", lurking and restricted logs."""

from __future__ import annotations

from pathlib import Path

import httpx

from hatbot.adapters.memory import person
from hatbot.app import App
from hatbot.markup import render_plain
from hatbot.skills.meetings.engine import parse_hash
from tests.conftest import StartBot, memory, read_minutes


async def said(app: App, text: str, nick: str = "chair") -> list[str]:
    replies = await memory(app).say(text, nick=nick)
    return [render_plain(r.markup_text) for r in replies]


def found(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern))


def second_lines(paths: list[Path]) -> list[str]:
    return sorted(path.read_text().splitlines()[1] for path in paths)


def settings(folder: Path, web: bool = False) -> dict[str, object]:
    return {"skills": {"meetings": {"minutes_dir": str(folder)}},
            "web": {"enabled": web, "port": 0}}


def test_meetbot_spellings_are_commands() -> None:
    assert parse_hash("#topic:Bugs") == ("topic", "Bugs")
    assert parse_hash("#action: ana to fix it") == ("action", "ana to fix it")
    assert parse_hash("#agree ship it") == ("agree", "ship it")
    assert parse_hash("#openstack-dev is the channel") is None
    assert parse_hash("#12345") is None


async def test_title_people_present_and_aliases(start_bot: StartBot, tmp_path: Path) -> None:
    app = await start_bot(raw=settings(tmp_path))
    await said(app, "#startmeeting Fedora IoT Working Group Meeting")
    await said(app, "#chair quiet_chair")
    await said(app, "#nick silent_sam")
    await said(app, "#here", nick="roll_caller")
    await said(app, "#topic:Release blockers")
    await said(app, "#agree ship it")
    await said(app, "#accept the new logo")
    await said(app, "#reject the old logo")
    await said(app, "#halp we need reviewers")
    await said(app, "#action: silent_sam to write the notes")
    await said(app, "#action quiet_chair to book the room")
    await said(app, "#endmeeting")
    text = read_minutes(tmp_path, "fedora_iot_working_group_meeting")
    assert text.splitlines()[1] == "#test: Fedora IoT Working Group Meeting"
    assert "* Release blockers" in text
    for item in ("AGREED: ship it", "ACCEPTED: the new logo", "REJECTED: the old logo",
                 "HELP: we need reviewers"):
        assert item in text, item
    assert "* silent_sam (0)" in text and "* quiet_chair (0)" in text
    assert "* roll_caller (1)" in text
    assert "* silent_sam\n  * silent_sam to write the notes" in text
    assert "* quiet_chair\n  * quiet_chair to book the room" in text


async def test_bare_start_and_meetingtopic(start_bot: StartBot, tmp_path: Path) -> None:
    app = await start_bot(raw=settings(tmp_path))
    await said(app, "#startmeeting")
    assert await said(app, "#meetingtopic Weekly sync") == [
        "The meeting topic has been set to 'Weekly sync'"]
    await said(app, "#endmeeting")
    assert read_minutes(tmp_path, "test").splitlines()[1] == "#test: Weekly sync"
    await said(app, "#startmeeting")
    await said(app, "#endmeeting")
    titles = second_lines(found(tmp_path, "test/*/*[0-9].txt"))
    assert "#test Meeting" in titles  # MeetBot's title for a bare #startmeeting


async def test_lurk_keeps_the_bot_quiet_and_still_records(
    start_bot: StartBot, tmp_path: Path
) -> None:
    app = await start_bot(raw=settings(tmp_path))
    await said(app, "#startmeeting quiet")
    assert await said(app, "#lurk") == []
    assert await said(app, "#chair ana") == []  # recorded, not announced
    assert await said(app, "#info still recorded") == []
    assert await said(app, "#unlurk") == []
    assert (await said(app, "#chair bob"))[0].startswith("Current chairs: ")
    await said(app, "#endmeeting")
    assert "still recorded" in read_minutes(tmp_path, "quiet")


async def test_restricted_logs_are_kept_but_not_published(
    start_bot: StartBot, tmp_path: Path
) -> None:
    app = await start_bot(raw=settings(tmp_path, web=True))
    await said(app, "#startmeeting private")
    assert await said(app, "#restrictlogs") == [
        "The logs of this meeting will not be published; the minutes will."]
    ended = await said(app, "#endmeeting")
    assert not any(line.startswith("Log:") for line in ended)
    (log,) = found(tmp_path, "private/*/*.log.html")
    (html,) = found(tmp_path, "private/*/*[0-9].html")
    year = log.parent.name
    base = f"http://127.0.0.1:{app.web.port}/meetings/private/{year}"
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{base}/{html.name}")).status_code == 200
        assert (await client.get(f"{base}/{log.name}")).status_code == 404


async def test_file_names_follow_openstack_unless_told(start_bot: StartBot,
                                                        tmp_path: Path) -> None:
    app = await start_bot(raw=settings(tmp_path / "openstack"))
    await said(app, "#startmeeting tripleo-ci")
    await said(app, "#endmeeting")
    assert found(tmp_path / "openstack", "tripleo_ci/*/tripleo_ci.*[0-9].html")
    await app.stop()
    kept = {"skills": {"meetings": {"minutes_dir": str(tmp_path / "dashes"),
                                    "file_names": "keep-dashes"}}}
    app = await start_bot(raw=kept)
    await said(app, "#startmeeting tripleo-ci")
    await said(app, "#meetingname tripleo-ci-2")
    await said(app, "#endmeeting")
    assert found(tmp_path / "dashes", "tripleo-ci-2/*/tripleo-ci-2.*[0-9].html")


async def test_me_lines_are_logged_as_meetbot_does(start_bot: StartBot, tmp_path: Path) -> None:
    from hatbot.events import Address, Message
    from hatbot.skills.meetings.replay_cli import read_text_log

    app = await start_bot(raw=settings(tmp_path))
    await said(app, "#startmeeting emotes")
    await memory(app).emit(Message(channel=Address("memory", "#test"),
                                   sender=person("quaid"), text="is here",
                                   is_action=True))
    await memory(app).emit(Message(channel=Address("memory", "#test"),
                                   sender=person("quaid"), text="#agreed not a command",
                                   is_action=True))
    await said(app, "#endmeeting")
    log = read_minutes(tmp_path, "emotes", "log.txt")
    assert " * quaid is here\n" in log and "<quaid>" not in log
    assert "AGREED" not in read_minutes(tmp_path, "emotes")
    assert "<span class=\"nick\">* quaid</span> is here" in read_minutes(tmp_path, "emotes",
                                                                          "log.html")
    # The text log reads back the same way.
    from datetime import date

    again = read_text_log(log, date(2026, 1, 5), "hatbot")
    assert [(line.nick, line.text) for line in again if line.is_action] == [
        ("quaid", "is here"), ("quaid", "#agreed not a command")]


def test_replay_reads_other_loggers_formats(tmp_path: Path) -> None:
    from datetime import date

    from hatbot.skills.meetings.replay_cli import read_text_log

    text = ("[16:00] <@chair> #startmeeting formats\n"
            "[16:00:30] <+voiced> hello\n"
            "16:01 < spacey> hi too\n"
            "16:02:00 * chair waves\n")
    lines = read_text_log(text, date(2026, 1, 5), "hatbot")
    assert [(line.nick, line.text, line.ts.strftime("%H:%M:%S")) for line in lines] == [
        ("chair", "#startmeeting formats", "16:00:00"), ("voiced", "hello", "16:00:30"),
        ("spacey", "hi too", "16:01:00"), ("chair", "waves", "16:02:00")]


def test_replay_cli_takes_bad_bytes_a_bot_nick_and_explains_failures(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    log = tmp_path / "team.2026-01-05-16.00.log.txt"
    log.write_bytes(b"16:00:00 <chair> #startmeeting team\n"
                    b"16:00:05 <meetbot> #endmeeting\n"  # the logging bot: not a command
                    b"16:00:10 <ana> caf\xe9 is open\n"
                    b"16:01:00 <chair> #endmeeting\n")
    config = tmp_path / "hatbot.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path}/data"\n[adapters.console]\n')
    done = run_cli("minutes", "replay", str(log), "--bot-nick", "meetbot", "--config",
                   str(config), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (text,) = (tmp_path / "data" / "meetings" / "team").glob("*/team.*[0-9].txt")
    minutes = text.read_text()
    assert "caf\ufffd is open" in text.with_name(text.name[:-4] + ".log.txt").read_text()
    assert "Meeting ended at 16:01:00 UTC." in minutes  # by the chair, not the logging bot
    empty = tmp_path / "chat.2026-01-05-16.00.log.txt"
    empty.write_text("16:00:00 <ana> no meeting here\n")
    failed = run_cli("minutes", "replay", str(empty), "--config", str(config), cwd=tmp_path)
    assert failed.returncode == 1
    assert "no #startmeeting in this log (1 lines read; formats tried: HH:MM:SS <nick> text;" \
        in failed.stderr


async def test_topic_sets_the_channel_topic_where_enabled(start_bot: StartBot,
                                                          tmp_path: Path) -> None:
    raw = {"skills": {"meetings": {"minutes_dir": str(tmp_path),
                                   "topic_channels": ["memory:#test"]}}}
    app = await start_bot(raw=raw)
    await said(app, "#startmeeting Nova weekly")
    await said(app, "#topic Bugs (10m)")
    await memory(app).say("#startmeeting elsewhere", channel="#other")
    await memory(app).say("#topic not here", channel="#other")
    assert [(str(c), t) for c, t in memory(app).topics] == [
        ("memory:#test", "Nova weekly: Bugs (10m)")]
