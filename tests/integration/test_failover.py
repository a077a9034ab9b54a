"""Two ``hatbot run`` processes on one real PostgreSQL and one real ngircd (issue #20):
one leads, the other stands by; the leader is killed (SIGKILL) and the standby takes
over: it answers ``!ping`` under its configured nick, the meeting going on at the time
keeps every line, a reminder that fell due in the gap is said once, a webhook the standby
accepted in the gap is posted once. Then the kill is repeated ten times in a row, each
time in the middle of a burst of webhooks to the leader, whose paced queue still holds
some of their posts."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.conftest import HATBOT, free_port
from tests.integration.fake_slack import FakeSlack, event_callback, message
from tests.integration.irc_client import IrcClient, Line
from tests.integration.servers import Ngircd
from tests.integration.test_ci_hooks import SECRET, run
from tests.integration.test_slack import SECRET as SLACK_SECRET
from tests.integration.test_slack import signed as slack_signed

CHANNEL = "#meeting"
TAKEOVER = 30.0  # seconds the issue allows a standby to answer after the leader died


class Replica:
    """``hatbot run`` with its own data folder and web port, logging to a file."""

    def __init__(self, folder: Path, name: str, database: str, adapters: str,
                 meetings: str = "") -> None:
        self.port = free_port()
        self.log = folder / f"{name}.log"
        config = folder / f"{name}.toml"
        config.write_text(
            f'[bot]\ndata_dir = "{folder / name}"\ndatabase_url = "{database}"\n'
            f'[web]\nhost = "127.0.0.1"\nport = {self.port}\n'
            f'public_url = "https://bot.example"\n{adapters}'
            f'[skills.meetings]\nminutes_dir = "{folder / "minutes"}"\n{meetings}'
            f'[skills.ci]\ngithub_secret = "{SECRET}"\n'
            f'[[skills.ci.watch]]\nrepo = "octo-org/octo-repo"\nbranches = ["main"]\n'
            f'channels = ["irc:{CHANNEL}"]\n')
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([str(HATBOT), "run", "--config", str(config)],
                                         cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)

    def health(self) -> dict[str, Any]:
        try:
            answer = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
        except httpx.HTTPError:
            return {}
        return dict(answer.json())

    def wait_role(self, role: str, within: float = 30) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.health().get("role") == role:
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"replica exited: {self.log.read_text()[-2000:]}")
            time.sleep(0.2)
        raise AssertionError(f"not {role} within {within}s: {self.health()}; "
                             f"{self.log.read_text()[-2000:]}")

    def metrics(self) -> str:
        return httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5).text

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def github(self, payload: dict[str, Any], delivery: str) -> int:
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        return httpx.post(f"http://127.0.0.1:{self.port}/hooks/github", content=body,
                          timeout=10, headers={
                              "X-Hub-Signature-256": signature,
                              "X-GitHub-Event": "workflow_run", "X-GitHub-Delivery": delivery,
                              "Content-Type": "application/json"}).status_code


def on_irc(ngircd: Ngircd, extra: str = "") -> str:
    """The adapter tables of replicas on the test's ngircd (``extra``: more IRC keys)."""
    return (f'[adapters.irc]\nhost = "127.0.0.1"\nport = {ngircd.port}\ntls = false\n'
            f'nick = "hatbot"\nchannels = ["{CHANNEL}"]\n{extra}')


@pytest.fixture
async def replicas(tmp_path: Path, postgres: Any) -> AsyncIterator[Callable[..., Replica]]:
    """Start a replica: ``replicas(name, adapter_tables)``; all share one database."""
    database = postgres.new_database(f"ha_{int(time.time() * 1000) % 10**9}")
    started: list[Replica] = []

    def start(name: str, adapters: str, meetings: str = "") -> Replica:
        replica = Replica(tmp_path, name, database, adapters, meetings)
        started.append(replica)
        return replica

    yield start
    for replica in started:
        replica.kill()


def from_bot(text: str) -> Callable[[Line], bool]:
    return lambda line: line.command == "PRIVMSG" and line.nick == "hatbot" \
        and text in line.text


