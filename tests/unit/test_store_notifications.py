"""Telling requesters (0005): owed with the answer, claimed before the send, exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.notify import ServerRateLimit, nonce
from bot.store.database import Database

GUILD, OTHER_GUILD, ALICE, BOB, CAROL, MANAGER = 10, 11, 1001, 1002, 1003, 2002
GENERAL, SECOND = 501, 502


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(store_target)
    try:
        yield database
    finally:
        await database.close()


async def ask(db: Database, user: int, channel: int, *, notify: bool = True) -> int:
    added = await db.add_request(
        GUILD,
        "Is the moon made of cheese?",
        user_id=user,
        source="command",
        channel_id=channel,
        notify=notify,
    )
    return added.request.id


async def test_answering_a_request_owes_one_notice_per_asker_who_wants_one(db: Database) -> None:
    request_id = await ask(db, ALICE, GENERAL)
    assert await ask(db, BOB, SECOND) == request_id, "merged near-duplicate"
    await ask(db, CAROL, GENERAL, notify=False)
    assert await db.answer_request(request_id, "moon-cheese", actor_id=0)
    owed = await db.notifications("pending")
    assert [(n.user_id, n.channel_id, n.mode, n.claim_id) for n in owed] == [
        (ALICE, GENERAL, "channel", "moon-cheese"),
        (BOB, SECOND, "channel", "moon-cheese"),
    ]
    assert not await db.answer_request(request_id, "moon-cheese", actor_id=0), "once"
    assert len(await db.notifications("pending")) == 2


async def test_the_servers_mode_decides_dm_or_nothing(db: Database) -> None:
    await db.set_notify_mode(GUILD, "dm", actor_id=MANAGER)
    assert await db.notify_mode(GUILD) == "dm"
    assert await db.notify_mode(OTHER_GUILD) == "channel"
    first = await ask(db, ALICE, GENERAL)
    await db.answer_request(first, "moon-cheese", actor_id=0)
    assert [n.mode for n in await db.notifications("pending")] == ["dm"]

    await db.set_notify_mode(GUILD, "off", actor_id=MANAGER)
    second = await ask(db, BOB, GENERAL)
    await db.answer_request(second, "moon-cheese", actor_id=0)
    assert [n.request_id for n in await db.notifications("pending")] == [first]


async def test_a_notice_is_claimed_once_and_finished_once(db: Database) -> None:
    request_id = await ask(db, ALICE, GENERAL)
    await db.answer_request(request_id, "moon-cheese", actor_id=0)
    (owed,) = await db.notifications("pending")
    assert await db.claim_notification(owed.id)
    assert not await db.claim_notification(owed.id), "a second pass does not get it"
    (sending,) = await db.notifications("sending")
    assert sending.attempts == 1
    assert sending.claimed_at is not None
    assert await db.release_notification(owed.id, note="not sent")
    assert await db.claim_notification(owed.id)
    assert await db.finish_notification(owed.id, "sent", message_id=777)
    assert not await db.finish_notification(owed.id, "failed"), "finished already"
    done = await db.notification(owed.id)
    assert done is not None
    assert (done.status, done.message_id, done.attempts) == ("sent", 777, 2)
    assert await db.notifications("pending") == []
    assert await db.notifications("sending") == []


async def test_purging_a_member_removes_their_votes_and_notices(db: Database) -> None:
    request_id = await ask(db, ALICE, GENERAL)
    await db.answer_request(request_id, "moon-cheese", actor_id=0)
    await db.cast_vote(GUILD, "moon-cheese", ALICE, False)
    await db.cast_vote(GUILD, "moon-cheese", BOB, True)
    done = await db.purge_user(ALICE)
    assert done["helpfulness votes deleted"] == 1
    assert done["notifications deleted"] == 1
    assert (await db.vote_tally(GUILD, "moon-cheese")).helpful == 1


def test_the_rate_limit_holds_a_server_back_without_touching_the_others() -> None:
    limiter = ServerRateLimit(per_period=2, period=60.0)
    assert limiter.wait(GUILD, 0.0) == 0.0
    limiter.take(GUILD, 0.0)
    limiter.take(GUILD, 10.0)
    assert limiter.wait(GUILD, 20.0) == pytest.approx(40.0)
    assert limiter.wait(OTHER_GUILD, 20.0) == 0.0
    assert limiter.wait(GUILD, 60.0) == 0.0, "the first send left the window"
    limiter.take(GUILD, 60.0)
    assert limiter.wait(GUILD, 61.0) == pytest.approx(9.0)


def test_nonces_are_distinct_and_fit_discords_25_characters() -> None:
    made = {nonce(i) for i in range(1000)}
    assert len(made) == 1000
    assert all(len(n) <= 25 for n in made)
