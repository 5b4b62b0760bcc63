"""The mod-log outbox (0004): a post owed is written with the flag or request, durably.

Every test runs on SQLite and on PostgreSQL (``store_target``, tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

from bot.store.database import Database
from bot.store.rows import NewFlag

GUILD, MEMBER, MODERATOR, CHANNEL = 10, 1001, 2002, 555


def flag(member: int = MEMBER) -> NewFlag:
    return NewFlag(GUILD, "answer", "moon-cheese", member, reason="wrong", message_id=7)


async def test_a_flag_never_posted_is_still_owed_after_reopening(store_target: Path | str) -> None:
    path = store_target
    db = await Database.open(path)
    await db.set_modlog_channel(GUILD, CHANNEL, actor_id=MODERATOR)
    added = await db.add_flag(flag())
    assert added.flag is not None
    await db.close()  # the "crash": committed, never posted

    db = await Database.open(path)
    try:
        pending = await db.pending_modlog_posts()
        assert [(p.guild_id, p.kind, p.ref_id, p.attempts) for p in pending] == [
            (GUILD, "flag", added.flag.id, 0)
        ]
        assert await db.mark_modlog_posted(pending[0].id, 9999)
        assert await db.pending_modlog_posts() == []
        posted = await db.flag(GUILD, added.flag.id)
        assert posted is not None
        assert posted.modlog_message_id == 9999
        assert not await db.mark_modlog_posted(pending[0].id, 1), "posted once only"
    finally:
        await db.close()


async def test_a_new_request_is_owed_once_and_a_merged_ask_owes_nothing(
    store_target: Path | str,
) -> None:
    db = await Database.open(store_target)
    try:
        await db.set_modlog_channel(GUILD, CHANNEL, actor_id=MODERATOR)
        first = await db.add_request(GUILD, "Is the moon cheese?", user_id=1, source="command")
        merged = await db.add_request(GUILD, "is the moon cheese", user_id=2, source="button")
        assert not merged.created
        pending = await db.pending_modlog_posts()
        assert [(p.kind, p.ref_id) for p in pending] == [("request", first.request.id)]
    finally:
        await db.close()


async def test_the_old_setters_mark_the_post_made(store_target: Path | str) -> None:
    db = await Database.open(store_target)
    try:
        await db.set_modlog_channel(GUILD, CHANNEL, actor_id=MODERATOR)
        added = await db.add_flag(flag())
        request = await db.add_request(GUILD, "Are owls real?", user_id=1, source="command")
        assert added.flag is not None
        await db.set_flag_modlog_message(added.flag.id, 11)
        await db.set_request_modlog_message(request.request.id, 12)
        assert await db.pending_modlog_posts() == []
        stored = await db.request(GUILD, request.request.id)
        assert stored is not None
        assert stored.modlog_message_id == 12
    finally:
        await db.close()


async def test_failures_count_attempts_and_can_be_left_out(store_target: Path | str) -> None:
    db = await Database.open(store_target)
    try:
        await db.set_modlog_channel(GUILD, CHANNEL, actor_id=MODERATOR)
        await db.add_flag(flag())
        (owed,) = await db.pending_modlog_posts()
        assert await db.mark_modlog_failed(owed.id) == 1
        assert await db.mark_modlog_failed(owed.id) == 2
        assert [p.attempts for p in await db.pending_modlog_posts()] == [2]
        assert await db.pending_modlog_posts(max_attempts=2) == []
        assert await db.mark_modlog_failed(12345) == 0
    finally:
        await db.close()


async def test_without_a_modlog_channel_nothing_is_owed_and_a_refusal_owes_nothing(
    store_target: Path | str,
) -> None:
    db = await Database.open(store_target)
    try:
        await db.add_flag(flag())
        assert await db.pending_modlog_posts() == []
        await db.set_modlog_channel(GUILD, CHANNEL, actor_id=MODERATOR)
        duplicate = await db.add_flag(flag())
        assert duplicate.refused == "duplicate"
        assert await db.pending_modlog_posts() == []
    finally:
        await db.close()
