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
import re
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import aiosqlite
from aiosqlite.context import Result

from bot.store import dedupe
from bot.store.files import create_private
from bot.store.mapping import from_row
from bot.store.migrate import Migration, apply_migrations, discover, schema_version
from bot.store.rows import (
    AskedQuestion,
    AuditEntry,
    Dispute,
    Flag,
    FlagAdded,
    FlagOutcome,
    FlagStatus,
    GuildSettings,
    ModlogKind,
    ModlogPost,
    NewFlag,
    Request,
    RequestAdded,
    RequestSource,
    RequestStatus,
)

BUSY_TIMEOUT_MS = 5000
# Member ids of asked questions older than this are erased (FACTDESK_QUESTION_RETENTION_DAYS).
DEFAULT_QUESTION_RETENTION_DAYS = 90
# The member id stored in place of an erased one (Discord ids are never 0).
ERASED_MEMBER_ID = 0


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> str:
    """A fixed-width UTC ISO 8601 string, so stored times compare correctly as text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def from_db_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# The table each mod-log outbox kind points into (names from code, never from input).
_MODLOG_TABLES: dict[ModlogKind, str] = {"flag": "flags", "request": "requests"}

REQUEST_COLUMNS = """
    r.*, (SELECT COUNT(*) FROM request_askers a WHERE a.request_id = r.id) AS askers
"""


class StoreError(Exception):
    """The store cannot do what was asked; the message is one line for an operator."""


class DatabaseUnusable(StoreError):
    """The database file cannot be used (read-only, damaged, newer than the code...)."""


_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """``value`` with every code point UTF-8 cannot encode (lone surrogates) as U+FFFD."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", value)
    return value


