"""The Matrix adapter against a real Synapse, with matrix-nio clients as the people."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from nio import (
    AsyncClient,
    AsyncClientConfig,
    RegisterResponse,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomPreset,
)

from hatbot.adapters.matrix import MatrixAdapter
from hatbot.app import App
from hatbot.events import Address, Part, Reply
from tests.conftest import Arrivals, StartBot, read_minutes, require_server
from tests.integration.servers import Synapse
from tests.unit.bot.test_outbound import Acker

arrivals = Arrivals.seen


@pytest.fixture(scope="session")
def synapse() -> Iterator[Synapse]:
    require_server(Synapse.available(), "Synapse is not installed in .cache/synapse "
                                        "(make test installs it)")
    server = Synapse()
    server.start()
    yield server
    server.close()


@pytest.fixture
async def people(synapse: Synapse) -> AsyncIterator[Callable[..., Any]]:
    made: list[AsyncClient] = []

    async def person(name: str, display: str | None = None) -> AsyncClient:
        user = f"{name}{uuid.uuid4().hex[:6]}"
        client = AsyncClient(synapse.url, user)
        response = await client.register(user, f"pw-{user}")
        assert isinstance(response, RegisterResponse), response
        if display:
            await client.set_displayname(display)
        made.append(client)
        return client

    yield person
    for client in made:
        await client.close()


async def new_room(owner: AsyncClient, *others: AsyncClient) -> str:
    created = await owner.room_create(name="Meetings", preset=RoomPreset.public_chat)
    assert isinstance(created, RoomCreateResponse), created
    for other in others:
        await other.join(created.room_id)
    return created.room_id


async def register_bot(synapse: Synapse) -> tuple[str, str]:
    name = f"hatbot{uuid.uuid4().hex[:6]}"
    client = AsyncClient(synapse.url, name)
    response = await client.register(name, f"pw-{name}")
    assert isinstance(response, RegisterResponse), response
    await client.close()
    return response.user_id, f"pw-{name}"


async def start_matrix_bot(start_bot: StartBot, synapse: Synapse, tmp_path: Path,
                           room: str, bot: tuple[str, str], *extra: type,
                           meetings: dict[str, Any] | None = None,
                           kb: dict[str, Any] | None = None,
                           ci: dict[str, Any] | None = None,
                           **matrix_options: Any) -> App:
    """A bot in ``room``, with the test skills ``extra`` and meetings options
    ``meetings``; returns once it has joined."""
    app = await start_bot(Arrivals, *extra, raw={
        "adapters": {"matrix": {"homeserver": synapse.url, "user_id": bot[0],
                                "password": bot[1], "rooms": [room], **matrix_options}},
        "skills": {"meetings": {"minutes_dir": str(tmp_path / "minutes"),
                                **(meetings or {})}, "kb": kb or {}, **({"ci": ci} if ci else {})},
        "web": {"public_url": "https://meetings.example.org",
                **({"enabled": True, "port": 0} if ci else {})},
    })
    adapter = matrix(app)
    for _ in range(500):
        if room in adapter.client.rooms and adapter.status == "connected":
            return app
        await asyncio.sleep(0.02)
    raise AssertionError("the bot did not join the room")


def matrix(app: App) -> MatrixAdapter:
    adapter = app.adapters["matrix"]
    assert isinstance(adapter, MatrixAdapter)
    return adapter


async def notices(client: AsyncClient, room: str, wanted: str, count: int = 1,
                  within: float = 20.0) -> list[dict[str, Any]]:
    """Sync ``client`` until ``count`` bot notices in ``room`` contain ``wanted``."""
    found: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        response = await client.sync(timeout=500, since=client.next_batch or None)
        timeline = getattr(response, "rooms", None)
        joined = timeline.join.get(room) if timeline else None
        for event in joined.timeline.events if joined else []:
            content = event.source.get("content", {})
            if content.get("msgtype") == "m.notice" and wanted in content.get("body", ""):
                found.append(event.source)
        if len(found) >= count:
            return found
    raise AssertionError(f"{client.user_id} saw {len(found)} notices with {wanted!r}")


async def test_a_full_meeting_in_a_matrix_room(start_bot: StartBot, synapse: Synapse,
                                               people: Any, tmp_path: Path) -> None:
    alice = await people("alice", "Alice Moreau")
    bob = await people("bob", "Bob [m] <b>")
    room = await new_room(alice, bob)
    await alice.sync(timeout=0)
    await start_matrix_bot(start_bot, synapse, tmp_path, room, await register_bot(synapse))

    await alice.room_send(room, "m.room.message", {"msgtype": "m.text",
                                                   "body": "#startmeeting matrix sync"})
    started = await notices(alice, room, "Meeting started")
    assert started[0]["content"]["format"] == "org.matrix.custom.html"
    await bob.room_send(room, "m.room.message", {"msgtype": "m.emote", "body": "waves"})
    await bob.room_send(room, "m.room.message", {"msgtype": "m.notice", "body": "a bot's notice"})
    for client, text in ((bob, "hello from bob"), (alice, "#topic Roadmap"),
                         (bob, "#info the release is on track"),
                         (alice, "#action Bob to update the wiki"),
                         (alice, "#endmeeting")):
        await client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": text})
        await asyncio.sleep(0.05)  # each client's sends are ordered; keep the two interleaved
    await notices(alice, room, "Minutes (text):")
    text = read_minutes(tmp_path / "minutes", "matrix_sync")
    assert "Meeting started by Alice Moreau at " in text
    assert "* Roadmap  (Alice Moreau, " in text
    assert "  * the release is on track  (Bob [m] <b>, " in text
    assert "* Bob [m] <b>\n  * Bob to update the wiki" not in text  # "Bob" ≠ "Bob [m] <b>"
    assert "* Alice Moreau (4)" in text and "* Bob [m] <b> (3)" in text
    log = read_minutes(tmp_path / "minutes", "matrix_sync", "log.txt")
    assert " * Bob [m] <b> waves\n" in log and "a bot's notice" not in log
    assert "@alice" not in text
    html = read_minutes(tmp_path / "minutes", "matrix_sync", "html")
    assert "Bob [m] &lt;b&gt;" in html and "<b>" not in html


async def test_restart_replays_nothing_and_misses_nothing(
    start_bot: StartBot, synapse: Synapse, people: Any, tmp_path: Path
) -> None:
    alice = await people("alice")
    room = await new_room(alice)
    bot = await register_bot(synapse)
    app = await start_matrix_bot(start_bot, synapse, tmp_path, room, bot)
    await alice.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "!ping"})
    await notices(alice, room, "pong")
    device = matrix(app).client.device_id
    await app.stop()

    await alice.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "!version"})
    again = await start_matrix_bot(start_bot, synapse, tmp_path, room, bot)
    assert matrix(again).client.device_id == device  # the same device, not a new login
    await notices(alice, room, "runs Hatbot")  # missed nothing
    await alice.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "!ping"})
    await notices(alice, room, "pong")
    # Replayed nothing: exactly one answer to each of the three commands.
    history = await alice.room_messages(room, start=alice.next_batch, limit=50)
    bodies = [e.source["content"].get("body") for e in history.chunk
              if e.source["content"].get("msgtype") == "m.notice"]
    assert bodies.count("pong") == 2 and sum("runs Hatbot" in b for b in bodies) == 1


async def test_profile_changes_are_not_joins(start_bot: StartBot, synapse: Synapse,
                                             people: Any, tmp_path: Path) -> None:
    arrivals.clear()
    alice = await people("alice")
    room = await new_room(alice)
    app = await start_matrix_bot(start_bot, synapse, tmp_path, room,
                                 await register_bot(synapse))
    carol = await people("carol", "Carol")
    await carol.join(room)
    await carol.set_displayname("Carol (away)")
    adapter = matrix(app)
    for _ in range(500):
        if adapter.client.rooms[room].user_name(carol.user_id) == "Carol (away)":
            break
        await asyncio.sleep(0.02)
    await carol.room_leave(room)
    for _ in range(500):
        if any(isinstance(e, Part) for e in arrivals):
            break
        await asyncio.sleep(0.02)
    assert [(type(e).__name__, str(e.person.address)) for e in arrivals] == [
        ("Join", f"matrix:{carol.user_id}"), ("Part", f"matrix:{carol.user_id}")]
    assert arrivals[0].person.name == "Carol"


async def test_direct_messages(start_bot: StartBot, synapse: Synapse, people: Any,
                               tmp_path: Path) -> None:
    alice = await people("alice")
    room = await new_room(alice)
    bot = await register_bot(synapse)
    await start_matrix_bot(start_bot, synapse, tmp_path, room, bot)
    dm = await alice.room_create(is_direct=True, invite=[bot[0]])
    assert isinstance(dm, RoomCreateResponse)
    # The bot accepts invites from its own server, then answers there.
    for _ in range(100):
        await alice.sync(timeout=200, since=alice.next_batch or None)
        if alice.rooms.get(dm.room_id) and alice.rooms[dm.room_id].member_count == 2:
            break
    await alice.room_send(dm.room_id, "m.room.message", {"msgtype": "m.text", "body": "ping"})
    await notices(alice, dm.room_id, "pong")


async def test_the_bot_opens_a_direct_room_and_records_it(
    start_bot: StartBot, synapse: Synapse, people: Any, tmp_path: Path
) -> None:
    alice = await people("alice")
    room = await new_room(alice)
    app = await start_matrix_bot(start_bot, synapse, tmp_path, room,
                                 await register_bot(synapse))
    await app.send(Reply(Address("matrix", alice.user_id), "a word in private", direct=True))
    invited = None
    for _ in range(100):
        response = await alice.sync(timeout=200, since=alice.next_batch or None)
        if getattr(response, "rooms", None) and response.rooms.invite:
            invited = next(iter(response.rooms.invite))
            break
    assert invited is not None
    await alice.join(invited)
    await notices(alice, invited, "a word in private")
    bot = matrix(app).client
    async with httpx.AsyncClient() as client:
        account = await client.get(
            f"{synapse.url}/_matrix/client/v3/user/{bot.user_id}/account_data/m.direct",
            headers={"Authorization": f"Bearer {bot.access_token}"})
    assert account.json() == {alice.user_id: [invited]}


async def test_encrypted_rooms_get_a_clear_notice(start_bot: StartBot, synapse: Synapse,
                                                  people: Any, tmp_path: Path) -> None:
    alice = await people("alice")
    created = await alice.room_create(name="Secret", preset=RoomPreset.public_chat,
                                      initial_state=[{"type": "m.room.encryption",
                                                      "state_key": "",
                                                      "content": {"algorithm":
                                                                  "m.megolm.v1.aes-sha2"}}])
    assert isinstance(created, RoomCreateResponse)
    await start_matrix_bot(start_bot, synapse, tmp_path, created.room_id,
                           await register_bot(synapse), encryption=False)
    encrypted = {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEnAC", "device_id": "X",
                 "sender_key": "k", "session_id": "s"}
    for _ in range(2):
        await alice.room_send(created.room_id, "m.room.encrypted", encrypted)
    (notice,) = await notices(alice, created.room_id, "cannot read encrypted messages")
    assert notice["content"]["msgtype"] == "m.notice"


async def test_threads_are_answered_in_the_thread(start_bot: StartBot, synapse: Synapse,
                                                  people: Any, tmp_path: Path) -> None:
    alice = await people("alice")
    room = await new_room(alice)
    await start_matrix_bot(start_bot, synapse, tmp_path, room, await register_bot(synapse))
    root = await alice.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "topic"})
    await alice.room_send(room, "m.room.message", {
        "msgtype": "m.text", "body": "!ping",
        "m.relates_to": {"rel_type": "m.thread", "event_id": root.event_id}})
    (pong,) = await notices(alice, room, "pong")
    assert pong["content"]["m.relates_to"]["rel_type"] == "m.thread"
    assert pong["content"]["m.relates_to"]["event_id"] == root.event_id


@dataclass
class Private:
    """A Synapse of the test's own (to stop it, or to set limits), a person, a room, the bot."""

    server: Synapse
    alice: AsyncClient
    room: str
    app: App


