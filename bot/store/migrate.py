"""The migration runner: numbered plain-SQL files applied in order, version in user_version.

A migration is ``bot/store/migrations/NNNN_name.sql``. Opening the database applies every
file whose number is greater than ``PRAGMA user_version``, each in its own transaction that
also sets ``user_version`` to that number, so a failure leaves the database at the last good
version. Numbers need not be contiguous (0001, 0002, 0005 is fine); two files with one
number are an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
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
