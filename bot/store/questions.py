"""Questions asked (written by the factcheck cog, read by the digest) and their retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.base import ERASED_MEMBER_ID, StoreBase, to_db_time, utcnow
from bot.store.mapping import from_row
from bot.store.rows import AskedQuestion


class QuestionsStore(StoreBase):
    """The ``asked_questions`` table."""

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
        """Store one asked question (``claim_id`` None: nothing matched); return its id."""
        async with (
            self.transaction() as conn,
            conn.execute(
                "INSERT INTO asked_questions"
                " (guild_id, channel_id, user_id, question, claim_id, score, asked_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    guild_id,
                    channel_id,
                    user_id,
                    question,
                    claim_id,
                    score,
                    to_db_time(asked_at or utcnow()),
                ),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return int(row["id"])

    async def asked_questions(
        self, guild_id: int | None, since: datetime, until: datetime
    ) -> list[AskedQuestion]:
        """Questions asked in ``guild_id`` with ``since <= asked_at < until``, oldest first."""
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
        cutoff = (now or utcnow()) - timedelta(days=self.question_retention_days)
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE asked_questions SET user_id = ? WHERE asked_at < ? AND user_id != ?",
                (ERASED_MEMBER_ID, to_db_time(cutoff), ERASED_MEMBER_ID),
            )
            return cursor.rowcount
