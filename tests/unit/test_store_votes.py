"""Helpfulness votes (0005): one per member per fact-check per server, the last one counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store.database import Database
from bot.store.rows import VoteTally

GUILD, OTHER_GUILD, ALICE, BOB = 10, 11, 1001, 1002
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(store_target)
    try:
        yield database
    finally:
        await database.close()


async def test_the_last_vote_counts_and_survives_reopening(store_target: Path | str) -> None:
    path = store_target
    db = await Database.open(path)
    first = await db.cast_vote(GUILD, "moon", ALICE, True, now=T0)
    assert first.previous is None
    assert first.tally == VoteTally("moon", 1, 0)
    changed = await db.cast_vote(GUILD, "moon", ALICE, False, now=T0 + timedelta(minutes=1))
    assert changed.previous is True
    assert changed.tally == VoteTally("moon", 0, 1)
    await db.close()

    db = await Database.open(path)
    try:
        assert await db.vote_tally(GUILD, "moon") == VoteTally("moon", 0, 1)
        again = await db.cast_vote(GUILD, "moon", ALICE, False)
        assert again.previous is False
        assert again.tally.total == 1
    finally:
        await db.close()


async def test_votes_are_per_server_and_per_fact_check(db: Database) -> None:
    await db.cast_vote(GUILD, "moon", ALICE, True)
    await db.cast_vote(GUILD, "moon", BOB, False)
    await db.cast_vote(GUILD, "tides", ALICE, False)
    await db.cast_vote(OTHER_GUILD, "moon", ALICE, False)
    assert await db.vote_tallies(GUILD) == [VoteTally("moon", 1, 1), VoteTally("tides", 0, 1)]
    assert await db.vote_tallies(OTHER_GUILD) == [VoteTally("moon", 0, 1)]
    assert await db.vote_tally(GUILD, "nothing") == VoteTally("nothing", 0, 0)


async def test_a_reason_belongs_to_a_not_helpful_vote_only(db: Database) -> None:
    assert not await db.set_vote_reason(GUILD, "moon", ALICE, "no vote yet")
    await db.cast_vote(GUILD, "moon", ALICE, False)
    assert await db.set_vote_reason(GUILD, "moon", ALICE, "a source is dead \ud800")
    assert await db.vote_reasons(GUILD, "moon") == ["a source is dead \ufffd"]
    await db.cast_vote(GUILD, "moon", ALICE, False)
    assert await db.vote_reasons(GUILD, "moon") == ["a source is dead \ufffd"], "kept on re-vote"
    await db.cast_vote(GUILD, "moon", ALICE, True)
    assert await db.vote_reasons(GUILD, "moon") == [], "dropped when the vote turns helpful"
    assert not await db.set_vote_reason(GUILD, "moon", ALICE, "too late")


async def test_tallies_of_a_period_count_votes_last_cast_in_it(db: Database) -> None:
    await db.cast_vote(GUILD, "moon", ALICE, False, now=T0 - timedelta(days=2))
    await db.cast_vote(GUILD, "moon", BOB, False, now=T0 + timedelta(hours=1))
    await db.cast_vote(GUILD, "tides", BOB, True, now=T0 + timedelta(days=2))
    window = await db.vote_tallies(GUILD, since=T0, until=T0 + timedelta(days=1))
    assert window == [VoteTally("moon", 0, 1)]


async def test_most_asked_claims_count_answered_questions_of_the_server(db: Database) -> None:
    for claim, times in (("moon", 3), ("tides", 1), (None, 5)):
        for _ in range(times):
            await db.record_question(
                guild_id=GUILD, channel_id=1, user_id=ALICE, question="q", claim_id=claim, score=1.0
            )
    await db.record_question(
        guild_id=OTHER_GUILD, channel_id=1, user_id=ALICE, question="q", claim_id="tides", score=1
    )
    asked = await db.most_asked_claims(GUILD)
    assert [(a.claim_id, a.asked) for a in asked] == [("moon", 3), ("tides", 1)]