@pytest.fixture
async def private_synapse(start_bot: StartBot, tmp_path: Path
                          ) -> AsyncIterator[Callable[..., Awaitable[Private]]]:
    servers: list[Synapse] = []
    clients: list[AsyncClient] = []

    async def start(**limits: Any) -> Private:
        require_server(Synapse.available(), "Synapse is not installed in .cache/synapse")
        servers.append(Synapse(**limits))
        servers[-1].start()
        clients.append(AsyncClient(servers[-1].url, f"alice{uuid.uuid4().hex[:6]}"))
        alice = clients[-1]
        assert isinstance(await alice.register(alice.user, "pw-alice"), RegisterResponse)
        room = await new_room(alice)
        app = await start_matrix_bot(start_bot, servers[-1], tmp_path, room,
                                     await register_bot(servers[-1]))
        return Private(servers[-1], alice, room, app)

    yield start
    for client in clients:
        await client.close()
    for server in servers:
        server.close()


async def test_homeserver_down_for_20_seconds(
    private_synapse: Callable[..., Awaitable[Private]],
) -> None:
    """A homeserver that is down is asked a bounded number of times, then used again."""
    own = await private_synapse()
    adapter = matrix(own.app)
    await asyncio.to_thread(own.server.stop)
    before = adapter.requests
    await asyncio.sleep(20)  # the outage itself is what is under test
    during = adapter.requests - before
    assert adapter.status == "disconnected"
    # Backoff from 1 s, doubling with jitter: at most a handful of tries in 20 s.
    assert 2 <= during <= 8, during
    await asyncio.to_thread(own.server.start)
    await own.alice.room_send(own.room, "m.room.message", {"msgtype": "m.text", "body": "!ping"})
    await notices(own.alice, own.room, "pong", within=60)
    assert adapter.status == "connected"


