"""``!privacy``: whether a person's name appears on the bot's pages and reports beyond
the minutes (``/people/NAME``, ``hatbot report recognition``). What a meeting's minutes
publish stays as published; recognition is opt-out, by the person themselves.

The choice is kept by the name people know them by (the name the minutes show) and by
the identity the platform verified, so only they can take it back.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from hatbot.context import Context
from hatbot.skill import N_, Skill, SkillConfig, Word, command, tr
from hatbot.storage.kv import OPTED_OUT as NAMESPACE
from hatbot.storage.kv import KeyValue


class Privacy(Skill[SkillConfig]):
    name = "privacy"

    @command("privacy", args="[optout|optin]",
             help=N_("Keep your name off the bot's recognition pages and reports (optout), "
                  "or show it again (optin); the minutes are not changed"),
             examples=["privacy", "privacy optout", "privacy optin"])
    async def privacy(self, ctx: Context, choice: Word = "") -> None:
        identity, name = ctx.sender.identity, ctx.sender.name
        if choice.lower() == "optout":
            await ctx.db.merge(KeyValue(namespace=NAMESPACE, key=name.lower(), value=identity))
            await ctx.reply(tr("Done: {name} no longer appears on the bot's pages or reports "
                               "beyond the minutes. {command} undoes it.", name=name,
                               command=f"{ctx.prefix}privacy optin"))
        elif choice.lower() == "optin":
            await ctx.db.execute(delete(KeyValue).where(KeyValue.namespace == NAMESPACE,
                                                        KeyValue.value == identity))
            await ctx.reply(tr("Done: {name} appears on the recognition pages again.",
                               name=name))
        elif choice:
            await ctx.reply(tr("{command} takes optout or optin, e.g. {example}",
                               command=f"{ctx.prefix}privacy",
                               example=f"{ctx.prefix}privacy optout"))
        else:
            names = list(await ctx.db.scalars(select(KeyValue.key).where(
                KeyValue.namespace == NAMESPACE, KeyValue.value == identity)))
            await ctx.reply(tr("You opted out as {names}.", names=", ".join(names)) if names
                            else tr("Your work is shown on the recognition pages; {command} "
                                    "keeps your name off them.",
                                    command=f"{ctx.prefix}privacy optout"))
