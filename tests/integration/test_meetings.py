"""Meetings end to end: the ``hatbot`` command in a terminal-like session, a crash in the
middle of a meeting, the minutes served over HTTP, and ``hatbot minutes replay``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import StartBot, run_cli
from tests.integration.conftest import Bot, console_config

SCRIPT = """\
#startmeeting Docs Team
<ana> hello
<raj> hi there
#topic Translations
<ana> #info 3 languages are behind
<raj> #idea a translation sprint
#action ana to ask the translators
#action raj and ana to plan the sprint
<raj> https://translate.example.org/project is the dashboard
#agreed sprint in March
#endmeeting
"""
FORMATS = ("html", "txt", "md", "log.html", "log.txt", "log.json")


def test_scripted_console_meeting_writes_six_files(tmp_path: Path) -> None:
    config = console_config(tmp_path)
    result = run_cli("run", "--config", str(config), stdin=SCRIPT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    links = re.findall(r"^\[#general\] <hatbot> (Minutes:|Minutes \(text\):|Log:) (\S+)$",
                       result.stdout, re.MULTILINE)
    assert [label for label, _ in links] == ["Minutes:", "Minutes (text):", "Log:"]
    assert all(url.startswith("http://127.0.0.1:") and "/meetings/docs_team/" in url
               for _, url in links)

    folder = tmp_path / "data" / "meetings" / "docs_team"
    files = sorted(folder.glob("*/*"))
    stamp = r"docs_team\.\d{4}-\d\d-\d\d-\d\d\.\d\d"
    assert all(re.fullmatch(rf"{stamp}\.[a-z.]+", f.name) for f in files)
    base = re.match(stamp, files[0].name).group(0)  # type: ignore[union-attr]
    assert sorted(f.name.removeprefix(base + ".") for f in files) == sorted(FORMATS)
    text = (files[0].parent / f"{base}.txt").read_text()
    assert "#general: Docs Team" in text
    assert "* Translations  (you, " in text
    assert "  * 3 languages are behind  (ana, " in text
    assert "  * IDEA: a translation sprint  (raj, " in text
    assert "  * LINK: https://translate.example.org/project is the dashboard  (raj, " in text
    assert "  * AGREED: sprint in March  (you, " in text
    by_person = text.split("Action items, by person")[1].split("People present")[0]
    assert "* ana\n  * ana to ask the translators\n  * raj and ana to plan the sprint" in by_person
    assert "* raj\n  * raj and ana to plan the sprint" in by_person
    people = text.split("People present (lines said)")[1]
    assert "* you (6)" in people and "* ana (2)" in people and "* raj (3)" in people
    log = (files[0].parent / f"{base}.log.txt").read_text().splitlines()
    assert len(log) == 11 + 1  # every line said, and the bot's greeting
    document = json.loads((files[0].parent / f"{base}.log.json").read_text())
    assert len(document["lines"]) == len(log)


def test_a_meeting_survives_sigkill(tmp_path: Path, launch: Callable[[], Bot]) -> None:
    first = launch()
    first.say("#startmeeting infra")
    first.say("<ops> #info disk is full on the mirror")
    first.say("#chair ops")
    first.expect("Current chairs: ops, you")  # every line before it is committed
    first.kill()

    second = launch()
    second.say("<ops> #agreed buy a bigger disk")  # a chair from before the crash
    second.say("<ops> #endmeeting")
    second.expect("Minutes (text):")
    second.finish()
    (minutes,) = (tmp_path / "data" / "meetings" / "infra").glob("*/*[0-9].txt")
    text = minutes.read_text()
    assert "disk is full on the mirror  (ops, " in text
    assert "AGREED: buy a bigger disk  (ops, " in text
    assert "* ops (3)" in text and "* you (2)" in text


async def test_minutes_are_served_with_an_index(start_bot: StartBot, tmp_path: Path) -> None:
    from hatbot.adapters.memory import person  # noqa: F401 - the memory platform's people
    from tests.conftest import memory

    app = await start_bot(raw={"web": {"enabled": True, "port": 0},
                               "skills": {"meetings": {"minutes_dir": str(tmp_path / "m")}}})
    adapter = memory(app)
    for text in ("#startmeeting web check", "#info <b>not bold</b>", "#endmeeting"):
        await adapter.say(text)
    base = f"http://127.0.0.1:{app.web.port}/meetings/"
    async with httpx.AsyncClient() as client:
        index = await client.get(base)
        assert index.status_code == 200 and "web_check" in index.text
        (href,) = re.findall(r'href="(web_check/\d{4}/web_check\.[\d.-]+\.html)"', index.text)
        page = await client.get(base + href)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "&lt;b&gt;not bold&lt;/b&gt;" in page.text and "<b>not" not in page.text
        log = await client.get(base + href.replace(".html", ".log.txt"))
        assert log.headers["content-type"].startswith("text/plain")
        for bad in ("web_check/2026/..%2F..%2Fhatbot.db", "web_check/2026/other.2026.html",
                    "../hatbot.db", "web_check/20x6/web_check.html"):
            assert (await client.get(base + bad)).status_code == 404, bad


def test_replay_of_a_meetbot_text_log(tmp_path: Path) -> None:
    log = tmp_path / "nova.2025-03-04-16.00.log.txt"
    log.write_text(
        "16:00:01 <gibi> #startmeeting nova\n"
        "16:00:02 <openstack> Meeting started Tue Mar  4 16:00:01 2025 UTC\n"
        "16:00:30 <gibi> #topic Bugs\n"
        "16:01:00 <bauzas> #info 14 new bugs\n"
        "16:01:30 * bauzas looks at them\n"
        "16:02:00 <gibi> #action bauzas to triage\n"
        "16:03:00 <gibi> #endmeeting\n"
    )
    config = tmp_path / "hatbot.toml"
    config.write_text(f'[skills.meetings]\nminutes_dir = "{tmp_path}/out"\n'
                      '[web]\npublic_url = "https://meetings.example.org"\n')
    result = run_cli("minutes", "replay", str(log), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = [Path(p) for p in result.stdout.split()]
    assert sorted(p.name for p in written) == sorted(
        f"nova.2025-03-04-16.00.{fmt}" for fmt in FORMATS)
    text = (tmp_path / "out" / "nova" / "2025" / "nova.2025-03-04-16.00.txt").read_text()
    assert text.startswith("===========\n#nova: nova\n")
    assert "* bauzas\n  * bauzas to triage" in text
    assert "* bauzas (2)" in text and "* openstack (1)" in text

    missing = run_cli("minutes", "replay", str(tmp_path / "none.log.txt"), cwd=tmp_path)
    assert missing.returncode == 1 and "none.log.txt" in missing.stderr
    undated = tmp_path / "notes.txt"
    undated.write_text("10:00:00 <a> #startmeeting x\n")
    no_date = run_cli("minutes", "replay", str(undated), cwd=tmp_path)
    assert no_date.returncode == 1 and "--date" in no_date.stderr
