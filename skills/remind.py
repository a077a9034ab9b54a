"""``!remind``: a message posted later to the same channel, kept across restarts."""

from __future__ import annotations

from datetime import timedelta

from hatbot.context import Context
from hatbot.events import Address
from hatbot.skill import Skill, SkillConfig, command, format_duration

LONGEST = timedelta(days=365)


class Remind(Skill[SkillConfig]):
    name = "remind"

    @command("remind", args="DURATION TEXT", help="Post TEXT here after DURATION",
             examples=[("remind 30m Release notes freeze",
                        "OK, in 30m I will say: Release notes freeze"),
                       "remind 2d Check the docs PR"])
    async def remind(self, ctx: Context, delay: timedelta, text: str) -> None:
        if delay > LONGEST:
            await ctx.reply(f"That is too far ahead; {ctx.prefix}remind goes up to a year.")
            return
        channel = ctx.channel
        assert channel is not None
        await ctx.schedule(self.deliver, ctx.now() + delay, target=str(channel),
                           direct=ctx.is_direct, author=ctx.sender.name, text=text)
        await ctx.reply(f"OK, in {format_duration(delay)} I will say: {text}")

    async def deliver(self, ctx: Context, target: str, direct: bool, author: str,
                      text: str) -> None:
        message = f"Reminder from {author}: {text}"
        if direct:
            await ctx.dm(Address.parse(target), message)
        else:
            await ctx.say(Address.parse(target), message)
