"""Opening refuses, in one line, a database it could not use: read-only, damaged, too new."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.cli.cmd_ops import check_database
from bot.runner import StartupError, open_database
from bot.settings import Settings
from bot.store.database import Database, DatabaseUnusable
from bot.store.maintenance import latest_version
from tests.pg import raw_rows


async def make_database(path: Path, questions: int = 0) -> None:
    db = await Database.open(path)
    try:
        for n in range(questions):
            await db.record_question(
                guild_id=1,
                channel_id=2,
                user_id=3,
                question=f"question number {n} " + "x" * 200,
                claim_id=None,
                score=None,
            )
    finally:
        await db.close()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


async def test_a_read_only_file_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "factdesk.db"
    await make_database(path)
    os.chmod(path, 0o444)
    with pytest.raises(DatabaseUnusable, match="read-only") as refused:
        await Database.open(path)
    assert "\n" not in str(refused.value)
    findings = await check_database(path)
    assert [(f.level, "read-only" in f.message) for f in findings] == [("FAIL", True)]


async def test_a_file_with_damaged_pages_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "factdesk.db"
    await make_database(path, questions=300)
    size = path.stat().st_size
    assert size > 20 * 4096
    with path.open("r+b") as file:
        file.seek(size // 2)
        file.write(b"\xa5" * 3 * 4096)
    with pytest.raises(DatabaseUnusable, match=r"damaged|malformed") as refused:
        await Database.open(path)
    assert "\n" not in str(refused.value)


async def test_a_file_that_is_not_a_database_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "factdesk.db"
    path.write_bytes(b"this is not sqlite" * 500)
    with pytest.raises(DatabaseUnusable, match="cannot use the database"):
        await Database.open(path)


def future_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()


async def test_a_schema_newer_than_the_code_is_refused_by_open_and_doctor(tmp_path: Path) -> None:
    path = tmp_path / "factdesk.db"
    future_database(path)
    with pytest.raises(DatabaseUnusable, match="newer than this factdesk"):
        await Database.open(path)
    findings = await check_database(path)
    assert [(f.level, "newer than this factdesk" in f.message) for f in findings] == [
        ("FAIL", True)
    ]


@pytest.mark.parametrize("action", ["status", "upgrade"])
def test_a_schema_newer_than_the_code_is_refused_by_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    path = tmp_path / "factdesk.db"
    future_database(path)
    assert main(["db", "--database", str(path), action]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "newer than this factdesk" in one_line(err)


def test_a_read_only_file_is_refused_by_db_upgrade_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "factdesk.db"
    assert main(["db", "--database", str(path), "upgrade"]) == 0
    os.chmod(path, 0o444)
    capsys.readouterr()
    assert main(["db", "--database", str(path), "upgrade"]) == 1
    assert "read-only" in one_line(capsys.readouterr().err)


async def test_a_sound_file_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "factdesk.db"
    await make_database(path, questions=3)
    db = await Database.open(path)
    try:
        assert await db.version() == latest_version()
    finally:
        await db.close()


# --- FACTDESK_DATABASE as a PostgreSQL URL -----------------------------------------------


def test_the_setting_takes_a_file_path_or_a_postgresql_url(tmp_path: Path) -> None:
    assert isinstance(Settings(_env_file=None).database, Path)
    assert Settings(_env_file=None, database=str(tmp_path / "x.db")).database == tmp_path / "x.db"
    url = "postgresql://bot:pw@db.internal:5432/factdesk"
    assert Settings(_env_file=None, database=url).database == url
    with pytest.raises(ValidationError, match="postgresql:// URL"):
        Settings(_env_file=None, database="mysql://bot@db/factdesk")


@pytest.mark.postgres
async def test_a_schema_newer_than_the_code_is_refused_on_postgresql(
    postgres_server: Any,
) -> None:
    url = await postgres_server.new_database()
    await (await Database.open(url)).close()
    await raw_rows(url, f"UPDATE factdesk_schema SET version = {latest_version() + 1}")
    with pytest.raises(DatabaseUnusable, match="newer than this factdesk"):
        await Database.open(url)
    findings = await check_database(url)
    assert [(f.level, "newer than this factdesk" in f.message) for f in findings] == [
        ("FAIL", True)
    ]


@pytest.mark.postgres
async def test_doctor_and_startup_on_postgresql(postgres_server: Any) -> None:
    url = await postgres_server.new_database()
    findings = await check_database(url)
    assert [f.level for f in findings] == ["ok"]
    assert "opens, schema version" in findings[0].message
    unreachable = "postgresql://factdesk:s3cret@127.0.0.1:1/factdesk"
    with pytest.raises(StartupError) as refused:
        await open_database(unreachable)
    assert "s3cret" not in str(refused.value)
    assert "\n" not in str(refused.value)
    findings = await check_database(unreachable)
    assert [f.level for f in findings] == ["FAIL"]
    assert "s3cret" not in findings[0].message
