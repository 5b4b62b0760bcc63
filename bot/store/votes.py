"""Helpfulness votes (0005): one per member per fact-check per server, the last one counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.store.backends import Row
from bot.store.base import SafeConnection, StoreBase, to_db_time, utcnow
from bot.store.rows import ClaimAsked, VoteCast, VoteTally

_TALLY = (
    "SELECT claim_id, COALESCE(SUM(helpful), 0) AS helpful,"
    " COALESCE(SUM(1 - helpful), 0) AS not_helpful FROM claim_votes"
)


async def _tally(conn: SafeConnection, guild_id: int, claim_id: str) -> VoteTally:
    async with conn.execute(
        "SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) FROM claim_votes"
        " WHERE guild_id = ? AND claim_id = ?",
        (guild_id, claim_id),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return VoteTally(claim_id, int(row[0]), int(row[1]))


def _tallies(rows: Sequence[Row]) -> list[VoteTally]:
    return [
        VoteTally(str(row["claim_id"]), int(row["helpful"]), int(row["not_helpful"]))
        for row in rows
    ]


class VotesStore(StoreBase):
    """The ``claim_votes`` table, and the per-claim counts ``/stats claims`` reads."""

    async def cast_vote(
        self,
        guild_id: int,
        claim_id: str,
        user_id: int,
        helpful: bool,
        *,
        now: datetime | None = None,
    ) -> VoteCast:
        """Record (or change) a member's vote; returns the vote it replaced and the tally.

        A reason belongs to a "not helpful" vote: changing to "helpful" drops it."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            async with conn.execute(
                "SELECT helpful FROM claim_votes WHERE guild_id = ? AND claim_id = ?"
                " AND user_id = ?",
                (guild_id, claim_id, user_id),
            ) as cursor:
                row = await cursor.fetchone()
            previous = None if row is None else bool(row[0])
            await conn.execute(
                "INSERT INTO claim_votes (guild_id, claim_id, user_id, helpful, reason, voted_at)"
                " VALUES (?, ?, ?, ?, NULL, ?)"
                " ON CONFLICT (guild_id, claim_id, user_id) DO UPDATE SET"
                " helpful = excluded.helpful, voted_at = excluded.voted_at,"
                " reason = CASE WHEN excluded.helpful = 1 THEN NULL ELSE claim_votes.reason END",
                (guild_id, claim_id, user_id, int(helpful), stamp),
            )
            tally = await _tally(conn, guild_id, claim_id)
        return VoteCast(previous, tally)

    async def set_vote_reason(
        self, guild_id: int, claim_id: str, user_id: int, reason: str
    ) -> bool:
        """Attach the member's reason to their "not helpful" vote; False when they have none
        (they changed it to helpful since, or never voted)."""
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE claim_votes SET reason = ? WHERE guild_id = ? AND claim_id = ?"
                " AND user_id = ? AND helpful = 0",
                (reason, guild_id, claim_id, user_id),
            )
            return cursor.rowcount > 0

    async def vote_tally(self, guild_id: int, claim_id: str) -> VoteTally:
        async with self.reading() as conn:
            return await _tally(conn, guild_id, claim_id)

    async def vote_tallies(
        self, guild_id: int, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[VoteTally]:
        """Every voted fact-check of a server (votes last cast in ``[since, until)`` when
        given: what the digest's "least helpful this period" reads)."""
        since_text = to_db_time(since) if since is not None else None
        until_text = to_db_time(until) if until is not None else None
        rows = await self._fetch_all(
            _TALLY + " WHERE guild_id = ? AND (CAST(? AS TEXT) IS NULL OR voted_at >= ?)"
            " AND (CAST(? AS TEXT) IS NULL OR voted_at < ?) GROUP BY claim_id ORDER BY claim_id",
            (guild_id, since_text, since_text, until_text, until_text),
        )
        return _tallies(rows)

    async def vote_reasons(self, guild_id: int, claim_id: str, *, limit: int = 3) -> list[str]:
        """The newest reasons members gave for "not helpful" on a fact-check."""
        rows = await self._fetch_all(
            "SELECT reason FROM claim_votes WHERE guild_id = ? AND claim_id = ?"
            " AND helpful = 0 AND reason IS NOT NULL ORDER BY voted_at DESC LIMIT ?",
            (guild_id, claim_id, limit),
        )
        return [str(row[0]) for row in rows]

    async def most_asked_claims(self, guild_id: int, *, limit: int = 5) -> list[ClaimAsked]:
        """The fact-checks that answered the most questions in a server, most first."""
        await self.flush_questions()  # type: ignore[attr-defined]
        rows = await self._fetch_all(
            "SELECT claim_id, COUNT(*) AS asked FROM asked_questions"
            " WHERE guild_id = ? AND claim_id IS NOT NULL"
            " GROUP BY claim_id ORDER BY asked DESC, claim_id LIMIT ?",
            (guild_id, limit),
        )
        return [ClaimAsked(str(row["claim_id"]), int(row["asked"])) for row in rows]