def clean_params(params: Sequence[Any] | Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
    """The statement parameters with every text made storable (:func:`clean_text`)."""
    if isinstance(params, Mapping):
        return {k: clean_text(v) if isinstance(v, str) else v for k, v in params.items()}
    return tuple(clean_text(v) if isinstance(v, str) else v for v in params)


class SafeConnection:
    """An aiosqlite connection whose every statement goes through one place.

    That place makes member text storable: a lone surrogate (``"\\ud800"``, which a Discord
    client can send) makes SQLite's UTF-8 encoding raise, so every text parameter is cleaned
    by :func:`clean_text` first. Store modules get one from :meth:`Database.transaction` or
    :meth:`Database.reading` and call :meth:`execute` exactly as on aiosqlite's connection.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.raw = conn

    def execute(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> Result[aiosqlite.Cursor]:
        return self.raw.execute(sql, clean_params(params))

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction


def _read_only_uri(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


async def _configure(conn: aiosqlite.Connection) -> None:
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")


def _check_file_mode(path: Path) -> None:
    """Refuse a file nobody may write (0444): SQLite would open it and fail every write.

    Checked on the mode bits, not by trying, since root may write a 0444 file but the
    bot's own user would not after a restore done as root.
    """
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if not mode & 0o222:
            raise DatabaseUnusable(
                f"{path}: the file is read-only (mode {mode:04o});"
                " the bot's user must be able to write it"
            )


async def _check_usable(conn: aiosqlite.Connection, path: Path, latest: int) -> None:
    """Raise :class:`DatabaseUnusable` unless the open file can be read, written and trusted."""
    version = await schema_version(conn)
    if version > latest:
        raise DatabaseUnusable(
            f"{path}: schema version {version} is newer than this factdesk ({latest});"
            " upgrade factdesk first"
        )
    async with conn.execute("PRAGMA quick_check") as cursor:
        result = [row[0] for row in await cursor.fetchall()]
    if result != ["ok"]:
        raise DatabaseUnusable(f"{path}: the file is damaged (quick_check: {result[0]})")
    # A write that changes nothing, rolled back: fails on a file SQLite opened read-only.
    await conn.execute("BEGIN IMMEDIATE")
    try:
        await conn.execute(f"PRAGMA user_version = {version}")
    finally:
        await conn.execute("ROLLBACK")


class Database:
    """The bot's database. Open with :meth:`open`; close with :meth:`close`.

    Two connections: writes go through ``_conn`` one transaction at a time (``_lock``);
    reads go through ``_reader``, a read-only connection that WAL lets read the last
    committed state while a write waits for SQLite's write lock. So a read never queues
    behind a write, even one waiting out the busy timeout because another process (a
    backup, a sqlite3 shell) holds the lock. A write still can wait up to
    :data:`BUSY_TIMEOUT_MS` and then raise: an interaction handler that writes answers or
    defers first, then awaits the write.
    """

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path,
        reader: aiosqlite.Connection | None = None,
        *,
        question_retention_days: int = DEFAULT_QUESTION_RETENTION_DAYS,
    ) -> None:
        self._conn = conn
        self._reader = reader or conn
        self._lock = asyncio.Lock()
        self.path = path
        self.question_retention_days = question_retention_days

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        migrations: Sequence[Migration] | None = None,
        question_retention_days: int = DEFAULT_QUESTION_RETENTION_DAYS,
    ) -> Database:
        """Open (creating it if need be), check and migrate the database at ``path``.

        Raises :class:`DatabaseUnusable` with a one-line message when the file is read-only,
        damaged, not a database, or of a schema newer than the code. ``migrations`` replaces
        the shipped list (tests build older schemas with it). Erases the member ids of
        questions older than ``question_retention_days`` (0: keep them).
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        _check_file_mode(path)
        chosen = list(migrations) if migrations is not None else discover()
        latest = chosen[-1].number if chosen else 0
        conn = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        reader: aiosqlite.Connection | None = None
        try:
            try:
                await _configure(conn)
                await _check_usable(conn, path, latest)
                await conn.execute("PRAGMA journal_mode = WAL")
                # FULL: a commit is on disk before the bot says "recorded".
                await conn.execute("PRAGMA synchronous = FULL")
            except sqlite3.DatabaseError as error:
                raise DatabaseUnusable(f"{path}: cannot use the database: {error}") from error
            await apply_migrations(conn, chosen)
            reader = await aiosqlite.connect(_read_only_uri(path), uri=True, isolation_level=None)
            await _configure(reader)
        except BaseException:
            if reader is not None:
                await reader.close()
            await conn.close()
            raise
        database = cls(conn, path, reader, question_retention_days=question_retention_days)
        if question_retention_days > 0:
            await database.purge_old_question_authors()
        return database

    async def close(self) -> None:
        async with self._lock:
            if self._reader is not self._conn:
                await self._reader.close()
            await self._conn.close()

    async def version(self) -> int:
        return await schema_version(self._reader)

    async def pragma(self, name: str) -> Any:
        """The value of a read-only PRAGMA such as ``journal_mode`` (for tests and checks)."""
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        async with self.reading() as conn, conn.execute(f"PRAGMA {name}") as cursor:
            row = await cursor.fetchone()
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SafeConnection]:
        """A write transaction (BEGIN IMMEDIATE), committed on success, rolled back on error."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield SafeConnection(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[SafeConnection]:
        """The read-only connection: the last committed state, never waiting for writes.

        A read inside a write's transaction (one that must see its own changes) uses the
        transaction's connection instead.
        """
        yield SafeConnection(self._reader)

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
        return [from_row(AskedQuestion, row) for row in rows]

    async def asked_question(self, row_id: int) -> AskedQuestion | None:
        """One asked question by its row id (a no-match reply's Request button names it)."""
        row = await self._fetch_one("SELECT * FROM asked_questions WHERE id = ?", (row_id,))
        return None if row is None else from_row(AskedQuestion, row)

    async def purge_old_question_authors(self, now: datetime | None = None) -> int:
        """Erase the member ids of questions asked more than ``question_retention_days`` ago.

        The questions and their matches stay (the digest counts "most asked"), anonymised to
        :data:`ERASED_MEMBER_ID`. Runs at open; the bot calls it daily. Returns the rows
        changed (0 as well when retention is off).
        """
        if self.question_retention_days <= 0:
            return 0
        cutoff = (now or utcnow()) - timedelta(days=self.question_retention_days)
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE asked_questions SET user_id = ? WHERE asked_at < ? AND user_id != ?",
                (ERASED_MEMBER_ID, to_db_time(cutoff), ERASED_MEMBER_ID),
            )
            return cursor.rowcount

    async def purge_user(self, user_id: int) -> dict[str, int]:
        """Remove or anonymise every stored trace of member ``user_id`` (a deletion request).

        - asked questions: deleted (the text is the member's own words);
        - request askers: the member's rows deleted (the request's count drops);
        - requests the member opened: ``created_by`` erased (the question stays for the
          moderators, without who asked);
        - flags the member raised: ``flagger_id`` erased to ``-flag_id`` (never a Discord id,
          and unique, so the one-open-flag-per-member rule still holds);
        - the audit log keeps moderators' ids: it is the record of moderation decisions
          (see docs/configuration.md); entries where the member was the actor of a refused
          attempt are anonymised.

        Returns the number of rows changed per kind, for the CLI to print.
        """
        if user_id == ERASED_MEMBER_ID:
            raise ValueError("not a member id")
        done: dict[str, int] = {}
        async with self.transaction() as conn:
            statements = {
                "asked questions deleted": (
                    "DELETE FROM asked_questions WHERE user_id = ?",
                    (user_id,),
                ),
                "request askers removed": (
                    "DELETE FROM request_askers WHERE user_id = ?",
                    (user_id,),
                ),
                "requests anonymised": (
                    "UPDATE requests SET created_by = ? WHERE created_by = ?",
                    (ERASED_MEMBER_ID, user_id),
                ),
                "flags anonymised": (
                    "UPDATE flags SET flagger_id = -id WHERE flagger_id = ?",
                    (user_id,),
                ),
                "audit entries anonymised": (
                    "UPDATE audit_log SET actor_id = ? WHERE actor_id = ? AND action = 'refused'",
                    (ERASED_MEMBER_ID, user_id),
                ),
            }
            for label, (sql, params) in statements.items():
                cursor = await conn.execute(sql, params)
                done[label] = cursor.rowcount
        return done

    # --- guild settings ---------------------------------------------------------------------

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
        return [from_row(AuditEntry, row) for row in rows]

    # --- the mod-log outbox (0004) ------------------------------------------------------------

    @staticmethod
    async def _owe_modlog_post(
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

    @staticmethod
    async def _modlog_posted(
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

    async def pending_modlog_posts(
        self, limit: int = 50, *, max_attempts: int | None = None
    ) -> list[ModlogPost]:
        """Mod-log posts owed and not yet made, oldest first (what to post or reconcile).

        ``max_attempts`` leaves out those that failed that many times already.
        """
        rows = await self._fetch_all(
            "SELECT * FROM modlog_outbox WHERE posted_at IS NULL"
            " AND (? IS NULL OR attempts < ?) ORDER BY id LIMIT ?",
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
            await self._modlog_posted(
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
            await self._owe_modlog_post(conn, new.guild_id, "flag", flag_id, stamp)
            async with conn.execute("SELECT * FROM flags WHERE id = ?", (flag_id,)) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return FlagAdded(from_row(Flag, row))

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
            "SELECT * FROM flags WHERE guild_id = ? AND (? IS NULL OR status = ?)"
            " ORDER BY id DESC LIMIT ? OFFSET ?",
            (guild_id, status, status, limit, offset),
        )
        return [from_row(Flag, row) for row in rows]

    async def count_flags(self, guild_id: int, status: FlagStatus | None = None) -> int:
        row = await self._fetch_one(
            "SELECT COUNT(*) FROM flags WHERE guild_id = ? AND (? IS NULL OR status = ?)",
            (guild_id, status, status),
        )
        return int(row[0]) if row else 0

    async def set_flag_modlog_message(self, flag_id: int, message_id: int) -> None:
        """The flag's mod-log post is ``message_id`` (its outbox row counts as posted)."""
        async with self.transaction() as conn:
            await self._modlog_posted(conn, "flag", flag_id, message_id, to_db_time(utcnow()))

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
            await self._audit(conn, guild_id, actor_id, outcome, "flag", str(flag_id), note, stamp)
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
        await self._audit(conn, guild_id, actor_id, "disputed", "claim", claim_id, note, stamp)

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
                await self._owe_modlog_post(conn, guild_id, "request", request_id, stamp)
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
            " WHERE r.guild_id = ? AND (? IS NULL OR r.status = ?)"
            " ORDER BY askers DESC, r.id DESC LIMIT ? OFFSET ?",
            (guild_id, status, status, limit, offset),
        )
        return [from_row(Request, row) for row in rows]

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
        return [from_row(Request, row) for row in rows]

    async def set_request_modlog_message(self, request_id: int, message_id: int) -> None:
        """The request's mod-log post is ``message_id`` (its outbox row counts as posted)."""
        async with self.transaction() as conn:
            await self._modlog_posted(conn, "request", request_id, message_id, to_db_time(utcnow()))

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

    async def backup(self, target: Path) -> None:
        """An online, consistent copy of the database at ``target`` (SQLite backup API)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        create_private(target)
        destination = await aiosqlite.connect(target)
        try:
            await self._reader.backup(destination)
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
