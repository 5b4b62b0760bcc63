"""Migrations: an empty database, an older one holding rows, and the runner's rules.

The database tests run on SQLite and on PostgreSQL (``store_target``, tests/conftest.py):
the same numbered files, PostgreSQL through the rewrite of :mod:`bot.store.sql`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.store.database import Database
from bot.store.migrate import MigrationError, discover
from bot.store.rows import NewFlag
from bot.store.sql import to_postgres_ddl, to_postgres_placeholders
from tests.pg import raw_rows, raw_write

SHIPPED = discover()


async def test_migrating_an_empty_database_reaches_the_latest_version(
    store_target: Path | str,
) -> None:
    db = await Database.open(store_target)
    try:
        assert await db.version() == SHIPPED[-1].number
        assert [m.number for m in SHIPPED][:3] == [1, 2, 3]
    finally:
        await db.close()
    # Opening again applies nothing and changes nothing.
    db = await Database.open(store_target)
    try:
        assert await db.version() == SHIPPED[-1].number
    finally:
        await db.close()


async def test_an_older_database_keeps_every_row(store_target: Path | str) -> None:
    path = store_target
    old = await Database.open(path, migrations=SHIPPED[:1])
    assert await old.version() == 1
    added = await old.add_flag(NewFlag(1, "answer", "moon", 5, reason="wrong", message_id=9))
    message_flag = await old.add_flag(NewFlag(1, "message", "moon", 6, message_id=10))
    assert added.flag is not None
    assert message_flag.flag is not None
    await old.resolve_flag(1, added.flag.id, "upheld", "note", actor_id=7)
    await old.set_modlog_channel(1, 99, actor_id=7)
    await old.record_question(
        guild_id=1, channel_id=2, user_id=5, question="q", claim_id=None, score=None
    )
    await old.close()
    # A request and its two askers as version 1 stored them (today's code writes the
    # columns 0005 adds, so the rows of the old shape are written as that version did).
    stamp = "2026-11-01T09:00:00.000+00:00"
    ((request_id,),) = await raw_write(
        path,
        "INSERT INTO requests (guild_id, question, source, channel_id, status, created_at,"
        f" created_by) VALUES (1, 'Is the moon cheese?', 'command', 2, 'open', '{stamp}', 5)"
        " RETURNING id",
    )
    for user_id in (5, 6):
        await raw_write(
            path,
            "INSERT INTO request_askers (request_id, user_id, asked_at)"
            f" VALUES ({request_id}, {user_id}, '{stamp}')",
        )
    assert request_id is not None

    new = await Database.open(path)
    try:
        assert await new.version() == SHIPPED[-1].number
        flags = await new.flags(1, limit=100)
        assert sorted((f.id, f.status, f.reason) for f in flags) == sorted(
            [(added.flag.id, "upheld", "wrong"), (message_flag.flag.id, "open", None)]
        )
        dispute = await new.active_dispute(1, "moon")
        assert dispute is not None
        assert dispute.note == "note"
        stored_request = await new.request(1, request_id)
        assert stored_request is not None
        assert stored_request.askers == 2
        # 0005: the old askers want to be told, in the request's channel.
        assert await new.answer_request(request_id, "moon", actor_id=0)
        owed = await new.notifications("pending")
        assert [(n.user_id, n.channel_id, n.mode) for n in owed] == [
            (5, 2, "channel"),
            (6, 2, "channel"),
        ]
        assert (await new.guild_settings(1)).modlog_channel_id == 99
        assert [e.action for e in await new.history(1, "flag", str(added.flag.id))] == ["upheld"]
        # 0003's rule now holds for the migrated rows: a second message about the same claim
        # may be flagged by the same moderator.
        second = await new.add_flag(NewFlag(1, "message", "moon", 6, message_id=11))
        assert second.flag is not None
    finally:
        await new.close()
    assert await raw_rows(path, "SELECT COUNT(*) FROM asked_questions") == [(1,)]


async def test_a_failing_migration_leaves_the_last_good_version(
    tmp_path: Path, store_target: Path | str
) -> None:
    broken = tmp_path / "migrations"
    broken.mkdir()
    (broken / "0001_first.sql").write_text("CREATE TABLE kept (id INTEGER PRIMARY KEY);")
    (broken / "0004_bad.sql").write_text(
        "CREATE TABLE half (id INTEGER);\nINSERT INTO missing VALUES (1);"
    )
    with pytest.raises(MigrationError, match=r"0004_bad\.sql"):
        await Database.open(store_target, migrations=discover(broken))
    if isinstance(store_target, str):
        version = await raw_rows(store_target, "SELECT version FROM factdesk_schema")
        listed = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    else:
        version = await raw_rows(store_target, "PRAGMA user_version")
        listed = "SELECT name FROM sqlite_master"
    assert version == [(1,)]
    tables = {row[0] for row in await raw_rows(store_target, listed)}
    assert "kept" in tables
    assert "half" not in tables


@pytest.mark.postgres
async def test_two_processes_opening_at_once_migrate_once(postgres_server: Any) -> None:
    url = await postgres_server.new_database()
    opened = await asyncio.gather(*(Database.open(url) for _ in range(3)))
    try:
        assert {await db.version() for db in opened} == {SHIPPED[-1].number}
    finally:
        for db in opened:
            await db.close()


def test_placeholders_are_numbered_outside_quotes_and_comments() -> None:
    sql = "SELECT '?', \"a?\" FROM t -- why?\nWHERE a = ? AND b IN (?, ?) /* ? */"
    assert to_postgres_placeholders(sql) == (
        "SELECT '?', \"a?\" FROM t -- why?\nWHERE a = $1 AND b IN ($2, $3) /* ? */"
    )
    assert to_postgres_placeholders("INSERT INTO t VALUES ('it''s ?', ?)") == (
        "INSERT INTO t VALUES ('it''s ?', $1)"
    )


def test_the_ddl_rewrite_and_a_postgres_override(tmp_path: Path) -> None:
    ddl = (
        "-- an INTEGER column\nCREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s REAL,"
        " hm TEXT CHECK (hm GLOB '[0-2][0-9]'), note TEXT DEFAULT 'INTEGER');"
    )
    assert to_postgres_ddl(ddl) == (
        "-- an INTEGER column\nCREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY"
        " PRIMARY KEY, n BIGINT, s DOUBLE PRECISION, hm TEXT CHECK (hm SIMILAR TO"
        " '[0-2][0-9]'), note TEXT DEFAULT 'INTEGER');"
    )
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE a (n INTEGER);")
    (tmp_path / "0002_b.sql").write_text("CREATE TABLE b (n INTEGER);")
    (tmp_path / "postgresql").mkdir()
    (tmp_path / "postgresql" / "0002_b.sql").write_text("CREATE TABLE b (n NUMERIC);")
    first, second = discover(tmp_path)
    assert first.postgres_sql == "CREATE TABLE a (n BIGINT);"
    assert second.postgres_sql == "CREATE TABLE b (n NUMERIC);"


def test_gaps_are_allowed_but_duplicates_and_bad_names_are_not(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("")
    (tmp_path / "0005_b.sql").write_text("")
    assert [m.number for m in discover(tmp_path)] == [1, 5]
    (tmp_path / "0005_c.sql").write_text("")
    with pytest.raises(MigrationError, match="also used"):
        discover(tmp_path)
    (tmp_path / "0005_c.sql").unlink()
    (tmp_path / "5_bad.sql").write_text("")
    with pytest.raises(MigrationError, match="NNNN_name"):
        discover(tmp_path)


def test_shipped_migrations_run_one_to_n_without_a_gap() -> None:
    # discover() allows gaps for hand-made folders, but a gap in the shipped set means a file
    # went missing in a merge: a database already past it would never get that schema.
    assert [m.number for m in SHIPPED] == list(range(1, len(SHIPPED) + 1))
