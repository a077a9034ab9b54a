"""The meeting archive on the web (issue #17): ended meetings from the database, newest
first, by series and year, paged; full-text search over every line (FTS5 on SQLite,
PostgreSQL's own there), each hit linking to its line in the log; a series page with its
attendance and open action items. Over real HTTP."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from hatbot.adapters.memory import person
from hatbot.app import App
from hatbot.clock import FakeClock
from hatbot.events import Address, Message
from hatbot.skills.meetings import archive
from hatbot.skills.meetings.models import MeetingRecord
from hatbot.testing import database_for
from tests.conftest import StartBot, memory
from tests.integration.week import indexed

CHANNEL = Address("memory", "#dev")


async def meeting(app: App, name: str, when: datetime, *lines: str, nick: str = "alice"
                  ) -> None:
    """A meeting started at ``when``: ``lines`` said in it a minute apart, then ended,
    and its lines in the search index (which the bot fills in the background)."""
    said = [f"#startmeeting {name}", *lines, "#endmeeting"]
    for minute, text in enumerate(said):
        await memory(app).emit(Message(channel=CHANNEL, sender=person(nick), text=text,
                                       ts=when + timedelta(minutes=minute)))
    await indexed(app)


async def started(start_bot: StartBot, tmp_path: Path, **bot: Any) -> tuple[App, str]:
    app = await start_bot(clock=FakeClock(), raw={
        "web": {"enabled": True, "port": 0}, "bot": bot,
        "skills": {"meetings": {"minutes_dir": str(tmp_path / "minutes")}}})
    assert app.web is not None
    return app, f"http://127.0.0.1:{app.web.port}"


def titles(page: str) -> list[str]:
    return re.findall(r'<div class="title">(.*?)</div>', page)


async def test_the_archive_lists_newest_first_by_series_and_year_in_pages(
    start_bot: StartBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(archive, "PAGE_SIZE", 2)
    app, base = await started(start_bot, tmp_path)
    await meeting(app, "nova", datetime(2025, 3, 4, 16, tzinfo=UTC), "#topic <b>bold</b>")
    await meeting(app, "docs", datetime(2025, 6, 1, 9, tzinfo=UTC))
    await meeting(app, "nova", datetime(2026, 1, 5, 16, tzinfo=UTC), "#info hi")
    await meeting(app, "nova", datetime(2026, 1, 12, 16, tzinfo=UTC))
    async with httpx.AsyncClient() as client:
        first = (await client.get(f"{base}/meetings/")).text
        assert [re.sub("<[^>]+>", "", t) for t in titles(first)] == [
            "nova: #dev: nova", "nova: #dev: nova"]
        assert "2026-01-12 16:00 UTC" in first and "2026-01-05 16:00 UTC" in first
        assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
        last = (await client.get(f"{base}/meetings/?page=2")).text
        assert "2025-06-01 09:00 UTC" in last and "2025-03-04 16:00 UTC" in last
        assert 'rel="prev" href="?page=1"' in last and 'rel="next"' not in last
        # Every link of a listed meeting is served.
        for href in set(re.findall(r'href="(nova/2025/[^"]+)"', last)):
            assert (await client.get(f"{base}/meetings/{href}")).status_code == 200
        in_2025 = (await client.get(f"{base}/meetings/?year=2025")).text
        assert len(titles(in_2025)) == 2 and "2026-" not in in_2025.split("<h2>")[-1]
        docs = (await client.get(f"{base}/meetings/?series=docs")).text
        assert len(titles(docs)) == 1 and "2025-06-01" in docs
        assert '<option value="docs">' in first and '<option value="2025">' in first
        series = (await client.get(f"{base}/meetings/nova/?year=2026")).text
        assert len(titles(series)) == 2 and "docs" not in series.split("</form>")[1]
        every = (await client.get(f"{base}/meetings.csv", params={"year": "2025"})).text
        table = (await client.get(f"{base}/meetings/nova/attendance.csv")).text
        missing = await client.get(f"{base}/meetings/nosuch/attendance.csv")
    rows = list(csv.reader(io.StringIO(every)))
    assert rows[0] == ["started_at", "series", "title", "people", "lines", "minutes"]
    assert [(row[0], row[1]) for row in rows[1:]] == [
        ("2025-06-01T09:00:00+00:00", "docs"), ("2025-03-04T16:00:00+00:00", "nova")]
    assert rows[1][5].endswith("/meetings/docs/2025/docs.2025-06-01-09.00.html")
    assert [row[0][:10] for row in csv.reader(io.StringIO(table))][1:] == [
        "2026-01-12", "2026-01-05", "2025-03-04"]
    assert missing.status_code == 404


async def test_a_search_finds_the_line_and_links_to_it_in_the_log(
    start_bot: StartBot, tmp_path: Path,
) -> None:
    app, base = await started(start_bot, tmp_path)
    await meeting(app, "infra", datetime(2026, 2, 3, 15, tzinfo=UTC),
                  "hello all", "#topic the gate", "the <b>flaky</b> gate job again",
                  "#info Flaky jobs are retried twice")
    await meeting(app, "docs", datetime(2026, 2, 4, 15, tzinfo=UTC), "nothing to see")
    async with httpx.AsyncClient() as client:
        found = await client.get(f"{base}/meetings/", params={"q": "FLAKY gate"})
        assert found.status_code == 200
        hits = re.findall(r'<li><div class="title">.*?</li>', found.text, re.S)
        assert len(hits) == 1  # both words are required: the #info line has no "gate"
        # The line as said, escaped, the matched words marked.
        assert "the &lt;b&gt;<mark>flaky</mark>&lt;/b&gt; <mark>gate</mark> job again" in hits[0]
        (href,) = re.findall(r'href="([^"]+\.log\.html#l-\d+)"', hits[0])
        log = (await client.get(f"{base}/meetings/{href}")).text
        anchor = href.split("#")[1]
        (line,) = re.findall(rf'<div class="line[^"]*" id="{anchor}">.*?</div>', log)
        assert "flaky" in line and "gate job again" in line
        # One word finds both lines, newest first; another series' meeting has none.
        both = (await client.get(f"{base}/meetings/", params={"q": "flaky"})).text
        assert both.index("retried twice") < both.index("gate job again")
        assert "nothing to see" not in both
        none = (await client.get(f"{base}/meetings/", params={"q": "<script>x"})).text
        assert "Nothing matches “&lt;script&gt;x”" in none and "<script>x" not in none
        within = await client.get(f"{base}/meetings/docs/", params={"q": "flaky"})
        assert "Nothing matches" in within.text
        for year, count in (("2026", 2), ("2025", 0)):
            dated = await client.get(f"{base}/meetings/", params={"q": "flaky", "year": year})
            assert dated.text.count('<li><div class="title">') == count


async def test_a_restricted_log_is_listed_but_never_searched(
    start_bot: StartBot, tmp_path: Path,
) -> None:
    app, base = await started(start_bot, tmp_path)
    await meeting(app, "security", datetime(2026, 3, 1, 10, tzinfo=UTC),
                  "#restrictlogs", "the embargoed CVE details")
    async with httpx.AsyncClient() as client:
        listed = (await client.get(f"{base}/meetings/")).text
        assert "security/2026/security.2026-03-01-10.00.html" in listed
        assert ".log.html" not in listed
        found = (await client.get(f"{base}/meetings/", params={"q": "embargoed"})).text
        assert "Nothing matches" in found and "CVE" not in found


@pytest.mark.parametrize(("query", "example"), [
    ({"page": "0"}, "?page=2"), ({"page": "x"}, "?page=2"), ({"year": "20x6"}, "?year=2026"),
    ({"series": "No Such!"}, "tripleo-ci"), ({"q": "x" * 201}, "?q=release+notes"),
])
async def test_a_bad_parameter_gets_a_400_that_says_what_is_expected(
    start_bot: StartBot, tmp_path: Path, query: dict[str, str], example: str,
) -> None:
    _, base = await started(start_bot, tmp_path)
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{base}/meetings/", params=query)
    assert answer.status_code == 400
    assert example in answer.text and 'role="alert"' in answer.text


async def test_a_series_page_shows_attendance_and_open_action_items(
    start_bot: StartBot, tmp_path: Path,
) -> None:
    app, base = await started(start_bot, tmp_path)
    await meeting(app, "qa", datetime(2026, 4, 1, 14, tzinfo=UTC), "hi", nick="alice")
    for nick in ("bob", "carol"):
        await memory(app).emit(Message(channel=CHANNEL, sender=person(nick), text="#startmeeting qa"
                                       if nick == "bob" else "here",
                                       ts=datetime(2026, 4, 8, 14, tzinfo=UTC)))
    await memory(app).emit(Message(channel=CHANNEL, sender=person("bob"),
                                   text="#action carol writes the <i>plan</i>",
                                   ts=datetime(2026, 4, 8, 14, 5, tzinfo=UTC)))
    await memory(app).emit(Message(channel=CHANNEL, sender=person("bob"), text="#endmeeting",
                                   ts=datetime(2026, 4, 8, 14, 9, tzinfo=UTC)))
    async with httpx.AsyncClient() as client:
        page = (await client.get(f"{base}/meetings/qa/")).text
    chart = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert len(re.findall("<rect ", chart)) == 2
    assert "2026-04-01: 1 person" in chart and "2026-04-08: 2 people" in chart
    rows = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a></td><td class="n">(\d+)</td>', page)
    assert rows == [("2026-04-01 14:00", "1"), ("2026-04-08 14:00", "2")]
    assert "carol writes the &lt;i&gt;plan&lt;/i&gt;" in page.split('id="actions"')[1]


async def test_meetings_from_before_the_archive_are_listed_after_a_restart(
    start_bot: StartBot, tmp_path: Path,
) -> None:
    app, base = await started(start_bot, tmp_path)
    await meeting(app, "old", datetime(2025, 1, 2, 3, 4, tzinfo=UTC), "#info kept")
    async with app.sessions() as session, session.begin():  # as the upgrade leaves them
        await session.execute(update(MeetingRecord).values(base=None, title=None,
                                                           line_count=None))
    await app.stop()
    _, base = await started(start_bot, tmp_path)
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            page = (await client.get(f"{base}/meetings/")).text
            if "old/2025/old.2025-01-02-03.04.html" in page:
                break
            await asyncio.sleep(0.05)  # it is done in the background
        assert "old/2025/old.2025-01-02-03.04.html" in page
        assert re.search(r"1 person · [1-9]\d* lines", page)  # made again from its lines


async def test_lines_are_indexed_when_the_meeting_ends_and_after_a_stop_cut_it_short(
    start_bot: StartBot, tmp_path: Path,
) -> None:
    """A line costs nothing more while the meeting runs (no trigger): its meeting is
    indexed once, when its minutes are written; an indexing cut short goes on at start.
    (SQLite's index: PostgreSQL's keeps itself.)"""
    if database_for(tmp_path):
        pytest.skip("SQLite's search index; PostgreSQL's GIN index keeps itself")
    from sqlalchemy import text

    app, base = await started(start_bot, tmp_path)
    when = datetime(2026, 5, 4, 10, tzinfo=UTC)
    for minute, line in enumerate(["#startmeeting ops", "the pager went off twice"]):
        await memory(app).emit(Message(channel=CHANNEL, sender=person("alice"), text=line,
                                       ts=when + timedelta(minutes=minute)))
    async with app.sessions() as session:
        fts = "select count(*) from meeting_lines_fts where meeting_lines_fts match 'pager'"
        assert (await session.execute(text(fts))).scalar() == 0  # running: not yet
    await memory(app).emit(Message(channel=CHANNEL, sender=person("alice"),
                                   text="#endmeeting", ts=when + timedelta(minutes=5)))
    await indexed(app)
    async with httpx.AsyncClient() as client:
        found = (await client.get(f"{base}/meetings/", params={"q": "pager"})).text
    assert "went off twice" in found
    # As a stop in the middle would leave it: the index emptied, the progress gone.
    async with app.sessions() as session, session.begin():
        await session.execute(text("insert into meeting_lines_fts(meeting_lines_fts) "
                                   "values ('delete-all')"))
        await session.execute(update(MeetingRecord).values(indexed_to=None))
    await app.stop()
    again, base = await started(start_bot, tmp_path)
    await indexed(again)
    async with httpx.AsyncClient() as client:
        found = (await client.get(f"{base}/meetings/", params={"q": "pager"})).text
    assert found.count("went off twice") == 1  # there again, and once


async def test_search_on_postgresql(start_bot: StartBot, tmp_path: Path, postgres: Any) -> None:
    url = postgres.new_database(f"archive_{uuid.uuid4().hex[:8]}")
    app, base = await started(start_bot, tmp_path, database_url=url)
    await meeting(app, "infra", datetime(2026, 2, 3, 15, tzinfo=UTC),
                  "the <b>flaky</b> gate job again", "#restrictlogs")
    await meeting(app, "docs", datetime(2026, 2, 4, 15, tzinfo=UTC), "a flaky gate")
    async with httpx.AsyncClient() as client:
        found = (await client.get(f"{base}/meetings/", params={"q": "flaky gate"})).text
    hits = re.findall(r'<li><div class="title">.*?</li>', found, re.S)
    assert len(hits) == 1  # the restricted meeting's line is not searched
    assert "a <mark>flaky</mark> <mark>gate</mark>" in hits[0] and "docs/2026/" in hits[0]


async def test_a_replayed_meetbot_archive_is_listed_and_searched(
    start_bot: StartBot, tmp_path: Path,
) -> None:
    """`hatbot minutes replay FOLDER` adds the meetings to the database, once, so the web
    archive lists them and searches their lines (real Fedora MeetBot logs)."""
    from tests.conftest import REPO, run_cli

    logs = tmp_path / "logs"
    logs.mkdir()
    for source in (REPO / "tests" / "fixtures" / "meetbot" / "fedora").glob("*.log.txt"):
        (logs / source.name).write_bytes(source.read_bytes())
    config = tmp_path / "hatbot.toml"
    database = database_for(tmp_path)  # make test's PostgreSQL pass: the bot's database
    config.write_text(f'[bot]\ndata_dir = "{tmp_path}"\n'
                      + (f'database_url = "{database}"\n' if database else "")
                      + f'[skills.meetings]\nminutes_dir = "{tmp_path}/minutes"\n')
    first = run_cli("minutes", "replay", str(logs), "--config", str(config), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "2 of 2 logs replayed" in first.stdout and "2 meetings added" in first.stdout
    again = run_cli("minutes", "replay", str(logs), "--config", str(config), cwd=tmp_path)
    assert again.returncode == 0 and "0 meetings added" in again.stdout  # not twice
    skipped = run_cli("minutes", "replay", str(logs), "--files-only", "--config",
                      str(config), cwd=tmp_path)
    assert skipped.returncode == 0 and "added" not in skipped.stdout

    _, base = await started(start_bot, tmp_path)
    async with httpx.AsyncClient() as client:
        listed = (await client.get(f"{base}/meetings/?year=2020")).text
        assert len(titles(listed)) == 2
        found = (await client.get(f"{base}/meetings/", params={"q": "kanban"})).text
        hits = re.findall(r'<li><div class="title">.*?</li>', found, re.S)
        said = [line for line in (logs / "magazine.2020-06-10-12.02.log.txt").read_text()
                .splitlines() if re.search(r"(?i)(?<![a-z0-9])kanban(?![a-z0-9])", line)]
        assert len(hits) == len(said) > 1 and all("magazine/2020/" in hit for hit in hits)
        (href,) = re.findall(r'href="([^"]+\.log\.html#l-\d+)"', hits[0])
        log = (await client.get(f"{base}/meetings/{href}")).text
        (line,) = re.findall(rf'id="{href.split("#")[1]}">.*?</div>', log)
        newest = said[-1].split("> ", 1)[1]
        assert newest.split("kanban")[0][-20:] in line  # the newest first, at its line
