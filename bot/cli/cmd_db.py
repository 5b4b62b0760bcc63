"""``factdesk db``: upgrade, back up, restore and inspect the database.

The database is the one ``FACTDESK_DATABASE`` names (``--database`` overrides it): a SQLite
file, or a ``postgresql://`` URL. Backups are online: run ``factdesk db backup`` while the
bot runs (SQLite: a copy of the file; PostgreSQL: a logical export, see
:mod:`bot.store.logical_backup`). Restore needs the bot stopped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = subparsers.add_parser("db", help="upgrade, back up or restore the database")
    db.add_argument(
        "--database",
        metavar="FILE|URL",
        help="SQLite file or postgresql:// URL (default: FACTDESK_DATABASE, else var/factdesk.db)",
    )
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    upgrade = actions.add_parser("upgrade", help="apply pending migrations (creates the file)")
    upgrade.set_defaults(handler=handle_upgrade)

    status = actions.add_parser("status", help="print the schema version and the latest one")
    status.set_defaults(handler=handle_status)

    backup = actions.add_parser("backup", help="online copy to PATH (safe while the bot runs)")
    backup.add_argument("path", type=Path, metavar="PATH")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    backup.set_defaults(handler=handle_backup)

    purge = actions.add_parser(
        "purge-user", help="remove or anonymise every stored trace of a member (by user id)"
    )
    purge.add_argument("user_id", type=int, metavar="ID")
    purge.set_defaults(handler=handle_purge_user)

    restore = actions.add_parser("restore", help="replace the database with a backup (bot stopped)")
    restore.add_argument("path", type=Path, metavar="BACKUP")
    restore.set_defaults(handler=handle_restore)

    migrate = actions.add_parser(
        "migrate-to",
        help="copy this SQLite database into a PostgreSQL one (bot stopped)",
        description="Copy every row of the SQLite database (--database or FACTDESK_DATABASE)"
        " into the empty PostgreSQL database at URL, in one transaction, and check the row"
        " counts of every table. Then point FACTDESK_DATABASE at URL.",
    )
    migrate.add_argument("url", metavar="URL", help="postgresql://user:password@host/database")
    migrate.add_argument(
        "--replace", action="store_true", help="replace what the PostgreSQL database holds"
    )
    migrate.set_defaults(handler=handle_migrate_to)


def database_path(args: argparse.Namespace) -> Path | str:
    """The SQLite file (a Path) or the PostgreSQL URL (text) to work on."""
    from bot.store.backends import is_postgres_url

    if args.database is not None:
        return args.database if is_postgres_url(args.database) else Path(args.database)
    from bot.cli.common import load_settings

    return load_settings().database


def _shown(target: Path | str) -> str:
    """The target as printed: a path, or the URL without its password."""
    from bot.store.backends import describe_target

    return describe_target(target)


def _current_version(target: Path | str) -> int:
    """The schema version at ``target``; raises MaintenanceError or LogicalBackupError."""
    import asyncio

    from bot.store.logical_backup import server_version
    from bot.store.maintenance import file_version

    if isinstance(target, str):
        return asyncio.run(server_version(target))
    return file_version(target)


def handle_upgrade(args: argparse.Namespace) -> int:
    import asyncio

    from bot.store.database import Database, StoreError
    from bot.store.logical_backup import LogicalBackupError
    from bot.store.maintenance import MaintenanceError

    path = database_path(args)
    try:
        before = _current_version(path)
    except (MaintenanceError, LogicalBackupError):
        before = 0

    async def upgrade() -> int:
        database = await Database.open(path)
        try:
            return await database.version()
        finally:
            await database.close()

    try:
        after = asyncio.run(upgrade())
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        print(f"error: cannot upgrade {_shown(path)}: {error}", file=sys.stderr)
        return 1
    if after == before:
        print(f"{_shown(path)}: already at schema version {after}")
    else:
        print(f"{_shown(path)}: upgraded from schema version {before} to {after}")
    return 0


def handle_status(args: argparse.Namespace) -> int:
    from bot.store.logical_backup import LogicalBackupError
    from bot.store.maintenance import MaintenanceError, latest_version

    path = database_path(args)
    try:
        version = _current_version(path)
    except (MaintenanceError, LogicalBackupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    pending = latest_version() - version
    if pending < 0:
        print(
            f"error: {_shown(path)}: schema version {version} is newer than this factdesk "
            f"({latest_version()}); upgrade factdesk first",
            file=sys.stderr,
        )
        return 1
    state = "up to date" if pending == 0 else "run `factdesk db upgrade`"
    print(f"{_shown(path)}: schema version {version}, latest {latest_version()} ({state})")
    return 0


def handle_backup(args: argparse.Namespace) -> int:
    import asyncio

    from bot.store import logical_backup
    from bot.store.maintenance import MaintenanceError, backup

    path = database_path(args)
    try:
        if isinstance(path, str):
            version = asyncio.run(logical_backup.backup(path, args.path, overwrite=args.force))
        else:
            version = backup(path, args.path, overwrite=args.force)
    except (MaintenanceError, logical_backup.LogicalBackupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"backed up {_shown(path)} to {args.path} (schema version {version})")
    return 0


def handle_restore(args: argparse.Namespace) -> int:
    import asyncio

    from bot.store import logical_backup
    from bot.store.maintenance import MaintenanceError, restore

    path = database_path(args)
    try:
        if isinstance(path, str):
            version = asyncio.run(logical_backup.restore(args.path, path))
        else:
            version = restore(args.path, path)
    except (MaintenanceError, logical_backup.LogicalBackupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"restored {_shown(path)} from {args.path} (schema version {version})")
    return 0


def handle_purge_user(args: argparse.Namespace) -> int:
    """A member's deletion request: what :meth:`Database.purge_user` did, one line each."""
    import asyncio

    from bot.store.database import Database, StoreError

    path = database_path(args)
    if args.user_id <= 0:
        print(f"error: {args.user_id} is not a Discord user id", file=sys.stderr)
        return 2

    async def purge() -> dict[str, int]:
        database = await Database.open(path)
        try:
            return await database.purge_user(args.user_id)
        finally:
            await database.close()

    try:
        done = asyncio.run(purge())
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        print(
            f"error: cannot purge user {args.user_id} from {_shown(path)}: {error}",
            file=sys.stderr,
        )
        return 1
    print(f"purged user {args.user_id} from {_shown(path)}:")
    for label, count in done.items():
        print(f"  {label}: {count}")
    print("  audit entries of moderators' actions are kept (docs/configuration.md)")
    return 0


