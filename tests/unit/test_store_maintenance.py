"""``factdesk db``: upgrade, status, online backup and restore, on real files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.store.database import Database
from bot.store.maintenance import MaintenanceError, backup, latest_version, restore


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