async def test_a_refused_login_is_a_clear_error(start_bot: StartBot, synapse: Synapse,
                                                tmp_path: Path) -> None:
    user, _ = await register_bot(synapse)
    with pytest.raises(RuntimeError, match=r"^matrix: login as @hatbot\w+:localhost failed"):
        await start_bot(raw={"adapters": {"matrix": {
            "homeserver": synapse.url, "user_id": user, "password": "wrong", "rooms": []}}})


async def test_rate_limited_sends_wait_and_arrive(
    private_synapse: Callable[..., Awaitable[Private]], caplog: pytest.LogCaptureFixture,
) -> None:
    """With Synapse's message limit on (1 a second after 2), a burst of replies meets
    M_LIMIT_EXCEEDED; the bot waits retry_after_ms each time and delivers them all."""
    own = await private_synapse(message_rate=1.0)
    for i in range(6):
        await own.app.send(Reply(Address("matrix", own.room), f"burst {i}"))
    with caplog.at_level(logging.INFO, logger="hatbot.adapters.flow"):
        got = await notices(own.alice, own.room, "burst", count=6, within=60)
    assert sorted(n["content"]["body"] for n in got) == [f"burst {i}" for i in range(6)]
    assert any("matrix: rate limited" in r.getMessage() for r in caplog.records)


