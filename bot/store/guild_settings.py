"""Per-server settings (the mod-log channel, the match threshold, the language), each change
audited."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import LANGUAGES
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

    async def match_threshold(self, guild_id: int) -> float | None:
        """The server's own match threshold, or None for the bot's default."""
        row = await self._fetch_one(
            "SELECT match_threshold FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None or row[0] is None else float(row[0])

    async def set_match_threshold(
        self, guild_id: int, threshold: float | None, *, actor_id: int, now: datetime | None = None
    ) -> None:
        """Set (or with None, go back to the default) the server's match threshold; audited."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, match_threshold, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET match_threshold = excluded."
                "match_threshold, updated_at = excluded.updated_at,"
                " updated_by = excluded.updated_by",
                (guild_id, threshold, stamp, actor_id),
            )
            await write_audit(
                conn,
                guild_id,
                actor_id,
                "set_threshold",
                "settings",
                "threshold",
                None if threshold is None else f"{threshold:.2f}",
                stamp,
            )

    async def guild_language(self, guild_id: int) -> str | None:
        """The server's chosen language ("en", "es"), or None for auto."""
        row = await self._fetch_one(
            "SELECT language FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None or row[0] is None else str(row[0])

    async def set_guild_language(
        self, guild_id: int, language: str | None, *, actor_id: int, now: datetime | None = None
    ) -> None:
        """Set the language of the server's public answers and digests ("en", "es"; None:
        auto, the server's preferred locale); audited."""
        if language is not None and language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, language, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET language = excluded.language,"
                " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                (guild_id, language, stamp, actor_id),
            )
            await write_audit(
                conn,
                guild_id,
                actor_id,
                "set_language",
                "settings",
                "language",
                language or "auto",
                stamp,
            )
