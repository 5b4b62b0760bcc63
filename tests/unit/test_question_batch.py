"""Answered questions' statistics are written in batches (bot/store/questions.py).

What a member was told never waits on them, but nothing queued may be lost on a clean
close, a member's purge must reach queued rows, and a durable write carries the queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store import questions
from bot.store.database import Database

WHEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GUILD = 11


@pytest.fixture
async def database(store_target: Path | str) -> AsyncIterator[Database]:
    db = await Database.open(store_target, question_retention_days=0)
    try:
        yield db
    finally:
        await db.close()


async def stored(target: Path | str) -> list[tuple[int, str]]:
    """(user_id, question) of every committed row, read through another connection."""
    other = await Database.open(target, question_retention_days=0)
    try:
        found = await other.asked_questions(GUILD, WHEN - timedelta(days=1), WHEN + timedelta(1))
    finally:
        await other.close()
    return [(q.user_id, q.question) for q in found]


def queue(database: Database, user_id: int, text: str) -> None:
    database.queue_question(
        guild_id=GUILD,
        channel_id=2,
        user_id=user_id,
        question=text,
        claim_id="moon-cheese",
        score=0.9,
        asked_at=WHEN,
    )


async def test_a_clean_close_writes_every_queued_question(store_target: Path | str) -> None:
    database = await Database.open(store_target, question_retention_days=0)
    for n in range(5):
        queue(database, 100 + n, f"question {n}")
    assert await stored(store_target) == []  # queued, not yet written
    await database.close()
    assert await stored(store_target) == [(100 + n, f"question {n}") for n in range(5)]


async def test_queued_questions_are_written_within_the_flush_interval(
    database: Database, store_target: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(questions, "QUESTION_FLUSH_SECONDS", 0.01)
    queue(database, 1, "is the moon cheese?")
    for _ in range(500):
        if await stored(store_target):
            break
        await asyncio.sleep(0.01)
    assert await stored(store_target) == [(1, "is the moon cheese?")]


async def test_a_full_batch_is_written_at_once(
    database: Database, store_target: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(questions, "QUESTION_FLUSH_SECONDS", 3600.0)
    monkeypatch.setattr(questions, "QUESTION_FLUSH_ROWS", 3)
    for n in range(3):
        queue(database, n, f"q{n}")
    for _ in range(500):
        if len(await stored(store_target)) >= 3:
            break
        await asyncio.sleep(0.01)
    # A full batch is written without waiting for the timer (an hour here); the next row
    # waits for the timer or the close.
    assert [user for user, _ in await stored(store_target)] == [0, 1, 2]
    queue(database, 3, "q3")
    await asyncio.sleep(0)
    assert len(await stored(store_target)) == 3
    assert await database.flush_questions() == 1
    assert len(await stored(store_target)) == 4


async def test_a_durable_record_commits_the_queue_with_it(
    database: Database, store_target: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(questions, "QUESTION_FLUSH_SECONDS", 3600.0)
    queue(database, 1, "answered first")
    row_id = await database.record_question(
        guild_id=GUILD,
        channel_id=2,
        user_id=2,
        question="nothing matched",
        claim_id=None,
        score=None,
        asked_at=WHEN,
    )
    assert await stored(store_target) == [(1, "answered first"), (2, "nothing matched")]
    asked = await database.asked_question(row_id)
    assert asked is not None
    assert asked.question == "nothing matched"


async def test_a_purge_deletes_the_members_queued_questions(
    database: Database, store_target: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(questions, "QUESTION_FLUSH_SECONDS", 3600.0)
    queue(database, 7, "mine")
    queue(database, 8, "theirs")
    done = await database.purge_user(7)
    assert done["asked questions deleted"] == 1
    await database.close()
    assert await stored(store_target) == [(8, "theirs")]


async def test_a_failed_write_keeps_the_rows_for_the_next(
    database: Database, store_target: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(questions, "QUESTION_FLUSH_SECONDS", 3600.0)
    queue(database, 1, "kept")
    real = questions._insert
    calls: list[int] = []

    async def failing_once(conn: Any, rows: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 1:
            raise RuntimeError("disk full")
        await real(conn, rows)

    monkeypatch.setattr(questions, "_insert", failing_once)
    with pytest.raises(RuntimeError):
        await database.flush_questions()
    assert await stored(store_target) == []
    assert await database.flush_questions() == 1
    assert await stored(store_target) == [(1, "kept")]


async def test_readers_of_the_statistics_see_the_queued_questions_at_once(
    database: Database,
) -> None:
    # A digest preview or /stats right after an answer must count it (it was one second late).
    from bot.store.digest import DigestStore

    since, until = WHEN - timedelta(days=1), WHEN + timedelta(days=1)
    queue(database, 100, "is the moon cheese")
    activity = await DigestStore(database).activity(GUILD, since, until, top_requests=3)
    assert [q.question for q in activity.asked] == ["is the moon cheese"]
    queue(database, 101, "moon cheese?")
    assert [c.asked for c in await database.most_asked_claims(GUILD)] == [2]
    queue(database, 102, "cheese moon")
    assert len(await database.asked_questions(GUILD, since, until)) == 3
