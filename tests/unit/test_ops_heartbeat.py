"""The heartbeat file: written atomically, read back, judged fresh or stale, and beaten by the
real bot object (not connected: it has not logged in) against a real database."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.heartbeat import (
    Heartbeat,
    HeartbeatError,
    HeartbeatState,
    assess,
    database_write_problem,
    filesystem_write_problem,
    read_heartbeat,
    write_heartbeat,
)
from bot.paths import PROJECT_ROOT

NOW = datetime(2026, 11, 23, 8, 0, 0, tzinfo=UTC)
GOOD_CORPUS = PROJECT_ROOT / "tests" / "fixtures" / "corpus" / "good"


def healthy_state(written_at: datetime = NOW) -> HeartbeatState:
    return HeartbeatState(
        written_at=written_at, connected=True, database_writable=True, latency_ms=42.0, pid=7
    )


def test_written_heartbeat_reads_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "state" / "heartbeat.json"  # the directory is created
    state = HeartbeatState(
        written_at=NOW,
        connected=False,
        database_writable=False,
        database_problem="disk full",
        latency_ms=None,
        pid=123,
    )
    write_heartbeat(path, state)
    assert read_heartbeat(path) == state
    assert json.loads(path.read_text(encoding="utf-8"))["connected"] is False


def test_rewriting_replaces_the_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.json"
    write_heartbeat(path, healthy_state(NOW - timedelta(seconds=30)))
    write_heartbeat(path, healthy_state(NOW))
    assert read_heartbeat(path).written_at == NOW
    assert sorted(p.name for p in tmp_path.iterdir()) == ["heartbeat.json"]
    # Readable by another user: the health check may run as someone else.
    assert path.stat().st_mode & 0o044 == 0o044


def test_a_failed_write_keeps_the_previous_heartbeat(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.json"
    write_heartbeat(path, healthy_state())

    class Unserialisable(HeartbeatState):
        def to_json(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_heartbeat(path, Unserialisable(NOW, False, False))
    assert read_heartbeat(path) == healthy_state()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["heartbeat.json"]


def test_missing_heartbeat_is_an_error_that_says_so(tmp_path: Path) -> None:
    with pytest.raises(HeartbeatError, match="no heartbeat file"):
        read_heartbeat(tmp_path / "absent.json")


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[]",
        '{"written_at": "2026-11-23T08:00:00", "connected": true, "database_writable": true}',
        '{"written_at": "2026-11-23T08:00:00+00:00", "connected": "yes", '
        '"database_writable": true}',
        '{"written_at": "2026-11-23T08:00:00+00:00", "connected": true}',
    ],
    ids=["empty", "not-json", "list", "naive-time", "string-flag", "missing-field"],
)
def test_malformed_heartbeat_is_rejected(tmp_path: Path, content: str) -> None:
    path = tmp_path / "heartbeat.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HeartbeatError, match="not a heartbeat file"):
        read_heartbeat(path)


def test_fresh_connected_writable_is_healthy() -> None:
    health = assess(healthy_state(NOW - timedelta(seconds=20)), NOW, max_age_seconds=90)
    assert health.healthy
    assert health.summary.startswith("healthy:")
    assert "20s old" in health.summary


def test_stale_heartbeat_is_unhealthy_even_when_it_said_connected() -> None:
    health = assess(healthy_state(NOW - timedelta(seconds=91)), NOW, max_age_seconds=90)
    assert not health.healthy
    assert "91s old" in health.summary


def test_heartbeat_from_the_future_is_unhealthy() -> None:
    health = assess(healthy_state(NOW + timedelta(minutes=10)), NOW, max_age_seconds=90)
    assert not health.healthy
    assert "future" in health.summary


def test_disconnected_or_unwritable_is_unhealthy_and_says_why() -> None:
    disconnected = HeartbeatState(NOW, connected=False, database_writable=True)
    unwritable = HeartbeatState(
        NOW, connected=True, database_writable=False, database_problem="disk full"
    )
    first, second = assess(disconnected, NOW, 90), assess(unwritable, NOW, 90)
    assert not first.healthy
    assert "not connected" in first.summary
    assert not second.healthy
    assert "disk full" in second.summary
    for health in (first, second):
        assert "\n" not in health.summary


def test_filesystem_check_reports_a_missing_directory(tmp_path: Path) -> None:
    assert filesystem_write_problem(tmp_path / "db.sqlite") is None
    problem = filesystem_write_problem(tmp_path / "gone" / "db.sqlite")
    assert problem is not None
    assert "not writable" in problem


async def test_database_write_probe_passes_on_an_open_database(tmp_path: Path) -> None:
    from bot.store.database import Database

    database = await Database.open(tmp_path / "factdesk.db")
    try:
        assert await database_write_problem(database) is None
    finally:
        await database.close()


async def test_database_write_probe_reports_a_closed_connection(tmp_path: Path) -> None:
    from bot.store.database import Database

    database = await Database.open(tmp_path / "factdesk.db")
    await database.close()
    problem = await database_write_problem(database)
    assert problem is not None
    assert "write lock" in problem


async def test_the_real_bot_beats_not_connected_before_login(tmp_path: Path) -> None:
    from bot.app import FactdeskBot
    from bot.core.library import Library
    from bot.settings import Settings
    from bot.store.database import Database

    heartbeat_file = tmp_path / "heartbeat.json"
    settings = Settings(
        _env_file=None, database=tmp_path / "factdesk.db", heartbeat_file=heartbeat_file
    )
    library, _ = Library.load(GOOD_CORPUS)
    database = await Database.open(settings.database)
    bot = FactdeskBot(
        settings=settings, library=library, database=database, heartbeat=Heartbeat(heartbeat_file)
    )
    try:
        written = await bot.heartbeat.beat(bot, now=NOW)
    finally:
        await bot.close()
        await database.close()
    assert written == read_heartbeat(heartbeat_file)
    assert written.written_at == NOW
    assert written.connected is False  # it never logged in
    assert written.database_writable is True
    assert written.pid == os.getpid()
    assert not assess(written, NOW, 90).healthy
