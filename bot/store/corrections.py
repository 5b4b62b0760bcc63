"""Corrections (0005): fact-checks whose verdict or summary a corpus reload changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.core.corrections import Correction
from bot.store.base import StoreBase, to_db_time, utcnow
from bot.store.mapping import from_row
from bot.store.rows import ClaimCorrection

# A server "saw" the old version when one of its questions was answered with it this long
# before the change.
SEEN_DAYS = 30


class CorrectionsStore(StoreBase):
    """The ``claim_corrections`` table."""

    async def record_corrections(
        self, found: Sequence[Correction], *, now: datetime | None = None
    ) -> None:
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            for item in found:
                await conn.execute(
                    "INSERT INTO claim_corrections"
                    " (claim_id, changed_at, old_verdict, new_verdict, summary_changed)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (
                        item.claim_id,
                        stamp,
                        item.old_verdict,
                        item.new_verdict,
                        int(item.summary_changed),
                    ),
                )

    async def latest_correction(self, claim_id: str) -> ClaimCorrection | None:
        row = await self._fetch_one(
            "SELECT * FROM claim_corrections WHERE claim_id = ?"
            " ORDER BY changed_at DESC, id DESC LIMIT 1",
            (claim_id,),
        )
        return None if row is None else from_row(ClaimCorrection, row)

    async def corrections_seen(
        self, guild_id: int, since: datetime, until: datetime, *, seen_days: int = SEEN_DAYS
    ) -> list[ClaimCorrection]:
        """Corrections made in ``[since, until)`` of fact-checks that answered a question in
        this server in the ``seen_days`` before the change, oldest first."""
        await self.flush_questions()  # type: ignore[attr-defined]
        rows = await self._fetch_all(
            "SELECT c.* FROM claim_corrections c"
            " WHERE c.changed_at >= ? AND c.changed_at < ? AND EXISTS ("
            " SELECT 1 FROM asked_questions q WHERE q.guild_id = ? AND q.claim_id = c.claim_id"
            " AND q.asked_at >= ? AND q.asked_at < c.changed_at)"
            " ORDER BY c.changed_at, c.id",
            (
                to_db_time(since),
                to_db_time(until),
                guild_id,
                to_db_time(since - timedelta(days=seen_days)),
            ),
        )
        return [from_row(ClaimCorrection, row) for row in rows]
