"""factdesk's database: a SQLite file (aiosqlite) or a PostgreSQL database (asyncpg),
composed of one store per area.

``await Database.open(path)`` checks the file (writable, sound, not newer than the code),
turns on WAL, foreign keys and a busy timeout, and applies the pending migrations
(:mod:`bot.store.migrate`); ``await Database.open("postgresql://...")`` connects, checks the
version and migrates the same way (:mod:`bot.store.backends`). Callers see no difference.
The queries live by data area, each a :class:`StoreBase` subclass: :mod:`bot.store.flags`,
:mod:`~bot.store.requests`, :mod:`~bot.store.questions`, :mod:`~bot.store.guild_settings`,
:mod:`~bot.store.audit`, :mod:`~bot.store.modlog`, :mod:`~bot.store.feeds`; rows become the
dataclasses of :mod:`bot.store.rows` through :func:`bot.store.mapping.from_row`.
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
from bot.store.backends import (
    Backend,
    PostgresBackend,
    SqliteBackend,
    connect_postgres,
    is_postgres_url,
    postgres_pool,
    postgres_version,
    redact_url,
)
from bot.store.base import (
    DEFAULT_QUESTION_RETENTION_DAYS,
    ERASED_MEMBER_ID,
    DatabaseUnusable,
    Row,
    SafeConnection,
    StoreError,
    clean_params,
    clean_text,
    from_db_time,
    to_db_time,
    utcnow,
)
from bot.store.corrections import CorrectionsStore
from bot.store.feeds import FeedsStore
from bot.store.files import create_private
from bot.store.flags import FlagsStore
from bot.store.guild_settings import GuildSettingsStore
from bot.store.migrate import (
    Migration,
    apply_migrations,
    apply_postgres_migrations,
    discover,
    schema_version,
)
from bot.store.modlog import ModlogOutboxStore
from bot.store.notifications import NotificationsStore
from bot.store.questions import QuestionsStore
from bot.store.requests import RequestsStore
from bot.store.votes import VotesStore
from bot.store.watch import WatchStore

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DEFAULT_QUESTION_RETENTION_DAYS",
    "ERASED_MEMBER_ID",
    "Database",
    "DatabaseUnusable",
    "Row",
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


def _prepare_file(path: Path) -> None:
    """Check an existing database file's mode, or create a new one owner-only (0600).

    Members' questions and ids live here: a new file must not get the umask's 0644 (SQLite
    gives its -wal and -shm files the database file's mode).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        _check_file_mode(path)
    else:
        create_private(path)


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
    WatchStore,
    VotesStore,
    NotificationsStore,
    CorrectionsStore,
    FeedsStore,
):
    """The bot's database. Open with :meth:`open`; close with :meth:`close`.

    Two paths (:attr:`backend`): writes go through one connection, one transaction at a
    time; reads go through a read-only connection (PostgreSQL: a small pool) that WAL (or
    PostgreSQL's MVCC) lets read the last committed state while a write waits for the
    write lock. So a read never queues
    behind a write, even one waiting out the busy timeout because another process (a
    backup, a sqlite3 shell) holds the lock. A write still can wait up to
    :data:`BUSY_TIMEOUT_MS` and then raise: an interaction handler that writes answers or
    defers first, then awaits the write.
    """

    @classmethod
    async def open(
        cls,
        target: Path | str,
        *,
        migrations: Sequence[Migration] | None = None,
        question_retention_days: int = DEFAULT_QUESTION_RETENTION_DAYS,
    ) -> Database:
        """Open (creating it if need be), check and migrate the database at ``target``.

        ``target`` is a SQLite file path, or a ``postgresql://`` URL (the server's database
        must exist; its tables are created by the migrations). Raises
        :class:`DatabaseUnusable` with a one-line message when the file is read-only,
        damaged, not a database, the server cannot be reached, or the schema is newer than
        the code. ``migrations`` replaces the shipped list (tests build older schemas with
        it). Erases the member ids of questions older than ``question_retention_days``
        (0: keep them).
        """
        chosen = list(migrations) if migrations is not None else discover()
        latest = chosen[-1].number if chosen else 0
        backend: Backend
        if is_postgres_url(target):
            backend = await _open_postgres(str(target), chosen, latest)
        else:
            backend = await _open_sqlite(Path(target), chosen, latest)
        database = cls(backend, question_retention_days=question_retention_days)
        if question_retention_days > 0:
            await database.purge_old_question_authors()
        return database

    async def close(self) -> None:
        # Queued statistics (bot/store/questions.py) are written before the file closes.
        try:
            await self.flush_questions()
        finally:
            await self.backend.close()

    async def version(self) -> int:
        return await self.backend.version()

    async def pragma(self, name: str) -> Any:
        """The value of a read-only SQLite PRAGMA such as ``journal_mode`` (tests, checks)."""
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        if not isinstance(self.backend, SqliteBackend):
            raise StoreError(f"PRAGMA {name}: a SQLite setting; this database is PostgreSQL")
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
        await self.flush_questions()  # a queued question of the member's is deleted too
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
        """An online, consistent copy of the SQLite database at ``target`` (backup API)."""
        if not isinstance(self.backend, SqliteBackend):
            raise StoreError("an in-process file copy is SQLite's; use `factdesk db backup`")
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        create_private(target)
        destination = await aiosqlite.connect(target)
        try:
            await self.backend.reader.backup(destination)
        finally:
            await destination.close()


async def _open_sqlite(path: Path, chosen: list[Migration], latest: int) -> SqliteBackend:
    _prepare_file(path)
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
    return SqliteBackend(conn, reader, path)


async def _open_postgres(url: str, chosen: list[Migration], latest: int) -> PostgresBackend:
    shown = redact_url(url)
    try:
        conn = await connect_postgres(url)
    except Exception as error:
        raise DatabaseUnusable(f"{shown}: cannot connect to PostgreSQL: {error}") from error
    readers = None
    try:
        version = await postgres_version(conn)
        if version > latest:
            raise DatabaseUnusable(
                f"{shown}: schema version {version} is newer than this factdesk ({latest});"
                " upgrade factdesk first"
            )
        await apply_postgres_migrations(conn, chosen)
        readers = await postgres_pool(url)
    except BaseException:
        if readers is not None:
            await readers.close()
        await conn.close()
        raise
    return PostgresBackend(url, conn, readers)
