"""The bot's metrics: tallied in plain Python as events go by, and turned into
Prometheus's text format by prometheus-client when ``/metrics`` is asked for.

Every handler of every event counts here, so counting must cost next to nothing: a
dict increment, not prometheus-client's locked value objects (and not its import, a
twentieth of the bot's start, which waits for the first scrape). Each bot has its own
tallies, so tests can run several bots in one process.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Handler latency from sub-millisecond commands to slow HTTP calls.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Timing:
    """One skill's handler times: how many fell at or under each bucket's bound (the
    last slot is past every bound), their count and their sum."""

    counts: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS) + 1))
    count: int = 0
    sum: float = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(BUCKETS, seconds)] += 1
        self.count += 1
        self.sum += seconds

    def cumulative(self) -> list[tuple[str, float]]:
        """Prometheus's buckets: each bound with every observation at or under it."""
        bounds = [*map(str, BUCKETS), "+Inf"]
        running, out = 0, []
        for bound, n in zip(bounds, self.counts, strict=True):
            running += n
            out.append((bound, float(running)))
        return out


class Metrics:
    def __init__(self) -> None:
        self.messages_in: Counter[str] = Counter()  # by adapter
        self.messages_out: Counter[str] = Counter()  # by platform
        self.handler_errors: Counter[str] = Counter()  # by skill
        self.handler_seconds: dict[str, Timing] = {}  # by skill
        self.queue_depth = 0
        self.leader = 1  # 0 while another replica leads (bot/replicas.py)
        self.failovers = 0  # times this process took the lead from another

    def received(self, adapter: str) -> None:
        self.messages_in[adapter] += 1

    def sent(self, platform: str) -> None:
        self.messages_out[platform] += 1

    def failed(self, skill: str) -> None:
        self.handler_errors[skill] += 1

    def handled(self, skill: str, seconds: float) -> None:
        timing = self.handler_seconds.get(skill)
        if timing is None:
            timing = self.handler_seconds[skill] = Timing()
        timing.observe(seconds)

    def set_queue_depth(self, depth: int) -> None:
        self.queue_depth = depth

    def render(self) -> bytes:
        """The Prometheus text format of everything counted so far."""
        from prometheus_client import CollectorRegistry, generate_latest

        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Snapshot(self))
        return bytes(generate_latest(registry))


class _Snapshot:
    """A prometheus-client collector reading a bot's tallies at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import (
            CounterMetricFamily,
            GaugeMetricFamily,
            HistogramMetricFamily,
        )

        m = self._metrics
        for name, doc, label, tally in (
            ("hatbot_messages_in", "Events received from chat", "adapter", m.messages_in),
            ("hatbot_messages_out", "Messages sent to chat", "adapter", m.messages_out),
            ("hatbot_handler_errors", "Skill handlers that raised", "skill", m.handler_errors),
        ):
            counter = CounterMetricFamily(name, doc, labels=[label])
            for value, n in sorted(tally.items()):
                counter.add_metric([value], float(n))
            yield counter
        seconds = HistogramMetricFamily("hatbot_handler_seconds", "Time a skill handler took",
                                        labels=["skill"])
        for skill, timing in sorted(m.handler_seconds.items()):
            seconds.add_metric([skill], timing.cumulative(), timing.sum)
        yield seconds
        yield GaugeMetricFamily("hatbot_queue_depth", "Events accepted and not yet handled",
                                value=float(m.queue_depth))
        yield GaugeMetricFamily("hatbot_leader", "1 if this replica speaks in chat, 0 if it "
                                "stands by", value=float(m.leader))
        failovers = CounterMetricFamily("hatbot_failovers", "Times this replica took the lead "
                                        "from another")
        failovers.add_metric([], float(m.failovers))
        yield failovers
