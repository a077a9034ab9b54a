import asyncio

from hatbot.dispatch import Dispatcher
from hatbot.events import Address, Event, Message, Person

ALICE = Person(Address("memory", "alice"))


def message(channel: str, text: str) -> Message:
    return Message(channel=Address("memory", channel), sender=ALICE, text=text)


async def test_same_channel_is_handled_in_arrival_order() -> None:
    seen: list[str] = []

    async def handle(event: Event) -> None:
        assert isinstance(event, Message)
        # Later events take less time: a concurrent dispatcher would reorder them.
        await asyncio.sleep(0.001 * (10 - int(event.text)))
        seen.append(event.text)

    dispatcher = Dispatcher(handle)
    for i in range(10):
        dispatcher.submit(message("#a", str(i)))
    await asyncio.wait_for(dispatcher.drain(), 5)
    assert seen == [str(i) for i in range(10)]


async def test_channels_run_concurrently() -> None:
    slow_started = asyncio.Event()
    release_slow = asyncio.Event()
    order: list[str] = []

    async def handle(event: Event) -> None:
        assert isinstance(event, Message)
        if event.text == "slow":
            slow_started.set()
            await release_slow.wait()
        order.append(event.text)

    dispatcher = Dispatcher(handle)
    dispatcher.submit(message("#slow", "slow"))
    await slow_started.wait()
    # #fast is handled while #slow is still blocked.
    await asyncio.wait_for(dispatcher.submit(message("#fast", "fast")), 5)
    assert order == ["fast"]
    release_slow.set()
    await asyncio.wait_for(dispatcher.drain(), 5)
    assert order == ["fast", "slow"]


async def test_a_failing_handler_does_not_stop_the_queue() -> None:
    handled: list[str] = []

    async def handle(event: Event) -> None:
        assert isinstance(event, Message)
        if event.text == "boom":
            raise RuntimeError("boom")
        handled.append(event.text)

    dispatcher = Dispatcher(handle)
    for text in ("one", "boom", "two"):
        dispatcher.submit(message("#a", text))
    await asyncio.wait_for(dispatcher.drain(), 5)
    assert handled == ["one", "two"]
    assert dispatcher.depth == 0


async def test_submit_future_resolves_after_handling_and_depth_is_reported() -> None:
    depths: list[int] = []
    handled = []

    async def handle(event: Event) -> None:
        handled.append(event)

    dispatcher = Dispatcher(handle, on_depth=depths.append)
    await dispatcher.submit(message("#a", "x"))
    assert len(handled) == 1
    assert depths == [1, 0]