async def test_end_to_end_encryption(start_bot: StartBot, synapse: Synapse,
                                     tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """With the e2e extra, the bot reads an encrypted room and answers encrypted; the key
    it logs at start is the one people see for its device (README: what to compare,
    since the device cannot be verified from Element)."""
    caplog.set_level(logging.INFO, logger="hatbot.adapters.matrix")
    store = tmp_path / "alice-keys"
    store.mkdir()
    name = f"alice{uuid.uuid4().hex[:6]}"
    alice = AsyncClient(synapse.url, name, store_path=str(store),
                        config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False))
    try:
        assert isinstance(await alice.register(name, "pw-alice"), RegisterResponse)
        await alice.login("pw-alice")
        bot = await register_bot(synapse)
        created = await alice.room_create(
            name="Secret", invite=[bot[0]],
            initial_state=[{"type": "m.room.encryption", "state_key": "",
                            "content": {"algorithm": "m.megolm.v1.aes-sha2"}}])
        assert isinstance(created, RoomCreateResponse)
        room = created.room_id
        app = await start_bot(raw={"adapters": {"matrix": {
            "homeserver": synapse.url, "user_id": bot[0], "password": bot[1], "rooms": []}}})
        assert matrix(app).encrypted
        for _ in range(200):  # until the bot has joined and alice knows its device keys
            await e2e_sync(alice)
            if bot[0] in alice.rooms[room].users \
                    and list(alice.device_store.active_user_devices(bot[0])):
                break
        else:
            raise AssertionError("the bot did not join, or published no keys")
        (device,) = alice.device_store.active_user_devices(bot[0])
        assert f"matrix: device {device.id} of {bot[0]}, key {device.ed25519}" in caplog.text
        sent = await alice.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "!ping"},
                                     ignore_unverified_devices=True)
        assert getattr(sent, "event_id", None), sent
        for _ in range(200):
            response = await e2e_sync(alice)
            events = response.rooms.join[room].timeline.events if room in response.rooms.join \
                else []
            answers = [e for e in events if isinstance(e, RoomMessageNotice)]
            if answers:
                assert answers[0].body == "pong"
                assert answers[0].decrypted  # it came encrypted, and alice could read it
                return
        raise AssertionError("no encrypted answer")
    finally:
        await alice.close()


