"""The moderation store on both back-ends (a SQLite file, a real PostgreSQL server).

Flags, disputes, requests, settings, audit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store.database import Database, DatabaseUnusable, StoreError
from bot.store.rows import NewFlag

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 10, 20
MEMBER, MODERATOR = 1001, 2002
INJECTION = "'); DROP TABLE flags;--"


@pytest.fixture
async def database(store_target: Path | str) -> AsyncIterator[Database]:
    """A new database, once on SQLite and once on PostgreSQL (tests/conftest.py)."""
    db = await Database.open(store_target)
    yield db
    await db.close()


def answer_flag(
    claim_id: str = "moon-cheese",
    member: int = MEMBER,
    *,
    guild_id: int = GUILD,
    reason: str = "The sources say otherwise.",
    message_id: int = 77,
) -> NewFlag:
    return NewFlag(
        guild_id=guild_id,
        kind="answer",
        claim_id=claim_id,
        flagger_id=member,
        reason=reason,
        channel_id=5,
        message_id=message_id,
        message_link=f"https://discord.com/channels/{guild_id}/5/{message_id}",
    )


async def test_open_sets_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "state" / "factdesk.db")
    try:
        assert await database.pragma("journal_mode") == "wal"
        assert await database.pragma("foreign_keys") == 1
        assert await database.pragma("busy_timeout") == 5000
        assert database.path is not None
        assert database.path.parent.name == "state"
    finally:
        await database.close()


@pytest.mark.postgres
async def test_postgres_is_a_server_not_a_file_and_hides_its_password(
    postgres_server: Any,
) -> None:
    url = await postgres_server.new_database()
    database = await Database.open(url)
    try:
        assert database.path is None
        assert database.backend.name == "postgresql"
        with pytest.raises(StoreError, match="PostgreSQL"):
            await database.pragma("journal_mode")
    finally:
        await database.close()
    wrong = "postgresql://factdesk:s3cret@127.0.0.1:1/nowhere"
    with pytest.raises(DatabaseUnusable) as refused:
        await Database.open(wrong)
    message = str(refused.value)
    assert "s3cret" not in message
    assert "cannot connect to PostgreSQL" in message
    assert "\n" not in message


async def test_injection_reason_is_stored_verbatim(database: Database) -> None:
    added = await database.add_flag(answer_flag(reason=INJECTION), now=NOW)
    assert added.flag is not None
    stored = await database.flag(GUILD, added.flag.id)
    assert stored is not None
    assert stored.reason == INJECTION
    # The table is still there and still answers.
    assert await database.count_flags(GUILD) == 1
    request = await database.add_request(GUILD, INJECTION, user_id=MEMBER, source="command")
    assert (await database.requests(GUILD))[0].question == INJECTION
    assert request.created


async def test_odd_text_round_trips_unchanged(database: Database) -> None:
    odd = "zero\u200bwidth \u202eRTL\u202c **bold** <@123456789012345678> @everyone " + "x" * 500
    added = await database.add_flag(answer_flag(reason=odd), now=NOW)
    assert added.flag is not None
    assert added.flag.reason == odd


async def test_one_open_flag_per_member_per_claim_per_server(database: Database) -> None:
    first = await database.add_flag(answer_flag(), now=NOW)
    assert first.flag is not None
    assert first.refused is None
    again = await database.add_flag(answer_flag(message_id=78), now=NOW)
    assert again.flag is None
    assert again.refused == "duplicate"
    # Another claim, another member, another server: all allowed.
    assert (await database.add_flag(answer_flag("other-claim"), now=NOW)).flag is not None
    assert (await database.add_flag(answer_flag(member=MEMBER + 1), now=NOW)).flag is not None
    assert (await database.add_flag(answer_flag(guild_id=OTHER_GUILD), now=NOW)).flag is not None
    # Once resolved, the member may flag the claim again.
    await database.resolve_flag(GUILD, first.flag.id, "dismissed", "fine", actor_id=MODERATOR)
    assert (await database.add_flag(answer_flag(), now=NOW)).flag is not None


async def test_message_flags_are_unique_per_message_not_per_claim(database: Database) -> None:
    def message_flag(message_id: int) -> NewFlag:
        return NewFlag(GUILD, "message", "moon-cheese", MODERATOR, message_id=message_id)

    assert (await database.add_flag(message_flag(1), now=NOW)).flag is not None
    assert (await database.add_flag(message_flag(2), now=NOW)).flag is not None
    assert (await database.add_flag(message_flag(2), now=NOW)).refused == "duplicate"


async def test_cooldown_refuses_with_seconds_to_wait(database: Database) -> None:
    cooldown = timedelta(seconds=60)
    assert (await database.add_flag(answer_flag("a"), cooldown=cooldown, now=NOW)).flag
    soon = await database.add_flag(
        answer_flag("b"), cooldown=cooldown, now=NOW + timedelta(seconds=20)
    )
    assert soon.flag is None
    assert soon.refused == "cooldown"
    assert soon.retry_after_seconds == 40
    later = await database.add_flag(
        answer_flag("b"), cooldown=cooldown, now=NOW + timedelta(seconds=61)
    )
    assert later.flag is not None


async def test_hundred_concurrent_flags_lose_none_and_duplicate_none(
    store_target: Path | str,
) -> None:
    # Four connections to one database, like several bot processes: locking is the
    # back-end's job (SQLite's file lock; PostgreSQL's advisory write lock).
    databases = [await Database.open(store_target) for _ in range(4)]
    try:
        # 50 members each press the button twice at once: 50 flags, 50 polite refusals.
        flags = [answer_flag(member=member) for member in range(50) for _ in range(2)]
        results = await asyncio.gather(
            *(databases[i % 4].add_flag(flag) for i, flag in enumerate(flags))
        )
        stored = [r.flag for r in results if r.flag is not None]
        assert len(stored) == 50
        assert sorted(r.refused for r in results if r.flag is None) == ["duplicate"] * 50
        assert {f.flagger_id for f in stored} == set(range(50))
        listed = await databases[0].flags(GUILD, "open", limit=1000)
        assert sorted(f.id for f in listed) == sorted(f.id for f in stored)
    finally:
        for db in databases:
            await db.close()


async def test_uphold_marks_claim_disputed_until_cleared(database: Database) -> None:
    added = await database.add_flag(answer_flag(), now=NOW)
    assert added.flag is not None
    assert await database.active_dispute(GUILD, "moon-cheese") is None
    resolved = await database.resolve_flag(
        GUILD, added.flag.id, "upheld", "Source 2 was retracted.", actor_id=MODERATOR, now=NOW
    )
    assert resolved is not None
    assert resolved.status == "upheld"
    assert resolved.resolved_by == MODERATOR
    assert resolved.resolution_note
    dispute = await database.active_dispute(GUILD, "moon-cheese")
    assert dispute is not None
    assert dispute.note == "Source 2 was retracted."
    # Only in that server, and never in DMs.
    assert await database.active_dispute(OTHER_GUILD, "moon-cheese") is None
    assert await database.active_dispute(None, "moon-cheese") is None
    # A resolved flag cannot be resolved again.
    assert await database.resolve_flag(GUILD, added.flag.id, "dismissed", "x", actor_id=1) is None
    assert await database.clear_dispute(GUILD, "moon-cheese", "fixed", actor_id=MODERATOR)
    assert await database.active_dispute(GUILD, "moon-cheese") is None
    assert not await database.clear_dispute(GUILD, "moon-cheese", None, actor_id=MODERATOR)


async def test_dismiss_does_not_dispute(database: Database) -> None:
    added = await database.add_flag(answer_flag(), now=NOW)
    assert added.flag is not None
    await database.resolve_flag(GUILD, added.flag.id, "dismissed", "no", actor_id=MODERATOR)
    assert await database.active_dispute(GUILD, "moon-cheese") is None
    assert [f.status for f in await database.flags(GUILD)] == ["dismissed"]
    assert await database.count_flags(GUILD, "open") == 0


async def test_every_moderator_action_is_in_the_history(database: Database) -> None:
    added = await database.add_flag(answer_flag(), now=NOW)
    assert added.flag is not None
    flag_id = str(added.flag.id)
    await database.resolve_flag(GUILD, added.flag.id, "upheld", "note 1", actor_id=MODERATOR)
    await database.clear_dispute(GUILD, "moon-cheese", "note 2", actor_id=MODERATOR + 1)
    await database.set_modlog_channel(GUILD, 555, actor_id=MODERATOR)
    flag_trail = await database.history(GUILD, "flag", flag_id)
    assert [(e.actor_id, e.action, e.note) for e in flag_trail] == [(MODERATOR, "upheld", "note 1")]
    claim_trail = await database.history(GUILD, "claim", "moon-cheese")
    assert [e.action for e in claim_trail] == ["disputed", "cleared"]
    assert claim_trail[1].actor_id == MODERATOR + 1
    assert (await database.history(GUILD, "settings", "modlog"))[0].note == "555"
    assert await database.history(OTHER_GUILD, "flag", flag_id) == []


async def test_settings_round_trip(database: Database) -> None:
    empty = await database.guild_settings(GUILD)
    assert empty.modlog_channel_id is None
    await database.set_modlog_channel(GUILD, 555, actor_id=MODERATOR, now=NOW)
    await database.set_modlog_channel(GUILD, 556, actor_id=MODERATOR, now=NOW)
    settings = await database.guild_settings(GUILD)
    assert settings.modlog_channel_id == 556
    assert settings.updated_at == NOW
    await database.set_modlog_channel(GUILD, None, actor_id=MODERATOR)
    assert (await database.guild_settings(GUILD)).modlog_channel_id is None


async def test_near_duplicate_requests_merge_with_asker_counts(database: Database) -> None:
    first = await database.add_request(
        GUILD, "Is the moon made of cheese?", user_id=1, source="command"
    )
    same = await database.add_request(
        GUILD, "is the Moon made of CHEESE??", user_id=2, source="button"
    )
    reordered = await database.add_request(
        GUILD, "made of cheese, is the moon?", user_id=3, source="command"
    )
    repeat = await database.add_request(
        GUILD, "Is the moon made of cheese?", user_id=1, source="command"
    )
    different = await database.add_request(
        GUILD, "Do vaccines cause autism?", user_id=4, source="command"
    )
    elsewhere = await database.add_request(
        OTHER_GUILD, "Is the moon made of cheese?", user_id=1, source="command"
    )
    assert first.created
    assert not same.created
    assert not reordered.created
    assert same.request.id == reordered.request.id == repeat.request.id == first.request.id
    assert repeat.already_asked
    assert not same.already_asked
    assert repeat.request.askers == 3
    assert different.created
    assert different.request.id != first.request.id
    assert elsewhere.created
    assert elsewhere.request.id != first.request.id
    listed = await database.requests(GUILD)
    assert [(r.id, r.askers) for r in listed] == [(first.request.id, 3), (different.request.id, 1)]
    assert await database.count_requests(GUILD) == 2


async def test_close_request_and_closed_ones_do_not_merge(database: Database) -> None:
    added = await database.add_request(
        GUILD, "Is the moon made of cheese?", user_id=1, source="command"
    )
    closed = await database.close_request(
        GUILD, added.request.id, "Out of scope", actor_id=MODERATOR
    )
    assert closed is not None
    assert closed.status == "closed"
    assert closed.close_note
    assert await database.close_request(GUILD, added.request.id, "again", actor_id=1) is None
    assert await database.close_request(OTHER_GUILD, added.request.id, "x", actor_id=1) is None
    again = await database.add_request(
        GUILD, "Is the moon made of cheese?", user_id=2, source="command"
    )
    assert again.created
    trail = await database.history(GUILD, "request", str(added.request.id))
    assert [(e.action, e.note) for e in trail] == [("closed", "Out of scope")]


async def test_reload_answers_the_requests_the_new_corpus_matches(database: Database) -> None:
    moon = await database.add_request(
        GUILD, "Is the moon made of cheese?", user_id=1, source="command"
    )
    mars = await database.add_request(
        OTHER_GUILD, "Is there water on Mars?", user_id=1, source="button"
    )
    closed = await database.add_request(GUILD, "Are cats liquid?", user_id=1, source="command")
    await database.close_request(GUILD, closed.request.id, "no", actor_id=MODERATOR)

    asked: list[str] = []

    def matcher(question: str) -> str | None:
        asked.append(question)
        return "moon-cheese" if "moon" in question else None

    answered = await database.answer_open_requests(matcher, actor_id=0, now=NOW)
    assert [(r.id, r.status, r.answered_claim_id) for r in answered] == [
        (moon.request.id, "answered", "moon-cheese")
    ]
    assert sorted(asked) == ["Is the moon made of cheese?", "Is there water on Mars?"]
    assert [r.id for r in await database.requests(GUILD, "answered")] == [moon.request.id]
    assert [r.id for r in await database.requests(OTHER_GUILD)] == [mars.request.id]
    trail = await database.history(GUILD, "request", str(moon.request.id))
    assert [(e.action, e.note) for e in trail] == [("answered", "moon-cheese")]
    # Nothing left to answer: a second reload closes nothing.
    assert await database.answer_open_requests(matcher, actor_id=0) == []


async def test_record_question_for_the_digest(database: Database) -> None:
    await database.record_question(
        guild_id=GUILD,
        channel_id=5,
        user_id=1,
        question="q",
        claim_id=None,
        score=0.2,
        asked_at=NOW,
    )
    found = await database.asked_questions(GUILD, NOW - timedelta(hours=1), NOW + timedelta(1))
    assert [(q.question, q.claim_id, q.asked_at) for q in found] == [("q", None, NOW)]


async def test_naive_times_are_refused(database: Database) -> None:
    with pytest.raises(ValueError, match="naive"):
        await database.add_flag(answer_flag(), now=datetime(2026, 1, 1))
