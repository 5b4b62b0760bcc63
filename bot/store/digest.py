"""The digest's queries: settings, the once-per-day slots, and the last day's activity.

Every statement runs through :meth:`Database.transaction` (writes) or
:meth:`Database.reading` (reads), so it never interleaves with another coroutine's
half-done transaction. The slot table (``0002_digest.sql``) is what makes a digest go out
at most once: :meth:`DigestStore.claim` is an ``INSERT`` the primary key refuses the second
time for the same server and local date, whichever process tries (on PostgreSQL every
process's writes share one database).

A claim carries a lease (``0009_digest_slot_lease.sql``): the claiming store's
:attr:`DigestStore.owner` and :data:`CLAIM_LEASE` from the claim. :meth:`unconfirmed_slots`
lists only claims whose lease has run out, so a process reconciling after a restart never
settles a slot another live process is posting right now.

A store made for a sharded process (``shards``, the process's :class:`~bot.shards.ShardPlan`)
lists only the servers on its shards, shard ``(guild_id >> 22) % shard_count`` as Discord
routes them: :meth:`enabled_configs`, :meth:`taken_slots` and :meth:`unconfirmed_slots`
leave the other processes' servers to them. The slot's primary key and lease stay the
safety net for two processes that both believe a server is theirs (a change of shard
count rolled out one process at a time).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal

from bot.core.digest import AskedItem, FlagItem, RequestItem
from bot.core.schedule import DigestConfig, QuietDay, SlotKey
from bot.store.database import Database, Row, SafeConnection, to_db_time
from bot.store.mapping import from_row

if TYPE_CHECKING:
    from bot.shards import ShardPlan

SlotStatus = Literal["claimed", "posted", "skipped", "failed", "quiet"]
# How long a claim is its process's to confirm: far longer than composing and sending a
# digest (seconds, or a minute of 429s), short enough that a dead process's claim is
# settled the same hour.
CLAIM_LEASE = timedelta(minutes=15)


def process_owner() -> str:
    """A name for this process's claims, unique across hosts and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class DigestSlot:
    guild_id: int
    local_date: date
    status: SlotStatus
    scheduled_at: datetime
    late: bool
    channel_id: int | None
    claimed_at: datetime
    finished_at: datetime | None
    message_ids: tuple[int, ...]
    note: str | None
    claimed_by: str | None = None
    lease_until: datetime | None = None


@dataclass(frozen=True)
class Activity:
    """What happened in one server during a digest window, as the core's plain data."""

    asked: list[AskedItem]
    flags_opened: list[FlagItem]
    flags_resolved: list[FlagItem]
    open_requests: list[RequestItem]
    open_request_total: int