async def e2e_sync(client: AsyncClient) -> Any:
    response = await client.sync(timeout=300, since=client.next_batch or None)
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    return response


async def test_rooms_configured_by_alias_keep_their_alias(
    start_bot: StartBot, synapse: Synapse, people: Any, tmp_path: Path
) -> None:
    arrivals.clear()
    alice = await people("alice")
    alias = f"team{uuid.uuid4().hex[:6]}"
    created = await alice.room_create(name="Team", alias=alias, preset=RoomPreset.public_chat)
    assert isinstance(created, RoomCreateResponse)
    bot = await register_bot(synapse)
    app = await start_bot(Arrivals, raw={"adapters": {"matrix": {
        "homeserver": synapse.url, "user_id": bot[0], "password": bot[1],
        "rooms": [f"#{alias}:localhost"]}}})
    adapter = matrix(app)
    for _ in range(500):
        if created.room_id in adapter.client.rooms:
            break
        await asyncio.sleep(0.02)
    carol = await people("carol")
    await carol.join(created.room_id)
    for _ in range(500):
        if arrivals:
            break
        await asyncio.sleep(0.02)
    assert str(arrivals[0].channel) == f"matrix:#{alias}:localhost"
    await app.send(Reply(Address("matrix", f"#{alias}:localhost"), "by alias"))
    await notices(alice, created.room_id, "by alias")


async def test_a_configured_access_token_is_enough(
    start_bot: StartBot, synapse: Synapse, people: Any, tmp_path: Path
) -> None:
    """No password, no stored device: the token's device comes from the homeserver."""
    alice = await people("alice")
    room = await new_room(alice)
    user_id, password = await register_bot(synapse)
    login = AsyncClient(synapse.url, user_id)
    logged_in = await login.login(password, device_name="made by hand")
    await login.close()
    token = getattr(logged_in, "access_token", "")
    assert token
    app = await start_matrix_bot(start_bot, synapse, tmp_path, room, (user_id, ""),
                                 access_token=token)
    assert matrix(app).client.device_id == getattr(logged_in, "device_id", None)
    await alice.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "!ping"})
    await notices(alice, room, "pong")


