"""The Community Hat on the memory adapter, with a clock the tests move."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from hatbot.adapters.memory import PLATFORM
from hatbot.app import App
from hatbot.clock import FakeClock
from hatbot.events import Address
from hatbot.markup import render_plain
from hatbot.skills.hat.reports import absence_factor
from tests.conftest import StartBot, memory, paused

DEV = Address(PLATFORM, "#dev")


async def said(app: App, text: str, nick: str = "alice") -> list[str]:
    replies = await memory(app).say(text, nick=nick, channel="#dev")
    return [render_plain(r.markup_text) for r in replies]


async def test_tasks_claims_and_digest(start_bot: StartBot) -> None:
    clock = FakeClock()
    app = await start_bot(clock=clock)
    assert (await said(app, "!hat add Review the contributor guide area=docs"))[0] == (
        "Task #1 added: Review the contributor guide (docs). Who wears the hat? !hat claim 1")
    await said(app, "!hat add Triage new bugs area=review")
    await said(app, "!hat add Write release notes every=14d area=release")
    assert (await said(app, "!hat claim 1", nick="bob"))[0].startswith(
        "bob is wearing the Community Hat for #1")
    assert (await said(app, "!hat claim 1", nick="carol"))[0] == "#1 is worn by bob already."
    clock.advance(timedelta(days=2))
    done = await said(app, "!hat done 3 posted on the blog", nick="carol")
    assert done == ["Done: #3 Write release notes, by carol. Thank you! It comes back in 14d."]
    assert await said(app, "!hat remind") == [
        "Community Hat: these need someone.\n"
        "- #2 Triage new bugs (review), unowned for 2d\n"
        "Take one with !hat claim ID."]
    assert await said(app, "!hat list") == [
        "#1 Review the contributor guide (docs): bob since 2d\n"
        "#2 Triage new bugs (review): unowned for 2d\n"
        "#3 Write release notes (release): next due in 14d"]
    clock.advance(timedelta(days=15))  # the release notes are due again; bob went quiet
    (digest,) = await said(app, "!hat remind")
    assert digest.split("\n")[1:4] == [
        "- #2 Triage new bugs (review), unowned for 17d",
        "- #3 Write release notes (release), due (every 14d)",
        "- #1 Review the contributor guide (docs), bob has been quiet for 17d"]
    assert (await said(app, "!hat list mine", nick="bob"))[0].startswith("#1 Review")
    assert (await said(app, "!hat release 1", nick="carol"))[0] == (
        "Only the owner or an admin can release #1.")
    assert (await said(app, "!hat drop 2", nick="carol"))[0] == (
        "Sorry, !hat drop is for admins only.")
    assert await said(app, "!hat drop 2", nick="admin") == ["Dropped #2 Triage new bugs."]
    assert (await said(app, "!hat add Something area=nowhere"))[0].startswith("area must be")


async def test_volunteers_are_suggested_in_turn(start_bot: StartBot) -> None:
    app = await start_bot()
    await said(app, "!hat volunteer docs", nick="dana")
    await said(app, "!hat volunteer", nick="eve")
    await said(app, "!hat add Fix broken links area=docs")
    await said(app, "!hat add Rotate CI secrets area=ci")
    lines = (await said(app, "!hat remind"))[0].split("\n")
    assert lines[1] == "- #1 Fix broken links (docs), unowned for 0m — dana, would you wear " \
                       "the hat?" or lines[1].endswith("dana, would you wear the hat?")
    assert lines[2].endswith("eve, would you wear the hat?")
    again = (await said(app, "!hat remind"))[0].split("\n")
    # Turns rotate: both were asked just now, so the order of who goes first follows that.
    assert {again[1].rsplit(" — ", 1)[1], again[2].rsplit(" — ", 1)[1]} == {
        "dana, would you wear the hat?", "eve, would you wear the hat?"}


async def test_quiet_claims_are_nudged_then_released(start_bot: StartBot) -> None:
    clock = FakeClock()
    app = await start_bot(clock=clock)
    await said(app, "!hat add Update the roadmap area=docs")
    await said(app, "!hat claim 1", nick="bob")
    adapter = memory(app)

    async def check(days: int) -> list[tuple[str, bool, str]]:
        clock.set(start + timedelta(days=days))
        before = len(adapter.sent)
        await app.scheduler.runner("hat", "check_claims", {"cron": "7 * * * *"})
        return [(r.target.id, r.direct, render_plain(r.markup_text))
                for r in adapter.sent[before:]]

    start = clock.now()
    assert await check(13) == []
    (nudge,) = await check(15)
    assert nudge[:2] == ("bob", True) and nudge[2].startswith("Are you still on #1")
    assert await check(16) == []  # asked once
    (released,) = await check(29)
    assert released == ("#dev", False, "#1 Update the roadmap was claimed by bob with no "
                        "activity for 29d, so it is unowned again. Who takes it? !hat claim 1")
    assert (await said(app, "!hat list unowned"))[0].startswith("#1 Update the roadmap")


async def test_stats_and_absence_factor(start_bot: StartBot) -> None:
    app = await start_bot()
    for i, who in enumerate(["bob", "bob", "bob", "carol"], start=1):
        await said(app, f"!hat add Task {i} area=ci")
        await said(app, f"!hat done {i}", nick=who)
    (stats,) = await said(app, "!hat stats")
    assert stats.startswith("Last 90 days: 4 tasks done (ci 4). Median time unowned: no "
                            "claims yet. Contributor Absence Factor: 1 — a risk")
    assert absence_factor(["a", "b", "c", "d"]) == 2
    assert absence_factor(["a", "a", "b", "c"]) == 1
    assert absence_factor([]) == 0


async def test_a_reminder_missed_while_down_fires_once(start_bot: StartBot) -> None:
    raw: dict[str, Any] = {"skills": {"hat": {"reminders": [
        {"channel": "memory:#dev", "cron": "0 9 * * MON"}]}}}
    app = paused(await start_bot(raw=raw))
    await said(app, "!hat add Clean the wiki area=docs")
    job = "hat.remind.cron.0"
    # The bot was down at the reminder's time: its stored run time is now 10 minutes past.
    app.scheduler._aps.modify_job(job, next_run_time=datetime.now(UTC) - timedelta(minutes=10))
    await app.stop()

    again = await start_bot(raw=raw)  # resumes its scheduler: the missed run fires now
    adapter = memory(again)
    for _ in range(300):
        if any("Community Hat" in render_plain(r.markup_text) for r in adapter.sent):
            break
        await asyncio.sleep(0.01)
    posts = [r for r in adapter.sent if "Community Hat" in render_plain(r.markup_text)]
    assert len(posts) == 1 and posts[0].target == DEV
    (next_run,) = [when for job_id, when in again.scheduler.pending() if job_id == job]
    assert next_run is not None and next_run > datetime.now(UTC)  # not again until Monday
    await again.stop()
    third = await start_bot(raw=raw)
    await asyncio.sleep(0.2)  # give a wrongly kept run the chance to fire
    assert not any("Community Hat" in render_plain(r.markup_text) for r in memory(third).sent)


async def test_only_the_wearer_or_an_admin_marks_a_claimed_task_done(start_bot: StartBot) -> None:
    app = await start_bot()
    await said(app, "!hat add Review the contributor guide")
    await said(app, "!hat add Update the FAQ")
    await said(app, "!hat claim 1", nick="bob")
    assert await said(app, "!hat done 1", nick="mallory") == [
        "#1 is worn by bob: only they or an admin can mark it done."]
    assert (await said(app, "!hat done 1", nick="bob"))[0].startswith("Done: #1")
    await said(app, "!hat claim 2", nick="bob")
    assert (await said(app, "!hat done 2", nick="admin"))[0].startswith("Done: #2")


async def test_remind_with_no_tasks_says_so(start_bot: StartBot) -> None:
    app = await start_bot()
    assert await said(app, "!hat remind") == [
        "There are no tasks yet. Add one with !hat add TITLE."]
    assert await said(app, "!ci status") == [
        "No repository is watched: add [[skills.ci.watch]] tables (repo, branches, channels) "
        "to the configuration."]
