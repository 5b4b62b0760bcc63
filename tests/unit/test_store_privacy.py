"""Member data: question retention, a member's deletion request, private backups."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from bot.store.database import DEFAULT_QUESTION_RETENTION_DAYS, ERASED_MEMBER_ID, Database
from bot.store.digest import DigestStore
from bot.store.rows import NewFlag
from tests.pg import raw_rows

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GUILD, MEMBER, OTHER, MODERATOR = 10, 1001, 1002, 2002


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def ask(db: Database, user_id: int, question: str, when: datetime) -> int:
    return await db.record_question(
        guild_id=GUILD,
        channel_id=5,
        user_id=user_id,
        question=question,
        claim_id="moon-cheese",
        score=0.9,
        asked_at=when,
    )


def test_the_setting_defaults_to_the_stores_retention() -> None:
    assert Settings(_env_file=None).question_retention_days == DEFAULT_QUESTION_RETENTION_DAYS


async def test_old_questions_lose_their_member_id_and_keep_their_counts(
    store_target: Path | str,
) -> None:
    db = await Database.open(store_target)
    try:
        old = await ask(db, MEMBER, "Is the moon cheese?", NOW - timedelta(days=91))
        recent = await ask(db, MEMBER, "Is the moon cheese?", NOW - timedelta(days=89))
        assert await db.purge_old_question_authors(NOW) == 1
        assert await db.purge_old_question_authors(NOW) == 0
        erased = await db.asked_question(old)
        kept = await db.asked_question(recent)
        assert erased is not None
        assert kept is not None
        assert (erased.user_id, erased.question) == (ERASED_MEMBER_ID, "Is the moon cheese?")
        assert kept.user_id == MEMBER
        # The digest's "most asked" still counts both.
        activity = await DigestStore(db).activity(
            GUILD, NOW - timedelta(days=100), NOW, top_requests=5
        )
        assert [item.question for item in activity.asked] == ["Is the moon cheese?"] * 2
    finally:
        await db.close()


async def test_opening_purges_with_the_configured_retention(store_target: Path | str) -> None:
    path = store_target
    db = await Database.open(path, question_retention_days=0)
    now = datetime.now(UTC)
    await ask(db, MEMBER, "old", now - timedelta(days=40))
    await ask(db, MEMBER, "new", now - timedelta(days=10))
    await db.close()
    db = await Database.open(path, question_retention_days=30)
    await db.close()
    assert await raw_rows(path, "SELECT question, user_id FROM asked_questions ORDER BY id") == [
        ("old", ERASED_MEMBER_ID),
        ("new", MEMBER),
    ]


async def fill(path: Path | str) -> None:
    db = await Database.open(path)
    try:
        await ask(db, MEMBER, "Is the moon cheese?", NOW)
        await ask(db, OTHER, "Are owls real?", NOW)
        await db.add_flag(NewFlag(GUILD, "answer", "moon", MEMBER, reason="wrong"))
        await db.add_flag(NewFlag(GUILD, "answer", "moon", OTHER, reason="also"))
        await db.add_request(GUILD, "Is the sky green?", user_id=MEMBER, source="command")
        await db.add_request(GUILD, "is the sky green", user_id=OTHER, source="button")
        await db.record_action(GUILD, MEMBER, "refused", "command", "flags")
        await db.set_modlog_channel(GUILD, 99, actor_id=MODERATOR)
    finally:
        await db.close()


async def test_purge_user_leaves_no_member_id_behind(store_target: Path | str) -> None:
    path = store_target
    await fill(path)
    db = await Database.open(path)
    try:
        done = await db.purge_user(MEMBER)
        again = await db.purge_user(MEMBER)
    finally:
        await db.close()
    assert done == {
        "asked questions deleted": 1,
        "request askers removed": 1,
        "helpfulness votes deleted": 0,
        "notifications deleted": 0,
        "requests anonymised": 1,
        "flags anonymised": 1,
        "audit entries anonymised": 1,
    }
    assert set(again.values()) == {0}
    tables = ("asked_questions", "flags", "requests", "request_askers", "audit_log")
    dump = "\n".join(
        [str(row) for table in tables for row in await raw_rows(path, f"SELECT * FROM {table}")]
    )
    assert str(MEMBER) not in dump
    assert str(OTHER) in dump, "other members are untouched"
    assert str(MODERATOR) in dump, "moderators' actions keep their ids"
    assert await raw_rows(path, "SELECT COUNT(*) FROM flags") == [(2,)]


def test_db_purge_user_prints_what_it_did(
    store_target: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = store_target
    asyncio.run(fill(path))
    assert main(["db", "--database", str(path), "purge-user", str(MEMBER)]) == 0
    out = capsys.readouterr().out
    assert f"purged user {MEMBER}" in out
    assert "asked questions deleted: 1" in out
    assert "flags anonymised: 1" in out
    assert main(["db", "--database", str(path), "purge-user", "0"]) == 2


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_backups_are_written_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "factdesk.db"
    await fill(path)
    old_umask = os.umask(0o022)
    try:
        copy = tmp_path / "backups" / "copy.db"
        assert main(["db", "--database", str(path), "backup", str(copy)]) == 0
        assert mode(copy) == 0o600
        existing = tmp_path / "existing.db"
        existing.write_bytes(b"")
        os.chmod(existing, 0o644)
        assert main(["db", "--database", str(path), "backup", "--force", str(existing)]) == 0
        assert mode(existing) == 0o600
        online = tmp_path / "online.db"
        db = await Database.open(path)
        try:
            await db.backup(online)
        finally:
            await db.close()
        assert mode(online) == 0o600
        assert rows(online, "SELECT COUNT(*) FROM flags") == [(2,)]
    finally:
        os.umask(old_umask)
