"""CI pings end to end: signed webhooks over HTTP into the running bot, and Zuul polling
against a local fake of its builds API."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web
from pydantic import SecretStr

from hatbot.app import App
from hatbot.clock import FakeClock
from hatbot.context import Context
from hatbot.markup import render_plain
from hatbot.skills.ci.auth import github_signature_ok
from hatbot.skills.ci.zuul import ZuulPoller
from tests.conftest import REPO, StartBot, memory

FIXTURES = REPO / "tests" / "fixtures" / "ci"
SECRET = "It's a Secret to Everybody"
CONFIG: dict[str, Any] = {"web": {"enabled": True, "port": 0}, "skills": {"ci": {
    "github_secret": SECRET, "gitlab_token": "gl-token", "jenkins_token": "jk-token",
    "watch": [{"repo": "octo-org/octo-repo", "branches": ["main"], "channels": ["memory:#ci"]},
              {"repo": "gitlab-org/gitlab-test", "channels": ["memory:#ci"]},
              {"repo": "asgard", "channels": ["memory:#ci"]},
              {"repo": "openstack/nova", "branches": ["master"], "channels": ["memory:#ci"]}],
    "people": {"octocat": "memory:octo", "jdoe@example.org": "memory:jdoe"},
}}}


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def test_github_signature_test_vector() -> None:
    body = b"Hello, World!"
    good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert github_signature_ok(body, good, SecretStr(SECRET))
    assert not github_signature_ok(b"Hello, World?", good, SecretStr(SECRET))
    assert not github_signature_ok(body, good[:-1] + "6", SecretStr(SECRET))
    assert not github_signature_ok(body, good, SecretStr(""))  # no secret: nothing verifies


def posts(app: App) -> list[str]:
    return [render_plain(r.markup_text) for r in memory(app).sent if r.target.id == "#ci"]


async def github(app: App, payload: dict[str, Any], delivery: str, *,
                 secret: str = SECRET, raw: bytes | None = None) -> httpx.Response:
    body = raw if raw is not None else json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    async with httpx.AsyncClient() as client:
        return await client.post(
            f"http://127.0.0.1:{app.web.port}/hooks/github", content=body,
            headers={"X-Hub-Signature-256": signature, "X-GitHub-Event": "workflow_run",
                     "X-GitHub-Delivery": delivery, "Content-Type": "application/json"})


def run(conclusion: str, sha: str = "acb5820", actor: str = "octocat") -> dict[str, Any]:
    payload = copy.deepcopy(fixture("github_workflow_run.json"))
    payload["workflow_run"].update(conclusion=conclusion, head_sha=sha + "0" * 33)
    payload["workflow_run"]["actor"]["login"] = actor
    return payload


async def test_github_break_redelivery_and_recovery(start_bot: StartBot) -> None:
    clock = FakeClock()
    app = await start_bot(raw=CONFIG, clock=clock)
    first = await github(app, run("failure"), "d-1")
    assert (first.status_code, first.json()) == (200, {"status": "ok"})
    (broken,) = posts(app)
    assert broken.startswith("CI is red on octo-org/octo-repo main: Build failed at acb5820, "
                             "by octo https://github.com/octo-org/octo-repo/actions/runs/")
    markup = [r.markup_text for r in memory(app).sent][-1]
    assert "(mention:memory:octo)" in markup  # the mapped person is pinged

    again = await github(app, run("failure"), "d-1")
    assert again.json() == {"status": "duplicate"}
    await github(app, run("failure", sha="bbbbbbb"), "d-2")
    await github(app, run("cancelled", sha="ccccccc"), "d-3")
    assert len(posts(app)) == 1  # nothing new while it stays red

    clock.advance(timedelta(hours=2, minutes=13))
    await github(app, run("success", sha="ddddddd", actor="fixer"), "d-4")
    assert posts(app)[1] == (
        "octo-org/octo-repo main Build recovered after 2h 13m, thanks to fixer.")
    await github(app, run("success", sha="eeeeeee"), "d-5")
    assert len(posts(app)) == 2


async def test_rejected_requests_post_nothing(start_bot: StartBot) -> None:
    app = await start_bot(raw=CONFIG)
    forged = await github(app, run("failure"), "x-1", secret="wrong")
    assert forged.status_code == 401
    malformed = await github(app, {}, "x-2", raw=b"{not json")
    assert malformed.status_code == 400 and "malformed" in malformed.json()["error"]
    missing = await github(app, {"action": "completed"}, "x-3")
    assert missing.status_code == 400
    other = run("failure")
    other["repository"]["full_name"] = "someone/else"
    assert (await github(app, other, "x-4")).status_code == 202
    side_branch = run("failure")
    side_branch["workflow_run"]["head_branch"] = "feature"
    assert (await github(app, side_branch, "x-5")).status_code == 202
    huge = await github(app, {}, "x-6", raw=b" " * (1024 * 1024 + 10))
    assert huge.status_code == 413
    assert posts(app) == []


async def test_gitlab_and_jenkins_over_http(start_bot: StartBot) -> None:
    app = await start_bot(raw=CONFIG)
    base = f"http://127.0.0.1:{app.web.port}"
    async with httpx.AsyncClient() as client:
        gitlab = fixture("gitlab_pipeline.json")
        bad = await client.post(f"{base}/hooks/gitlab", json=gitlab,
                                headers={"X-Gitlab-Token": "nope"})
        assert bad.status_code == 401
        ok = await client.post(f"{base}/hooks/gitlab", json=gitlab,
                               headers={"X-Gitlab-Token": "gl-token"})
        assert ok.status_code == 200
        jenkins = fixture("jenkins_notification.json")
        assert (await client.post(f"{base}/hooks/jenkins", json=jenkins)).status_code == 401
        ok = await client.post(f"{base}/hooks/jenkins", json=jenkins,
                               headers={"X-Hatbot-Token": "jk-token"})
        assert ok.status_code == 200
        jenkins["build"]["status"] = "SUCCESS"
        await client.post(f"{base}/hooks/jenkins", json=jenkins,
                          headers={"X-Hatbot-Token": "jk-token"})
    sent = posts(app)
    assert sent[0].startswith("CI is red on gitlab-org/gitlab-test main: Pipeline for branch: "
                              "main failed at bcbb5ec, by root")
    assert sent[1].startswith("CI is red on asgard master: jenkins failed at c6d86dc, by jdoe")
    assert sent[2].startswith("asgard master jenkins recovered after ")
    assert len(sent) == 3


async def test_reminders_ack_mute_status_and_stats(start_bot: StartBot) -> None:
    clock = FakeClock()
    app = await start_bot(raw=CONFIG, clock=clock)
    await github(app, run("failure"), "r-1")
    ci = app.skills["ci"]

    async def remind_after(hours: float) -> list[str]:
        clock.advance(timedelta(hours=hours))
        before = len(posts(app))
        await app.scheduler.runner("ci", "remind", {"cron": "*/15 * * * *"})
        return posts(app)[before:]

    assert await remind_after(5) == []
    (reminder,) = await remind_after(1.5)
    assert reminder.startswith("octo-org/octo-repo main Build has been red for 6h 30m and "
                               "nobody said they are on it. !ci ack octo-org/octo-repo")
    assert await remind_after(1) == []  # not again before another remind_hours
    status = await memory(app).say("!ci status", channel="#ci")
    assert render_plain(status[0].markup_text) == (
        "octo-org/octo-repo main Build: red for 7h 30m, nobody on it yet")
    ack = await memory(app).say("!ci ack octo-org/octo-repo", nick="bob", channel="#ci")
    assert render_plain(ack[0].markup_text) == (
        "bob is on it: octo-org/octo-repo. No more reminders.")
    assert await remind_after(10) == []
    await memory(app).say("!ci mute octo-org/octo-repo 2h", channel="#ci")
    await github(app, run("success"), "r-2")
    assert not any("recovered" in p for p in posts(app))  # muted: nothing said
    stats = await memory(app).say("!ci stats", channel="#ci")
    assert render_plain(stats[0].markup_text) == (
        "octo-org/octo-repo: red for 17h 30m in 30 days, mean time to recovery 17h 30m")
    assert ci is not None
    # bob said he was on it when it went green: the recovery is his (recognition).
    found = await app.recognition(clock.now() - timedelta(days=30))
    assert found["bob"] == {"CI breaks fixed": 1}


async def test_zuul_builds_are_polled(start_bot: StartBot) -> None:
    records = fixture("zuul_builds.json")
    served = {"builds": [records[1]]}  # at first only the failure of yesterday
    seen_queries: list[dict[str, str]] = []

    async def builds(request: web.Request) -> web.Response:
        seen_queries.append(dict(request.query))
        project = request.query.get("project")
        return web.json_response([b for b in served["builds"] if b["project"] == project])

    fake = web.Application()
    fake.router.add_get("/api/tenant/openstack/builds", builds)
    runner = web.AppRunner(fake)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        config = copy.deepcopy(CONFIG)
        config["skills"]["ci"]["zuul"] = [{"url": url, "tenant": "openstack",
                                           "pipelines": ["periodic"], "poll_seconds": 3600}]
        app = await start_bot(raw=config)
        ci = app.skills["ci"]
        poller: ZuulPoller = ci._pollers[0]  # type: ignore[attr-defined]
        ctx = Context(app.runtime, "ci")
        async with httpx.AsyncClient() as client:
            await poller.poll(client, ctx)
            await poller.poll(client, ctx)  # nothing new: nothing said
            served["builds"] = records
            await poller.poll(client, ctx)
        sent = posts(app)
        assert sent[0].startswith("CI is red on openstack/nova master: periodic-docs failed")
        assert sent[1].startswith("openstack/nova master periodic-docs recovered after")
        assert len(sent) == 2
        assert {"project": "openstack/nova", "pipeline": "periodic", "limit": "20"} \
            in seen_queries
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("conclusion", ["timed_out", "action_required", "startup_failure"])
async def test_unknown_conclusions_count_as_failures(start_bot: StartBot, conclusion: str) -> None:
    app = await start_bot(raw=CONFIG)
    await github(app, run(conclusion), f"u-{conclusion}")
    assert posts(app)[0].startswith("CI is red on octo-org/octo-repo")


async def test_who_may_mute_and_for_how_long(start_bot: StartBot) -> None:
    app = await start_bot(raw=CONFIG)

    async def mute(line: str, nick: str, channel: str) -> str:
        (reply,) = await memory(app).say(line, nick=nick, channel=channel)
        return render_plain(reply.markup_text)

    assert await mute("!ci mute octo-org/octo-repo 3d", "mallory", "#random") == (
        "Only an admin, or someone in a channel that gets octo-org/octo-repo's posts, can "
        "mute it.")
    assert (await mute("!ci mute octo-org/octo-repo 30d", "bob", "#ci")).startswith(
        "DURATION: at most 7d. Usage: !ci mute")
    assert await mute("!ci mute octo-org/octo-repo 2h", "bob", "#ci") == (
        "octo-org/octo-repo is muted for 2h.")
    assert (await mute("!ci mute some/other 2h", "admin", "#random")).startswith(
        "some/other is not watched here (watched: octo-org/octo-repo")


async def test_a_channel_in_german_gets_its_posts_in_german(start_bot: StartBot) -> None:
    """A webhook has no channel of its own: each channel it posts to gets the post in
    that channel's language (``channel_languages``)."""
    clock = FakeClock()
    app = await start_bot(raw={**CONFIG, "bot": {"channel_languages": {"memory:#ci": "de"}}},
                          clock=clock)
    await github(app, run("failure"), "de-1")
    (broken,) = posts(app)
    assert broken.startswith("CI ist rot auf octo-org/octo-repo main: Build schlug fehl bei "
                             "acb5820, von octo https://github.com/octo-org/octo-repo/")
    assert broken.endswith(". Sag !ci ack octo-org/octo-repo, wenn du dich darum kümmerst.")
    clock.advance(timedelta(hours=1, minutes=5))
    await github(app, run("success", sha="ddddddd", actor="fixer"), "de-2")
    assert posts(app)[1] == "octo-org/octo-repo main Build ist nach 1h 5m wieder grün, dank fixer."
