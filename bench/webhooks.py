"""Webhook deliveries into the real bot over HTTP: 50 repositories at once, each
repository's deliveries in order (as GitHub sends them), all signed."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import tempfile
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench.harness import bench_app
from hatbot.adapters.memory import MemoryAdapter
from hatbot.app import App

SECRET = "bench-secret"


def config(repos: int, data_dir: str) -> dict[str, Any]:
    return {"bot": {"data_dir": data_dir}, "web": {"enabled": True, "port": 0},
            "adapters": {"memory": {}},
            "skills": {"ci": {"github_secret": SECRET, "watch": [
                {"repo": f"org/repo{i}", "branches": ["main"], "channels": ["memory:#ci"]}
                for i in range(repos)]}}}


@dataclass
class Load:
    deliveries: int
    seconds: float
    expected: dict[str, list[str]]  # repo → the posts it should get, in order ("red"/"green")
    posted: dict[str, list[str]]


def _payload(repo: str, conclusion: str, n: int) -> bytes:
    return json.dumps({"action": "completed", "repository": {"full_name": repo},
                       "workflow_run": {"name": "Build", "head_branch": "main",
                                        "head_sha": f"{n:040x}", "conclusion": conclusion,
                                        "html_url": "", "actor": {"login": "dev"}}}).encode()


async def load(app: App, repos: int, per_repo: int, seed: int = 3) -> Load:
    rng = random.Random(seed)
    url = f"http://127.0.0.1:{app.web.port}/hooks/github"
    expected: dict[str, list[str]] = {}
    plans: dict[str, list[str]] = {}
    for i in range(repos):
        repo = f"org/repo{i}"
        plans[repo] = [rng.choice(["failure", "failure", "success"]) for _ in range(per_repo)]
        red, changes = False, []
        for conclusion in plans[repo]:
            if (conclusion == "failure") != red:
                red = not red
                changes.append("red" if red else "green")
        expected[repo] = changes

    async def deliver(client: aiohttp.ClientSession, repo: str) -> None:
        for n, conclusion in enumerate(plans[repo]):
            body = _payload(repo, conclusion, n)
            signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            async with client.post(url, data=body, headers={
                    "X-Hub-Signature-256": signature, "X-GitHub-Event": "workflow_run",
                    "X-GitHub-Delivery": f"{repo}-{n}", "Content-Type": "application/json",
                    }) as response:
                response.raise_for_status()

    started = time.perf_counter()
    # aiohttp's client: in the same process as the bot, httpx's would be the bottleneck.
    connector = aiohttp.TCPConnector(limit=repos)
    async with aiohttp.ClientSession(connector=connector) as client:
        await asyncio.gather(*(deliver(client, repo) for repo in plans))
    seconds = time.perf_counter() - started
    adapter = app.adapters["memory"]
    assert isinstance(adapter, MemoryAdapter)
    posted: dict[str, list[str]] = {repo: [] for repo in plans}
    for reply in adapter.sent:
        text = reply.markup_text.replace("\\", "")
        for repo in plans:
            if f"**{repo}**" in text or text.startswith(f"**{repo}**"):
                posted[repo].append("red" if text.startswith("CI is red") else "green")
    return Load(repos * per_repo, seconds, expected, posted)


async def run(repos: int, per_repo: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hatbot-bench-") as data_dir:
        app = bench_app(config(repos, data_dir))
        await app.start()
        try:
            result = await load(app, repos, per_repo)
        finally:
            await app.stop()
    exact = result.posted == result.expected
    changes = sum(len(v) for v in result.expected.values())
    print(f"deliveries         : {result.deliveries} ({repos} repositories at once, "
          f"{per_repo} each in order)")
    print(f"  throughput       : {result.deliveries / result.seconds:,.0f} deliveries/s")
    print(f"  state changes    : {changes}, each posted exactly once and in order: {exact}")
