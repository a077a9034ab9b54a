"""The community's health (issue #17): every skill's figures on /community/, as JSON on
/api/community.json and as hatbot_community_* gauges on /metrics, from what happened
in chat."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from hatbot.adapters.memory import person
from hatbot.app import App
from hatbot.clock import FakeClock
from hatbot.events import Address, Join, Message
from tests.conftest import StartBot, memory

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
WELCOME = Address("memory", "#welcome")
TEAM = Address("memory", "#team")


async def a_week(start_bot: StartBot, tmp_path: Path) -> tuple[App, str, FakeClock]:
    clock = FakeClock(START)
    app = await start_bot(clock=clock, raw={
        "web": {"enabled": True, "port": 0},
        "skills": {"welcome": {"channels": ["memory:#welcome"]},
                   "meetings": {"minutes_dir": str(tmp_path / "minutes")}}})
    bus = memory(app)

    async def say(text: str, nick: str, where: Address = TEAM, minutes: float = 0) -> None:
        clock.set(START + timedelta(minutes=minutes))
        await bus.emit(Message(channel=where, sender=person(nick), text=text, ts=clock.now()))

    # Two newcomers: one answered after two hours, one still waiting.
    for nick in ("newbie", "shy"):
        await bus.emit(Join(channel=WELCOME, person=person(nick), ts=START))
    await say("hi, how do I build the docs?", "newbie", WELCOME, 10)
    await say("hello?", "shy", WELCOME, 20)
    await say("newbie: run make docs", "helper", WELCOME, 130)
    # A meeting of three with two action items, one of them done.
    await say("#startmeeting nova", "alice", minutes=200)
    await say("hi", "bob", minutes=201)
    await say("hello", "carol", minutes=202)
    await say("#action bob writes the spec", "alice", minutes=203)
    await say("#action carol reviews it", "alice", minutes=204)
    await say("#endmeeting", "alice", minutes=205)
    replies = await bus.say("!actions bob", nick="bob")
    (bobs,) = re.findall(r"#(\d+) bob writes", " ".join(r.markup_text for r in replies))
    await say(f"!action done {bobs}", "bob", minutes=300)
    # Hat tasks: two unowned docs tasks; one CI task done by dan.
    await say("!hat add Update the install guide area=docs", "alice", minutes=310)
    await say("!hat add Fix the broken links area=docs", "alice", minutes=311)
    await say("!hat add Pin the linters area=ci", "alice", minutes=312)
    listed = " ".join(r.markup_text for r in await bus.say("!hat list all", nick="dan"))
    (pin,) = re.findall(r"#(\d+)\S* Pin the linters", listed)
    await say(f"!hat claim {pin}", "dan", minutes=320)
    await say(f"!hat done {pin}", "dan", minutes=330)
    # One mentee waiting.
    await say("!mentee docs", "shy", minutes=340)
    clock.set(START + timedelta(days=2))
    assert app.web is not None
    return app, f"http://127.0.0.1:{app.web.port}", clock


def figure(body: dict[str, Any], skill: str, key: str) -> dict[str, Any]:
    (found,) = [f for f in body["skills"][skill] if f["key"] == key]
    return found


async def test_the_figures_of_a_week_on_the_page_in_json_and_as_gauges(
    start_bot: StartBot, tmp_path: Path,
) -> None:
    _, base, _ = await a_week(start_bot, tmp_path)
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{base}/community/", params={"days": "30"})
        body = (await client.get(f"{base}/api/community.json", params={"days": "30"})).json()
        metrics = (await client.get(f"{base}/metrics")).text
        table = await client.get(f"{base}/community.csv", params={"days": "30"})
        bad = await client.get(f"{base}/community/", params={"days": "7"})
        bad_api = await client.get(f"{base}/api/community.json", params={"days": "x"})
    assert body["days"] == 30
    assert figure(body, "welcome", "newcomers")["value"] == 2
    assert figure(body, "welcome", "newcomers")["points"] == [{"label": "2026-W10",
                                                               "value": 2}]
    assert figure(body, "welcome", "first_response_median_hours")["value"] == 2.0
    assert figure(body, "welcome", "unanswered")["value"] == 1
    assert figure(body, "meetings", "meetings")["value"] == 1
    assert figure(body, "meetings", "attendance")["value"] == 3
    completion = figure(body, "meetings", "action_completion")
    assert completion["value"] == 50 and completion["rows"] == [{"label": "nova",
                                                                 "value": 50}]
    assert figure(body, "hat", "unowned")["value"] == 2
    assert figure(body, "hat", "unowned")["rows"] == [{"label": "docs", "value": 2}]
    assert figure(body, "hat", "done")["rows"] == [{"label": "ci", "value": 1}]
    assert figure(body, "hat", "absence_factor")["value"] == 1
    assert figure(body, "mentoring", "mentees_waiting")["value"] == 1
    assert figure(body, "ci", "red_hours")["value"] == 0
    for each in body["skills"].values():
        assert all(f["definition"] and f["title"] for f in each)

    assert page.status_code == 200
    assert "<h3 id=\"welcome-newcomers\">Newcomers: 2</h3>" in page.text
    assert "Time to first response, median: 2 h" in page.text
    assert "Action items done: 50%" in page.text
    assert re.search(r"<svg class=\"chart\"[^>]*>.*?<rect ", page.text, re.S)
    assert "<td>2026-W10</td><td class=\"n\">2</td>" in page.text  # the chart as a table
    assert "hatbot_community_welcome_newcomers 2.0" in metrics
    assert 'hatbot_community_hat_unowned{of="docs"} 2.0' in metrics
    assert "# HELP hatbot_community_meetings_attendance People at a meeting" in metrics
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert table.headers["content-type"].startswith("text/csv")
    assert {"skill": "hat", "key": "unowned", "title": "Tasks without an owner",
            "part": "row", "label": "docs", "value": "2", "unit": ""} in rows
    assert {"skill": "welcome", "key": "newcomers", "title": "Newcomers", "part": "point",
            "label": "2026-W10", "value": "2", "unit": ""} in rows
    assert bad.status_code == 400 and "?days=30" in bad.text
    assert bad_api.status_code == 400 and "?days=30" in bad_api.json()["error"]


async def test_a_skill_whose_figures_fail_is_left_out(start_bot: StartBot, tmp_path: Path,
                                                      monkeypatch: Any) -> None:
    from hatbot.skills.hat.skill import Hat

    async def broken(self: Hat, ctx: Any, since: datetime) -> list[Any]:
        raise RuntimeError("no figures today")

    broken.__hatbot_community__ = True  # type: ignore[attr-defined]
    monkeypatch.setattr(Hat, "figures", broken)
    _, base, _ = await a_week(start_bot, tmp_path)
    async with httpx.AsyncClient() as client:
        body = (await client.get(f"{base}/api/community.json")).json()
    assert "hat" not in body["skills"] and "welcome" in body["skills"]


async def test_the_figures_and_a_person_page_on_postgresql(
    start_bot: StartBot, tmp_path: Path, postgres: Any,
) -> None:
    """The same queries on a real PostgreSQL: /community/, its JSON and /people/NAME."""
    import uuid

    url = postgres.new_database(f"community_{uuid.uuid4().hex[:8]}")
    clock = FakeClock(START)
    app = await start_bot(clock=clock, raw={
        "web": {"enabled": True, "port": 0}, "bot": {"database_url": url},
        "skills": {"welcome": {"channels": ["memory:#welcome"]},
                   "meetings": {"minutes_dir": str(tmp_path / "minutes")}}})
    bus = memory(app)
    await bus.emit(Join(channel=WELCOME, person=person("newbie"), ts=START))
    for minute, (nick, text) in enumerate([("alice", "#startmeeting nova"), ("bob", "hi"),
                                           ("alice", "#action bob writes the spec"),
                                           ("alice", "#endmeeting")]):
        clock.set(START + timedelta(minutes=minute))
        await bus.emit(Message(channel=TEAM, sender=person(nick), text=text, ts=clock.now()))
    clock.set(START + timedelta(days=1))
    assert app.web is not None
    base = f"http://127.0.0.1:{app.web.port}"
    async with httpx.AsyncClient() as client:
        body = (await client.get(f"{base}/api/community.json", params={"days": "30"})).json()
        page = await client.get(f"{base}/community/")
        alice = await client.get(f"{base}/people/alice")
    assert figure(body, "welcome", "newcomers")["value"] == 1
    assert figure(body, "meetings", "meetings")["value"] == 1
    assert figure(body, "meetings", "attendance")["value"] == 2
    assert page.status_code == 200
    assert alice.status_code == 200
    assert '<td>Meetings chaired</td><td class="n">1</td>' in alice.text
