"""A writer killed with SIGKILL mid-stream loses nothing it had committed.

On both back-ends (``store_target``): a SQLite file, and a PostgreSQL database, where the
killed process's session (and the advisory write lock it may hold) ends with it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from bot.paths import PROJECT_ROOT
from bot.store.database import Database
from tests.pg import raw_rows

# The child reports each id only after ``record_question`` returned, i.e. after COMMIT.
WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from bot.store.database import Database

    async def main() -> None:
        target = sys.argv[1]
        db = await Database.open(target if "://" in target else Path(target))
        n = 0
        while True:
            n += 1
            row_id = await db.record_question(
                guild_id=1, channel_id=2, user_id=n, question=f"question {n}",
                claim_id=None, score=None,
            )
            request = await db.add_request(
                1, f"request number {n} about topic {n * 7919}", user_id=n, source="command"
            )
            print(row_id, request.request.id, flush=True)

    asyncio.run(main())
    """
)
COMMITTED_BEFORE_KILL = 40


def test_every_committed_row_survives_sigkill(store_target: Path | str) -> None:
    path = store_target
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    committed: list[tuple[int, int]] = []
    try:
        assert child.stdout is not None
        while len(committed) < COMMITTED_BEFORE_KILL:
            line = child.stdout.readline()
            assert line, "the writer stopped before being killed"
            question_id, request_id = (int(part) for part in line.split())
            committed.append((question_id, request_id))
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    if isinstance(path, Path):
        assert asyncio.run(raw_rows(path, "PRAGMA integrity_check")) == [("ok",)]
    questions = {row[0] for row in asyncio.run(raw_rows(path, "SELECT id FROM asked_questions"))}
    requests = {row[0] for row in asyncio.run(raw_rows(path, "SELECT id FROM requests"))}
    assert {q for q, _ in committed} <= questions
    assert {r for _, r in committed} <= requests

    async def write_after() -> bool:
        # Nothing the killed writer held (a lock, a half-done transaction) blocks the next.
        db = await Database.open(path)
        try:
            added = await db.add_request(2, "Written after the kill?", user_id=1, source="command")
            return added.created
        finally:
            await db.close()

    assert asyncio.run(write_after())
