"""``factdesk db``: upgrade, status, online backup and restore, on real files and a real
PostgreSQL server (a logical export there)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.store.database import Database
from bot.store.maintenance import MaintenanceError, backup, latest_version, restore
from bot.store.migrate import Migration, discover
from bot.store.rows import NewFlag
from tests.pg import raw_rows, raw_write


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_upgrade_creates_and_then_reports_up_to_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "state" / "factdesk.db"
    assert main(["db", "--database", str(path), "upgrade"]) == 0
    assert f"from schema version 0 to {latest_version()}" in capsys.readouterr().out
    assert main(["db", "--database", str(path), "upgrade"]) == 0
    assert "already at schema version" in capsys.readouterr().out
    assert main(["db", "--database", str(path), "status"]) == 0
    assert "up to date" in capsys.readouterr().out


async def test_backup_while_the_bot_writes_then_restore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "factdesk.db"
    copy = tmp_path / "backups" / "copy.db"
    db = await Database.open(path)
    try:
        await db.add_request(1, "Is the moon cheese?", user_id=1, source="command")
        # The bot's connection stays open (and keeps writing) while the CLI copies.
        assert main(["db", "--database", str(path), "backup", str(copy)]) == 0
        await db.add_request(1, "Do vaccines cause autism?", user_id=2, source="command")
    finally:
        await db.close()
    assert "backed up" in capsys.readouterr().out
    assert count(copy, "requests") == 1
    assert count(path, "requests") == 2

    # A second backup to the same file needs --force.
    assert main(["db", "--database", str(path), "backup", str(copy)]) == 1
    assert "already exists" in capsys.readouterr().err

    assert main(["db", "--database", str(path), "restore", str(copy)]) == 0
    assert count(path, "requests") == 1


async def test_in_process_backup(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        await db.set_modlog_channel(1, 2, actor_id=3)
        await db.backup(tmp_path / "b.db")
    finally:
        await db.close()
    assert count(tmp_path / "b.db", "guild_settings") == 1


def test_restore_refuses_what_is_not_a_factdesk_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(MaintenanceError, match="not an SQLite database"):
        restore(junk, tmp_path / "factdesk.db")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(MaintenanceError, match="not a factdesk database"):
        restore(empty, tmp_path / "factdesk.db")
    with pytest.raises(MaintenanceError, match="no such database"):
        backup(tmp_path / "missing.db", tmp_path / "out.db")
    future = tmp_path / "future.db"
    conn = sqlite3.connect(future)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    with pytest.raises(MaintenanceError, match="newer than this factdesk"):
        restore(future, tmp_path / "factdesk.db")


# --- PostgreSQL: the same commands on a real server ---------------------------------------

TABLES = (
    "flags",
    "disputes",
    "requests",
    "request_askers",
    "audit_log",
    "asked_questions",
    "guild_settings",
)


async def fill_server(url: str, *, migrations: list[Migration] | None = None) -> None:
    db = await Database.open(url, migrations=migrations)
    try:
        added = await db.add_flag(
            NewFlag(1, "answer", "moon", 5, reason='it\'s "wrong" \ud800 ünïcode', message_id=9)
        )
        assert added.flag is not None
        await db.resolve_flag(1, added.flag.id, "upheld", "note", actor_id=7)
        if migrations is None:
            await db.add_request(1, "Is the moon cheese?", user_id=5, source="command")
            await db.add_request(1, "is the moon cheese", user_id=6, source="button")
        else:
            # An older schema: today's code writes columns later migrations add (0005's
            # askers' channel), so the request is written as the old version wrote it.
            stamp = "2026-11-01T09:00:00.000+00:00"
            ((request_id,),) = await raw_write(
                url,
                "INSERT INTO requests (guild_id, question, source, channel_id, status,"
                f" created_at, created_by) VALUES (1, 'Is the moon cheese?', 'command', NULL,"
                f" 'open', '{stamp}', 5) RETURNING id",
            )
            for user_id in (5, 6):
                await raw_write(
                    url,
                    "INSERT INTO request_askers (request_id, user_id, asked_at)"
                    f" VALUES ({request_id}, {user_id}, '{stamp}')",
                )
        await db.record_question(
            guild_id=None, channel_id=2, user_id=5, question="q", claim_id=None, score=0.1 + 0.2
        )
        # Last: with a mod-log channel the adds above would owe posts (0004's outbox).
        await db.set_modlog_channel(1, 99, actor_id=7)
    finally:
        await db.close()


async def dump(url: str) -> dict[str, list[tuple[object, ...]]]:
    return {t: await raw_rows(url, f"SELECT * FROM {t} ORDER BY 1, 2") for t in TABLES}


@pytest.mark.postgres
def test_postgres_upgrade_status_backup_and_restore(
    postgres_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = asyncio.run(postgres_server.new_database())
    assert main(["db", "--database", url, "status"]) == 0
    assert "schema version 0" in capsys.readouterr().out
    assert main(["db", "--database", url, "upgrade"]) == 0
    assert f"from schema version 0 to {latest_version()}" in capsys.readouterr().out
    assert main(["db", "--database", url, "upgrade"]) == 0
    assert "already at schema version" in capsys.readouterr().out

    asyncio.run(fill_server(url))
    before = asyncio.run(dump(url))
    copy = tmp_path / "backups" / "factdesk.jsonl"
    assert main(["db", "--database", url, "backup", str(copy)]) == 0
    assert "backed up" in capsys.readouterr().out
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    header = json.loads(copy.read_text(encoding="utf-8").splitlines()[0])
    assert header["format"] == "factdesk-logical-backup"
    assert header["schema_version"] == latest_version()
    assert header["rows"]["request_askers"] == 2
    assert main(["db", "--database", url, "backup", str(copy)]) == 1
    assert "already exists" in capsys.readouterr().err

    # Written after the backup: gone after the restore, and ids go on past the restored ones.
    asyncio.run(fill_server(url))
    assert main(["db", "--database", url, "restore", str(copy)]) == 0
    assert "restored" in capsys.readouterr().out
    assert asyncio.run(dump(url)) == before
    assert main(["db", "--database", url, "status"]) == 0
    assert "up to date" in capsys.readouterr().out

    async def add_after_restore() -> int:
        db = await Database.open(url)
        try:
            added = await db.add_flag(NewFlag(1, "answer", "owls", 8, reason="new"))
            assert added.flag is not None
            return added.flag.id
        finally:
            await db.close()

    assert asyncio.run(add_after_restore()) > max(row[0] for row in before["flags"])


@pytest.mark.postgres
def test_postgres_restore_of_an_older_backup_then_upgrade(
    postgres_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = asyncio.run(postgres_server.new_database())
    asyncio.run(fill_server(old, migrations=discover()[:1]))
    copy = tmp_path / "old.jsonl"
    assert main(["db", "--database", old, "backup", str(copy)]) == 0
    target = asyncio.run(postgres_server.new_database())
    asyncio.run(fill_server(target))  # a newer database, replaced whole
    assert main(["db", "--database", target, "restore", str(copy)]) == 0
    assert main(["db", "--database", target, "status"]) == 0
    assert "run `factdesk db upgrade`" in capsys.readouterr().out
    assert main(["db", "--database", target, "upgrade"]) == 0
    assert f"from schema version 1 to {latest_version()}" in capsys.readouterr().out
    assert asyncio.run(raw_rows(target, "SELECT COUNT(*) FROM request_askers")) == [(2,)]


@pytest.mark.postgres
def test_postgres_restore_refuses_junk_newer_and_truncated_backups(
    postgres_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = asyncio.run(postgres_server.new_database())
    asyncio.run(fill_server(url))
    copy = tmp_path / "good.jsonl"
    assert main(["db", "--database", url, "backup", str(copy)]) == 0
    lines = copy.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])

    junk = tmp_path / "junk.jsonl"
    junk.write_text("this is not a backup\n")
    newer = tmp_path / "newer.jsonl"
    newer.write_text(
        "\n".join([json.dumps({**header, "schema_version": latest_version() + 1}), *lines[1:]])
    )
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("\n".join(lines[:-1]) + "\n")
    capsys.readouterr()
    for bad, reason in [
        (junk, "not a factdesk logical backup"),
        (newer, "newer than this factdesk"),
        (truncated, "a truncated file?"),
        (tmp_path / "missing.jsonl", "no such backup file"),
    ]:
        assert main(["db", "--database", url, "restore", str(bad)]) == 1
        err = capsys.readouterr().err
        assert reason in err
        assert len(err.strip().splitlines()) == 1
    # The database is untouched by the refusals.
    assert asyncio.run(raw_rows(url, "SELECT COUNT(*) FROM request_askers")) == [(2,)]


@pytest.mark.postgres
def test_postgres_commands_name_an_unreachable_server_without_its_password(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = "postgresql://factdesk:s3cret@127.0.0.1:1/factdesk"
    for action in (["status"], ["upgrade"], ["backup", str(tmp_path / "b.jsonl")]):
        assert main(["db", "--database", url, *action]) == 1
        err = capsys.readouterr().err
        assert "s3cret" not in err
        assert "factdesk:***@127.0.0.1:1" in err
        assert len(err.strip().splitlines()) == 1


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_and_its_wal_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "state" / "factdesk.db"
    db = await Database.open(path)
    try:
        await db.add_request(1, "Is the moon cheese?", user_id=1, source="command")
        assert _mode(path) == 0o600
        assert _mode(path.with_name("factdesk.db-wal")) == 0o600
    finally:
        await db.close()


async def test_restore_leaves_an_owner_only_file(tmp_path: Path) -> None:
    path = tmp_path / "factdesk.db"
    copy = tmp_path / "copy.db"
    db = await Database.open(path)
    try:
        await db.add_request(1, "Is the moon cheese?", user_id=1, source="command")
        await db.backup(copy)
    finally:
        await db.close()
    # An operator's shell made the target world-readable; the restore takes that back.
    path.chmod(0o644)
    restore(copy, path)
    assert _mode(path) == 0o600
    fresh = tmp_path / "elsewhere" / "restored.db"
    restore(copy, fresh)
    assert _mode(fresh) == 0o600
    assert count(fresh, "requests") == 1
