"""``factdesk db status / backup / restore`` for a PostgreSQL database: a logical export.

A backup is a JSON Lines file (mode 0600: it holds member data), one consistent snapshot
(a read-only ``REPEATABLE READ`` transaction):

- line 1, the header: ``{"format": "factdesk-logical-backup", "format_version": 1,
  "schema_version": N, "created_at": "...", "tables": {"flags": ["id", "guild_id", ...],
  ...}, "rows": {"flags": 12, ...}}``, tables in creation order (referenced tables first);
- then one line per row: ``["flags", [1, 10, "answer", ...]]``, values in the header's
  column order as JSON (integers, text, floats, null: the only types factdesk stores).

Restore replaces every table of the database's schema (give factdesk a database of its
own, as a SQLite file is its own), in one transaction: the old content stays if anything
fails. It creates the schema of the backup's version with the shipped migrations, loads
the rows with ``COPY``, moves each identity sequence past the largest id, checks the row
counts against the header, and leaves later migrations to the next open (``factdesk db
upgrade``). ``pg_dump``/``pg_restore`` work too on a factdesk database, when installed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.store.backends import (
    MIGRATION_LOCK_KEY,
    VERSION_TABLE,
    connect_postgres,
    postgres_version,
    redact_url,
)
from bot.store.files import create_private
from bot.store.migrate import apply_postgres_migrations, discover

FORMAT = "factdesk-logical-backup"
FORMAT_VERSION = 1

# The tables of the current schema, oldest first: a table can only reference older ones.
_TABLES = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.oid"
)
_COLUMNS = (
    "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0"
    " AND NOT attisdropped ORDER BY attnum"
)


class LogicalBackupError(Exception):
    """The server, the backup file or the restore went wrong; the message is one line."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _connect(url: str) -> Any:
    try:
        return await connect_postgres(url)
    except Exception as error:
        raise LogicalBackupError(
            f"{redact_url(url)}: cannot connect to PostgreSQL: {error}"
        ) from error


async def server_version(url: str) -> int:
    """The schema version of the database at ``url`` (0: never migrated)."""
    conn = await _connect(url)
    try:
        return await postgres_version(conn)
    finally:
        await conn.close()


async def _tables(conn: Any) -> list[str]:
    return [row[0] for row in await conn.fetch(_TABLES) if row[0] != VERSION_TABLE]


async def backup(url: str, target: Path, *, overwrite: bool = False) -> int:
    """Export the database at ``url`` to ``target``; returns the schema version exported."""
    target = Path(target)
    if target.exists() and not overwrite:
        raise LogicalBackupError(f"{target}: already exists (pass --force to replace it)")
    conn = await _connect(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            version = await postgres_version(conn)
            if version < 1:
                raise LogicalBackupError(
                    f"{redact_url(url)}: not a factdesk database (schema version 0)"
                )
            columns = {
                table: [row[0] for row in await conn.fetch(_COLUMNS, _quote(table))]
                for table in await _tables(conn)
            }
            rows = {
                table: await conn.fetch(f"SELECT * FROM {_quote(table)} ORDER BY 1")
                for table in columns
            }
    finally:
        await conn.close()
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": columns,
        "rows": {table: len(found) for table, found in rows.items()},
    }
    lines = [json.dumps(header, ensure_ascii=False)]
    lines.extend(
        json.dumps([table, list(row)], ensure_ascii=False)
        for table, found in rows.items()
        for row in found
    )
    await asyncio.to_thread(_write_private, target, lines)
    return version


def _write_private(target: Path, lines: list[str]) -> None:
    create_private(target)
    with target.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")


def read_header(source: Path) -> dict[str, Any]:
    """The checked header of the backup at ``source``."""
    source = Path(source)
    if not source.is_file():
        raise LogicalBackupError(f"{source}: no such backup file")
    try:
        with source.open(encoding="utf-8") as lines:
            header = json.loads(lines.readline())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LogicalBackupError(f"{source}: not a factdesk logical backup ({error})") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise LogicalBackupError(f"{source}: not a factdesk logical backup")
    if header.get("format_version") != FORMAT_VERSION:
        raise LogicalBackupError(
            f"{source}: backup format {header.get('format_version')} is not this factdesk's"
            f" ({FORMAT_VERSION})"
        )
    return header


