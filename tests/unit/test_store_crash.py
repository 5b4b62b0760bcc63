"""A writer killed with SIGKILL mid-stream loses nothing it had committed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from bot.paths import PROJECT_ROOT

# The child reports each id only after ``record_question`` returned, i.e. after COMMIT.
WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from bot.store.database import Database

    async def main() -> None:
        db = await Database.open(Path(sys.argv[1]))
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


def test_every_committed_row_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "factdesk.db"
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

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        questions = {row[0] for row in conn.execute("SELECT id FROM asked_questions")}
        requests = {row[0] for row in conn.execute("SELECT id FROM requests")}
    finally:
        conn.close()
    assert {q for q, _ in committed} <= questions
    assert {r for _, r in committed} <= requests