class DigestStore:
    """The digest's view of the :class:`Database`."""

    def __init__(
        self,
        database: Database,
        *,
        owner: str | None = None,
        lease: timedelta = CLAIM_LEASE,
        shards: ShardPlan | None = None,
    ) -> None:
        self.database = database
        self.owner = owner or process_owner()
        self.lease = lease
        # The shards whose servers this store lists (None: every server, unsharded).
        self.shards = shards

    def _on_my_shards(self) -> tuple[str, tuple[int, ...]]:
        """An ``AND ...`` that keeps the rows of servers on :attr:`shards`, with its
        parameters; nothing when the store sees every server."""
        plan = self.shards
        if plan is None or set(range(plan.shard_count)) <= set(plan.shard_ids):
            return "", ()
        marks = ", ".join("?" for _ in plan.shard_ids)
        return f" AND (guild_id >> 22) % ? IN ({marks})", (plan.shard_count, *plan.shard_ids)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self.database.reading() as conn, conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    # --- settings ---------------------------------------------------------------------------

    async def config(self, guild_id: int) -> DigestConfig | None:
        rows = await self._all("SELECT * FROM digest_settings WHERE guild_id = ?", (guild_id,))
        return from_row(DigestConfig, rows[0]) if rows else None

    async def enabled_configs(self) -> list[DigestConfig]:
        """The servers (on this store's shards) whose digest is on and has a channel."""
        mine, params = self._on_my_shards()
        rows = await self._all(
            "SELECT * FROM digest_settings WHERE enabled = 1 AND channel_id IS NOT NULL"
            f"{mine} ORDER BY guild_id",
            params,
        )
        return [from_row(DigestConfig, row) for row in rows]

    async def save_config(
        self,
        guild_id: int,
        *,
        channel_id: int,
        post_time: time,
        timezone: str,
        quiet_day: QuietDay,
        actor_id: int | None,
        now: datetime,
    ) -> DigestConfig:
        """Turn the digest on with these settings (replacing earlier ones)."""
        stamp = to_db_time(now)
        async with self.database.transaction() as conn:
            await conn.execute(
                "INSERT INTO digest_settings (guild_id, channel_id, post_time, timezone, enabled,"
                " quiet_day, active_since, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,"
                " post_time = excluded.post_time, timezone = excluded.timezone, enabled = 1,"
                " quiet_day = excluded.quiet_day, active_since = excluded.active_since,"
                " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                (
                    guild_id,
                    channel_id,
                    post_time.strftime("%H:%M"),
                    timezone,
                    quiet_day,
                    stamp,
                    stamp,
                    actor_id,
                ),
            )
            await self._audit(conn, guild_id, actor_id, "digest_set", stamp, post_time, timezone)
        config = await self.config(guild_id)
        assert config is not None
        return config

    async def disable(self, guild_id: int, *, actor_id: int | None, now: datetime) -> bool:
        """Turn the digest off; False when it was not on."""
        stamp = to_db_time(now)
        async with self.database.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE digest_settings SET enabled = 0, updated_at = ?, updated_by = ?"
                " WHERE guild_id = ? AND enabled = 1",
                (stamp, actor_id, guild_id),
            )
            if cursor.rowcount == 0:
                return False
            await self._audit(conn, guild_id, actor_id, "digest_off", stamp)
        return True

    @staticmethod
    async def _audit(
        conn: SafeConnection,
        guild_id: int,
        actor_id: int | None,
        action: str,
        stamp: str,
        post_time: time | None = None,
        timezone: str | None = None,
    ) -> None:
        if actor_id is None:
            return
        note = None if post_time is None else f"{post_time.strftime('%H:%M')} {timezone}"
        await conn.execute(
            "INSERT INTO audit_log"
            " (guild_id, actor_id, action, target_type, target_id, note, created_at)"
            " VALUES (?, ?, ?, 'settings', 'digest', ?, ?)",
            (guild_id, actor_id, action, note, stamp),
        )

    # --- slots ------------------------------------------------------------------------------

    async def taken_slots(self, since: date) -> set[SlotKey]:
        """Every slot from ``since`` on (of servers on this store's shards), whatever its
        status: none of them is due again."""
        mine, params = self._on_my_shards()
        rows = await self._all(
            f"SELECT guild_id, local_date FROM digest_slots WHERE local_date >= ?{mine}",
            (since.isoformat(), *params),
        )
        return {(row["guild_id"], date.fromisoformat(row["local_date"])) for row in rows}

    async def slot(self, guild_id: int, local_date: date) -> DigestSlot | None:
        rows = await self._all(
            "SELECT * FROM digest_slots WHERE guild_id = ? AND local_date = ?",
            (guild_id, local_date.isoformat()),
        )
        return from_row(DigestSlot, rows[0]) if rows else None

    async def last_posted(self, guild_id: int) -> DigestSlot | None:
        rows = await self._all(
            "SELECT * FROM digest_slots WHERE guild_id = ? AND status = 'posted'"
            " ORDER BY local_date DESC LIMIT 1",
            (guild_id,),
        )
        return from_row(DigestSlot, rows[0]) if rows else None

    async def unconfirmed_slots(self, now: datetime | None = None) -> list[DigestSlot]:
        """Slots claimed but never confirmed whose lease has run out at ``now``: the process
        that claimed them stopped between claim and confirmation. Without ``now``, every
        claimed slot (whatever its lease). Only servers on this store's shards."""
        mine, params = self._on_my_shards()
        if now is None:
            rows = await self._all(
                f"SELECT * FROM digest_slots WHERE status = 'claimed'{mine} ORDER BY claimed_at",
                params,
            )
        else:
            rows = await self._all(
                "SELECT * FROM digest_slots WHERE status = 'claimed'"
                f" AND (lease_until IS NULL OR lease_until <= ?){mine} ORDER BY claimed_at",
                (to_db_time(now), *params),
            )
        return [from_row(DigestSlot, row) for row in rows]

    async def claim(
        self,
        guild_id: int,
        local_date: date,
        *,
        scheduled_at: datetime,
        late: bool,
        channel_id: int | None,
        now: datetime,
        status: SlotStatus = "claimed",
        note: str | None = None,
    ) -> bool:
        """Take the slot (status ``claimed``, or straight to ``skipped``); False if taken."""
        async with self.database.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO digest_slots (guild_id, local_date, status, scheduled_at, late,"
                " channel_id, claimed_at, finished_at, note, claimed_by, lease_until)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, local_date) DO NOTHING",
                (
                    guild_id,
                    local_date.isoformat(),
                    status,
                    to_db_time(scheduled_at),
                    int(late),
                    channel_id,
                    to_db_time(now),
                    None if status == "claimed" else to_db_time(now),
                    note,
                    self.owner,
                    to_db_time(now + self.lease) if status == "claimed" else None,
                ),
            )
            return cursor.rowcount == 1

    async def finish(
        self,
        guild_id: int,
        local_date: date,
        status: SlotStatus,
        *,
        now: datetime,
        message_ids: Sequence[int] = (),
        note: str | None = None,
    ) -> bool:
        """Close a claimed slot as posted, quiet or failed; False when it was not claimed."""
        if status == "claimed":
            raise ValueError("finish() closes a claim; it cannot make one")
        async with self.database.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE digest_slots SET status = ?, finished_at = ?, message_ids = ?, note = ?"
                " WHERE guild_id = ? AND local_date = ? AND status = 'claimed'",
                (
                    status,
                    to_db_time(now),
                    " ".join(str(i) for i in message_ids) or None,
                    note,
                    guild_id,
                    local_date.isoformat(),
                ),
            )
            return cursor.rowcount == 1

    # --- the window's activity --------------------------------------------------------------

    async def activity(
        self, guild_id: int, since: datetime, until: datetime, *, top_requests: int
    ) -> Activity:
        """Questions, flags opened and resolved in ``[since, until)``, and top open requests."""
        window = (guild_id, to_db_time(since), to_db_time(until))
        # Answered questions wait up to a second in the write queue: count them too.
        await self.database.flush_questions()
        asked = await self._all(
            "SELECT question, claim_id FROM asked_questions"
            " WHERE guild_id = ? AND asked_at >= ? AND asked_at < ? ORDER BY asked_at, id",
            window,
        )
        opened = await self._all(
            "SELECT id, claim_id, reason FROM flags"
            " WHERE guild_id = ? AND created_at >= ? AND created_at < ? ORDER BY id",
            window,
        )
        resolved = await self._all(
            "SELECT id, claim_id, reason, status FROM flags"
            " WHERE guild_id = ? AND resolved_at >= ? AND resolved_at < ?"
            " AND status IN ('upheld', 'dismissed') ORDER BY resolved_at, id",
            window,
        )
        requests = await self._all(
            "SELECT r.id, r.question,"
            " (SELECT COUNT(*) FROM request_askers a WHERE a.request_id = r.id) AS askers"
            " FROM requests r WHERE r.guild_id = ? AND r.status = 'open'"
            " ORDER BY askers DESC, r.id DESC LIMIT ?",
            (guild_id, top_requests),
        )
        total = await self._all(
            "SELECT COUNT(*) FROM requests WHERE guild_id = ? AND status = 'open'", (guild_id,)
        )
        return Activity(
            asked=[AskedItem(row["question"], row["claim_id"]) for row in asked],
            flags_opened=[FlagItem(row["id"], row["claim_id"], row["reason"]) for row in opened],
            flags_resolved=[
                FlagItem(row["id"], row["claim_id"], row["reason"], row["status"])
                for row in resolved
            ],
            open_requests=[
                RequestItem(row["id"], row["question"], row["askers"]) for row in requests
            ],
            open_request_total=int(total[0][0]),
        )
