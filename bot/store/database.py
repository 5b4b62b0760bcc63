"""factdesk's database: one SQLite file through aiosqlite, composed of one store per area.

``await Database.open(path)`` checks the file (writable, sound, not newer than the code),
turns on WAL, foreign keys and a busy timeout, and applies the pending migrations
(:mod:`bot.store.migrate`). The queries live by data area, each a :class:`StoreBase`
subclass: :mod:`bot.store.flags`, :mod:`~bot.store.requests`, :mod:`~bot.store.questions`,
:mod:`~bot.store.guild_settings`, :mod:`~bot.store.audit`, :mod:`~bot.store.modlog`; rows
become the dataclasses of :mod:`bot.store.rows` through :func:`bot.store.mapping.from_row`.
Every value is a bound parameter, never pasted into SQL.

Writes run one transaction at a time on the write connection; reads run on a read-only
connection and never wait for a write (see :class:`Database`). Adding a table: one
migration, one store module, and its class in :class:`Database`'s bases.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiosqlite

from bot.store.audit import AuditStore
from bot.store.base import (
    DEFAULT_QUESTION_RETENTION_DAYS,
    ERASED_MEMBER_ID,
    DatabaseUnusable,
    SafeConnection,
    StoreError,
    clean_params,
    clean_text,
    from_db_time,
    to_db_time,
    utcnow,
)
from bot.store.corrections import CorrectionsStore
from bot.store.files import create_private
from bot.store.flags import FlagsStore
from bot.store.guild_settings import GuildSettingsStore
from bot.store.migrate import Migration, apply_migrations, discover, schema_version
from bot.store.modlog import ModlogOutboxStore
from bot.store.notifications import NotificationsStore
from bot.store.questions import QuestionsStore
from bot.store.requests import RequestsStore
from bot.store.votes import VotesStore

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DEFAULT_QUESTION_RETENTION_DAYS",
    "ERASED_MEMBER_ID",
    "Database",
    "DatabaseUnusable",
    "SafeConnection",
    "StoreError",
    "clean_params",
    "clean_text",
    "from_db_time",
    "to_db_time",
    "utcnow",
]

BUSY_TIMEOUT_MS = 5000


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


class Database(
    FlagsStore,
    RequestsStore,
    QuestionsStore,
    GuildSettingsStore,
    AuditStore,
    ModlogOutboxStore,
    VotesStore,
    NotificationsStore,
    CorrectionsStore,
):
    """The bot's database. Open with :meth:`open`; close with :meth:`close`.

    Two connections: writes go through ``_conn`` one transaction at a time (``_lock``);
    reads go through ``_reader``, a read-only connection that WAL lets read the last
    committed state while a write waits for SQLite's write lock. So a read never queues
    behind a write, even one waiting out the busy timeout because another process (a
    backup, a sqlite3 shell) holds the lock. A write still can wait up to
    :data:`BUSY_TIMEOUT_MS` and then raise: an interaction handler that writes answers or
    defers first, then awaits the write.
    """

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
                "helpfulness votes deleted": (
                    "DELETE FROM claim_votes WHERE user_id = ?",
                    (user_id,),
                ),
                "notifications deleted": (
                    "DELETE FROM notifications WHERE user_id = ?",
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
