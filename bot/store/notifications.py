"""Telling requesters their fact-check exists (0005): the server's setting and the outbox.

A request answered by a corpus reload owes one notification per asker who wants one
(:func:`owe_notifications`, called in the transaction that marks the request answered), so a
crash between that commit and the send loses nothing. Sending a row is
claim (``pending`` -> ``sending``, committed) -> send -> finish (``sent`` with the message
id, or ``skipped`` / ``failed`` with a note). A row still ``sending`` at start was
interrupted: :mod:`bot.notify` looks for the message before sending again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.store.audit import write_audit
from bot.store.base import ERASED_MEMBER_ID, SafeConnection, StoreBase, to_db_time, utcnow
from bot.store.mapping import from_row
from bot.store.rows import NOTIFY_MODES, Notification, NotifyMode

DEFAULT_NOTIFY_MODE: NotifyMode = "channel"
FinishedStatus = Literal["sent", "skipped", "failed"]


def _mode(value: object) -> NotifyMode:
    for mode in NOTIFY_MODES:
        if value == mode:
            return mode
    return DEFAULT_NOTIFY_MODE


async def owe_notifications(
    conn: SafeConnection, guild_id: int, request_id: int, claim_id: str, stamp: str
) -> int:
    """Record, in the caller's transaction, a notification for every asker of request
    ``request_id`` who did not opt out, in the server's mode (none when it is off).
    Returns how many were owed; an asker already owed is not owed twice."""
    async with conn.execute(
        "SELECT mode FROM notify_settings WHERE guild_id = ?", (guild_id,)
    ) as cursor:
        row = await cursor.fetchone()
    mode = _mode(row[0]) if row is not None else DEFAULT_NOTIFY_MODE
    if mode == "off":
        return 0
    cursor = await conn.execute(
        "INSERT INTO notifications"
        " (guild_id, request_id, user_id, claim_id, channel_id, mode, status, created_at)"
        " SELECT r.guild_id, a.request_id, a.user_id, ?, COALESCE(a.channel_id, r.channel_id),"
        " ?, 'pending', ? FROM request_askers a JOIN requests r ON r.id = a.request_id"
        " WHERE a.request_id = ? AND a.notify = 1 AND a.user_id <> ?"
        " ON CONFLICT (request_id, user_id) DO NOTHING",
        (claim_id, mode, stamp, request_id, ERASED_MEMBER_ID),
    )
    return max(cursor.rowcount, 0)


class NotificationsStore(StoreBase):
    """The ``notify_settings`` and ``notifications`` tables."""

    async def notify_mode(self, guild_id: int) -> NotifyMode:
        row = await self._fetch_one(
            "SELECT mode FROM notify_settings WHERE guild_id = ?", (guild_id,)
        )
        return _mode(row[0]) if row is not None else DEFAULT_NOTIFY_MODE

    async def set_notify_mode(
        self, guild_id: int, mode: NotifyMode, *, actor_id: int, now: datetime | None = None
    ) -> None:
        """How the server's askers are told (channel, dm, off); audited."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            await conn.execute(
                "INSERT INTO notify_settings (guild_id, mode, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
                " mode = excluded.mode, updated_at = excluded.updated_at,"
                " updated_by = excluded.updated_by",
                (guild_id, mode, stamp, actor_id),
            )
            await write_audit(
                conn, guild_id, actor_id, "set_notify", "settings", "notify", mode, stamp
            )

    async def notifications(
        self, status: Literal["pending", "sending"], *, limit: int = 100
    ) -> list[Notification]:
        """Notifications in ``status``, oldest first (what to send, or to reconcile)."""
        rows = await self._fetch_all(
            "SELECT * FROM notifications WHERE status = ? ORDER BY id LIMIT ?", (status, limit)
        )
        return [from_row(Notification, row) for row in rows]

    async def notification(self, notification_id: int) -> Notification | None:
        row = await self._fetch_one("SELECT * FROM notifications WHERE id = ?", (notification_id,))
        return None if row is None else from_row(Notification, row)

    async def claim_notification(
        self, notification_id: int, *, now: datetime | None = None
    ) -> bool:
        """``pending`` -> ``sending``, committed before the send; False when another pass
        (or an earlier run) has it already."""
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE notifications SET status = 'sending', claimed_at = ?,"
                " attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
                (to_db_time(now or utcnow()), notification_id),
            )
            return cursor.rowcount > 0

    async def finish_notification(
        self,
        notification_id: int,
        status: FinishedStatus,
        *,
        message_id: int | None = None,
        note: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """A claimed notification is done: sent (with its message), skipped or failed."""
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE notifications SET status = ?, message_id = ?, note = ?, finished_at = ?"
                " WHERE id = ? AND status = 'sending'",
                (status, message_id, note, to_db_time(now or utcnow()), notification_id),
            )
            return cursor.rowcount > 0

    async def release_notification(self, notification_id: int, note: str | None = None) -> bool:
        """A claimed notification that was certainly not sent goes back to ``pending``."""
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE notifications SET status = 'pending', claimed_at = NULL, note = ?"
                " WHERE id = ? AND status = 'sending'",
                (note, notification_id),
            )
            return cursor.rowcount > 0