async def test_matrix_topic_refused_then_allowed(
    start_bot: StartBot, synapse: Synapse, people: Any, tmp_path: Path
) -> None:
    alice = await people("alice")
    room = await new_room(alice)
    bot_id, password = await register_bot(synapse)
    app = await start_matrix_bot(start_bot, synapse, tmp_path, room, (bot_id, password),
                                 meetings={"topic_channels": [f"matrix:{room}"]},
                                 encryption=False)
    channel = Address("matrix", room)
    assert not await app.set_topic(channel, "refused: power level 0")
    levels = await alice.room_get_state_event(room, "m.room.power_levels")
    content = dict(getattr(levels, "content", {}))
    content["users"] = {**content.get("users", {}), bot_id: 50}
    await alice.room_put_state(room, "m.room.power_levels", content)
    for text in ("#startmeeting sync", "#topic Roadmap"):
        await alice.room_send(room, "m.room.message", {"msgtype": "m.text", "body": text})
        await asyncio.sleep(0.05)
    for _ in range(200):
        state = await alice.room_get_state_event(room, "m.room.topic")
        if getattr(state, "content", {}).get("topic") == "sync: Roadmap":
            break
        await asyncio.sleep(0.05)
    assert getattr(state, "content", {}).get("topic") == "sync: Roadmap"


async def test_reactions_and_edits(start_bot: StartBot, synapse: Synapse, people: Any,
                                   tmp_path: Path) -> None:
    alice = await people("alice")
    room = await new_room(alice)
    await alice.sync(timeout=0)
    await start_matrix_bot(start_bot, synapse, tmp_path, room, await register_bot(synapse),
                           Acker)
    sent = await alice.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "!ack"})
    command_id = getattr(sent, "event_id", "")
    working: dict[str, Any] = {}
    reaction: dict[str, Any] = {}
    edit: dict[str, Any] = {}
    deadline = asyncio.get_running_loop().time() + 20
    while not (working and reaction and edit) and asyncio.get_running_loop().time() < deadline:
        try:  # a sync request that stalls is tried again, within the deadline
            response = await asyncio.wait_for(
                alice.sync(timeout=500, since=alice.next_batch or None), 5)
        except TimeoutError:
            continue
        rooms = getattr(response, "rooms", None)
        joined = rooms.join.get(room) if rooms else None
        for event in joined.timeline.events if joined else []:
            content = event.source.get("content", {})
            relation = content.get("m.relates_to", {})
            if event.source.get("type") == "m.reaction":
                reaction = relation
            elif relation.get("rel_type") == "m.replace":
                edit = content
            elif content.get("body") == "working (can react)":
                working = event.source
    assert reaction == {"rel_type": "m.annotation", "event_id": command_id, "key": "👀"}
    assert edit["m.relates_to"]["event_id"] == working["event_id"]
    assert edit["m.new_content"]["body"] == "done; reacted: True"
    assert edit["body"] == "* done; reacted: True"  # what clients without edits show


async def test_a_pushpin_reaction_captures_the_thread_for_the_knowledge_base(
        start_bot: StartBot, synapse: Synapse, people: Any, tmp_path: Path) -> None:
    alice = await people("alice")
    bob = await people("bob")
    room = await new_room(alice, bob)
    await alice.sync(timeout=0)
    await start_matrix_bot(start_bot, synapse, tmp_path, room, await register_bot(synapse))
    root = await alice.room_send(room, "m.room.message", {
        "msgtype": "m.text", "body": "why does the docs job fail?"})
    await bob.room_send(room, "m.room.message", {
        "msgtype": "m.text", "body": "sphinx 8 turns warnings into errors",
        "m.relates_to": {"rel_type": "m.thread", "event_id": root.event_id}})
    await bob.room_send(room, "m.reaction", {"m.relates_to": {
        "rel_type": "m.annotation", "event_id": root.event_id, "key": "📌"}})
    (said,) = await notices(alice, room, "captured 2 lines as draft #1")
    assert said["content"]["m.relates_to"]["event_id"] == root.event_id  # in the thread
    assert '("why does the docs job fail?")' in said["content"]["body"]


