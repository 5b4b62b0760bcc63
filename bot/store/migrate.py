"""The migration runner: numbered plain-SQL files applied in order, on either back-end.

A migration is ``bot/store/migrations/NNNN_name.sql``, written once in the store's common
dialect (:mod:`bot.store.sql`); PostgreSQL runs its mechanical rewrite, or the file of the
same name in ``migrations/postgresql/`` when one is there. Opening the database applies
every file whose number is greater than the schema version (SQLite: ``PRAGMA
user_version``; PostgreSQL: the one-row table ``factdesk_schema``), each in its own
transaction that also sets the version to that number, so a failure leaves the database at
the last good version. Numbers need not be contiguous (0001, 0002, 0005 is fine); two files with one
number are an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.backends import MIGRATION_LOCK_KEY, VERSION_TABLE, postgres_version
from bot.store.sql import to_postgres_ddl

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# A migration whose PostgreSQL text is not the mechanical rewrite ships it here, same name.
POSTGRES_OVERRIDES = "postgresql"
MIGRATION_NAME = re.compile(r"^(?P<number>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


class MigrationError(Exception):
    """The migrations cannot be applied (a duplicate number, a failing statement)."""


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def postgres_sql(self) -> str:
        """The migration as PostgreSQL runs it (the override file, else the rewrite)."""
        override = self.path.parent / POSTGRES_OVERRIDES / self.path.name
        if override.is_file():
            return override.read_text(encoding="utf-8")
        return to_postgres_ddl(self.sql)


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file of ``directory`` in number order; other files are ignored."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        matched = MIGRATION_NAME.match(path.name)
        if matched is None:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        number = int(matched["number"])
        if number == 0:
            raise MigrationError(f"{path.name}: migration numbers start at 0001")
        if number in found:
            raise MigrationError(
                f"{path.name}: number {number:04d} is also used by {found[number].path.name}"
            )
        found[number] = Migration(number, matched["name"], path)
    return [found[n] for n in sorted(found)]


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def apply_migrations(
    conn: aiosqlite.Connection, migrations: list[Migration] | None = None
) -> list[Migration]:
    """Apply the pending ``migrations`` (default: the shipped ones); return those applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``): the transaction is
    written into the script because ``executescript`` commits any transaction it finds open.
    """
    pending = [m for m in (migrations or discover()) if m.number > await schema_version(conn)]
    for migration in pending:
        script = (
            f"BEGIN IMMEDIATE;\n{migration.sql}\n;"
            f"PRAGMA user_version = {migration.number};\nCOMMIT;"
        )
        try:
            await conn.executescript(script)
        except Exception as error:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise MigrationError(f"{migration.path.name}: {error}") from error
    return pending


async def apply_postgres_migrations(
    conn: Any, migrations: list[Migration] | None = None
) -> list[Migration]:
    """:func:`apply_migrations` for an asyncpg connection.

    Each migration runs in one transaction holding an advisory lock, and the version is
    read again under the lock: two processes starting at once apply each migration once.
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version BIGINT NOT NULL);"
            f" INSERT INTO {VERSION_TABLE} (version)"
            f" SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM {VERSION_TABLE})"
        )
    applied: list[Migration] = []
    for migration in discover() if migrations is None else migrations:
        try:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
                if migration.number <= await postgres_version(conn):
                    continue
                await conn.execute(migration.postgres_sql)
                await conn.execute(f"UPDATE {VERSION_TABLE} SET version = $1", migration.number)
        except Exception as error:
            raise MigrationError(f"{migration.path.name}: {error}") from error
        applied.append(migration)
    return applied
