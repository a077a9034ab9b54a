"""Metrics tallied in plain Python, rendered by prometheus-client only when scraped."""

from __future__ import annotations

from hatbot.metrics import BUCKETS, Metrics


def sample(text: str, name: str) -> float:
    (line,) = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(line.rsplit(" ", 1)[1])


def test_handler_times_fall_in_prometheus_buckets_bounds_included() -> None:
    metrics = Metrics()
    for seconds in (0.0002, 0.001, 0.0011, 0.3, 60.0):
        metrics.handled("core", seconds)
    text = metrics.render().decode()
    bucket = 'hatbot_handler_seconds_bucket{le="%s",skill="core"}'
    assert sample(text, bucket % "0.0005") == 1
    assert sample(text, bucket % "0.001") == 2  # "le": a time on the bound is in it
    assert sample(text, bucket % "0.0025") == 3
    assert sample(text, bucket % "0.5") == 4
    assert sample(text, bucket % "10.0") == 4
    assert sample(text, bucket % "+Inf") == 5
    assert sample(text, 'hatbot_handler_seconds_count{skill="core"}') == 5
    assert abs(sample(text, 'hatbot_handler_seconds_sum{skill="core"}') - 60.3023) < 1e-9
    assert len(BUCKETS) + 1 == text.count('hatbot_handler_seconds_bucket{')


def test_counters_and_the_queue_gauge_by_label() -> None:
    metrics = Metrics()
    for adapter in ("irc", "irc", "slack"):
        metrics.received(adapter)
    metrics.sent("irc")
    metrics.failed("welcome")
    metrics.set_queue_depth(7)
    text = metrics.render().decode()
    assert sample(text, 'hatbot_messages_in_total{adapter="irc"}') == 2
    assert sample(text, 'hatbot_messages_in_total{adapter="slack"}') == 1
    assert sample(text, 'hatbot_messages_out_total{adapter="irc"}') == 1
    assert sample(text, 'hatbot_handler_errors_total{skill="welcome"}') == 1
    assert sample(text, "hatbot_queue_depth") == 7
    # Each bot its own tallies.
    assert "hatbot_messages_in_total{" not in Metrics().render().decode()
