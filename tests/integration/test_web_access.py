"""``[web] public = false``: every page asks for a login (HTTP Basic or a bearer token),
but /healthz and the webhooks, which check their own signatures (issue #17)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest

from hatbot.config import WebConfig
from hatbot.web_access import Access
from tests.conftest import StartBot

SECRET = "hook-secret-0123456789"


async def private(start_bot: StartBot) -> str:
    app = await start_bot(raw={
        "web": {"enabled": True, "port": 0, "public": False,
                "users": {"admin": "correct horse battery"}, "tokens": ["scrape-token-42"]},
        "skills": {"ci": {"github_secret": SECRET,
                          "watch": [{"repo": "org/repo", "channels": ["memory:#ci"]}]}}})
    assert app.web is not None
    return f"http://127.0.0.1:{app.web.port}"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.mark.parametrize("path", ["/", "/meetings/", "/actions/", "/api/actions.json",
                                  "/actions.csv", "/metrics", "/meetings/nova/"])
async def test_every_page_asks_for_a_login(start_bot: StartBot, path: str) -> None:
    base = await private(start_bot)
    async with httpx.AsyncClient() as client:
        anonymous = await client.get(base + path)
        wrong = await client.get(base + path, headers=basic("admin", "wrong"))
        nobody = await client.get(base + path, headers=basic("root", "correct horse battery"))
        admin = await client.get(base + path, headers=basic("admin", "correct horse battery"))
        scraper = await client.get(base + path,
                                   headers={"Authorization": "Bearer scrape-token-42"})
    for refused in (anonymous, wrong, nobody):
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith('Basic realm="hatbot"')
        assert "secret" not in refused.text.lower()
    expected = 404 if path == "/meetings/nova/" else 200  # in, and then there is no such series
    assert admin.status_code == expected and scraper.status_code == expected


async def test_health_and_webhooks_need_no_login(start_bot: StartBot) -> None:
    base = await private(start_bot)
    body = json.dumps({"action": "completed", "workflow_run": {
        "id": 1, "name": "CI", "head_branch": "main", "conclusion": "success",
        "html_url": "https://github.com/org/repo/actions/runs/1", "run_attempt": 1},
        "repository": {"full_name": "org/repo"}}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    async with httpx.AsyncClient() as client:
        health = await client.get(base + "/healthz")
        hook = await client.post(base + "/hooks/github", content=body, headers={
            "X-GitHub-Event": "workflow_run", "X-GitHub-Delivery": "d-1",
            "X-Hub-Signature-256": signature, "Content-Type": "application/json"})
        forged = await client.post(base + "/hooks/github", content=body, headers={
            "X-GitHub-Event": "workflow_run", "X-GitHub-Delivery": "d-2",
            "X-Hub-Signature-256": "sha256=" + "0" * 64, "Content-Type": "application/json"})
    assert health.status_code == 200
    assert hook.status_code in (200, 202)
    assert forged.status_code == 401  # its own signature check, not the login


@pytest.mark.parametrize("header", [
    "", "Basic", "Basic !!!", "Basic " + base64.b64encode(b"admin").decode(),
    "Basic " + base64.b64encode(b"admin:").decode(), "Bearer", "Bearer scrape-token-4",
    "Digest admin", "bearer scrape-token-42x",
])
def test_what_is_not_a_login(header: str) -> None:
    access = Access(WebConfig.model_validate(
        {"public": False, "users": {"admin": "pw"}, "tokens": ["scrape-token-42"]}))
    assert not access.allows(header)
    assert access.allows("bearer scrape-token-42")
    assert access.allows("Basic " + base64.b64encode(b"admin:pw").decode())


@pytest.mark.parametrize(("web", "problem"), [
    ({"public": False}, "public = false needs users or tokens"),
    ({"public": False, "users": {"a:b": "pw"}}, "cannot be an HTTP Basic user name"),
])
def test_a_private_site_nobody_could_read_is_refused(
    web: dict[str, Any], problem: str,
) -> None:
    with pytest.raises(ValueError, match=problem):
        WebConfig.model_validate(web)
