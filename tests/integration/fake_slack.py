"""A local stand-in for Slack's Web API and Socket Mode websocket, in Slack's wire format.

There is no local Slack; the real slack_bolt app and slack_sdk client talk to this.
It records what the bot posts and can answer 429 with Retry-After.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

from aiohttp import web

USERS = {
    "U0ANA": {"name": "ana.lima", "real_name": "Ana Lima", "display_name": "ana"},
    "U0RAJ": {"name": "raj", "real_name": "Raj Patel", "display_name": ""},
}
BOT_USER = "U0BOT"


class FakeSlack:
    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.limited = 0  # answer this many chat.postMessage calls with 429
        self.refuse_tokens = False
        self.topics: list[tuple[str, str]] = []  # conversations.setTopic: (channel, topic)
        self.topic_refused = False  # answer setTopic as for a bot without the scope
        self.limited_at: list[float] = []
        self.reactions: list[tuple[str, str, str]] = []  # reactions.add: (channel, ts, name)
        self.updates: list[tuple[str, str, str]] = []  # chat.update: (channel, ts, text)
        # (channel, ts) → the message as Slack keeps it: its text, blocks and thread.
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.updated_blocks: list[list[dict[str, Any]]] = []  # chat.update's blocks
        self.ephemeral: list[dict[str, Any]] = []  # chat.postEphemeral: seen by one person
        self.homes: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()  # views.publish
        self.acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sockets: list[web.WebSocketResponse] = []
        self.connected = asyncio.Event()
        self._ids = itertools.count(1)
        self._posted = asyncio.Condition()
        self.port = 0

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        for socket in self.sockets:
            await socket.close()
        await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # --- Web API ----------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        if method == "auth.test" and self.refuse_tokens:
            return _ok(ok=False, error="invalid_auth")
        if method == "auth.test":
            return _ok(user_id=BOT_USER, user="hatbot", bot_id="B0BOT", team_id="T0TEAM",
                       team="Test", url="https://test.slack.com/")
        if method == "users.info":
            user = USERS.get(str(args.get("user")))
            if user is None:
                return _ok(ok=False, error="user_not_found")
            return _ok(user={"id": args["user"], "name": user["name"],
                             "real_name": user["real_name"],
                             "profile": {"display_name": user["display_name"],
                                         "real_name": user["real_name"]}})
        if method == "conversations.info":
            return _ok(channel={"id": args["channel"], "name": "dev-team"})
        if method == "conversations.open":
            return _ok(channel={"id": f"D{args['users']}"})
        if method == "chat.postMessage":
            if self.limited:
                self.limited -= 1
                self.limited_at.append(time.monotonic())
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": "1"})
            ts = f"{int(time.time())}.{next(self._ids):06d}"
            self.messages[(str(args.get("channel")), ts)] = {
                "type": "message", "user": BOT_USER, "bot_id": "B0BOT", "ts": ts,
                "text": args.get("text", ""), "blocks": _listed(args.get("blocks")),
                **({"thread_ts": args["thread_ts"]} if args.get("thread_ts") else {})}
            async with self._posted:
                self.posted.append({**args, "at": time.monotonic(), "ts": ts})
                self._posted.notify_all()
            return _ok(channel=args.get("channel"), ts=ts)
        if method == "chat.update":
            kept = self.messages.get((str(args.get("channel")), str(args.get("ts"))))
            if kept is None:
                return _ok(ok=False, error="message_not_found")
            self.updates.append((str(args["channel"]), str(args["ts"]), str(args["text"])))
            kept["text"] = args["text"]
            if args.get("blocks"):
                kept["blocks"] = _listed(args["blocks"])
                self.updated_blocks.append(kept["blocks"])
            return _ok(channel=args["channel"], ts=args["ts"])
        if method == "chat.postEphemeral":
            if str(args.get("user")) not in USERS:
                return _ok(ok=False, error="user_not_in_channel")
            async with self._posted:
                self.ephemeral.append(args)
                self._posted.notify_all()
            return _ok(message_ts=f"{int(time.time())}.{next(self._ids):06d}")
        if method == "views.publish":
            view = args["view"] if isinstance(args["view"], dict) else json.loads(args["view"])
            await self.homes.put((str(args["user_id"]), view))
            return _ok(view={"id": "V0HOME", **view})
        if method == "conversations.history":
            kept = self.messages.get((str(args.get("channel")), str(args.get("latest"))))
            return _ok(messages=[kept] if kept else [], has_more=False)
        if method == "reactions.add":
            if not str(args.get("name", "")).replace("_", "").replace("+", "").isalnum():
                return _ok(ok=False, error="invalid_name")
            self.reactions.append((str(args["channel"]), str(args["timestamp"]),
                                   str(args["name"])))
            return _ok()
        if method == "conversations.setTopic":
            if self.topic_refused:
                return _ok(ok=False, error="missing_scope")
            self.topics.append((str(args["channel"]), str(args["topic"])))
            return _ok(channel={"id": args["channel"]})
        if method == "apps.connections.open":
            return _ok(url=f"ws://127.0.0.1:{self.port}/link")
        return _ok(ok=False, error="unknown_method")

    async def wait_posted(self, count: int, within: float = 15.0) -> list[dict[str, Any]]:
        async with self._posted:
            await asyncio.wait_for(
                self._posted.wait_for(lambda: len(self.posted) >= count), within)
        return self.posted

    async def wait_post(self, starting: str, within: float = 15.0) -> dict[str, Any]:
        """The first post whose text starts with ``starting``, once it has come."""
        def found() -> dict[str, Any] | None:
            return next((p for p in self.posted if p["text"].startswith(starting)), None)

        async with self._posted:
            await asyncio.wait_for(self._posted.wait_for(lambda: found() is not None), within)
        post = found()
        assert post is not None
        return post

    # --- Socket Mode ------------------------------------------------------------------

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": len(self.sockets),
                                "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                                "connection_info": {"app_id": "A0APP"}})
        self.connected.set()
        async for message in socket:
            data = json.loads(message.data)
            if "envelope_id" in data:
                await self.acks.put(data)
        return socket

    async def push(self, event: dict[str, Any]) -> str:
        """Send an events_api envelope down the newest socket; returns its envelope id."""
        return await self._envelope("events_api", event_callback(event), accepts=False)

    async def push_interactive(self, payload: dict[str, Any]) -> str:
        """Send an interactive envelope (a press of a button) down the newest socket."""
        return await self._envelope("interactive", payload)

    async def push_slash(self, payload: dict[str, str]) -> str:
        """Send a slash command's envelope down the newest socket."""
        return await self._envelope("slash_commands", payload)

    async def _envelope(self, kind: str, payload: dict[str, Any], accepts: bool = True) -> str:
        envelope_id = f"env-{next(self._ids)}"
        await self.sockets[-1].send_json({
            "envelope_id": envelope_id, "type": kind, "accepts_response_payload": accepts,
            "payload": payload})
        return envelope_id

    async def wait_ephemeral(self, count: int, within: float = 15.0) -> list[dict[str, Any]]:
        async with self._posted:
            await asyncio.wait_for(
                self._posted.wait_for(lambda: len(self.ephemeral) >= count), within)
        return self.ephemeral

    def slash(self, text: str, user: str = "U0ANA", channel: str = "C0DEV",
              command: str = "/hatbot") -> dict[str, str]:
        """A slash command as Slack sends it (the fields of its form)."""
        return {"token": "verification", "team_id": "T0TEAM", "team_domain": "test",
                "channel_id": channel, "channel_name": "dev-team", "user_id": user,
                "user_name": USERS[user]["name"], "command": command, "text": text,
                "api_app_id": "A0APP", "is_enterprise_install": "false",
                "response_url": f"http://127.0.0.1:{self.port}/respond",
                "trigger_id": f"{next(self._ids)}.trigger"}

    def press(self, post: dict[str, Any], label: str, user: str = "U0ANA") -> dict[str, Any]:
        """Slack's ``block_actions`` payload for ``user`` pressing the button labelled
        ``label`` under ``post`` (as the message now is, with its blocks)."""
        channel = str(post["channel"])
        message = self.messages[(channel, post["ts"])]
        for block in message["blocks"]:
            for element in block.get("elements", []):
                if element.get("type") == "button" and element["text"]["text"] == label:
                    return {
                        "type": "block_actions", "token": "verification",
                        "api_app_id": "A0APP", "trigger_id": f"{next(self._ids)}.trigger",
                        "team": {"id": "T0TEAM", "domain": "test"},
                        "user": {"id": user, "username": USERS[user]["name"],
                                 "team_id": "T0TEAM"},
                        "container": {"type": "message", "message_ts": post["ts"],
                                      "channel_id": channel, "is_ephemeral": False},
                        "channel": {"id": channel, "name": "dev-team"},
                        "message": message,
                        "response_url": f"http://127.0.0.1:{self.port}/respond",
                        "actions": [{"type": "button", "block_id": block["block_id"],
                                     "action_id": element["action_id"],
                                     "text": element["text"], "value": element["value"],
                                     "action_ts": f"{time.time():.6f}"}]}
        raise AssertionError(f"no button {label!r} under {message}")

    async def ask_to_reconnect(self) -> None:
        """Slack's ``disconnect`` envelope: the client should open a new connection."""
        self.connected.clear()
        await self.sockets[-1].send_json({"type": "disconnect", "reason": "refresh_requested",
                                          "debug_info": {"host": "fake"}})

    async def drop(self) -> None:
        """Close the websocket, as Slack does when it rotates connections."""
        self.connected.clear()
        await self.sockets[-1].close()


def event_callback(event: dict[str, Any]) -> dict[str, Any]:
    return {"token": "verification", "team_id": "T0TEAM", "api_app_id": "A0APP",
            "event": event, "type": "event_callback", "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()), "authorizations": [
                {"team_id": "T0TEAM", "user_id": BOT_USER, "is_bot": True}]}


def message(text: str, user: str = "U0ANA", channel: str = "C0DEV", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel": channel, "user": user, "text": text,
            "ts": f"{time.time():.6f}", "channel_type": "channel", **extra}


def _listed(blocks: Any) -> list[dict[str, Any]]:
    """Blocks as a list, whether the client sent JSON or a form field."""
    if isinstance(blocks, str):
        return list(json.loads(blocks))
    return list(blocks or [])


def _ok(**fields: Any) -> web.Response:
    return web.json_response({"ok": True, **fields})
