"""The bot as the benchmarks run it: every installed skill and adapter, plus the
in-memory adapter, on a configuration given as a dict."""

from __future__ import annotations

from typing import Any

from hatbot.adapters.memory import MemoryAdapter
from hatbot.app import App
from hatbot.config import build
from hatbot.plugins import Plugins, discover


def bench_app(raw: dict[str, Any]) -> App:
    """An App on ``raw`` (not started), with no environment variables."""
    found = discover()
    plugins = Plugins(adapters={**found.adapters, "memory": MemoryAdapter}, skills=found.skills)
    return App(build(raw, plugins.adapter_models(), plugins.skill_models(), {}), plugins)
