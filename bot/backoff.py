"""Waiting after a failure: exponential delays with jitter, capped, for everyone who retries
(adapters reconnecting, skills polling a service that is down)."""

from __future__ import annotations

import random


class Backoff:
    """Exponential delays with jitter, capped: never a tight loop, never in step with every
    other client that lost the same server. ``next()`` is the delay before the next try;
    ``reset()`` after a success starts again from ``initial``."""

    def __init__(self, initial: float = 1.0, cap: float = 300.0, factor: float = 2.0,
                 rng: random.Random | None = None) -> None:
        self.initial = initial
        self.cap = cap
        self.factor = factor
        self._rng = rng or random.Random()
        self.attempts = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.initial * self.factor ** self.attempts)
        self.attempts += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.attempts = 0
