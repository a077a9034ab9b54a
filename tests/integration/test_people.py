"""Recognition of community work (issue #17): /people/NAME and `hatbot report recognition`
from the scripted week, and `!privacy optout` keeping a name off both."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx

from tests.conftest import StartBot, run_cli
from tests.integration.week import play_week, said


def report(config: Path, cwd: Path) -> dict[str, dict[str, str]]:
    done = run_cli("report", "recognition", "--since", "2026-01-01", "--format", "csv",
                   "--config", str(config), cwd=cwd)
    assert done.returncode == 0, done.stderr
    return {row["person"]: row for row in csv.DictReader(io.StringIO(done.stdout))}


async def test_recognition_of_the_week_on_a_page_and_in_a_report(
    start_bot: StartBot, tmp_path: Path,
) -> None:
    data, config = play_week(tmp_path)
    rows = report(config, tmp_path)
    assert rows["alice"]["meetings chaired"] == "1" and rows["alice"]["meetings attended"] == "1"
    assert rows["dan"]["meetings chaired"] == "1"
    assert rows["dan"]["Community Hat tasks done (ci)"] == "1"
    assert rows["bob"]["action items done"] == "1"
    assert rows["frank"]["mentees mentored"] == "1"
    assert rows["helper"]["newcomers answered first"] == "1"
    assert rows["helper"]["knowledge entries written (approved)"] == "1"
    assert rows["rita"]["knowledge entries reviewed"] == "1"
    markdown = run_cli("report", "recognition", "--since", "2026-01-01", "--config",
                       str(config), cwd=tmp_path)
    assert markdown.stdout.startswith("# Community work, 2026-01-01 to ")
    assert "| bob | " in markdown.stdout

    app = await start_bot(data_dir=data, raw={"web": {"enabled": True, "port": 0}})
    assert app.web is not None
    base = f"http://127.0.0.1:{app.web.port}"
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{base}/people/BOB")  # any case
        nobody = await client.get(f"{base}/people/nosuch")
    assert page.status_code == 200 and "<h1>bob</h1>" in page.text
    assert '<td>Action items done</td><td class="n">1</td>' in page.text
    assert nobody.status_code == 404


async def test_a_person_who_opts_out_is_on_no_page_and_in_no_report(
    start_bot: StartBot, tmp_path: Path,
) -> None:
    data, config = play_week(tmp_path)
    answer = said(config, "<bob> !privacy optout\n<mallory> !privacy optin\n", tmp_path)
    assert "bob no longer appears" in answer
    assert "bob" not in report(config, tmp_path) and "alice" in report(config, tmp_path)
    app = await start_bot(data_dir=data, raw={"web": {"enabled": True, "port": 0}})
    assert app.web is not None
    base = f"http://127.0.0.1:{app.web.port}"
    async with httpx.AsyncClient() as client:
        hidden = await client.get(f"{base}/people/bob")
        tracked = (await client.get(f"{base}/api/actions.json?state=all")).json()["items"]
        asked = (await client.get(f"{base}/api/actions.json?state=all&person=bob")).json()
    assert hidden.status_code == 404  # as for nobody: opting out is not itself shown
    people = {item["text"]: item["people"] for item in tracked}
    assert people["bob fixes the flaky gate job"] == ["someone"]  # the text is the minutes'
    assert people["erin updates the install guide"] == ["erin"]
    assert asked["items"] == []
    await app.stop()
    # Only bob, by his own identity, takes it back (mallory's optin above did nothing).
    assert "You opted out as bob" in said(config, "<bob> !privacy\n", tmp_path)
    said(config, "<bob> !privacy optin\n", tmp_path)
    assert report(config, tmp_path)["bob"]["action items done"] == "1"


def test_a_report_needs_a_real_day(tmp_path: Path) -> None:
    done = run_cli("report", "recognition", "--since", "2026-02-30", cwd=tmp_path)
    assert done.returncode == 2 and "expected a day like 2026-01-31" in done.stderr
