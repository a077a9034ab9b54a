"""The opsdroid skill `make bench-peers` runs: answers `!ping` with `pong`, as Hatbot's
built-in does. It runs inside opsdroid's own virtualenv, never Hatbot's."""

from opsdroid.matchers import match_regex
from opsdroid.skill import Skill


class Ping(Skill):
    @match_regex(r"^!ping$")
    async def ping(self, message):
        await message.respond("pong")
