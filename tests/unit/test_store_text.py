"""Lone surrogates in member text are stored as U+FFFD on every write path, never a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.database import Database, clean_text
from bot.store.rows import NewFlag

GUILD, MEMBER, MODERATOR = 10, 1001, 2002
BAD = "moon \ud800 cheese \udfff"
CLEAN = "moon \ufffd cheese \ufffd"


@pytest.fixture
async def database(store_target: Path | str) -> AsyncIterator[Database]:
    """A new database, once on SQLite and once on PostgreSQL (tests/conftest.py)."""
    db = await Database.open(store_target)
    yield db
    await db.close()


def test_clean_text_replaces_only_what_utf8_cannot_encode() -> None:
    assert clean_text(BAD) == CLEAN
    assert clean_text("déjà vu 🙂") == "déjà vu 🙂"


async def test_a_request_with_a_lone_surrogate_is_stored(database: Database) -> None:
    added = await database.add_request(GUILD, BAD, user_id=MEMBER, source="command")
    assert added.request.question == CLEAN


async def test_a_flag_with_lone_surrogates_in_every_text_field_is_stored(
    database: Database,
) -> None:
    added = await database.add_flag(
        NewFlag(GUILD, "message", BAD, MEMBER, reason=BAD, message_text=BAD, message_link=BAD)
    )
    assert added.flag is not None
    assert (added.flag.claim_id, added.flag.reason, added.flag.message_text) == (CLEAN,) * 3


async def test_a_question_with_a_lone_surrogate_is_recorded(database: Database) -> None:
    row_id = await database.record_question(
        guild_id=GUILD, channel_id=1, user_id=MEMBER, question=BAD, claim_id=None, score=None
    )
    asked = await database.asked_question(row_id)
    assert asked is not None
    assert asked.question == CLEAN


async def test_moderator_notes_with_lone_surrogates_are_stored(database: Database) -> None:
    added = await database.add_flag(NewFlag(GUILD, "answer", "moon", MEMBER))
    assert added.flag is not None
    resolved = await database.resolve_flag(GUILD, added.flag.id, "upheld", BAD, actor_id=MODERATOR)
    assert resolved is not None
    assert resolved.resolution_note == CLEAN
    dispute = await database.active_dispute(GUILD, "moon")
    assert dispute is not None
    assert dispute.note == CLEAN
    assert await database.clear_dispute(GUILD, "moon", BAD, actor_id=MODERATOR)
    request = await database.add_request(GUILD, "Are owls real?", user_id=MEMBER, source="command")
    closed = await database.close_request(GUILD, request.request.id, BAD, actor_id=MODERATOR)
    assert closed is not None
    assert closed.close_note == CLEAN
    await database.record_action(GUILD, MEMBER, "refused", "command", BAD, BAD)
    (entry,) = await database.history(GUILD, "command", CLEAN)
    assert entry.note == CLEAN
    assert await database.answer_request(request.request.id, BAD, actor_id=MODERATOR) is False


async def test_a_read_with_a_lone_surrogate_finds_the_cleaned_row(database: Database) -> None:
    await database.add_flag(NewFlag(GUILD, "answer", BAD, MEMBER))
    assert await database.has_open_flag(GUILD, BAD, MEMBER)
