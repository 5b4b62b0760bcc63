"""The seams between answers and moderation, asserted on what the member or moderator sees.

Issue 12 found each of these broken while every card- and helper-level test passed: an
answer had no Flag button, an upheld dispute never reached /factcheck answers, a button
request never reached the mod-log. Each test here drives the real bot through the stand-in
and reads the message a person would read. Fault and fuzz regressions (issue 12 section 4)
follow: a held write lock, a modal across a restart, forged ids, "Post in channel" abuse,
member Markdown, channels of another server.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.discord_ui import strings
from tests.e2e.harness import execute, rows
from tests.e2e.test_moderation import (
    MODAL,
    World,
    custom_ids,
    eventually,
    modlog_posts,
    reply_text,
    running_bot,
    set_modlog,
    world,
)
from tests.standin.world import PLAIN_MEMBER, SEND_MESSAGES

pytestmark = pytest.mark.e2e

__all__ = ["world"]  # the fixture, shared with the moderation tests

EPHEMERAL = 1 << 6
DEFERRED = 5


async def ask(world: World, question: str, member: Any = None) -> Any:
    return await world.standin.slash(
        world.guild, world.channel, member or world.member, "factcheck", {"question": question}
    )


async def public_answer(ix: Any) -> dict[str, Any]:
    """The message a /factcheck shows the channel (directly, or after a deferral)."""
    body = await ix.response(within=10)
    if body["type"] == DEFERRED:
        (message,) = await ix.followups(1, within=10)
        return dict(message)
    assert body["type"] == 4
    return await ix.wait_original(within=10)


async def any_reply(ix: Any) -> dict[str, Any]:
    """The private reply as a message (content and embeds), sent directly or deferred."""
    body = await ix.response(within=10)
    if body["type"] == DEFERRED:
        (message,) = await ix.followups(1, within=10)
        return dict(message)
    return dict(body["data"])


def button_ids(message: dict[str, Any]) -> list[str]:
    return custom_ids(message)


def label_of(message: dict[str, Any], custom_id: str) -> str:
    for row in message.get("components") or []:
        for item in row["components"]:
            if item.get("custom_id") == custom_id:
                return str(item["label"])
    raise LookupError(custom_id)


async def flag_through_the_form(
    world: World, message: dict[str, Any], member: Any, reason: str
) -> str:
    ix = await world.standin.click(message, "fd:flag:moon-cheese", member)
    body = await ix.response(within=10)
    assert body["type"] == MODAL, body
    submitted = await world.standin.submit_modal(
        world.guild, world.channel, member, body["data"]["custom_id"], {"reason": reason}
    )
    return await reply_text(submitted)


async def uphold(world: World, flag_id: int, note: str) -> None:
    ix = await world.standin.slash(
        world.guild,
        world.channel,
        world.moderator,
        "flags",
        {"resolve": {"id": flag_id, "outcome": "upheld", "note": note}},
    )
    assert "upheld" in await reply_text(ix)


async def test_an_answer_carries_flag_as_disputed_and_the_flag_reaches_the_mod_log(
    world: World,
) -> None:
    async with running_bot(world):
        await set_modlog(world)
        answer = await public_answer(await ask(world, "Is the moon made of cheese?"))
        assert answer["embeds"][0]["title"] == "Is the moon made of cheese?"
        assert "fd:flag:moon-cheese" in button_ids(answer)
        assert label_of(answer, "fd:flag:moon-cheese") == strings.MOD_FLAG_BUTTON
        told = await flag_through_the_form(
            world, answer, world.member, "The 2026 samples say otherwise."
        )
        assert "#1 is recorded" in told
        (post,) = await modlog_posts(world, 1)
    assert post["embeds"][0]["title"] == "Flag #1"
    link = await rows(world, "SELECT message_id FROM flags")
    assert link == [(int(answer["id"]),)]


async def test_an_upheld_dispute_is_shown_first_on_every_answer_in_that_server(
    world: World,
) -> None:
    standin = world.standin
    async with running_bot(world):
        answer = await public_answer(await ask(world, "Is the moon made of cheese?"))
        assert strings.MOD_DISPUTED_NOTICE not in [f["name"] for f in answer["embeds"][0]["fields"]]
        await flag_through_the_form(world, answer, world.member, "The 2026 samples disagree.")
        await uphold(world, 1, "Source 1 was retracted")

        disputed = await public_answer(await ask(world, "moon made of cheese?"))
        (embed,) = disputed["embeds"]
        assert embed["fields"][0]["name"] == strings.MOD_DISPUTED_NOTICE
        assert "Source 1 was retracted" in embed["fields"][0]["value"]
        # The private answer carries it too, and so does one opened from a button.
        private = await standin.slash(
            world.guild,
            world.channel,
            world.member,
            "factcheck",
            {"question": "Is the moon made of cheese?", "private": True},
        )
        body = await private.response(within=10)
        assert body["data"]["embeds"][0]["fields"][0]["name"] == strings.MOD_DISPUTED_NOTICE
        target = standin.post_message(world.channel, world.member, "the moon is cheese, wake up")
        ix = await standin.message_command(
            world.guild, world.channel, world.moderator, strings.MOD_FLAG_MENU_NAME, target
        )
        await reply_text(ix)
        (card,) = [m for m in standin.channel_messages(world.channel) if m.get("embeds")][-1:]
        opened = await any_reply(await standin.click(card, "fd:open:moon-cheese", world.member))
    assert opened["embeds"][0]["fields"][0]["name"] == strings.MOD_DISPUTED_NOTICE


async def test_a_request_made_with_the_button_reaches_the_mod_log(world: World) -> None:
    question = "Do penguins have knees?"
    async with running_bot(world):
        await set_modlog(world)
        reply = await public_answer(await ask(world, question))
        assert reply["embeds"][0]["title"] == strings.NO_MATCH_TITLE
        (request_id,) = [i for i in button_ids(reply) if i.startswith("fd:rq:")]
        thanks = await world.standin.click(reply, request_id, world.member)
        assert await reply_text(thanks) == strings.REQUEST_RECEIVED
        (post,) = await modlog_posts(world, 1)
        # Another member's click on the same public reply joins the same request.
        other = world.standin.add_member(world.guild, "other")
        again = await world.standin.click(reply, request_id, other)
        assert await reply_text(again) == strings.REQUEST_RECEIVED
    assert post["embeds"][0]["title"] == "Request #1"
    assert question in post["embeds"][0]["description"]
    assert custom_ids(post) == ["fd:mod:close:1"]
    assert await rows(world, "SELECT question FROM requests") == [(question,)]
    assert await rows(world, "SELECT COUNT(*) FROM request_askers") == [(2,)]
    assert len(world.standin.channel_messages(world.modlog)) == 1


async def test_member_markdown_in_a_no_match_reply_is_shown_as_text(world: World) -> None:
    bait = "[Claim your free Nitro here](https://evil.example/login) # Heading ```"
    async with running_bot(world):
        reply = await public_answer(await ask(world, bait))
    description = reply["embeds"][0]["description"]
    assert "[Claim your free Nitro here](https://evil.example/login)" not in description
    assert "\\[Claim your free Nitro here\\](https://evil.example/login)" in description
    assert "\\`\\`\\`" in description


async def test_a_flag_form_opened_before_a_restart_submits_after_it(world: World) -> None:
    standin = world.standin
    async with running_bot(world):
        answer = await public_answer(await ask(world, "Is the moon made of cheese?"))
        ix = await standin.click(answer, "fd:flag:moon-cheese", world.member)
        modal = (await ix.response(within=10))["data"]
    async with running_bot(world):
        submitted = await standin.submit_modal(
            world.guild,
            world.channel,
            world.member,
            modal["custom_id"],
            {"reason": "Submitted after the bot restarted."},
        )
        assert "#1 is recorded" in await reply_text(submitted)
    assert await rows(world, "SELECT claim_id, reason FROM flags") == [
        ("moon-cheese", "Submitted after the bot restarted.")
    ]


async def test_a_plain_member_cannot_use_up_a_moderators_note_form(world: World) -> None:
    standin = world.standin
    async with running_bot(world):
        await set_modlog(world)
        answer = await public_answer(await ask(world, "Is the moon made of cheese?"))
        await flag_through_the_form(world, answer, world.member, "The samples disagree, see.")
        (post,) = await modlog_posts(world, 1)
        ix = await standin.click(post, "fd:mod:up:1", world.moderator)
        form = (await ix.response(within=10))["data"]["custom_id"]
        stolen = await standin.submit_modal(
            world.guild, world.channel, world.member, form, {"note": "not yours"}
        )
        assert "Manage Messages" in await reply_text(stolen)
        submitted = await standin.submit_modal(
            world.guild, world.channel, world.moderator, form, {"note": "Checked: retracted"}
        )
        assert "upheld" in await reply_text(submitted)
    assert await rows(world, "SELECT status, resolution_note FROM flags") == [
        ("upheld", "Checked: retracted")
    ]


def forged(world: World, custom_id: str) -> dict[str, Any]:
    """A message carrying a button with ``custom_id``, as a modified client could send it
    (the stand-in keeps no such message, so the click carries this one)."""
    message = world.standin.post_message(world.channel, world.member, "a message")
    button = {"type": 2, "style": 2, "label": "x", "custom_id": custom_id}
    return {
        **message,
        "id": str(int(message["id"]) + 1),
        "components": [{"type": 1, "components": [button]}],
    }


@pytest.mark.parametrize(
    "custom_id",
    [
        "fd:mod:up:99999999999999999999",
        "fd:rq:9223372036854775808",
        "fd:post:99999999999999999999:moon-cheese:0123456789ab",
        "fd:post:123:moon-cheese",
        "fd:rq:424242",
    ],
)
async def test_forged_or_stale_button_ids_get_a_polite_answer(world: World, custom_id: str) -> None:
    async with running_bot(world):
        ix = await world.standin.click(forged(world, custom_id), custom_id, world.moderator)
        text = await reply_text(ix)
    assert text in (strings.BUTTON_NOT_VALID, strings.REQUEST_ASK_AGAIN)


async def test_an_unparseable_button_id_is_ignored_without_a_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(world):
        bad = "fd:fu:moon-cheese:x"
        ix = await world.standin.click(forged(world, bad), bad, world.member)
        with pytest.raises(TimeoutError):
            await ix.response(within=1)
    assert not [r for r in caplog.records if r.exc_info]


async def post_in_channel_setup(world: World) -> tuple[dict[str, Any], str]:
    target = world.standin.post_message(world.channel, world.member, "the moon is made of cheese")
    ix = await world.standin.message_command(
        world.guild, world.channel, world.member, strings.MESSAGE_MENU_NAME, target
    )
    private = (await ix.response(within=10))["data"]
    message = await ix.wait_original(within=10)
    (post_id,) = [i for i in button_ids(message) if i.startswith("fd:post:")]
    assert private["flags"] & EPHEMERAL
    return message, post_id


async def test_post_in_channel_is_for_the_asker_with_send_messages_and_rate_limited(
    world: World,
) -> None:
    standin = world.standin
    muted = standin.add_member(world.guild, "muted", permissions=PLAIN_MEMBER & ~SEND_MESSAGES)
    async with running_bot(world):
        message, post_id = await post_in_channel_setup(world)
        before = len(standin.channel_messages(world.channel))
        # Another member pressing the asker's button (a forged click) posts nothing.
        ix = await standin.click(message, post_id, world.moderator)
        assert await reply_text(ix) == strings.POST_NOT_YOURS
        ix = await standin.click(message, post_id, world.member)
        assert (await ix.response(within=10))["data"]["content"] == strings.POSTED_IN_CHANNEL
        await eventually(
            lambda: len(standin.channel_messages(world.channel)) == before + 1, "one public post"
        )
        # At once again: refused, with the wait.
        message, post_id = await post_in_channel_setup(world)
        ix = await standin.click(message, post_id, world.member)
        assert "please wait" in await reply_text(ix)

        target = standin.post_message(world.channel, world.member, "the moon is made of cheese")
        ix = await standin.message_command(
            world.guild, world.channel, muted, strings.MESSAGE_MENU_NAME, target
        )
        await ix.response(within=10)
        muted_message = await ix.wait_original(within=10)
        (muted_post,) = [i for i in button_ids(muted_message) if i.startswith("fd:post:")]
        ix = await standin.click(muted_message, muted_post, muted)
        assert await reply_text(ix) == strings.POST_NEEDS_SEND_MESSAGES
    public = [m for m in standin.channel_messages(world.channel) if m.get("embeds")]
    assert len(public) == 1


async def test_another_servers_channel_is_refused_for_the_mod_log(world: World) -> None:
    standin = world.standin
    elsewhere = standin.add_guild("Elsewhere")
    foreign = standin.add_channel(elsewhere, "foreign")
    async with running_bot(world):
        ix = await standin.slash(
            world.guild,
            world.channel,
            world.manager,
            "settings",
            {"modlog": {"channel": foreign.id}},
        )
        assert await reply_text(ix) == strings.SETTINGS_CHANNEL_ELSEWHERE
    assert await rows(world, "SELECT modlog_channel_id FROM guild_settings") == []


@asynccontextmanager
async def write_lock_held(world: World) -> AsyncIterator[None]:
    """Another connection holds what blocks the bot's writes until the block ends: on
    SQLite the database's write lock (``BEGIN IMMEDIATE``, as a backup or a sqlite3 shell
    does), on PostgreSQL an exclusive lock on the tables a flag and a request write (reads
    still pass, as on SQLite)."""
    if isinstance(world.database, str):
        import asyncpg

        conn = await asyncpg.connect(world.database)
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute(
                "LOCK TABLE flags, requests, request_askers, audit_log, modlog_outbox"
                " IN EXCLUSIVE MODE"
            )
            yield
        finally:
            await transaction.rollback()  # the lock goes with the transaction
            await conn.close()
        return

    locked = threading.Event()
    release = threading.Event()

    def hold_the_lock() -> None:
        conn = sqlite3.connect(world.database, timeout=10)
        conn.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(10)
        conn.rollback()
        conn.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    await asyncio.to_thread(locked.wait, 10)
    try:
        yield
    finally:
        release.set()
        await asyncio.to_thread(holder.join, 10)


async def test_a_held_write_lock_never_makes_a_member_miss_the_deadline(world: World) -> None:
    """Another connection holds the lock the bot's writes need (a backup, a sqlite3 shell,
    a long PostgreSQL transaction) for 2.5 s: every interaction is still answered or
    deferred in time, and the writes land after."""
    standin = world.standin
    async with running_bot(world):
        await set_modlog(world)
        answer = await public_answer(await ask(world, "Is the moon made of cheese?"))
        ix = await standin.click(answer, "fd:flag:moon-cheese", world.member)
        form = (await ix.response(within=10))["data"]["custom_id"]

        async with write_lock_held(world):
            flag = await standin.submit_modal(
                world.guild,
                world.channel,
                world.member,
                form,
                {"reason": "Held lock, still heard."},
            )
            request = await standin.slash(
                world.guild, world.channel, world.member, "request", {"question": "Are owls real?"}
            )
            listing = await standin.slash(
                world.guild, world.channel, world.moderator, "flags", {"list": {}}
            )
            first = [await i.response(within=10) for i in (flag, request, listing)]
            latencies = [i.latency for i in (flag, request, listing)]
            await asyncio.sleep(2.5)
        assert all(body["type"] in (4, DEFERRED) for body in first)
        assert all(latency is not None and latency < 3.0 for latency in latencies), latencies
        assert "is recorded" in await reply_text(flag)
        assert "request #1" in await reply_text(request)
        shown = await any_reply(listing)
        assert shown["embeds"][0]["title"] == strings.MOD_FLAGS_LIST_TITLE.format(
            status=strings.MOD_STATUS["open"]
        )
    assert await rows(world, "SELECT reason FROM flags") == [("Held lock, still heard.",)]
    assert await rows(world, "SELECT question FROM requests") == [("Are owls real?",)]


async def test_a_sighup_queued_during_start_up_reloads_the_corpus_once_ready(
    world: World,
) -> None:
    import io
    import json

    from bot import hangup
    from bot.logs import configure_logging, reset_logging

    stream = io.StringIO()
    configure_logging(log_format="json", level="INFO", stream=stream)
    try:
        hangup._on_sighup()  # what the runner's early handler does when SIGHUP arrives
        async with running_bot(world):
            await eventually(lambda: '"corpus reloaded"' in stream.getvalue(), "the reload")
            assert hangup.take_pending() is False  # consumed by the admin cog
    finally:
        reset_logging()
    events = [
        json.loads(line)["event"] for line in stream.getvalue().splitlines() if line[:1] == "{"
    ]
    assert events.count("SIGHUP: reloading the corpus") == 1


async def test_a_post_lost_to_a_crash_is_made_at_the_next_start_and_never_twice(
    world: World,
) -> None:
    """The flag and request are committed but their mod-log posts never go out (here: the
    mod-log refuses them, as when the bot dies between commit and post). The next start
    posts them; a start after a crash between sending and recording posts nothing again."""
    standin = world.standin
    async with running_bot(world):
        await set_modlog(world)
        standin.set_bot_permissions(world.modlog, allowed=False)
        answer = await public_answer(await ask(world, "Is the moon made of cheese?"))
        await flag_through_the_form(world, answer, world.member, "The samples say otherwise.")
        ix = await standin.slash(
            world.guild, world.channel, world.member, "request", {"question": "Are owls real?"}
        )
        assert "request #1" in await reply_text(ix)
    assert standin.channel_messages(world.modlog) == []
    standin.set_bot_permissions(world.modlog, allowed=True)

    async with running_bot(world):
        posts = await modlog_posts(world, 2)
        # Posting comes before recording it: wait for both before stopping the bot.
        await eventually(lambda: nothing_owed(world), "the owed posts are recorded as made")
    assert sorted(p["embeds"][0]["title"] for p in posts) == ["Flag #1", "Request #1"]

    # As if the bot had died after sending and before recording it.
    await execute(world, "UPDATE modlog_outbox SET posted_at = NULL, message_id = NULL")
    async with running_bot(world):
        await eventually(lambda: nothing_owed(world), "the owed posts are settled")
    assert len(standin.channel_messages(world.modlog)) == 2


async def test_a_lone_surrogate_in_a_question_is_stored_and_shown_not_a_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    standin = world.standin
    broken = "Are owls \ud800 real?"
    async with running_bot(world):
        await set_modlog(world)
        ix = await standin.slash(
            world.guild, world.channel, world.member, "request", {"question": broken}
        )
        assert "request #1" in await reply_text(ix)
        ix = await ask(world, "Do penguins \ud800 have knees?")
        reply = await public_answer(ix)
        assert reply["embeds"][0]["title"] == strings.NO_MATCH_TITLE
        assert "Do penguins \ufffd have knees?" in reply["embeds"][0]["description"]
        (post,) = await modlog_posts(world, 1)
    assert "Are owls \ufffd real?" in post["embeds"][0]["description"]
    assert await rows(world, "SELECT question FROM requests") == [("Are owls \ufffd real?",)]
    asked = await rows(world, "SELECT question FROM asked_questions")
    assert asked == [("Do penguins \ufffd have knees?",)]
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_request_from_a_dm_says_requests_are_per_server_and_stores_nothing(
    world: World,
) -> None:
    async with running_bot(world):
        reply = await public_answer(await ask(world, "Do penguins have knees?"))
        (request_id,) = [i for i in button_ids(reply) if i.startswith("fd:rq:")]
        ix = await world.standin.click(reply, request_id, world.member, in_dm=True)
        assert await reply_text(ix) == strings.REQUEST_IN_SERVER_ONLY
    assert await rows(world, "SELECT COUNT(*) FROM requests") == [(0,)]


async def nothing_owed(world: World) -> bool:
    """Every mod-log post the bot owes is made and recorded."""
    owed = await rows(world, "SELECT COUNT(*) FROM modlog_outbox WHERE posted_at IS NULL")
    return owed == [(0,)]


async def test_a_channel_post_whose_response_was_lost_is_not_posted_twice(world: World) -> None:
    """Discord made the post but its response was lost (a 500), so discord.py sends it
    again; the message nonce makes the retry return the first message (the stand-in honours
    enforce_nonce as Discord does). One mod-log post per flag, one card in the channel."""
    standin = world.standin
    route = "/channels/{channel_id}/messages"
    async with running_bot(world):
        await set_modlog(world)
        answer = await public_answer(await ask(world, "Is the moon made of cheese?"))
        standin.inject("POST", route, status=500, lost=True)
        await flag_through_the_form(world, answer, world.member, "The samples say otherwise.")
        await eventually(lambda: nothing_owed(world), "the flag's post is recorded")

        target = standin.post_message(world.channel, world.member, "the moon is cheese, wake up")
        before = len(standin.channel_messages(world.channel))
        standin.inject("POST", route, status=500, lost=True)
        ix = await standin.message_command(
            world.guild, world.channel, world.moderator, strings.MOD_FLAG_MENU_NAME, target
        )
        await reply_text(ix)
        await eventually(lambda: nothing_owed(world), "the second flag's post is recorded")
        posts = standin.channel_messages(world.modlog)
        cards = standin.channel_messages(world.channel)[before:]
    sent = [r for r in standin.requests if r.method == "POST" and r.route == route]
    assert sum(r.status == 500 for r in sent) == 2  # each lost once, then sent again
    assert sorted(p["embeds"][0]["title"] for p in posts) == ["Flag #1", "Flag #2"]
    assert len(cards) == 1


async def test_a_restart_that_cannot_read_the_mod_log_still_posts_an_owed_post_once(
    world: World,
) -> None:
    """The bot died after sending a flag's mod-log post and before recording it, and at
    the next start it cannot read the mod-log's history (no Read Message History, here a
    403), so it cannot see the post went out. It sends again with the same nonce the
    first send carried, and Discord returns the first message: the moderators see one."""
    standin = world.standin
    async with running_bot(world):
        await set_modlog(world)
        answer = await public_answer(await ask(world, "Is the moon made of cheese?"))
        await flag_through_the_form(world, answer, world.member, "The samples say otherwise.")
        await eventually(lambda: nothing_owed(world), "the flag's post is recorded")
    (first,) = standin.channel_messages(world.modlog)

    await execute(world, "UPDATE modlog_outbox SET posted_at = NULL, message_id = NULL")
    standin.inject("GET", "/channels/{channel_id}/messages", status=403, times=10)
    async with running_bot(world):
        await eventually(lambda: nothing_owed(world), "the owed post is settled")
    assert standin.channel_messages(world.modlog) == [first]
    assert await rows(world, "SELECT message_id FROM modlog_outbox") == [(int(first["id"]),)]
