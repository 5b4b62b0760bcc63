"""The two back-ends under one store: SQLite (aiosqlite, the default) and PostgreSQL (asyncpg).

``FACTDESK_DATABASE`` is a file path (SQLite) or a ``postgresql://`` URL. Either way the
store areas see the same two things: :meth:`Backend.transaction` (one write transaction at
a time, the whole store's writes serialised like SQLite's ``BEGIN IMMEDIATE``) and
:meth:`Backend.reading` (the last committed state, never waiting for a write), each handing
out a :class:`SafeConnection` whose ``execute`` takes the store's one dialect
(:mod:`bot.store.sql`) and returns a cursor with ``fetchone``/``fetchall``/``rowcount``.

On PostgreSQL a write transaction also takes a transaction-scoped advisory lock
(:data:`WRITE_LOCK_KEY`), so writers in several processes serialise exactly as SQLite's
writers do on one file: read-then-write checks (a flag's cooldown, a request's
near-duplicate) stay correct across processes. That lock is the hook for later, narrower
locks (per server, per digest slot, the identify bucket); :meth:`PostgresBackend.advisory_lock`
takes any other key.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Generator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import aiosqlite

from bot.store import sql as dialect

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# pg_advisory_xact_lock keys (any 64-bit number; these spell "factdesk" writes/migrations).
WRITE_LOCK_KEY = 0x66616374_64657301
MIGRATION_LOCK_KEY = 0x66616374_64657302
# The table holding a PostgreSQL database's schema version (SQLite: PRAGMA user_version).
VERSION_TABLE = "factdesk_schema"
READ_POOL_SIZE = 4

_SURROGATES = re.compile("[\ud800-\udfff]")


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def redact_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def describe_target(target: Path | str) -> str:
    """A database target as an operator may see it: a path, or a URL without password."""
    return redact_url(target) if isinstance(target, str) else str(target)


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


class Row(Protocol):
    """A result row: by column name or position (sqlite3.Row and asyncpg.Record both are)."""

    def __getitem__(self, key: Any, /) -> Any: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    async def fetchone(self) -> Any: ...

    async def fetchall(self) -> Any: ...

    def __aiter__(self) -> AsyncIterator[Any]: ...


class Result(Protocol):
    """What ``execute`` returns: await it for the cursor, or ``async with`` it."""

    def __await__(self) -> Generator[Any, None, Any]: ...

    async def __aenter__(self) -> Any: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Any: ...


class SafeConnection(ABC):
    """A connection whose every statement goes through one place.

    That place makes member text storable: a lone surrogate (``"\\ud800"``, which a Discord
    client can send) cannot be encoded as UTF-8, so every text parameter is cleaned by
    :func:`clean_text` first; and it speaks the store's one dialect on either back-end.
    Store modules get one from :meth:`Database.transaction` or :meth:`Database.reading`.
    """

    dialect: str

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Result: ...

    @property
    @abstractmethod
    def in_transaction(self) -> bool: ...


class SqliteConnection(SafeConnection):
    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Result:
        return self.raw.execute(sql, clean_params(params))

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction


class PostgresCursor:
    """The rows of one PostgreSQL statement, fetched at once, with an aiosqlite-like face."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount

    @property
    def lastrowid(self) -> int:
        raise TypeError(
            "PostgreSQL has no lastrowid: write INSERT ... RETURNING id and read the row"
            " (docs/contributing.md)"
        )

    async def fetchone(self) -> Any:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[Any]:
        rest = self._rows[self._next :]
        self._next = len(self._rows)
        return rest

    async def __aiter__(self) -> AsyncIterator[Any]:
        while (row := await self.fetchone()) is not None:
            yield row

    async def close(self) -> None:
        self._rows = []


class _PendingCursor:
    """An awaitable that is also an async context manager, like aiosqlite's ``Result``."""

    def __init__(self, run: Awaitable[PostgresCursor]) -> None:
        self._run = run

    def __await__(self) -> Generator[Any, None, PostgresCursor]:
        return self._run.__await__()

    async def __aenter__(self) -> PostgresCursor:
        return await self._run

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class PostgresConnection(SafeConnection):
    dialect = "postgresql"

    def __init__(self, conn: Any) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Result:
        if isinstance(params, Mapping):
            raise TypeError("named parameters are SQLite-only; use ? placeholders")
        return _PendingCursor(self._run(sql, tuple(clean_params(params))))

    async def _run(self, sql: str, args: Sequence[Any]) -> PostgresCursor:
        text = dialect.to_postgres_placeholders(sql)
        if dialect.returns_rows(text):
            rows = list(await self.raw.fetch(text, *args))
            return PostgresCursor(rows, len(rows))
        status = await self.raw.execute(text, *args)
        return PostgresCursor([], dialect.rowcount_of(status))

    @property
    def in_transaction(self) -> bool:
        return bool(self.raw.is_in_transaction())