def handle_migrate_to(args: argparse.Namespace) -> int:
    import asyncio
    import tempfile

    from bot.store import logical_backup
    from bot.store.backends import is_postgres_url
    from bot.store.maintenance import MaintenanceError, file_version, latest_version

    source = database_path(args)
    if isinstance(source, str):
        print("error: migrate-to copies a SQLite database; --database is a URL", file=sys.stderr)
        return 2
    if not is_postgres_url(args.url):
        print("error: URL must be a postgresql:// URL", file=sys.stderr)
        return 2
    target = _shown(args.url)
    try:
        version = file_version(source)
        if version != latest_version():
            print(
                f"error: {source} is at schema version {version}, not {latest_version()}:"
                " run `factdesk db upgrade` on it first",
                file=sys.stderr,
            )
            return 1
        if not args.replace:
            held = {t: n for t, n in asyncio.run(logical_backup.row_counts(args.url)).items() if n}
            if held:
                print(
                    f"error: {target} already holds factdesk data ({sum(held.values())} rows);"
                    " migrate into an empty database, or pass --replace",
                    file=sys.stderr,
                )
                return 1
        with tempfile.TemporaryDirectory(prefix="factdesk-migrate-") as work:
            export = Path(work) / "export.jsonl"
            expected = logical_backup.export_sqlite(source, export)
            asyncio.run(logical_backup.restore(export, args.url))
        copied = asyncio.run(logical_backup.row_counts(args.url))
    except (MaintenanceError, logical_backup.LogicalBackupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    mismatched = [t for t, n in expected.items() if copied.get(t) != n]
    for table, count in expected.items():
        print(f"  {table}: {count} rows -> {copied.get(table, 0)}")
    if mismatched:
        print(f"error: row counts differ for {', '.join(mismatched)}", file=sys.stderr)
        return 1
    print(
        f"copied {source} to {target}: {sum(expected.values())} rows in {len(expected)} tables"
        f" (schema version {version}); now set FACTDESK_DATABASE to the URL"
    )
    return 0
