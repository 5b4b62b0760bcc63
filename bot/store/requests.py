"""Fact-check requests: near-duplicates merge into one row with many askers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from bot.store import dedupe
from bot.store.audit import write_audit
from bot.store.base import StoreBase, to_db_time, utcnow
from bot.store.mapping import from_row
from bot.store.modlog import modlog_posted, owe_modlog_post
from bot.store.notifications import owe_notifications
from bot.store.rows import Request, RequestAdded, RequestSource, RequestStatus

REQUEST_COLUMNS = """
    r.*, (SELECT COUNT(*) FROM request_askers a WHERE a.request_id = r.id) AS askers
"""


class RequestsStore(StoreBase):
    """The ``requests`` and ``request_askers`` tables."""

    async def add_request(
        self,
        guild_id: int,
        question: str,
        *,
        user_id: int,
        source: RequestSource,
        channel_id: int | None = None,
        notify: bool = True,
        now: datetime | None = None,
    ) -> RequestAdded:
        """Store a request, or add the member as an asker of an open near-duplicate.

        Each asker is remembered with the channel they asked in and whether they want to be
        told when a fact-check answers it (``notify``)."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            async with conn.execute(
                "SELECT id, question FROM requests WHERE guild_id = ? AND status = 'open'",
                (guild_id,),
            ) as cursor:
                open_requests = [(row["id"], row["question"]) async for row in cursor]
            request_id = dedupe.near_duplicate(question, open_requests)
            created = request_id is None
            if request_id is None:
                async with conn.execute(
                    "INSERT INTO requests"
                    " (guild_id, question, source, channel_id, status, created_at, created_by)"
                    " VALUES (?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                    (guild_id, question, source, channel_id, stamp, user_id),
                ) as cursor:
                    inserted = await cursor.fetchone()
                request_id = int(inserted["id"])
                await owe_modlog_post(conn, guild_id, "request", request_id, stamp)
            cursor = await conn.execute(
                "INSERT INTO request_askers (request_id, user_id, asked_at, channel_id, notify)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (request_id, user_id, stamp, channel_id, int(notify)),
            )
            already_asked = cursor.rowcount == 0
            async with conn.execute(
                f"SELECT {REQUEST_COLUMNS} FROM requests r WHERE r.id = ?", (request_id,)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return RequestAdded(from_row(Request, row), created=created, already_asked=already_asked)

    async def request(self, guild_id: int, request_id: int) -> Request | None:
        row = await self._fetch_one(
            f"SELECT {REQUEST_COLUMNS} FROM requests r WHERE r.guild_id = ? AND r.id = ?",
            (guild_id, request_id),
        )
        return None if row is None else from_row(Request, row)

    async def requests(
        self,
        guild_id: int,
        status: RequestStatus | None = "open",
        *,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Request]:
        """One page of a server's requests, most asked first, then newest."""
        rows = await self._fetch_all(
            f"SELECT {REQUEST_COLUMNS} FROM requests r"
            " WHERE r.guild_id = ? AND (CAST(? AS TEXT) IS NULL OR r.status = ?)"
            " ORDER BY askers DESC, r.id DESC LIMIT ? OFFSET ?",
            (guild_id, status, status, limit, offset),
        )
        return [from_row(Request, row) for row in rows]

    async def count_requests(self, guild_id: int, status: RequestStatus | None = "open") -> int:
        row = await self._fetch_one(
            "SELECT COUNT(*) FROM requests"
            " WHERE guild_id = ? AND (CAST(? AS TEXT) IS NULL OR status = ?)",
            (guild_id, status, status),
        )
        return int(row[0]) if row else 0

    async def open_requests_everywhere(self) -> list[Request]:
        """Every open request of every server (a corpus reload checks them all)."""
        rows = await self._fetch_all(
            f"SELECT {REQUEST_COLUMNS} FROM requests r WHERE r.status = 'open' ORDER BY r.id"
        )
        return [from_row(Request, row) for row in rows]

    async def set_request_modlog_message(self, request_id: int, message_id: int) -> None:
        """The request's mod-log post is ``message_id`` (its outbox row counts as posted)."""
        async with self.transaction() as conn:
            await modlog_posted(conn, "request", request_id, message_id, to_db_time(utcnow()))

    async def close_request(
        self,
        guild_id: int,
        request_id: int,
        note: str,
        *,
        actor_id: int,
        now: datetime | None = None,
    ) -> Request | None:
        """A moderator closes an open request; None when no open request has that id."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE requests SET status = 'closed', closed_at = ?, closed_by = ?,"
                " close_note = ? WHERE guild_id = ? AND id = ? AND status = 'open'",
                (stamp, actor_id, note, guild_id, request_id),
            )
            if cursor.rowcount == 0:
                return None
            await write_audit(
                conn, guild_id, actor_id, "closed", "request", str(request_id), note, stamp
            )
            async with conn.execute(
                f"SELECT {REQUEST_COLUMNS} FROM requests r WHERE r.id = ?", (request_id,)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return from_row(Request, row)

    async def answer_open_requests(
        self,
        find_answer: Callable[[str], str | None],
        *,
        actor_id: int,
        now: datetime | None = None,
    ) -> list[Request]:
        """Close as answered every open request ``find_answer`` maps to a claim id.

        ``find_answer(question)`` is the caller's matcher (the store knows nothing of the
        corpus); it runs in a worker thread, outside any transaction. Returns the requests
        closed, with their new status.
        """
        candidates = await self.open_requests_everywhere()
        answers = await asyncio.to_thread(
            lambda: [(request, find_answer(request.question)) for request in candidates]
        )
        closed: list[Request] = []
        for request, claim_id in answers:
            if claim_id is not None and await self.answer_request(
                request.id, claim_id, actor_id=actor_id, now=now
            ):
                updated = await self.request(request.guild_id, request.id)
                assert updated is not None
                closed.append(updated)
        return closed

    async def answer_request(
        self,
        request_id: int,
        claim_id: str,
        *,
        actor_id: int,
        now: datetime | None = None,
    ) -> bool:
        """Close an open request as answered by ``claim_id`` (after a corpus reload)."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            async with conn.execute(
                "SELECT guild_id FROM requests WHERE id = ? AND status = 'open'", (request_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return False
            await conn.execute(
                "UPDATE requests SET status = 'answered', closed_at = ?, closed_by = ?,"
                " answered_claim_id = ? WHERE id = ?",
                (stamp, actor_id, claim_id, request_id),
            )
            await write_audit(
                conn,
                row["guild_id"],
                actor_id,
                "answered",
                "request",
                str(request_id),
                claim_id,
                stamp,
            )
            # The askers are told, once each, through the notification outbox.
            await owe_notifications(conn, row["guild_id"], request_id, claim_id, stamp)
        return True
