"""What every area of the store shares: times, text cleaning, the two connections.

:class:`StoreBase` holds the write connection (one transaction at a time, ``_lock``) and
the read-only connection; each area of the store (``flags.py``, ``requests.py``, ...) is a
subclass adding its queries, and :class:`bot.store.database.Database` composes them. Every
statement goes through :class:`SafeConnection`, the one place that makes text storable.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
from aiosqlite.context import Result

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


class StoreBase:
    """The connections and the transaction discipline every store area builds on."""

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
