"""A real PostgreSQL server for the store tests: the one named, or a throw-away cluster.

``FACTDESK_TEST_POSTGRES`` (a ``postgresql://`` URL of a role that may ``CREATE
DATABASE``) names a server to use. Without it, :func:`start_cluster` makes one from the
installed binaries (``/usr/lib/postgresql/*/bin`` as Debian installs them, or ``initdb`` on
PATH) in a temporary directory: ``initdb`` with trust authentication, listening on a unix
socket only, run as the ``postgres`` user when the tests run as root (the server refuses
root). It is stopped and removed when the session ends. Every test then gets a database of
its own (``CREATE DATABASE``), so tests never see each other's rows.

When no server can be had the tests that need one fail with one line saying how to get
one; ``-m "not postgres"`` deselects them.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

ENV_URL = "FACTDESK_TEST_POSTGRES"
HOW_TO_GET_ONE = (
    "PostgreSQL tests need a server: install PostgreSQL (apt-get install postgresql-15, which"
    f" provides initdb) or set {ENV_URL}=postgresql://USER@HOST/DB (a role allowed to CREATE"
    ' DATABASE); or deselect these tests with -m "not postgres"'
)
# The unprivileged user that runs the throw-away cluster when the tests run as root.
CLUSTER_USER = "postgres"
START_TIMEOUT_SECONDS = 60


class NoServer(Exception):
    """No PostgreSQL server can be had; the message says why and how to get one."""


def find_bindir() -> Path | None:
    """The directory of ``initdb``/``pg_ctl``: the newest Debian one, else the one on PATH."""
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if debian:
        return Path(debian[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A server the tests may create databases on."""

    admin_url: str
    # Set for a throw-away cluster (stopped at the end); None for FACTDESK_TEST_POSTGRES.
    cluster: Cluster | None = None
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    def url_for(self, name: str) -> str:
        """``admin_url`` pointing at database ``name`` instead."""
        head, sep, query = self.admin_url.partition("?")
        base = head.rsplit("/", 1)[0]
        return f"{base}/{quote(name)}{sep}{query}"

    async def new_database(self) -> str:
        """A fresh, empty database of its own; returns its URL."""
        import asyncpg

        name = f"factdesk_test_{os.getpid()}_{next(self._numbers)}"
        try:
            conn = await asyncpg.connect(self.admin_url)
        except Exception as error:
            raise NoServer(f"{HOW_TO_GET_ONE} (cannot connect to the server: {error})") from None
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        finally:
            await conn.close()
        return self.url_for(name)

    async def drop_database(self, url: str) -> None:
        import asyncpg

        name = url.partition("?")[0].rsplit("/", 1)[1]
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@dataclass
class Cluster:
    """A throw-away cluster: its directory, binaries and the user running it."""

    root: Path
    bindir: Path
    port: int
    as_user: str | None
    # False for the tests (fsync off: a throw-away cluster need not survive a power cut);
    # True for benchmarks, so PostgreSQL's commits reach the disk as SQLite's do (FULL).
    durable: bool = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.as_user, "--"] if self.as_user else []
        return subprocess.run(
            [*prefix, *command],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self.socket_dir.mkdir()
        if self.as_user:
            entry = pwd.getpwnam(self.as_user)
            for path in (self.root, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        init = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "factdesk",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        if init.returncode != 0:
            raise NoServer(f"initdb failed: {init.stderr.strip()[-300:]}")
        options = (
            f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c max_connections=200"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        started = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "start",
        )
        if started.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace")[-300:]
            raise NoServer(f"pg_ctl start failed: {started.stderr.strip()[-200:]} {log}")

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def admin_url(self) -> str:
        return f"postgresql://factdesk@/postgres?host={self.socket_dir}&port={self.port}"


def start_cluster(*, durable: bool = False) -> Server:
    """A throw-away cluster from the installed binaries; raises :class:`NoServer`."""
    bindir = find_bindir()
    if bindir is None:
        raise NoServer("no initdb found (/usr/lib/postgresql/*/bin or PATH)")
    as_user: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(CLUSTER_USER)
        except KeyError:
            raise NoServer(
                f"running as root and there is no {CLUSTER_USER!r} user to run the server as"
            ) from None
        if shutil.which("runuser") is None:
            raise NoServer("running as root and runuser (util-linux) is missing")
        as_user = CLUSTER_USER
    root = Path(tempfile.mkdtemp(prefix="factdesk-pg-"))
    cluster = Cluster(root, bindir, _free_port(), as_user, durable)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return Server(cluster.admin_url, cluster)


def get_server() -> Server:
    """The server of ``FACTDESK_TEST_POSTGRES``, else a throw-away cluster."""
    url = os.environ.get(ENV_URL)
    if url:
        return Server(url)
    return start_cluster()


async def raw_rows(target: Path | str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """``sql``'s rows read straight from the database at ``target``, beside the store.

    ``sql`` is in the store's dialect (:mod:`bot.store.sql`): ``?`` placeholders for
    ``params``, numbered for PostgreSQL as the store numbers them.
    """
    return await _raw(target, sql, params, commit=False)


async def raw_write(target: Path | str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Run one writing statement straight on the database at ``target`` and commit; its
    rows (``RETURNING ...``) come back. Placeholders as in :func:`raw_rows`."""
    return await _raw(target, sql, params, commit=True)


async def _raw(
    target: Path | str, sql: str, params: tuple[object, ...], *, commit: bool
) -> list[tuple[Any, ...]]:
    if isinstance(target, str):
        import asyncpg

        from bot.store.sql import to_postgres_placeholders

        conn = await asyncpg.connect(target)  # autocommit: each statement commits itself
        try:
            return [tuple(row) for row in await conn.fetch(to_postgres_placeholders(sql), *params)]
        finally:
            await conn.close()
    import sqlite3

    lite = sqlite3.connect(target)
    try:
        rows = list(lite.execute(sql, params).fetchall())
        if commit:
            lite.commit()
        return rows
    finally:
        lite.close()


# The two back-ends as fixture parameters: ids ``[sqlite]`` and ``[postgresql]``.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


async def backend_target(
    request: pytest.FixtureRequest, kind: str, sqlite_path: Path
) -> AsyncIterator[Path | str]:
    """Where a new database goes on back-end ``kind``: ``sqlite_path`` (nothing is made
    there), or a fresh database on the session's PostgreSQL server, dropped after the test
    on a shared server (a throw-away cluster goes whole at the end of the session)."""
    if kind == "sqlite":
        yield sqlite_path
        return
    server: Server = request.getfixturevalue("postgres_server")
    try:
        url = await server.new_database()
    except NoServer as error:
        pytest.fail(str(error), pytrace=False)
    yield url
    if server.cluster is None:
        await server.drop_database(url)