async def test_a_repeated_question_is_answered_in_its_thread(
        start_bot: StartBot, synapse: Synapse, people: Any, tmp_path: Path) -> None:
    from bench import kb as labelled

    alice = await people("alice")
    room = await new_room(alice)
    await alice.sync(timeout=0)
    app = await start_matrix_bot(start_bot, synapse, tmp_path, room,
                                 await register_bot(synapse),
                                 kb={"help_channels": [f"matrix:{room}"]})
    async with app.sessions() as session:  # approved entries, as an import leaves them
        await labelled.fill(session, labelled.corpus()["entries"])
    asked = await alice.room_send(room, "m.room.message", {
        "msgtype": "m.text", "body": "how do I set up git-review?"})
    (said,) = await notices(alice, room, "this may answer it — #3")
    relation = said["content"]["m.relates_to"]
    assert (relation["rel_type"], relation["event_id"]) == ("m.thread", asked.event_id)


async def test_a_reaction_the_reminder_offers_claims_the_task(
        start_bot: StartBot, synapse: Synapse, people: Any, tmp_path: Path) -> None:
    """Matrix has no buttons: a choice is a reaction, named in the message's last line
    and kept in its content. ✅ on a reminder about one task claims it as whoever
    reacted; the bot reads what a reaction means from the message on the homeserver
    when it no longer remembers it (after a restart)."""
    from hatbot.adapters.matrix.content import CHOICES_KEY

    alice = await people("alice")
    bob = await people("bob", "Bob")
    carol = await people("carol", "Carol")
    room = await new_room(alice, bob, carol)
    await alice.sync(timeout=0)
    app = await start_matrix_bot(start_bot, synapse, tmp_path, room,
                                 await register_bot(synapse))
    await alice.room_send(room, "m.room.message", {
        "msgtype": "m.text", "body": "!hat add Review the contributor guide area=docs"})
    await notices(alice, room, "Task #1 added")
    await alice.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "!hat remind"})
    (digest,) = await notices(alice, room, "Community Hat")
    assert digest["content"]["body"].endswith("React ✅: Claim #1")
    assert digest["content"][CHOICES_KEY] == [{"emoji": "✅", "command": "!hat claim 1"}]

    await bob.room_send(room, "m.reaction", {"m.relates_to": {
        "rel_type": "m.annotation", "event_id": digest["event_id"], "key": "✅"}})
    await notices(alice, room, "Bob is wearing the Community Hat for #1")
    matrix(app)._with_choices.clear()  # as after a restart
    await carol.room_send(room, "m.reaction", {"m.relates_to": {
        "rel_type": "m.annotation", "event_id": digest["event_id"], "key": "✅"}})
    await notices(alice, room, "#1 is worn by Bob already.")


async def test_eyes_on_a_red_build_acknowledges_it(
        start_bot: StartBot, synapse: Synapse, people: Any, tmp_path: Path) -> None:
    from tests.integration.test_ci_hooks import SECRET, github, run

    alice = await people("alice")
    bob = await people("bob", "Bob")
    room = await new_room(alice, bob)
    await alice.sync(timeout=0)
    app = await start_matrix_bot(
        start_bot, synapse, tmp_path, room, await register_bot(synapse),
        ci={"github_secret": SECRET, "watch": [{"repo": "octo-org/octo-repo",
                                                "branches": ["main"],
                                                "channels": [f"matrix:{room}"]}]})
    assert (await github(app, run("failure"), "m-1")).status_code == 200
    (red,) = await notices(alice, room, "CI is red on")
    assert red["content"]["body"].endswith("React 👀: Ack")
    await bob.room_send(room, "m.reaction", {"m.relates_to": {
        "rel_type": "m.annotation", "event_id": red["event_id"], "key": "👀"}})
    await notices(alice, room, "Bob is on it: octo-org/octo-repo. No more reminders.")
