"""The core commands every bot has: ``!ping``, ``!help`` and ``!version``."""

from __future__ import annotations

import platform
import re
from collections import defaultdict
from importlib.metadata import version

from hatbot.context import Context
from hatbot.skill import N_, Markup, Skill, SkillConfig, command, escape_markup, tr

LONG_REPLY_LINES = 4  # a help text this long goes by direct message from a channel


class Core(Skill[SkillConfig]):
    name = "core"

    @command("ping", help=N_("Check that the bot is alive"), examples=[("ping", "pong")])
    async def ping(self, ctx: Context) -> None:
        await ctx.reply("pong")

    @command("version", help=N_("Show the bot's version"), examples=[
        ("version", re.compile(r"\S+ runs Hatbot \S+ on Python \d+\.\d+\.\d+\S*"))])
    async def version(self, ctx: Context) -> None:
        await ctx.reply(tr("{name} runs Hatbot {version} on Python {python}",
                           name=ctx.bot_name, version=version("hatbot"),
                           python=platform.python_version()))

    @command("help", args="[COMMAND]", help=N_("List commands, or explain one"),
             examples=["help", "help remind", "help hat"])
    async def help(self, ctx: Context, topic: str = "") -> None:
        # Asked while the other skills load (the core answers before them): the list is
        # whole once they have.
        await ctx.runtime.loaded.wait()
        prefix = ctx.prefix
        # Help concerns the asker alone: a slash command's answer is shown to them only,
        # so it can be as long as in a direct message.
        alone = ctx.is_direct or ctx.answers_privately
        if topic:
            text = self._explain(ctx, topic.removeprefix(prefix))
            if text.count("\n") >= LONG_REPLY_LINES and not alone:
                # A long list in a channel holds up everyone on a paced network (IRC):
                # it goes to the asker alone.
                await ctx.dm(ctx.sender, text)
                await ctx.reply(tr("Sent you {command} by direct message.",
                                   command=f"{prefix}help {topic}"))
                return
            await ctx.reply(text, personal=True)
            return
        visible = [c for c in ctx.commands if ctx.is_admin() or not c.admin]
        if not alone:  # one line: the commands, a group as "!hat…"
            grouped = {c.name.split()[0] for c in visible if " " in c.name}
            groups = dict.fromkeys(c.name.split()[0] + ("…" if c.name.split()[0] in grouped
                                                        else "") for c in visible)
            await ctx.reply(ctx._(
                "Commands: {commands}. Say {prefix}help COMMAND for details, e.g. "
                "{prefix}help hat; the whole list comes by direct message with {prefix}help "
                "there.").format(commands=", ".join(prefix + g for g in groups),
                                 prefix=prefix))
            return
        by_skill: dict[str, list[str]] = defaultdict(list)
        for cmd in visible:
            by_skill[cmd.skill].append(f"{prefix}{cmd.name}")
        lines = [Markup(f"**{skill}**: ") + ", ".join(names)
                 for skill, names in sorted(by_skill.items())]
        lines.append(escape_markup(ctx._("Say {prefix}help COMMAND for details, e.g. "
                                         "{prefix}help ping").format(prefix=prefix)))
        await ctx.reply(Markup("\n").join(lines), personal=True)

    @staticmethod
    def _explain(ctx: Context, topic: str) -> str:
        prefix = ctx.prefix
        cmd = ctx.commands.get(topic)
        if cmd is not None:
            line = f"{prefix}{cmd.name} {cmd.args}".rstrip() + f": {ctx._(cmd.help)}"
            if cmd.admin:
                line += ctx._(" (admins only)")
            examples = cmd.examples or (cmd.name,)
            return line + "\n" + ctx._("Example: {examples}").format(
                examples="; ".join(f"{prefix}{e}" for e in examples))
        group = ctx.commands.group(topic)
        if group:
            return "\n".join(f"{prefix}{c.name} {c.args}".rstrip() + f": {ctx._(c.help)}"
                             for c in group)
        return ctx._("No command {command}. Say {prefix}help for the list.").format(
            command=prefix + topic, prefix=prefix)
