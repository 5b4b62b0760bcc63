"""Watch mode: watched channels (each change audited) and the cards posted in them."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.audit import write_audit
from bot.store.base import StoreBase, to_db_time, utcnow
from bot.store.mapping import from_row
from bot.store.rows import WatchedChannel, WatchMode


class WatchStore(StoreBase):
    """The ``watched_channels`` and ``watch_cards`` tables."""

    async def watched_channels(self, guild_id: int | None = None) -> list[WatchedChannel]:
        """The watched channels of one server (or, with None, of every server)."""
        if guild_id is None:
            rows = await self._fetch_all("SELECT * FROM watched_channels ORDER BY channel_id")
        else:
            rows = await self._fetch_all(
                "SELECT * FROM watched_channels WHERE guild_id = ? ORDER BY channel_id",
                (guild_id,),
            )
        return [from_row(WatchedChannel, row) for row in rows]

    async def watch_channel(
        self,
        guild_id: int,
        channel_id: int,
        mode: WatchMode,
        *,
        actor_id: int,
        now: datetime | None = None,
    ) -> None:
        """Watch ``channel_id`` (or change its mode); audited."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            await conn.execute(
                "INSERT INTO watched_channels (channel_id, guild_id, mode, added_by, added_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET"
                " mode = excluded.mode, added_by = excluded.added_by,"
                " added_at = excluded.added_at",
                (channel_id, guild_id, mode, actor_id, stamp),
            )
            await write_audit(
                conn, guild_id, actor_id, "watch_added", "channel", str(channel_id), mode, stamp
            )

    async def unwatch_channel(
        self, guild_id: int, channel_id: int, *, actor_id: int, now: datetime | None = None
    ) -> bool:
        """Stop watching ``channel_id``; False if it was not watched. Audited."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM watched_channels WHERE guild_id = ? AND channel_id = ?",
                (guild_id, channel_id),
            )
            if cursor.rowcount == 0:
                return False
            await write_audit(
                conn, guild_id, actor_id, "watch_removed", "channel", str(channel_id), None, stamp
            )
        return True

    async def claim_watch_card(
        self,
        *,
        guild_id: int,
        channel_id: int,
        message_id: int,
        claim_id: str,
        probability: float,
        mode: WatchMode,
        cooldown: timedelta,
        hourly_cap: int,
        now: datetime | None = None,
    ) -> bool:
        """Record the card for ``message_id`` before it is sent; False (nothing recorded)
        when that message already has one, the claim had a card in this channel within
        ``cooldown``, or the channel had ``hourly_cap`` cards in the last hour."""
        moment = now or utcnow()
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "SELECT"
                " (SELECT COUNT(*) FROM watch_cards WHERE message_id = ?),"
                " (SELECT COUNT(*) FROM watch_cards"
                "   WHERE channel_id = ? AND claim_id = ? AND created_at > ?),"
                " (SELECT COUNT(*) FROM watch_cards WHERE channel_id = ? AND created_at > ?)",
                (
                    message_id,
                    channel_id,
                    claim_id,
                    to_db_time(moment - cooldown),
                    channel_id,
                    to_db_time(moment - timedelta(hours=1)),
                ),
            )
            row = await cursor.fetchone()
            assert row is not None
            already, recent_claim, last_hour = row
            if already or recent_claim or last_hour >= hourly_cap:
                return False
            await conn.execute(
                "INSERT INTO watch_cards"
                " (message_id, channel_id, guild_id, claim_id, probability, mode, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (message_id, channel_id, guild_id, claim_id, probability, mode, to_db_time(moment)),
            )
        return True
