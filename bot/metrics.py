"""Prometheus metrics for one bot, on a registry of its own (tests run several bots)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Handler latency from sub-millisecond commands to slow HTTP calls.
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages_in = Counter(
            "hatbot_messages_in", "Events received from chat", ["adapter"], registry=self.registry
        )
        self.messages_out = Counter(
            "hatbot_messages_out", "Messages sent to chat", ["adapter"], registry=self.registry
        )
        self.handler_seconds = Histogram(
            "hatbot_handler_seconds", "Time a skill handler took", ["skill"],
            buckets=_BUCKETS, registry=self.registry,
        )
        self.handler_errors = Counter(
            "hatbot_handler_errors", "Skill handlers that raised", ["skill"], registry=self.registry
        )
        self.queue_depth = Gauge(
            "hatbot_queue_depth", "Events accepted and not yet handled", registry=self.registry
        )

        # Labelled children, looked up once: these are counted for every handler of every
        # event, and ``labels()`` costs more than the count itself.
        self._children: dict[tuple[object, str], Any] = {}

    def _child(self, metric: Counter | Histogram, label: str) -> Any:
        key = (metric, label)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(label)
        return child

    def received(self, adapter: str) -> None:
        self._child(self.messages_in, adapter).inc()

    def sent(self, platform: str) -> None:
        self._child(self.messages_out, platform).inc()

    def handled(self, skill: str, seconds: float) -> None:
        self._child(self.handler_seconds, skill).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
