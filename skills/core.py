"""The core commands every bot has: ``!ping``, ``!help`` and ``!version``."""

from __future__ import annotations

import platform
from collections import defaultdict
from importlib.metadata import version

from bot.context import Context
from bot.skill import Markup, Skill, SkillConfig, command, escape_markup


class Core(Skill[SkillConfig]):
    name = "core"

    @command("ping", help="Check that the bot is alive")
    async def ping(self, ctx: Context) -> None:
        await ctx.reply("pong")

    @command("version", help="Show the bot's version")
    async def version(self, ctx: Context) -> None:
        await ctx.reply(f"{ctx.bot_name} runs Hatbot {version('hatbot')} "
                        f"on Python {platform.python_version()}")

    @command("help", args="[COMMAND]", help="List commands, or explain one",
             examples=["help", "help remind"])
    async def help(self, ctx: Context, topic: str = "") -> None:
        prefix = ctx.prefix
        if topic:
            await ctx.reply(self._explain(ctx, topic.removeprefix(prefix)))
            return
        by_skill: dict[str, list[str]] = defaultdict(list)
        for cmd in ctx.commands:
            if cmd.admin and not ctx.is_admin():
                continue
            by_skill[cmd.skill].append(f"{prefix}{cmd.name}")
        lines = [Markup(f"**{skill}**: ") + ", ".join(names)
                 for skill, names in sorted(by_skill.items())]
        lines.append(escape_markup(f"Say {prefix}help COMMAND for details, e.g. {prefix}help "
                                   "ping"))
        await ctx.reply(Markup("\n").join(lines))

    @staticmethod
    def _explain(ctx: Context, topic: str) -> str:
        prefix = ctx.prefix
        cmd = ctx.commands.get(topic)
        if cmd is not None:
            line = f"{prefix}{cmd.name} {cmd.args}".rstrip() + f": {cmd.help}"
            if cmd.admin:
                line += " (admins only)"
            examples = cmd.examples or (cmd.name,)
            return line + "\nExample: " + "; ".join(f"{prefix}{e}" for e in examples)
        group = ctx.commands.group(topic)
        if group:
            return "\n".join(f"{prefix}{c.name} {c.args}".rstrip() + f": {c.help}"
                             for c in group)
        return f"No command {prefix}{topic}. Say {prefix}help for the list."
