"""Hostile HTTP: forged, replayed, malformed and oddly encoded requests to every endpoint
get the right 4xx, post nothing, and leave no traceback in the log."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hatbot.app import App
from hatbot.skills.ci import builds
from hatbot.skills.ci.builds import BadPayload
from tests.conftest import StartBot
from tests.integration.test_ci_hooks import CONFIG, SECRET, github, posts, run

# Every key the CI parsers read, so generated bodies reach deep into them.
KEYS = ["repository", "full_name", "action", "workflow_run", "workflow", "name", "actor",
        "login", "head_branch", "conclusion", "head_sha", "html_url", "check_suite", "app",
        "head_commit", "author", "email", "url", "state", "branches", "sha", "context",
        "target_url", "commit", "object_kind", "object_attributes", "status", "ref", "id",
        "project", "path_with_namespace", "user", "username", "build", "phase", "full_url",
        "scm", "branch", "culprits", "fullName"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS),
                                                                  inner, max_size=6),
    max_leaves=30)
bodies = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8)
PARSERS = [lambda d: builds.github("workflow_run", d), lambda d: builds.github("check_suite", d),
           lambda d: builds.github("status", d), builds.gitlab, builds.jenkins]


@settings(max_examples=300, deadline=None)
@given(body=bodies, which=st.integers(0, len(PARSERS) - 1))
def test_any_json_object_is_a_build_none_or_bad_payload(body: dict[str, Any], which: int) -> None:
    with contextlib.suppress(BadPayload):
        builds.read(json.dumps(body).encode(), PARSERS[which])


@settings(max_examples=100, deadline=None)
@given(path=st.lists(st.sampled_from(["workflow_run", "repository", "actor", "head_branch",
                                      "conclusion", "name"]), min_size=1, max_size=3),
       value=json_values)
def test_a_real_payload_with_any_field_retyped(path: list[str], value: Any) -> None:
    payload = run("failure")
    node = payload
    for key in path[:-1]:
        child = node.get(key) if isinstance(node, dict) else None
        if not isinstance(child, dict):
            break
        node = child
    node[path[-1]] = value
    with contextlib.suppress(BadPayload):
        builds.read(json.dumps(payload).encode(), PARSERS[0])


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000, b"\xff\xfe", b"[]",
                                  b'{"repository": 1}', b"1e99999"])
def test_pathological_bodies_are_bad_payloads(body: bytes) -> None:
    with pytest.raises(BadPayload):
        builds.read(body, PARSERS[0])


@pytest.fixture
async def app(start_bot: StartBot) -> App:
    return await start_bot(raw=CONFIG)


async def post(app: App, path: str, body: bytes, headers: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"http://127.0.0.1:{app.web.port}{path}", content=body,
                                 headers=headers)


def signed(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


async def test_a_replayed_body_under_a_new_delivery_id_changes_nothing(app: App) -> None:
    assert (await github(app, run("failure"), "d-1")).json() == {"status": "ok"}
    assert (await github(app, run("success"), "d-2")).json() == {"status": "ok"}
    before = posts(app)
    replay = await github(app, run("failure"), "d-3-new-id")  # the captured red, replayed
    assert replay.json() == {"status": "duplicate"}
    assert posts(app) == before


async def test_an_org_level_ping_is_answered(app: App) -> None:
    body = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1,
                       "organization": {"login": "octo-org"}}).encode()
    response = await post(app, "/hooks/github", body, {
        "X-Hub-Signature-256": signed(body), "X-GitHub-Event": "ping"})
    assert response.status_code == 200 and response.json() == {"status": "pong"}


@pytest.mark.parametrize(("path", "header"), [
    ("/hooks/gitlab", "X-Gitlab-Token"), ("/hooks/jenkins", "X-Hatbot-Token"),
    ("/hooks/github", "X-Hub-Signature-256")])
async def test_non_ascii_credentials_are_refused(app: App, path: str, header: str) -> None:
    response = await post(app, path, b"{}", {header: b"caf\xe9\xff"})  # not UTF-8
    assert response.status_code == 401
    assert posts(app) == []


async def test_signed_bodies_of_the_wrong_shape_get_400(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    shapes: list[Any] = [
        {"action": "completed", "repository": {"full_name": ["x"]}, "workflow_run": 7},
        {"action": "completed", "repository": "octo-org/octo-repo", "workflow_run": {}},
        {"action": "completed", "repository": {"full_name": "octo-org/octo-repo"},
         "workflow_run": {"head_branch": {"a": 1}, "conclusion": 3, "actor": "x"}},
        {"action": "completed", "repository": {"full_name": "octo-org/octo-repo"},
         "workflow_run": {"head_branch": "main", "actor": {"login": ["x"]}}},
    ]
    for payload in shapes:
        body = json.dumps(payload).encode()
        response = await post(app, "/hooks/github", body, {
            "X-Hub-Signature-256": signed(body), "X-GitHub-Event": "workflow_run"})
        assert response.status_code == 400, (payload, response.text)
    deep = b"[" * 50_000
    response = await post(app, "/hooks/github", deep, {
        "X-Hub-Signature-256": signed(deep), "X-GitHub-Event": "workflow_run"})
    assert response.status_code == 400
    assert posts(app) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_slack_events_from_outsiders_get_401_and_no_traceback(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.integration.fake_slack import FakeSlack

    slack = FakeSlack()
    await slack.start()
    try:
        app = await start_bot(raw={"web": {"enabled": True, "port": 0}, "adapters": {"slack": {
            "bot_token": "xoxb-test", "signing_secret": "s3cret", "api_url": slack.api_url}}})
        for headers, body in [
            ({}, b"\xff\xfe not even text"),
            ({"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=abc"}, b"{}"),
            ({"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=\u2603".encode()},
             b"payload=%7B"),
            ({"Content-Type": "application/x-www-form-urlencoded"}, b"payload=%7Bnot json"),
        ]:
            response = await post(app, "/slack/events", body, headers)
            assert response.status_code == 401, (headers, response.text)
    finally:
        await slack.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_an_empty_signing_secret_fails_check_config() -> None:
    from hatbot.config import ConfigError, build
    from hatbot.plugins import discover

    found = discover()
    raw = {"adapters": {"slack": {"bot_token": "xoxb-x"}}}
    with pytest.raises(ConfigError) as error:
        build(raw, found.adapter_models(), found.skill_models(), environ={})
    assert "adapters.slack.signing_secret: required for the Events API (or set app_token " \
           "for Socket Mode)" in error.value.problems
    disabled = {"adapters": {"slack": {"enabled": False}, "console": {}}}
    build(disabled, found.adapter_models(), found.skill_models(), environ={})
