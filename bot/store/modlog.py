"""The mod-log outbox (0004): posts owed, written with what they announce."""

from __future__ import annotations

from datetime import datetime

from bot.store.base import SafeConnection, StoreBase, to_db_time, utcnow
from bot.store.mapping import from_row
from bot.store.rows import ModlogKind, ModlogPost

# The table each mod-log outbox kind points into (names from code, never from input).
_MODLOG_TABLES: dict[ModlogKind, str] = {"flag": "flags", "request": "requests"}


async def owe_modlog_post(
    conn: SafeConnection, guild_id: int, kind: ModlogKind, ref_id: int, stamp: str
) -> None:
    """Record, in the caller's transaction, that ``kind`` #``ref_id`` is to be posted.

    Only when the server has a mod-log channel: with none there is nothing to owe.
    """
    async with conn.execute(
        "SELECT 1 FROM guild_settings WHERE guild_id = ? AND modlog_channel_id IS NOT NULL",
        (guild_id,),
    ) as cursor:
        if await cursor.fetchone() is None:
            return
    await conn.execute(
        "INSERT INTO modlog_outbox (guild_id, kind, ref_id, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (guild_id, kind, ref_id, stamp),
    )


async def modlog_posted(
    conn: SafeConnection, kind: ModlogKind, ref_id: int, message_id: int, stamp: str
) -> None:
    table = _MODLOG_TABLES[kind]
    await conn.execute(
        f"UPDATE {table} SET modlog_message_id = ? WHERE id = ?", (message_id, ref_id)
    )
    await conn.execute(
        "UPDATE modlog_outbox SET posted_at = ?, message_id = ?"
        " WHERE kind = ? AND ref_id = ? AND posted_at IS NULL",
        (stamp, message_id, kind, ref_id),
    )


class ModlogOutboxStore(StoreBase):
    """What to post to the mod-log, and what was."""

    async def pending_modlog_posts(
        self, limit: int = 50, *, max_attempts: int | None = None
    ) -> list[ModlogPost]:
        """Mod-log posts owed and not yet made, oldest first (what to post or reconcile).

        ``max_attempts`` leaves out those that failed that many times already.
        """
        rows = await self._fetch_all(
            "SELECT * FROM modlog_outbox WHERE posted_at IS NULL"
            " AND (CAST(? AS INTEGER) IS NULL OR attempts < ?) ORDER BY id LIMIT ?",
            (max_attempts, max_attempts, limit),
        )
        return [from_row(ModlogPost, row) for row in rows]

    async def mark_modlog_posted(
        self, outbox_id: int, message_id: int, *, now: datetime | None = None
    ) -> bool:
        """The owed post went out as ``message_id``; also sets the flag's or request's
        ``modlog_message_id``. False when no pending outbox row has that id."""
        async with self.transaction() as conn:
            async with conn.execute(
                "SELECT kind, ref_id FROM modlog_outbox WHERE id = ? AND posted_at IS NULL",
                (outbox_id,),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return False
            await modlog_posted(
                conn, row["kind"], row["ref_id"], message_id, to_db_time(now or utcnow())
            )
        return True

    async def mark_modlog_failed(self, outbox_id: int) -> int:
        """One more failed attempt at an owed post; returns the attempts so far (0: no row)."""
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE modlog_outbox SET attempts = attempts + 1 WHERE id = ?", (outbox_id,)
            )
            async with conn.execute(
                "SELECT attempts FROM modlog_outbox WHERE id = ?", (outbox_id,)
            ) as cursor:
                row = await cursor.fetchone()
        return 0 if row is None else int(row[0])