class Backend(ABC):
    """One open database: its write path, its read path, its version."""

    name: str
    # The SQLite file, or None for a server.
    path: Path | None = None

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    @property
    @abstractmethod
    def display(self) -> str:
        """How to name this database to an operator (a path, or a URL without password)."""

    @abstractmethod
    def transaction(self) -> Any:
        """``async with``: a write transaction, committed on success, rolled back on error."""

    @abstractmethod
    def reading(self) -> Any:
        """``async with``: a connection that reads the last committed state."""

    @abstractmethod
    async def version(self) -> int: ...

    @abstractmethod
    async def close(self) -> None: ...


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, reader: aiosqlite.Connection, path: Path):
        super().__init__()
        self.conn = conn
        self.reader = reader
        self.path = path

    @property
    def display(self) -> str:
        return str(self.path)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SafeConnection]:
        async with self._lock:
            begin = asyncio.ensure_future(self.conn.execute("BEGIN IMMEDIATE"))
            try:
                await asyncio.shield(begin)
            except asyncio.CancelledError:
                # aiosqlite runs the BEGIN on its own thread even when its caller is
                # cancelled (a bot closing mid-start): once it has run, roll back, or every
                # later write on this connection fails "within a transaction".
                with contextlib.suppress(Exception):
                    await begin
                    await self.conn.execute("ROLLBACK")
                raise
            try:
                yield SqliteConnection(self.conn)
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[SafeConnection]:
        yield SqliteConnection(self.reader)

    async def version(self) -> int:
        from bot.store.migrate import schema_version

        return await schema_version(self.reader)

    async def close(self) -> None:
        async with self._lock:
            if self.reader is not self.conn:
                await self.reader.close()
            await self.conn.close()


class PostgresBackend(Backend):
    """A PostgreSQL database: one write connection (one transaction at a time, like
    SQLite's) and a small pool of readers, which MVCC never makes wait for a write."""

    name = "postgresql"

    def __init__(self, url: str, conn: Any, readers: Any) -> None:
        super().__init__()
        self.url = url
        self.conn = conn
        self.readers = readers

    @property
    def display(self) -> str:
        return redact_url(self.url)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SafeConnection]:
        async with self._lock:
            if self.conn.is_closed():
                # The server restarted or dropped us: the write that noticed failed; this
                # one gets a new connection (the read pool replaces its own by itself).
                self.conn = await connect_postgres(self.url)
            try:
                # One round trip: begin, and wait for every other process's write to finish.
                await self.conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            except BaseException:
                self._drop()
                raise
            try:
                yield PostgresConnection(self.conn)
            except BaseException:
                try:
                    await self.conn.execute("ROLLBACK")
                except BaseException:
                    self._drop()
                raise
            try:
                await self.conn.execute("COMMIT")
            except BaseException:
                self._drop()
                raise

    def _drop(self) -> None:
        """Abandon the write connection after a failure it may not recover from (the
        server ended it, a cancelled wait): the server rolls back whatever it had open,
        and the next write connects anew."""
        if not self.conn.is_closed():
            self.conn.terminate()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[SafeConnection]:
        async with self.readers.acquire() as conn:
            yield PostgresConnection(conn)

    async def advisory_lock(self, conn: SafeConnection, key: int) -> None:
        """Hold lock ``key`` until ``conn``'s transaction ends (other processes wait)."""
        await conn.execute("SELECT pg_advisory_xact_lock(?)", (key,))

    async def version(self) -> int:
        async with self.readers.acquire() as conn:
            return await postgres_version(conn)

    async def close(self) -> None:
        async with self._lock:
            await self.readers.close()
            await self.conn.close()


async def postgres_version(conn: Any) -> int:
    """The schema version of the PostgreSQL database ``conn`` is on (0: never migrated)."""
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", VERSION_TABLE)
    if not exists:
        return 0
    value = await conn.fetchval(f"SELECT version FROM {VERSION_TABLE}")
    return int(value or 0)


async def connect_postgres(url: str) -> Any:
    """One asyncpg connection to ``url`` (imported here: SQLite users never load asyncpg)."""
    import asyncpg

    return await asyncpg.connect(url)


async def postgres_pool(url: str) -> Any:
    import asyncpg

    # Readers are read-only, as SQLite's reader is (mode=ro): a write through one fails.
    return await asyncpg.create_pool(
        url,
        min_size=1,
        max_size=READ_POOL_SIZE,
        server_settings={"default_transaction_read_only": "on"},
    )
