"""factdesk's database: one SQLite file through aiosqlite, and every query the bot runs.

``await Database.open(path)`` creates the parent directory, turns on WAL, foreign keys and a
busy timeout, and applies the pending migrations (:mod:`bot.store.migrate`). The methods are
typed and return the dataclasses of :mod:`bot.store.rows`; every value is a bound parameter,
never pasted into SQL.

One aiosqlite connection serves the whole bot. Its statements run one at a time on a worker
thread, but coroutines interleave between statements, so each method holds ``self._lock``
for its whole transaction: no coroutine ever sees or joins another one's half-done work.
Other modules of ``bot/store`` (the digest's) use :meth:`Database.transaction` and
:meth:`Database.reading` the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import aiosqlite

from bot.store import dedupe
from bot.store.migrate import Migration, apply_migrations, schema_version
from bot.store.rows import (
    AskedQuestion,
    AuditEntry,
    Dispute,
    Flag,
    FlagAdded,
    FlagOutcome,
    FlagStatus,
    GuildSettings,
    NewFlag,
    Request,
    RequestAdded,
    RequestSource,
    RequestStatus,
)

BUSY_TIMEOUT_MS = 5000


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> str:
    """A fixed-width UTC ISO 8601 string, so stored times compare correctly as text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def from_db_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _required_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _flag(row: aiosqlite.Row) -> Flag:
    return Flag(
        id=row["id"],
        guild_id=row["guild_id"],
        kind=row["kind"],
        claim_id=row["claim_id"],
        flagger_id=row["flagger_id"],
        reason=row["reason"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        message_link=row["message_link"],
        message_text=row["message_text"],
        status=row["status"],
        created_at=_required_time(row["created_at"]),
        resolved_at=from_db_time(row["resolved_at"]),
        resolved_by=row["resolved_by"],
        resolution_note=row["resolution_note"],
        modlog_message_id=row["modlog_message_id"],
    )


def _dispute(row: aiosqlite.Row) -> Dispute:
    return Dispute(
        id=row["id"],
        guild_id=row["guild_id"],
        claim_id=row["claim_id"],
        flag_id=row["flag_id"],
        note=row["note"],
        upheld_by=row["upheld_by"],
        upheld_at=_required_time(row["upheld_at"]),
        cleared_by=row["cleared_by"],
        cleared_at=from_db_time(row["cleared_at"]),
    )


def _request(row: aiosqlite.Row) -> Request:
    return Request(
        id=row["id"],
        guild_id=row["guild_id"],
        question=row["question"],
        source=row["source"],
        channel_id=row["channel_id"],
        status=row["status"],
        created_at=_required_time(row["created_at"]),
        created_by=row["created_by"],
        closed_at=from_db_time(row["closed_at"]),
        closed_by=row["closed_by"],
        close_note=row["close_note"],
        answered_claim_id=row["answered_claim_id"],
        modlog_message_id=row["modlog_message_id"],
        askers=row["askers"],
    )


def _audit(row: aiosqlite.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        guild_id=row["guild_id"],
        actor_id=row["actor_id"],
        action=row["action"],
        target_type=row["target_type"],
        target_id=row["target_id"],
        note=row["note"],
        created_at=_required_time(row["created_at"]),
    )


def _asked(row: aiosqlite.Row) -> AskedQuestion:
    return AskedQuestion(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        user_id=row["user_id"],
        question=row["question"],
        claim_id=row["claim_id"],
        score=row["score"],
        asked_at=_required_time(row["asked_at"]),
    )


REQUEST_COLUMNS = """
    r.*, (SELECT COUNT(*) FROM request_askers a WHERE a.request_id = r.id) AS askers
"""


class Database:
    """The bot's database. Open with :meth:`open`; close with :meth:`close`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: Path, *, migrations: Sequence[Migration] | None = None) -> Database:
        """Open (creating it if need be) and migrate the database at ``path``.

        ``migrations`` replaces the shipped list (tests build older schemas with it).
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a commit is on disk before the bot says "recorded".
            await conn.execute("PRAGMA synchronous = FULL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await apply_migrations(conn, list(migrations) if migrations is not None else None)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def version(self) -> int:
        async with self._lock:
            return await schema_version(self._conn)

    async def pragma(self, name: str) -> Any:
        """The value of a read-only PRAGMA such as ``journal_mode`` (for tests and checks)."""
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        async with self.reading() as conn, conn.execute(f"PRAGMA {name}") as cursor:
            row = await cursor.fetchone()
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction (BEGIN IMMEDIATE), committed on success, rolled back on error."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection, for reads only, while no transaction of this bot is half done."""
        async with self._lock:
            yield self._conn

    async def _fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self.reading() as conn, conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _fetch_one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self.reading() as conn, conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    # --- questions asked (written by the factcheck cog, read by the digest) ----------------

    async def record_question(
        self,
        *,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        question: str,
        claim_id: str | None,
        score: float | None,
        asked_at: datetime | None = None,
    ) -> int:
        """Store one asked question (``claim_id`` None: nothing matched); return its id."""
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO asked_questions"
                " (guild_id, channel_id, user_id, question, claim_id, score, asked_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    channel_id,
                    user_id,
                    question,
                    claim_id,
                    score,
                    to_db_time(asked_at or utcnow()),
                ),
            )
            return cast(int, cursor.lastrowid)

    async def asked_questions(
        self, guild_id: int | None, since: datetime, until: datetime
    ) -> list[AskedQuestion]:
        """Questions asked in ``guild_id`` with ``since <= asked_at < until``, oldest first."""
        rows = await self._fetch_all(
            "SELECT * FROM asked_questions WHERE guild_id IS ? AND asked_at >= ? AND asked_at < ?"
            " ORDER BY asked_at, id",
            (guild_id, to_db_time(since), to_db_time(until)),
        )
        return [_asked(row) for row in rows]

    async def asked_question(self, row_id: int) -> AskedQuestion | None:
        """One asked question by its row id (a no-match reply's Request button names it)."""
        row = await self._fetch_one("SELECT * FROM asked_questions WHERE id = ?", (row_id,))
        return None if row is None else _asked(row)

    # --- guild settings ---------------------------------------------------------------------

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self._fetch_one("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
        if row is None:
            return GuildSettings(guild_id, None, None, None)
        return GuildSettings(
            guild_id=row["guild_id"],
            modlog_channel_id=row["modlog_channel_id"],
            updated_at=from_db_time(row["updated_at"]),
            updated_by=row["updated_by"],
        )

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
            await self._audit(
                conn,
                guild_id,
                actor_id,
                "set_modlog",
                "settings",
                "modlog",
                None if channel_id is None else str(channel_id),
                stamp,
            )

    # --- audit log ----------------------------------------------------------------------------

    @staticmethod
    async def _audit(
        conn: aiosqlite.Connection,
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
            await self._audit(
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
        return [_audit(row) for row in rows]

    # --- flags --------------------------------------------------------------------------------

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
            cursor = await conn.execute(
                "INSERT INTO flags (guild_id, kind, claim_id, flagger_id, reason, channel_id,"
                " message_id, message_link, message_text, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)"
                " ON CONFLICT DO NOTHING",
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
            )
            if cursor.rowcount == 0:
                return FlagAdded(None, "duplicate")
            flag_id = cast(int, cursor.lastrowid)
            async with conn.execute("SELECT * FROM flags WHERE id = ?", (flag_id,)) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return FlagAdded(_flag(row))

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
        return None if row is None else _flag(row)

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
            "SELECT * FROM flags WHERE guild_id = ? AND (? IS NULL OR status = ?)"
            " ORDER BY id DESC LIMIT ? OFFSET ?",
            (guild_id, status, status, limit, offset),
        )
        return [_flag(row) for row in rows]

    async def count_flags(self, guild_id: int, status: FlagStatus | None = None) -> int:
        row = await self._fetch_one(
            "SELECT COUNT(*) FROM flags WHERE guild_id = ? AND (? IS NULL OR status = ?)",
            (guild_id, status, status),
        )
        return int(row[0]) if row else 0

    async def set_flag_modlog_message(self, flag_id: int, message_id: int) -> None:
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE flags SET modlog_message_id = ? WHERE id = ?", (message_id, flag_id)
            )

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
            flag = _flag(row)
            await self._audit(conn, guild_id, actor_id, outcome, "flag", str(flag_id), note, stamp)
            if outcome == "upheld" and flag.claim_id is not None:
                await self._set_dispute(
                    conn, guild_id, flag.claim_id, flag_id, note, actor_id, stamp
                )
        return flag

    # --- disputes -------------------------------------------------------------------------------

    async def _set_dispute(
        self,
        conn: aiosqlite.Connection,
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
        await self._audit(conn, guild_id, actor_id, "disputed", "claim", claim_id, note, stamp)

    async def active_dispute(self, guild_id: int | None, claim_id: str) -> Dispute | None:
        """The "Disputed in this server" notice for ``claim_id``, if moderators upheld one."""
        if guild_id is None:
            return None
        row = await self._fetch_one(
            "SELECT * FROM disputes WHERE guild_id = ? AND claim_id = ? AND cleared_at IS NULL",
            (guild_id, claim_id),
        )
        return None if row is None else _dispute(row)

    async def active_disputes(self, guild_id: int) -> list[Dispute]:
        rows = await self._fetch_all(
            "SELECT * FROM disputes WHERE guild_id = ? AND cleared_at IS NULL ORDER BY claim_id",
            (guild_id,),
        )
        return [_dispute(row) for row in rows]

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
            await self._audit(conn, guild_id, actor_id, "cleared", "claim", claim_id, note, stamp)
        return True

    # --- requests -------------------------------------------------------------------------------

    async def add_request(
        self,
        guild_id: int,
        question: str,
        *,
        user_id: int,
        source: RequestSource,
        channel_id: int | None = None,
        now: datetime | None = None,
    ) -> RequestAdded:
        """Store a request, or add the member as an asker of an open near-duplicate."""
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
                cursor = await conn.execute(
                    "INSERT INTO requests"
                    " (guild_id, question, source, channel_id, status, created_at, created_by)"
                    " VALUES (?, ?, ?, ?, 'open', ?, ?)",
                    (guild_id, question, source, channel_id, stamp, user_id),
                )
                request_id = cast(int, cursor.lastrowid)
            cursor = await conn.execute(
                "INSERT INTO request_askers (request_id, user_id, asked_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (request_id, user_id, stamp),
            )
            already_asked = cursor.rowcount == 0
            async with conn.execute(
                f"SELECT {REQUEST_COLUMNS} FROM requests r WHERE r.id = ?", (request_id,)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return RequestAdded(_request(row), created=created, already_asked=already_asked)

    async def request(self, guild_id: int, request_id: int) -> Request | None:
        row = await self._fetch_one(
            f"SELECT {REQUEST_COLUMNS} FROM requests r WHERE r.guild_id = ? AND r.id = ?",
            (guild_id, request_id),
        )
        return None if row is None else _request(row)

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
            " WHERE r.guild_id = ? AND (? IS NULL OR r.status = ?)"
            " ORDER BY askers DESC, r.id DESC LIMIT ? OFFSET ?",
            (guild_id, status, status, limit, offset),
        )
        return [_request(row) for row in rows]

    async def count_requests(self, guild_id: int, status: RequestStatus | None = "open") -> int:
        row = await self._fetch_one(
            "SELECT COUNT(*) FROM requests WHERE guild_id = ? AND (? IS NULL OR status = ?)",
            (guild_id, status, status),
        )
        return int(row[0]) if row else 0

    async def open_requests_everywhere(self) -> list[Request]:
        """Every open request of every server (a corpus reload checks them all)."""
        rows = await self._fetch_all(
            f"SELECT {REQUEST_COLUMNS} FROM requests r WHERE r.status = 'open' ORDER BY r.id"
        )
        return [_request(row) for row in rows]

    async def set_request_modlog_message(self, request_id: int, message_id: int) -> None:
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE requests SET modlog_message_id = ? WHERE id = ?", (message_id, request_id)
            )

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
            await self._audit(
                conn, guild_id, actor_id, "closed", "request", str(request_id), note, stamp
            )
            async with conn.execute(
                f"SELECT {REQUEST_COLUMNS} FROM requests r WHERE r.id = ?", (request_id,)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return _request(row)

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

    async def backup(self, target: Path) -> None:
        """An online, consistent copy of the database at ``target`` (SQLite backup API)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._lock:
            destination = await aiosqlite.connect(target)
            try:
                await self._conn.backup(destination)
            finally:
                await destination.close()

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
            await self._audit(
                conn,
                row["guild_id"],
                actor_id,
                "answered",
                "request",
                str(request_id),
                claim_id,
                stamp,
            )
        return True
