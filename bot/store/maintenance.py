"""Offline-safe maintenance of the database file: version, online backup, restore.

These work on the file with the standard library's ``sqlite3`` (no event loop, no
migrations applied), so ``factdesk db backup`` copies exactly what is there while the bot
keeps running: SQLite's backup API reads a consistent snapshot and WAL lets the bot write
meanwhile.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store.database import BUSY_TIMEOUT_MS
from bot.store.files import create_private
from bot.store.migrate import discover

# Pages copied per backup step; between steps the source is free for the bot's writers.
BACKUP_PAGES_PER_STEP = 256


class MaintenanceError(Exception):
    """The file is missing, not a factdesk database, or damaged; the message says which."""


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def file_version(path: Path) -> int:
    """``PRAGMA user_version`` of the database at ``path`` (0: never migrated)."""
    if not Path(path).is_file():
        raise MaintenanceError(f"{path}: no such database file")
    conn = _connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise MaintenanceError(f"{path}: not an SQLite database ({error})") from error
    finally:
        conn.close()


def latest_version() -> int:
    """The version the shipped migrations bring a database to."""
    migrations = discover()
    return migrations[-1].number if migrations else 0


def check(path: Path) -> int:
    """The version of a sound factdesk database at ``path``; raises when it is not one."""
    version = file_version(path)
    if version < 1:
        raise MaintenanceError(f"{path}: not a factdesk database (schema version 0)")
    conn = _connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if result != "ok":
        raise MaintenanceError(f"{path}: integrity check failed: {result}")
    return version


def copy_database(source: Path, target: Path, *, private: bool = False) -> None:
    """Copy ``source`` into ``target`` with SQLite's online backup API.

    ``target`` is replaced page by page inside SQLite's own locking, so a bot with
    ``target`` open would see the new content; stop the bot before restoring over its file.
    ``private``: ``target`` is made an owner-only file (0600) before any page is copied.
    """
    if not Path(source).is_file():
        raise MaintenanceError(f"{source}: no such database file")
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    if private:
        create_private(Path(target))
    src = _connect(source)
    dst = _connect(target)
    try:
        src.backup(dst, pages=BACKUP_PAGES_PER_STEP)
    finally:
        dst.close()
        src.close()


def backup(database: Path, target: Path, *, overwrite: bool = False) -> int:
    """An online copy of ``database`` at ``target`` (mode 0600: it holds member data);
    returns the copy's schema version."""
    if Path(target).exists() and not overwrite:
        raise MaintenanceError(f"{target}: already exists (pass --force to replace it)")
    copy_database(database, target, private=True)
    return check(target)


def restore(backup_file: Path, database: Path) -> int:
    """Replace ``database`` with a checked ``backup_file``; returns the restored version.

    The restored file is owner-only (0600), like a new database and a backup.

    The bot must be stopped. A backup older than the code is fine: the next start (or
    ``factdesk db upgrade``) migrates it. A backup newer than the code is refused.
    """
    version = check(backup_file)
    if version > latest_version():
        raise MaintenanceError(
            f"{backup_file}: schema version {version} is newer than this factdesk "
            f"({latest_version()}); upgrade factdesk first"
        )
    copy_database(backup_file, database, private=True)
    return check(database)
