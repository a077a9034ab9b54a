"""The path from a message to skills and back, on the memory adapter."""

import logging

import pytest
from sqlalchemy import select

from hatbot.adapters.memory import person
from hatbot.context import Context
from hatbot.events import Address, Join, Message, Reply
from hatbot.markup import render_plain
from hatbot.skill import Skill, SkillConfig, command, on
from hatbot.storage.kv import KeyValue
from tests.conftest import StartBot, memory


def plain(reply: Reply) -> str:
    """What people read of a reply."""
    return render_plain(reply.markup_text)


class Fragile(Skill[SkillConfig]):
    name = "fragile"

    @command("explode", help="Raise on purpose")
    async def explode(self, ctx: Context) -> None:
        raise RuntimeError("kaboom in a skill")

    @command("purge", help="Admin only", admin=True)
    async def purge(self, ctx: Context) -> None:
        await ctx.reply("purged")

    @command("save", args="KEY VALUE", help="Store then answer", examples=["save a b"])
    async def save(self, ctx: Context, key: str, value: str) -> None:
        ctx.db.add(KeyValue(namespace="test", key=key, value=value))
        await ctx.reply("saved")

    @on(Join)
    async def greet(self, ctx: Context, event: Join) -> None:
        await ctx.dm(event.person, f"hello {event.person.name}")


async def test_ping_round_trip(start_bot: StartBot) -> None:
    app = await start_bot()
    replies = await memory(app).say("!ping")
    assert [(r.target, plain(r)) for r in replies] == [
        (Address("memory", "#test"), "pong")
    ]


async def test_addressed_by_name_and_direct(start_bot: StartBot) -> None:
    app = await start_bot()
    assert [plain(r) for r in await memory(app).say("hatbot: ping")] == ["pong"]
    replies = await memory(app).say("ping", direct=True, nick="bob")
    assert [(r.target, r.direct, plain(r)) for r in replies] == [
        (Address("memory", "bob"), True, "pong")
    ]


async def test_plain_chat_gets_no_answer(start_bot: StartBot) -> None:
    app = await start_bot()
    assert await memory(app).say("good morning everyone") == []


async def test_unknown_command_hint(start_bot: StartBot) -> None:
    app = await start_bot(Fragile)
    (reply,) = await memory(app).say("!frobnicate now")
    assert plain(reply) == "Unknown command !frobnicate. Try !help."


async def test_usage_error_shows_usage_and_example(start_bot: StartBot) -> None:
    app = await start_bot()
    (reply,) = await memory(app).say("!remind soon hello")
    assert plain(reply).startswith('DURATION: expected a duration like 10m, 2h or 14d, '
                                        'got "soon". Usage: !remind DURATION TEXT (e.g. !remind')


async def test_skill_exception_is_contained_logged_and_apologised(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    app = await start_bot(Fragile)
    with caplog.at_level(logging.ERROR):
        (apology,) = await memory(app).say("!explode")
    assert plain(apology) == "Sorry, something went wrong in the fragile skill; it is logged."
    assert "\n" not in plain(apology)
    failure = next(r for r in caplog.records if "fragile" in r.getMessage())
    assert failure.exc_info is not None and "kaboom in a skill" in str(failure.exc_info[1])
    # The bot keeps going.
    assert [plain(r) for r in await memory(app).say("!ping")] == ["pong"]
    assert b'hatbot_handler_errors_total{skill="fragile"} 1.0' in app.metrics.render()


async def test_admin_command_by_verified_account(start_bot: StartBot) -> None:
    app = await start_bot(Fragile)
    adapter = memory(app)
    (refusal,) = await adapter.say("!purge", nick="mallory")
    assert plain(refusal) == "Sorry, !purge is for admins only."
    assert [plain(r) for r in await adapter.say("!purge", nick="admin")] == ["purged"]
    # Same nick, no verified account: refused.
    impostor = person("admin", verified=False)
    before = len(adapter.sent)
    await adapter.emit(Message(channel=Address("memory", "#test"), sender=impostor,
                               text="!purge"))
    assert plain(adapter.sent[before]) == "Sorry, !purge is for admins only."


async def test_reply_commits_before_sending(start_bot: StartBot) -> None:
    app = await start_bot(Fragile)
    await memory(app).say("!save colour blue")
    async with app.sessions() as session:
        stored = await session.scalar(select(KeyValue.value).where(KeyValue.key == "colour"))
    assert stored == "blue"


async def test_passive_listener_gets_joins(start_bot: StartBot) -> None:
    app = await start_bot(Fragile)
    adapter = memory(app)
    await adapter.emit(Join(channel=Address("memory", "#test"), person=person("newbie")))
    assert [(r.target, r.direct, plain(r)) for r in adapter.sent] == [
        (Address("memory", "newbie"), True, "hello newbie")
    ]


async def test_help_lists_and_explains(start_bot: StartBot) -> None:
    app = await start_bot(Fragile)
    (listing,) = await memory(app).say("!help", nick="mallory")
    assert "!ping" in plain(listing) and "!remind" in plain(listing)
    assert "!purge" not in plain(listing)  # admin-only, hidden from non-admins
    (admin_listing,) = await memory(app).say("!help", nick="admin")
    assert "!purge" in plain(admin_listing)
    (full,) = await memory(app).say("!help", nick="mallory", direct=True)
    assert "core: !help, !ping, !version" in plain(full).split("\n")
    group = await memory(app).say("!help hat", nick="mallory")  # long: by direct message
    assert [(r.direct, plain(r).count("\n") >= 4) for r in group] == [(True, True),
                                                                      (False, False)]
    assert plain(group[1]) == "Sent you !help hat by direct message."
    (detail,) = await memory(app).say("!help remind")
    assert plain(detail).startswith("!remind DURATION TEXT: Post TEXT here after DURATION")
    assert "Example: !remind 30m" in plain(detail)
    (missing,) = await memory(app).say("!help nothing")
    assert plain(missing) == "No command !nothing. Say !help for the list."


async def test_disabled_skill_is_not_loaded(start_bot: StartBot) -> None:
    app = await start_bot(raw={"skills": {"remind": {"enabled": False}}})
    (reply,) = await memory(app).say("!remind 1m hi")
    assert plain(reply) == "Unknown command !remind. Try !help."
