"""Questions asked (written by the factcheck cog, read by the digest) and their retention.

Two ways in. :meth:`QuestionsStore.record_question` commits before it returns, with the
row's id: for a question whose reply names its row (a no-match reply's Request button).
:meth:`QuestionsStore.queue_question` is for the statistics of answered questions, the way
large bots batch their statistics: the row waits in memory and is written with the others
queued in one transaction (one commit, one sync) at most :data:`QUESTION_FLUSH_SECONDS`
later, at once when :data:`QUESTION_FLUSH_ROWS` are waiting, before any durable write, before
a member's data is purged, and when the database closes. A crash (not a clean close) loses
at most the queued rows: the last ``QUESTION_FLUSH_SECONDS`` of answered questions, never a
row a member's reply refers to. See docs/performance-bot.md.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog

from bot.store.base import ERASED_MEMBER_ID, SafeConnection, StoreBase, to_db_time, utcnow
from bot.store.mapping import from_row
from bot.store.rows import AskedQuestion

log = structlog.get_logger(__name__)

# The longest a queued question waits before it is written (what a crash can lose).
QUESTION_FLUSH_SECONDS = 1.0
# Queued questions written at once, whatever the time (and the most a crash can lose).
QUESTION_FLUSH_ROWS = 200
# Past this many rows waiting (the database refusing writes for a long time), the oldest
# queued statistics are dropped, with a log line, rather than memory growing without end.
QUESTION_QUEUE_LIMIT = 10_000

_COLUMNS = "(guild_id, channel_id, user_id, question, claim_id, score, asked_at)"
_ROW = "(?, ?, ?, ?, ?, ?, ?)"
_QueuedRow = tuple[int | None, int | None, int, str, str | None, float | None, str]


class QuestionsStore(StoreBase):
    """The ``asked_questions`` table."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued_questions: list[_QueuedRow] = []
        self._question_flush: asyncio.TimerHandle | None = None
        self._question_flushes: set[asyncio.Task[int]] = set()

    async def record_question(
        self,
        *,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        question: str,
        claim_id: str | None,
        score: float | None,
        asked_at: datetime | None = None,
    ) -> int:
        """Store one asked question (``claim_id`` None: nothing matched); return its id.

        Committed before it returns (with the queued questions, in the same transaction)."""
        row = (guild_id, channel_id, user_id, question, claim_id, score)
        queued = self._take_queued()
        try:
            async with self.transaction() as conn:
                await _insert(conn, queued)
                async with conn.execute(
                    f"INSERT INTO asked_questions {_COLUMNS} VALUES {_ROW} RETURNING id",
                    (*row, to_db_time(asked_at or utcnow())),
                ) as cursor:
                    stored = await cursor.fetchone()
        except BaseException:
            self._requeue(queued)
            raise
        return int(stored["id"])

    def queue_question(
        self,
        *,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        question: str,
        claim_id: str | None,
        score: float | None,
        asked_at: datetime | None = None,
    ) -> None:
        """Queue one asked question's statistics row; written within
        :data:`QUESTION_FLUSH_SECONDS` (see the module's docstring for what a crash loses).

        Call it from the event loop: the write is scheduled on the running loop."""
        self._queued_questions.append(
            (
                guild_id,
                channel_id,
                user_id,
                question,
                claim_id,
                score,
                to_db_time(asked_at or utcnow()),
            )
        )
        excess = len(self._queued_questions) - QUESTION_QUEUE_LIMIT
        if excess > 0:
            del self._queued_questions[:excess]
            log.warning("asked questions dropped: the database is not taking writes", rows=excess)
        loop = asyncio.get_running_loop()
        if len(self._queued_questions) >= QUESTION_FLUSH_ROWS:
            self._start_question_flush()
        elif self._question_flush is None:
            self._question_flush = loop.call_later(
                QUESTION_FLUSH_SECONDS, self._start_question_flush
            )

    def _start_question_flush(self) -> None:
        if self._question_flush is not None:
            self._question_flush.cancel()
            self._question_flush = None
        task = asyncio.get_running_loop().create_task(self._flush_in_background())
        self._question_flushes.add(task)
        task.add_done_callback(self._question_flushes.discard)

    async def _flush_in_background(self) -> int:
        try:
            return await self.flush_questions()
        except Exception:
            # The rows went back to the queue; the next flush (or the close) tries again.
            log.exception("could not write the queued questions")
            return 0

    async def flush_questions(self) -> int:
        """Write every queued question now, in one transaction; the number written."""
        queued = self._take_queued()
        if not queued:
            return 0
        try:
            async with self.transaction() as conn:
                await _insert(conn, queued)
        except BaseException:
            self._requeue(queued)
            raise
        return len(queued)

    def _take_queued(self) -> list[_QueuedRow]:
        if self._question_flush is not None:
            self._question_flush.cancel()
            self._question_flush = None
        rows, self._queued_questions = self._queued_questions, []
        return rows

    def _requeue(self, rows: list[_QueuedRow]) -> None:
        """A failed write's rows go back to the front of the queue, to be tried again."""
        self._queued_questions[:0] = rows
        if self._queued_questions and self._question_flush is None:
            with contextlib.suppress(RuntimeError):  # no running loop: the close retries
                self._question_flush = asyncio.get_running_loop().call_later(
                    QUESTION_FLUSH_SECONDS, self._start_question_flush
                )

    async def asked_questions(
        self, guild_id: int | None, since: datetime, until: datetime
    ) -> list[AskedQuestion]:
        """Questions asked in ``guild_id`` with ``since <= asked_at < until``, oldest first
        (the queued ones written first)."""
        await self.flush_questions()
        rows = await self._fetch_all(
            "SELECT * FROM asked_questions WHERE guild_id IS NOT DISTINCT FROM ?"
            " AND asked_at >= ? AND asked_at < ? ORDER BY asked_at, id",
            (guild_id, to_db_time(since), to_db_time(until)),
        )
        return [from_row(AskedQuestion, row) for row in rows]

    async def asked_question(self, row_id: int) -> AskedQuestion | None:
        """One asked question by its row id (a no-match reply's Request button names it)."""
        row = await self._fetch_one("SELECT * FROM asked_questions WHERE id = ?", (row_id,))
        return None if row is None else from_row(AskedQuestion, row)

    async def purge_old_question_authors(self, now: datetime | None = None) -> int:
        """Erase the member ids of questions asked more than ``question_retention_days`` ago.

        The questions and their matches stay (the digest counts "most asked"), anonymised to
        :data:`ERASED_MEMBER_ID`. Runs at open; the bot calls it daily. Returns the rows
        changed (0 as well when retention is off).
        """
        if self.question_retention_days <= 0:
            return 0
        await self.flush_questions()
        cutoff = (now or utcnow()) - timedelta(days=self.question_retention_days)
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE asked_questions SET user_id = ? WHERE asked_at < ? AND user_id != ?",
                (ERASED_MEMBER_ID, to_db_time(cutoff), ERASED_MEMBER_ID),
            )
            return cursor.rowcount


async def _insert(conn: SafeConnection, rows: list[_QueuedRow]) -> None:
    """Insert ``rows`` on ``conn`` (inside a transaction), :data:`QUESTION_FLUSH_ROWS` rows
    per statement."""
    for start in range(0, len(rows), QUESTION_FLUSH_ROWS):
        chunk = rows[start : start + QUESTION_FLUSH_ROWS]
        params: Sequence[Any] = [value for row in chunk for value in row]
        await conn.execute(
            f"INSERT INTO asked_questions {_COLUMNS} VALUES " + ", ".join([_ROW] * len(chunk)),
            params,
        )
