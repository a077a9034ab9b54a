"""The action-item tracker on the web (issue #17): /actions/, /api/actions.json and
/actions.csv over real HTTP, from items said in meetings and marked done in chat."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hatbot.adapters.memory import person
from hatbot.app import App
from hatbot.clock import FakeClock
from hatbot.events import Address, Message
from tests.conftest import StartBot, memory

CHANNEL = Address("memory", "#dev")
MEETING = datetime(2026, 3, 2, 16, tzinfo=UTC)


async def say(app: App, text: str, when: datetime, nick: str = "chair") -> None:
    await memory(app).emit(Message(channel=CHANNEL, sender=person(nick), text=text, ts=when))


async def tracked(start_bot: StartBot, tmp_path: Path) -> tuple[App, str]:
    """Two series' meetings with action items; one item done three days later."""
    clock = FakeClock(MEETING)
    app = await start_bot(clock=clock, raw={
        "web": {"enabled": True, "port": 0},
        "skills": {"meetings": {"minutes_dir": str(tmp_path / "minutes")}}})
    for offset, lines in ((0, ["#startmeeting nova", "bob: hi", "carol: hello",
                               "#action bob writes the <b>spec</b>",
                               "#action carol reviews it", "#action bob and carol demo",
                               "#endmeeting"]),
                          (60, ["#startmeeting docs", "dan: here",
                                "#action =HYPERLINK(\"x\") dan", "#endmeeting"])):
        for minute, line in enumerate(lines):
            nick, _, said = line.partition(": ") if ": " in line else ("chair", "", line)
            await say(app, said, MEETING + timedelta(minutes=offset + minute), nick)
    clock.set(MEETING + timedelta(days=3))
    replies = await memory(app).say("!actions carol", nick="carol")
    (carols,) = [int(n) for n in re.findall(r"#(\d+) carol reviews it",
                                            " ".join(r.markup_text for r in replies))]
    await memory(app).say(f"!action done {carols}", nick="carol")
    clock.set(MEETING + timedelta(days=10))
    assert app.web is not None
    return app, f"http://127.0.0.1:{app.web.port}"


def texts(page: str) -> list[str]:
    return re.findall(r'<div class="title">#\d+ (.*?)</div>', page)


async def test_the_tracker_lists_filters_and_counts(start_bot: StartBot, tmp_path: Path
                                                    ) -> None:
    _, base = await tracked(start_bot, tmp_path)
    async with httpx.AsyncClient() as client:
        open_items = (await client.get(f"{base}/actions/")).text
        assert texts(open_items) == ["=HYPERLINK(&#34;x&#34;) dan", "bob and carol demo",
                                     "bob writes the &lt;b&gt;spec&lt;/b&gt;"]
        assert "open 10 days" in open_items
        bob = (await client.get(f"{base}/actions/", params={"person": "Bob"})).text
        assert texts(bob) == ["bob and carol demo", "bob writes the &lt;b&gt;spec&lt;/b&gt;"]
        done = (await client.get(f"{base}/actions/", params={"state": "done"})).text
        assert texts(done) == ["carol reviews it"] and "after 3 days" in done
        docs = (await client.get(f"{base}/actions/", params={"series": "docs"})).text
        assert len(texts(docs)) == 1
        rows = re.findall(r'<tr><td><a href="[^"]+">(\w+)</a></td><td class="n">(\d+)</td>'
                          r'<td class="n">(\d+)</td><td class="n">(\d+) %</td>'
                          r'<td class="n">([^<]+)</td>', open_items)
        assert rows == [("docs", "1", "0", "0", "\u2013"), ("nova", "3", "1", "33", "3.0")]
        # Links to the meeting's minutes are served.
        (minutes,) = set(re.findall(r'href="\.\./(meetings/nova/2026/[^"]+\.html)"', open_items))
        assert (await client.get(f"{base}/{minutes}")).status_code == 200
        assert (await client.get(f"{base}/actions")).headers["location"] == "/actions/"


async def test_the_tracker_as_json_and_csv(start_bot: StartBot, tmp_path: Path) -> None:
    _, base = await tracked(start_bot, tmp_path)
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{base}/api/actions.json", params={"state": "all"})
        body: dict[str, Any] = answer.json()
        download = await client.get(f"{base}/actions.csv", params={"state": "all"})
    assert answer.headers["content-type"].startswith("application/json")
    assert [item["text"] for item in body["items"]] == [
        '=HYPERLINK("x") dan', "bob and carol demo", "carol reviews it",
        "bob writes the <b>spec</b>"]
    carol = body["items"][2]
    assert carol["people"] == ["carol"] and carol["series"] == "nova"
    assert carol["said_at"] == "2026-03-02T16:04:00+00:00"
    assert carol["done_at"] == "2026-03-05T16:00:00+00:00"
    assert carol["minutes"] == "/meetings/nova/2026/nova.2026-03-02-16.00.html"
    assert body["series"] == [
        {"series": "docs", "items": 1, "done": 0, "completion": 0.0,
         "median_days_to_done": None},
        {"series": "nova", "items": 3, "done": 1, "completion": 0.333,
         "median_days_to_done": 3.0}]
    assert body["more"] is False and body["days"] == 365
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["id", "text", "people", "series", "said_at", "done_at", "minutes"]
    assert rows[1][1] == "'=HYPERLINK(\"x\") dan"  # a formula stays text in a spreadsheet
    assert [row[1] for row in rows[2:]] == ["bob and carol demo", "carol reviews it",
                                            "bob writes the <b>spec</b>"]
    assert rows[3][2] == "carol" and rows[2][2] == "bob carol"


@pytest.mark.parametrize(("query", "example"), [
    ({"state": "closed"}, "?state=done"), ({"days": "7"}, "?days=90"),
    ({"series": "Nova!"}, "?series=nova"), ({"page": "-1"}, "?page=2"),
    ({"person": "a b"}, "?person=alice"),
])
async def test_a_bad_filter_gets_a_400_that_says_what_is_expected(
    start_bot: StartBot, tmp_path: Path, query: dict[str, str], example: str,
) -> None:
    app = await start_bot(raw={"web": {"enabled": True, "port": 0}})
    assert app.web is not None
    base = f"http://127.0.0.1:{app.web.port}"
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{base}/actions/", params=query)
        api = await client.get(f"{base}/api/actions.json", params=query)
    assert page.status_code == 400 and example in page.text
    assert api.status_code == 400 and example in api.json()["error"]
