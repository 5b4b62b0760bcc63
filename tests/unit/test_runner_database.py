"""``factdesk run`` with a database that cannot be opened: one line, nothing after it.

aiosqlite leaves its worker thread running when the connection fails; if the event loop
closes first, that thread dies with "RuntimeError: Event loop is closed" (a traceback after
the one-line error). The runner waits for the thread while the loop still runs.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.runner import StartupError, open_database


def test_a_failed_open_leaves_no_sqlite_worker_to_die_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aiosqlite.core

    crashes: list[Any] = []
    monkeypatch.setattr(threading, "excepthook", crashes.append)
    # Fault injection: hold the worker thread a moment before it handles the stop, as a
    # busy machine would, so the loop would be closed by the time it answers.
    original_stop = aiosqlite.core.Connection.stop

    def slow_stop(self: Any) -> Any:
        self._tx.put_nowait((None, lambda: time.sleep(0.3)))
        return original_stop(self)

    monkeypatch.setattr(aiosqlite.core.Connection, "stop", slow_stop)
    database = tmp_path / "a-directory"
    database.mkdir()
    before = set(threading.enumerate())

    with pytest.raises(StartupError, match="cannot open database"):
        asyncio.run(open_database(database))

    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    # Straight after asyncio.run returns, the worker must already be gone ...
    assert [t.name for t in left] == []
    for thread in left:  # (joined anyway, so a failure above does not leak a thread)
        thread.join(5)
    # ... and nothing died in a thread.
    assert crashes == []


async def test_the_retention_setting_reaches_the_database_the_bot_runs_on(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.runner import prepare
    from bot.settings import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database=tmp_path / "factdesk.db",
        question_retention_days=7,
    )
    resources = await prepare(settings)
    try:
        database = resources.database
        assert database.question_retention_days == 7
        old = datetime.now(UTC) - timedelta(days=8)
        await database.record_question(
            guild_id=1,
            channel_id=2,
            user_id=3,
            question="q?",
            claim_id=None,
            score=None,
            asked_at=old,
        )
        assert await database.purge_old_question_authors() == 1
    finally:
        await resources.database.close()
