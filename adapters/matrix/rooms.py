"""Which room a name means: aliases resolved once, the configured rooms, and the direct
rooms the bot opens with people (remembered in its store, and in ``m.direct`` so that
clients show them as direct chats)."""

from __future__ import annotations

import contextlib
import json
import logging
from urllib.parse import quote

from aiohttp import ClientError
from nio import AsyncClient, RoomCreateResponse, RoomResolveAliasResponse

from hatbot.adapter import KeyValue
from hatbot.adapters.flow import Retry

log = logging.getLogger(__name__)


class Rooms:
    def __init__(self, client: AsyncClient, kv: KeyValue) -> None:
        self._client = client
        self._kv = kv
        self._aliases: dict[str, str] = {}  # alias → room id
        self._named: dict[str, str] = {}  # room id → the alias the configuration uses
        self.configured: set[str] = set()  # room ids of the configured rooms

    def name(self, room_id: str) -> str:
        """How events name a room: by the alias the configuration uses, so that skills
        configured with ``matrix:#alias:server`` recognise it; else by its id."""
        return self._named.get(room_id, room_id)

    async def resolve_configured(self, rooms: list[str]) -> None:
        for room in rooms:
            if room.startswith("#") and room not in self._aliases:
                with contextlib.suppress(RuntimeError):
                    self._named[await self.room_id(room)] = room

    async def room_id(self, target: str) -> str:
        """A room id for an id or an alias (resolved once)."""
        if not target.startswith("#"):
            return target
        if target not in self._aliases:
            resolved = await self._client.room_resolve_alias(target)
            if not isinstance(resolved, RoomResolveAliasResponse):
                raise RuntimeError(f"matrix: no room {target}")
            self._aliases[target] = resolved.room_id
        return self._aliases[target]

    async def direct(self, user: str) -> str:
        """A direct room with ``user``, made once and remembered."""
        key = f"dm:{user}"
        room = await self._kv.get(key)
        if room is None:
            created = await self._client.room_create(is_direct=True, invite=[user])
            if not isinstance(created, RoomCreateResponse):
                raise Retry(f"cannot open a direct room with {user}")
            room = created.room_id
            await self._kv.set(key, room)
            await self._record_direct(user, room)
        return room

    async def target(self, name: str) -> str:
        """The room to send to for an address's id: a person's direct room, or a room."""
        return await self.direct(name) if name.startswith("@") else await self.room_id(name)

    async def _record_direct(self, user: str, room: str) -> None:
        """Note the room in the bot's ``m.direct`` account data, as clients do (nio has
        no call for it)."""
        path = (f"/_matrix/client/v3/user/{quote(self._client.user_id)}"
                "/account_data/m.direct")
        headers = {"Authorization": f"Bearer {self._client.access_token}",
                   "Content-Type": "application/json"}
        try:
            current = await self._client.send("GET", path, headers=headers)
            direct = await current.json() if current.status == 200 else {}
            rooms = direct.setdefault(user, [])
            if room not in rooms:
                rooms.append(room)
            await self._client.send("PUT", path, json.dumps(direct), headers=headers)
        except (ClientError, TimeoutError, OSError, ValueError) as exc:
            log.warning("matrix: could not record %s as direct in m.direct: %s", room, exc)