async def heard(person: IrcClient, text: str, within: float = 10, after: int = 0) -> str:
    """A line of the bot's containing ``text``, however many lines came around it (from
    the ``after``-th line seen on)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for line in person.seen[after:]:
            if line.command == "PRIVMSG" and line.nick == "hatbot" and text in line.text:
                return line.text
        await asyncio.sleep(0.1)
    raise AssertionError(f"the bot never said {text!r}")


async def ping(person: IrcClient, within: float = TAKEOVER) -> float:
    """Seconds until the bot, under its configured nick, answers !ping (a pong to any of
    the pings sent since the call began: a paced bot may answer the first one late)."""
    began = time.monotonic()
    deadline = began + within
    start = len(person.seen)
    while time.monotonic() < deadline:
        person.say(CHANNEL, "!ping")
        answer = time.monotonic() + 2
        while time.monotonic() < min(answer, deadline):
            if any(from_bot("pong")(line) for line in person.seen[start:]):
                return time.monotonic() - began
            await asyncio.sleep(0.05)
    raise AssertionError(f"no pong within {within}s")


async def test_the_standby_takes_over_mid_meeting_with_nothing_lost_or_doubled(
        replicas: Callable[..., Replica], ngircd: Ngircd, tmp_path: Path) -> None:
    first = replicas("first", on_irc(ngircd))
    first.wait_role("leader")
    second = replicas("second", on_irc(ngircd))
    second.wait_role("standby")
    assert second.health()["status"] == "ok"
    alice = await IrcClient("alice").connect(ngircd.port)
    await alice.join(CHANNEL)
    try:
        await ping(alice)
        alice.say(CHANNEL, "#startmeeting ha")
        await alice.expect(from_bot("Meeting started"))
        alice.say(CHANNEL, "before the failover")
        alice.say(CHANNEL, "!remind 4s the gate is green")
        await alice.expect(from_bot("OK, in 4s I will say"))

        first.kill()
        # In the gap: a webhook reaches the standby, which keeps its message.
        assert second.github(run("failure"), "gap-1") in (200, 202)
        waited = await ping(alice)
        second.wait_role("leader", within=5)
        assert "main" in await heard(alice, "octo-org/octo-repo")
        await heard(alice, "Reminder from alice: the gate is green")

        alice.say(CHANNEL, "after the failover")
        alice.say(CHANNEL, "#endmeeting")
        await heard(alice, "Meeting ended")
        await ping(alice)  # and nothing else in between: no post twice
        (minutes,) = (tmp_path / "minutes" / "ha").glob("*/ha.*[0-9].log.txt")
        log = minutes.read_text()
        assert "before the failover" in log and "after the failover" in log
        everything = "\n".join(line.text for line in alice.seen if line.nick == "hatbot")
        assert everything.count("Reminder from alice") == 1
        assert everything.count("CI is red on") == 1
        print(f"took over in {waited:.1f}s")
        metrics = second.metrics()
        assert "hatbot_leader 1.0" in metrics and "hatbot_failovers_total 1.0" in metrics
    finally:
        await alice.close()


async def test_ten_kills_in_a_row(replicas: Callable[..., Replica], ngircd: Ngircd,
                                  tmp_path: Path) -> None:
    """Ten times: a new standby; two webhooks to the leader, killed once it said the first
    (the second still in its paced queue); three to the standby while no one leads (red,
    green, red…: each a post); a line said to the meeting once the new leader answers. At
    the end every line is in the minutes once, and every post was said once."""
    # One line a second: a queue to kill.
    slow = on_irc(ngircd, "messages_per_second = 1.0\nburst = 1\n")
    leader = replicas("r0", slow)
    leader.wait_role("leader")
    alice = await IrcClient("alice").connect(ngircd.port)
    await alice.join(CHANNEL)
    times = []
    outcomes = iter(["failure", "success"] * 25)
    try:
        await ping(alice)
        alice.say(CHANNEL, "#startmeeting kills")
        await heard(alice, "Meeting started")
        for n in range(1, 11):
            standby = replicas(f"r{n}", slow)
            standby.wait_role("standby")
            seen = len(alice.seen)
            for k in range(2):
                assert leader.github(run(next(outcomes), sha=f"{n:03d}{k}ac"), f"l{n}-{k}") \
                    == 200
            await heard(alice, "octo-org/octo-repo", after=seen)  # the first post
            # Half-way to the next paced line: well clear of the moment a line is written
            # and its outbox row deleted (a kill just then would repeat that one line).
            await asyncio.sleep(0.4)
            leader.kill()
            for k in range(3):  # the standby accepts them while no one leads
                assert standby.github(run(next(outcomes), sha=f"{n:03d}{k}bd"),
                                      f"s{n}-{k}") in (200, 202)
            times.append(await ping(alice))
            standby.wait_role("leader", within=5)
            alice.say(CHANNEL, f"line after kill {n}")
            leader = standby
        alice.say(CHANNEL, "#endmeeting")
        await heard(alice, "Meeting ended", within=15)
        await ping(alice)
    finally:
        await alice.close()
    print("takeover times:", ", ".join(f"{t:.1f}s" for t in times))
    assert len(times) == 10 and max(times) < TAKEOVER
    (minutes,) = (tmp_path / "minutes" / "kills").glob("*/kills.*[0-9].log.txt")
    log = minutes.read_text()
    for n in range(1, 11):
        assert log.count(f"line after kill {n}\n") == 1, n
    said = [line.text for line in alice.seen if line.nick == "hatbot"]
    changes = [text for text in said if "CI is red on" in text or "recovered after" in text]
    assert len(changes) == 50, said  # 50 deliveries alternating red and green: 50 changes
    red = [text.split(" failed at ")[1][:7] for text in changes if "CI is red on" in text]
    assert len(red) == len(set(red)) == 25, red  # and each red one by its own commit


async def test_a_leader_that_loses_its_database_stops_and_rejoins_as_a_standby(
        replicas: Callable[..., Replica], ngircd: Ngircd, postgres: Any) -> None:
    """The leader's lock connection is cut (as a network fault or a database failover
    would): it can no longer prove it leads, so it leaves chat at once and starts over as
    a standby; the other replica leads, and !ping is answered once."""
    import psycopg

    first = replicas("first", on_irc(ngircd))
    first.wait_role("leader")
    second = replicas("second", on_irc(ngircd))
    second.wait_role("standby")
    alice = await IrcClient("alice").connect(ngircd.port)
    await alice.join(CHANNEL)
    try:
        await ping(alice)
        with psycopg.connect(postgres.url().replace("+psycopg", ""), autocommit=True) as db:
            cut = db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE application_name = 'hatbot leader' "
                             "AND pid IN (SELECT pid FROM pg_locks WHERE locktype = "
                             "'advisory' AND granted)").fetchall()
        assert cut == [(True,)]
        # The cut leader leaves chat and starts over (the same process); then either
        # replica may win the lock, but exactly one leads.
        deadline = time.monotonic() + TAKEOVER
        while time.monotonic() < deadline:
            roles = {first.health().get("role"), second.health().get("role")}
            if "starting over as a standby" in first.log.read_text() and \
                    roles == {"leader", "standby"}:
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError(f"no new leader: {first.health()} {second.health()}")
        assert first.proc.poll() is None  # re-executed in place, not exited
        seen = len(alice.seen)
        await ping(alice)
        pongs = [line for line in alice.seen[seen:] if line.nick == "hatbot"
                 and line.text == "pong"]
        assert len(pongs) == 1
    finally:
        await alice.close()


async def test_slack_events_sent_to_the_standby_are_handled_by_the_leader(
        replicas: Callable[..., Replica], slack: FakeSlack, tmp_path: Path) -> None:
    """Slack's Events API pushes to whichever replica a load balancer picks. A standby
    answers Slack at once and relays the event; the leader handles it. So a meeting
    started through the leader takes a topic and a line sent to the standby (a standby
    handling them itself knows of no meeting), and each command is answered once."""
    table = (f'[adapters.slack]\nbot_token = "xoxb-test"\nsigning_secret = "{SLACK_SECRET}"\n'
             f'api_url = "{slack.api_url}"\n')
    topics = 'topic_channels = ["slack:C0DEV"]\n'
    first = replicas("first", table, topics)
    await asyncio.to_thread(first.wait_role, "leader")
    second = replicas("second", table, topics)
    await asyncio.to_thread(second.wait_role, "standby")

    async def to(replica: Replica, text: str) -> None:
        body = json.dumps(event_callback(message(text))).encode()
        async with httpx.AsyncClient() as client:
            answer = await client.post(f"http://127.0.0.1:{replica.port}/slack/events",
                                       content=body, headers=slack_signed(body))
        assert answer.status_code == 200

    await to(first, "#startmeeting relay")
    await slack.wait_post("Meeting started")
    await to(second, "said to the standby")
    await to(second, "#topic relayed to the leader")
    deadline = time.monotonic() + 15
    while ("C0DEV", "relay: relayed to the leader") not in slack.topics:
        assert time.monotonic() < deadline, slack.topics
        await asyncio.sleep(0.1)
    await to(second, "!ping")
    await slack.wait_post("pong")
    await to(first, "#action ana writes the notes")
    await to(first, "#endmeeting")
    await slack.wait_post("Meeting ended")
    # A press of a button, sent to the standby, is the leader's to act on too.
    await to(first, "!actions")
    listed = await slack.wait_post("#1 ana writes the notes")
    form = urlencode({"payload": json.dumps(slack.press(listed, "Done #1"))}).encode()
    async with httpx.AsyncClient() as client:
        pressed = await client.post(
            f"http://127.0.0.1:{second.port}/slack/events", content=form,
            headers={**slack_signed(form), "Content-Type": "application/x-www-form-urlencoded"})
    assert pressed.status_code == 200
    await slack.wait_post("Done: #1 ana writes the notes")
    await asyncio.sleep(1.5)  # a standby's own answers would come through the outbox
    texts = [post["text"] for post in slack.posted]
    assert texts.count("pong") == 1, texts
    assert sum(t.startswith("Done: #1") for t in texts) == 1, texts
    (minutes,) = (tmp_path / "minutes" / "relay").glob("*/relay.*[0-9].log.txt")
    log = minutes.read_text()
    assert "said to the standby" in log and "relayed to the leader" in log
    unsigned = await asyncio.to_thread(
        httpx.post, f"http://127.0.0.1:{second.port}/slack/events",
        content=json.dumps(event_callback(message("!ping"))).encode())
    assert unsigned.status_code == 401
