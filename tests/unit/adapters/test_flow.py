import asyncio
import random

import pytest

from hatbot.adapters.flow import FairQueue, TokenBucket, split_utf8
from hatbot.backoff import Backoff


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=2, burst=3, clock=clock)
    for _ in range(3):
        assert bucket.delay() == 0
        bucket.consume()
    assert bucket.delay() == pytest.approx(0.5)
    clock.now += 0.5
    assert bucket.delay() == 0
    bucket.consume()
    clock.now += 100  # a long pause saves up no more than the burst
    for _ in range(3):
        bucket.consume()
    assert bucket.delay() > 0


async def test_fair_queue_round_robin() -> None:
    queue: FairQueue[str] = FairQueue()
    for i in range(3):
        queue.put("#busy", f"b{i}")
    queue.put("#quiet", "q0")
    order = [await queue.get() for _ in range(4)]
    assert order == [("#busy", "b0"), ("#quiet", "q0"), ("#busy", "b1"), ("#busy", "b2")]


async def test_fair_queue_waits_and_gives_back() -> None:
    queue: FairQueue[str] = FairQueue()
    waiter = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    assert not waiter.done()
    queue.put("#a", "one")
    assert await asyncio.wait_for(waiter, 1) == ("#a", "one")
    queue.put("#a", "two")
    queue.put_front("#a", "one again")
    assert await queue.get() == ("#a", "one again")


def test_fair_queue_is_bounded() -> None:
    queue: FairQueue[int] = FairQueue(limit=3)
    for i in range(5):
        queue.put("#a", i)
    assert len(queue) == 3


@pytest.mark.parametrize("limit", [10, 17, 50, 400])
def test_split_utf8_never_breaks_characters(limit: int) -> None:
    text = "Grüße aus Köln — 東京から こんにちは 🎉🎉 " * 20
    pieces = split_utf8(text, limit)
    assert all(len(p.encode()) <= limit for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.rstrip().replace(" ", "")


def test_split_prefers_spaces() -> None:
    assert split_utf8("aaaa bbbb cccc", 9) == ["aaaa bbbb", "cccc"]
    assert split_utf8("short", 100) == ["short"]
    assert split_utf8("", 100) == [""]


def test_backoff_grows_with_jitter_and_caps() -> None:
    backoff = Backoff(initial=1, cap=300, rng=random.Random(1))
    delays = [backoff.next() for _ in range(12)]
    assert 0.5 <= delays[0] <= 1 and 1 <= delays[1] <= 2 and 2 <= delays[2] <= 4
    assert all(d <= 300 for d in delays) and delays[-1] >= 150
    backoff.reset()
    assert backoff.next() <= 1


async def test_outbox_retries_drops_on_errors_and_flushes() -> None:
    from hatbot.adapters.flow import Outbox, Retry

    delivered: list[str] = []
    attempts: dict[str, int] = {}

    async def deliver(target: str, text: str) -> None:
        attempts[text] = attempts.get(text, 0) + 1
        if text == "flaky" and attempts[text] < 3:
            raise Retry("not yet", after=0)
        if text == "broken":
            raise ValueError("refused")
        delivered.append(f"{target}:{text}")

    outbox: Outbox[str] = Outbox("test", deliver)
    for text in ("flaky", "broken", "fine"):
        outbox.put("#a", text)
    await outbox.close(flush_timeout=5)
    assert delivered == ["#a:flaky", "#a:fine"]
    assert attempts == {"flaky": 3, "broken": 1, "fine": 1}


async def test_outbox_waits_until_ready() -> None:
    from hatbot.adapters.flow import Outbox

    ready = asyncio.Event()
    delivered: list[str] = []

    async def deliver(target: str, text: str) -> None:
        delivered.append(text)

    outbox: Outbox[str] = Outbox("test", deliver, ready=ready)
    outbox.put("#a", "queued while down")
    await asyncio.sleep(0.01)
    assert delivered == []
    ready.set()
    await outbox.close(flush_timeout=5)
    assert delivered == ["queued while down"]


async def test_closing_an_idle_outbox_says_nothing(caplog: pytest.LogCaptureFixture) -> None:
    from hatbot.adapters.flow import Outbox

    async def deliver(target: str, item: str) -> None:
        pass

    outbox: Outbox[str] = Outbox("quiet", deliver)
    await outbox.close(0)
    assert caplog.records == []


async def test_outbox_keeps_its_promises() -> None:
    """Asked for (``tally_writes``), each queued item says whether it was written: True
    once written or refused for good, False when dropped for room or left at shutdown;
    an item whose promise its sender cancelled is never written."""
    from hatbot.adapter import tally_writes
    from hatbot.adapters.flow import Outbox

    ready = asyncio.Event()
    delivered: list[str] = []

    async def deliver(target: str, text: str) -> None:
        if text == "refused":
            raise ValueError("no such channel")
        delivered.append(text)

    outbox: Outbox[str] = Outbox("test", deliver, ready=ready, limit=5)
    with tally_writes() as writes:
        for text in ("pushed out", "written", "refused", "withdrawn", "left"):
            outbox.put("#a", text)
    outbox.put("#a", "nobody counts this one")
    pushed_out, written, refused, withdrawn, left = writes
    assert pushed_out.done() and pushed_out.result() is False  # the queue was full
    withdrawn.cancel()
    ready.set()
    await asyncio.wait_for(written, 5)
    await asyncio.wait_for(refused, 5)
    assert written.result() is True and refused.result() is True
    await asyncio.sleep(0.01)  # "left" and the last one go out too: close flushes
    await outbox.close(flush_timeout=5)
    assert delivered == ["written", "left", "nobody counts this one"]
    assert left.result() is True and withdrawn.cancelled()


async def test_items_left_at_shutdown_are_promised_unwritten() -> None:
    from hatbot.adapter import tally_writes
    from hatbot.adapters.flow import Outbox

    async def deliver(target: str, text: str) -> None:
        raise AssertionError("never ready, never delivered")

    outbox: Outbox[str] = Outbox("test", deliver, ready=asyncio.Event())
    with tally_writes() as writes:
        outbox.put("#a", "one")
        outbox.put("#b", "two")
    await asyncio.sleep(0.01)  # the writer took "one" and waits for the connection
    await outbox.close(flush_timeout=0)
    assert [write.result() for write in writes] == [False, False]
