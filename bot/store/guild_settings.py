"""Per-server settings (the mod-log channel), each change audited."""

from __future__ import annotations

from datetime import datetime

from bot.store.audit import write_audit
from bot.store.base import StoreBase, to_db_time, utcnow
from bot.store.mapping import from_row
from bot.store.rows import GuildSettings


class GuildSettingsStore(StoreBase):
    """The ``guild_settings`` table."""

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self._fetch_one("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
        if row is None:
            return GuildSettings(guild_id, None, None, None)
        return from_row(GuildSettings, row)

    async def set_modlog_channel(
        self, guild_id: int, channel_id: int | None, *, actor_id: int, now: datetime | None = None
    ) -> None:
        """Set (or with None, unset) the mod-log channel; recorded in the audit log."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, modlog_channel_id, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET modlog_channel_id = excluded."
                "modlog_channel_id, updated_at = excluded.updated_at,"
                " updated_by = excluded.updated_by",
                (guild_id, channel_id, stamp, actor_id),
            )
            await write_audit(
                conn,
                guild_id,
                actor_id,
                "set_modlog",
                "settings",
                "modlog",
                None if channel_id is None else str(channel_id),
                stamp,
            )
