"""What every area of the store shares: times, errors, the back-end's two paths.

:class:`StoreBase` holds the back-end (:mod:`bot.store.backends`: SQLite or PostgreSQL)
with its write path (one transaction at a time) and its read path; each area of the store
(``flags.py``, ``requests.py``, ...) is a subclass adding its queries, and
:class:`bot.store.database.Database` composes them. Every statement goes through
:class:`SafeConnection`, the one place that makes text storable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.store.backends import Backend, Row, SafeConnection, clean_params, clean_text

__all__ = [
    "DEFAULT_QUESTION_RETENTION_DAYS",
    "ERASED_MEMBER_ID",
    "DatabaseUnusable",
    "Row",
    "SafeConnection",
    "StoreBase",
    "StoreError",
    "clean_params",
    "clean_text",
    "from_db_time",
    "to_db_time",
    "utcnow",
]

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


class StoreBase:
    """The connections and the transaction discipline every store area builds on."""

    def __init__(
        self,
        backend: Backend,
        *,
        question_retention_days: int = DEFAULT_QUESTION_RETENTION_DAYS,
    ) -> None:
        self.backend = backend
        self.question_retention_days = question_retention_days

    @property
    def path(self) -> Path | None:
        """The SQLite file; None on PostgreSQL."""
        return self.backend.path

    @property
    def display(self) -> str:
        """The database as an operator names it: a path, or a URL without its password."""
        return self.backend.display

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SafeConnection]:
        """A write transaction, committed on success, rolled back on error.

        One at a time, and on SQLite ``BEGIN IMMEDIATE``; on PostgreSQL it also takes the
        store's advisory write lock, so writers in other processes wait the same way.
        """
        async with self.backend.transaction() as conn:
            yield conn

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[SafeConnection]:
        """A read-only connection: the last committed state, never waiting for writes.

        A read inside a write's transaction (one that must see its own changes) uses the
        transaction's connection instead.
        """
        async with self.backend.reading() as conn:
            yield conn

    async def _fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self.reading() as conn, conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self.reading() as conn, conn.execute(sql, params) as cursor:
            return await cursor.fetchone()
