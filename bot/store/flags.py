"""Flags (members' and moderators' disputes of fact-checks) and the disputes upheld."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.audit import write_audit
from bot.store.base import SafeConnection, StoreBase, from_db_time, to_db_time, utcnow
from bot.store.mapping import from_row
from bot.store.modlog import modlog_posted, owe_modlog_post
from bot.store.rows import Dispute, Flag, FlagAdded, FlagOutcome, FlagStatus, NewFlag


class FlagsStore(StoreBase):
    """The ``flags`` and ``disputes`` tables."""

    async def add_flag(
        self,
        new: NewFlag,
        *,
        cooldown: timedelta = timedelta(0),
        now: datetime | None = None,
    ) -> FlagAdded:
        """Store a flag unless the member has this one open already or flagged too recently."""
        moment = now or utcnow()
        stamp = to_db_time(moment)
        async with self.transaction() as conn:
            if cooldown > timedelta(0):
                async with conn.execute(
                    "SELECT MAX(created_at) FROM flags WHERE guild_id = ? AND flagger_id = ?",
                    (new.guild_id, new.flagger_id),
                ) as cursor:
                    row = await cursor.fetchone()
                last = from_db_time(row[0] if row else None)
                if last is not None and moment - last < cooldown:
                    wait = cooldown - (moment - last)
                    return FlagAdded(None, "cooldown", max(1, int(wait.total_seconds() + 0.999)))
            async with conn.execute(
                "INSERT INTO flags (guild_id, kind, claim_id, flagger_id, reason, channel_id,"
                " message_id, message_link, message_text, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)"
                " ON CONFLICT DO NOTHING RETURNING *",
                (
                    new.guild_id,
                    new.kind,
                    new.claim_id,
                    new.flagger_id,
                    new.reason,
                    new.channel_id,
                    new.message_id,
                    new.message_link,
                    new.message_text,
                    stamp,
                ),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return FlagAdded(None, "duplicate")
            flag = from_row(Flag, row)
            await owe_modlog_post(conn, new.guild_id, "flag", flag.id, stamp)
        return FlagAdded(flag)

    async def has_open_flag(self, guild_id: int, claim_id: str, flagger_id: int) -> bool:
        """Whether the member already has an open answer flag on ``claim_id`` in the server."""
        row = await self._fetch_one(
            "SELECT 1 FROM flags WHERE guild_id = ? AND claim_id = ? AND flagger_id = ?"
            " AND kind = 'answer' AND status = 'open'",
            (guild_id, claim_id, flagger_id),
        )
        return row is not None

    async def flag(self, guild_id: int, flag_id: int) -> Flag | None:
        row = await self._fetch_one(
            "SELECT * FROM flags WHERE guild_id = ? AND id = ?", (guild_id, flag_id)
        )
        return None if row is None else from_row(Flag, row)

    async def flags(
        self,
        guild_id: int,
        status: FlagStatus | None = None,
        *,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Flag]:
        """One page of a server's flags, newest first; ``status`` None lists them all."""
        rows = await self._fetch_all(
            "SELECT * FROM flags WHERE guild_id = ? AND (CAST(? AS TEXT) IS NULL OR status = ?)"
            " ORDER BY id DESC LIMIT ? OFFSET ?",
            (guild_id, status, status, limit, offset),
        )
        return [from_row(Flag, row) for row in rows]

    async def count_flags(self, guild_id: int, status: FlagStatus | None = None) -> int:
        row = await self._fetch_one(
            "SELECT COUNT(*) FROM flags"
            " WHERE guild_id = ? AND (CAST(? AS TEXT) IS NULL OR status = ?)",
            (guild_id, status, status),
        )
        return int(row[0]) if row else 0

    async def set_flag_modlog_message(self, flag_id: int, message_id: int) -> None:
        """The flag's mod-log post is ``message_id`` (its outbox row counts as posted)."""
        async with self.transaction() as conn:
            await modlog_posted(conn, "flag", flag_id, message_id, to_db_time(utcnow()))

    async def resolve_flag(
        self,
        guild_id: int,
        flag_id: int,
        outcome: FlagOutcome,
        note: str,
        *,
        actor_id: int,
        now: datetime | None = None,
    ) -> Flag | None:
        """Close an open flag; upheld on a claim also marks the claim disputed in the server.

        Returns the resolved flag, or None when no open flag has that id in the server.
        """
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE flags SET status = ?, resolved_at = ?, resolved_by = ?,"
                " resolution_note = ? WHERE guild_id = ? AND id = ? AND status = 'open'",
                (outcome, stamp, actor_id, note, guild_id, flag_id),
            )
            if cursor.rowcount == 0:
                return None
            async with conn.execute("SELECT * FROM flags WHERE id = ?", (flag_id,)) as cursor:
                row = await cursor.fetchone()
            assert row is not None
            flag = from_row(Flag, row)
            await write_audit(conn, guild_id, actor_id, outcome, "flag", str(flag_id), note, stamp)
            if outcome == "upheld" and flag.claim_id is not None:
                await self._set_dispute(
                    conn, guild_id, flag.claim_id, flag_id, note, actor_id, stamp
                )
        return flag

    # --- disputes -------------------------------------------------------------------------------

    async def _set_dispute(
        self,
        conn: SafeConnection,
        guild_id: int,
        claim_id: str,
        flag_id: int | None,
        note: str,
        actor_id: int,
        stamp: str,
    ) -> None:
        # A newer uphold replaces the note of an active dispute rather than stacking notices.
        await conn.execute(
            "UPDATE disputes SET cleared_by = ?, cleared_at = ?"
            " WHERE guild_id = ? AND claim_id = ? AND cleared_at IS NULL",
            (actor_id, stamp, guild_id, claim_id),
        )
        await conn.execute(
            "INSERT INTO disputes (guild_id, claim_id, flag_id, note, upheld_by, upheld_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, claim_id, flag_id, note, actor_id, stamp),
        )
        await write_audit(conn, guild_id, actor_id, "disputed", "claim", claim_id, note, stamp)

    async def active_dispute(self, guild_id: int | None, claim_id: str) -> Dispute | None:
        """The "Disputed in this server" notice for ``claim_id``, if moderators upheld one."""
        if guild_id is None:
            return None
        row = await self._fetch_one(
            "SELECT * FROM disputes WHERE guild_id = ? AND claim_id = ? AND cleared_at IS NULL",
            (guild_id, claim_id),
        )
        return None if row is None else from_row(Dispute, row)

    async def active_disputes(self, guild_id: int) -> list[Dispute]:
        rows = await self._fetch_all(
            "SELECT * FROM disputes WHERE guild_id = ? AND cleared_at IS NULL ORDER BY claim_id",
            (guild_id,),
        )
        return [from_row(Dispute, row) for row in rows]

    async def clear_dispute(
        self,
        guild_id: int,
        claim_id: str,
        note: str | None,
        *,
        actor_id: int,
        now: datetime | None = None,
    ) -> bool:
        """Remove the notice from ``claim_id``'s answers; False when there was none."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE disputes SET cleared_by = ?, cleared_at = ?"
                " WHERE guild_id = ? AND claim_id = ? AND cleared_at IS NULL",
                (actor_id, stamp, guild_id, claim_id),
            )
            if cursor.rowcount == 0:
                return False
            await write_audit(conn, guild_id, actor_id, "cleared", "claim", claim_id, note, stamp)
        return True