def _rows(source: Path) -> Iterator[tuple[str, list[Any]]]:
    with Path(source).open(encoding="utf-8") as lines:
        lines.readline()
        for number, line in enumerate(lines, start=2):
            try:
                table, values = json.loads(line)
            except (json.JSONDecodeError, ValueError) as error:
                raise LogicalBackupError(f"{source}: line {number} is damaged") from error
            yield table, values


async def restore(source: Path, url: str) -> int:
    """Replace the database at ``url`` with the backup at ``source``; returns its version.

    The bot must be stopped. A backup older than the code is fine (the next open migrates
    it); one newer than the code is refused.
    """
    header = read_header(source)
    version = int(header["schema_version"])
    migrations = discover()
    latest = migrations[-1].number if migrations else 0
    if version > latest:
        raise LogicalBackupError(
            f"{source}: schema version {version} is newer than this factdesk ({latest});"
            " upgrade factdesk first"
        )
    columns: dict[str, list[str]] = header["tables"]
    by_table: dict[str, list[tuple[Any, ...]]] = {table: [] for table in columns}
    for table, values in _rows(source):
        if table not in by_table:
            raise LogicalBackupError(f"{source}: rows for {table!r}, a table not in the header")
        by_table[table].append(tuple(values))
    for table, expected in header["rows"].items():
        if len(by_table.get(table, [])) != expected:
            raise LogicalBackupError(
                f"{source}: {table} has {len(by_table.get(table, []))} rows, the header says"
                f" {expected} (a truncated file?)"
            )
    conn = await _connect(url)
    try:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
            for table in reversed(await _tables(conn)):
                await conn.execute(f"DROP TABLE {_quote(table)} CASCADE")
            await conn.execute(f"DROP TABLE IF EXISTS {VERSION_TABLE}")
            await apply_postgres_migrations(conn, [m for m in migrations if m.number <= version])
            for table, records in by_table.items():
                if records:
                    await conn.copy_records_to_table(table, records=records, columns=columns[table])
                identity = None
                if "id" in columns[table]:
                    identity = await conn.fetchval(
                        "SELECT pg_get_serial_sequence($1, 'id')", _quote(table)
                    )
                if identity is not None:
                    await conn.execute(
                        f"SELECT setval($1, COALESCE(MAX(id), 0) + 1, false) FROM {_quote(table)}",
                        identity,
                    )
            for table, expected in header["rows"].items():
                found = await conn.fetchval(f"SELECT COUNT(*) FROM {_quote(table)}")
                if found != expected:
                    raise LogicalBackupError(f"{table}: restored {found} rows of {expected}")
            restored = await postgres_version(conn)
    except LogicalBackupError:
        raise
    except Exception as error:
        raise LogicalBackupError(f"{redact_url(url)}: restore failed: {error}") from error
    finally:
        await conn.close()
    return restored


def export_sqlite(database: Path, target: Path) -> dict[str, int]:
    """Write the SQLite database at ``database`` to ``target`` in the logical backup format
    (one snapshot: a read transaction), for :func:`restore` into PostgreSQL; returns the
    rows per table. Tables are in creation order, as PostgreSQL's export gives them."""
    import sqlite3

    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        conn.execute("BEGIN")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version < 1:
            raise LogicalBackupError(f"{database}: not a factdesk database (schema version 0)")
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            )
        ]
        columns = {
            table: [row[1] for row in conn.execute(f"PRAGMA table_info({_quote(table)})")]
            for table in tables
        }
        counts = {
            table: int(conn.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0])
            for table in tables
        }
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_version": version,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tables": columns,
            "rows": counts,
        }
        create_private(target)
        with Path(target).open("w", encoding="utf-8") as out:
            out.write(json.dumps(header, ensure_ascii=False) + "\n")
            for table in tables:
                cursor = conn.execute(f"SELECT * FROM {_quote(table)} ORDER BY rowid")
                for row in cursor:
                    out.write(json.dumps([table, list(row)], ensure_ascii=False) + "\n")
    except sqlite3.DatabaseError as error:
        raise LogicalBackupError(f"{database}: cannot be read ({error})") from error
    finally:
        conn.close()
    return counts


async def row_counts(url: str) -> dict[str, int]:
    """Rows per factdesk table of the PostgreSQL database at ``url``."""
    conn = await _connect(url)
    try:
        return {
            table: int(await conn.fetchval(f"SELECT COUNT(*) FROM {_quote(table)}"))
            for table in await _tables(conn)
        }
    finally:
        await conn.close()
