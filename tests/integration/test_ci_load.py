"""1,000 signed deliveries for 50 repositories at once: each change posted once, in order."""

from __future__ import annotations

from bench.webhooks import SECRET, load
from tests.conftest import StartBot


async def test_concurrent_deliveries_post_every_change_once_in_order(
    start_bot: StartBot,
) -> None:
    app = await start_bot(raw={"web": {"enabled": True, "port": 0}, "skills": {"ci": {
        "github_secret": SECRET, "watch": [
            {"repo": f"org/repo{i}", "branches": ["main"], "channels": ["memory:#ci"]}
            for i in range(50)]}}})
    result = await load(app, repos=50, per_repo=20)
    assert result.deliveries == 1000
    assert sum(len(changes) for changes in result.expected.values()) > 300
    assert result.posted == result.expected
