"""The audit log: every moderator action (who, what, when, why), never updated."""

from __future__ import annotations

from datetime import datetime

from bot.store.base import SafeConnection, StoreBase, to_db_time, utcnow
from bot.store.mapping import from_row
from bot.store.rows import AuditEntry


async def write_audit(
    conn: SafeConnection,
    guild_id: int,
    actor_id: int,
    action: str,
    target_type: str,
    target_id: str,
    note: str | None,
    stamp: str,
) -> None:
    await conn.execute(
        "INSERT INTO audit_log"
        " (guild_id, actor_id, action, target_type, target_id, note, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (guild_id, actor_id, action, target_type, target_id, note, stamp),
    )


class AuditStore(StoreBase):
    """Audit entries on their own, and a target's trail."""

    async def record_action(
        self,
        guild_id: int,
        actor_id: int,
        action: str,
        target_type: str,
        target_id: str,
        note: str | None = None,
        *,
        now: datetime | None = None,
    ) -> None:
        """Add one audit entry on its own (e.g. a refused attempt at a moderator command)."""
        async with self.transaction() as conn:
            await write_audit(
                conn,
                guild_id,
                actor_id,
                action,
                target_type,
                target_id,
                note,
                to_db_time(now or utcnow()),
            )

    async def history(self, guild_id: int, target_type: str, target_id: str) -> list[AuditEntry]:
        """The audit trail of one flag, request, claim or setting, oldest first."""
        rows = await self._fetch_all(
            "SELECT * FROM audit_log WHERE guild_id = ? AND target_type = ? AND target_id = ?"
            " ORDER BY id",
            (guild_id, target_type, target_id),
        )
        return [from_row(AuditEntry, row) for row in rows]
