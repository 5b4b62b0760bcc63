"""Fixtures every test folder shares: the store's two back-ends.

``store_target`` is where a test opens its :class:`~bot.store.database.Database`: a SQLite
file in the test's temporary directory, then (the second parameter, marked ``postgres``) a
fresh database on a real PostgreSQL server (:mod:`tests.pg`). A test that takes it runs
once per back-end; ``-m "not postgres"`` keeps the SQLite runs only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests import pg


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: runs against a real PostgreSQL server (tests/pg.py)"
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pg.Server]:
    """The session's PostgreSQL server; fails (never skips) with how to get one."""
    try:
        server = pg.get_server()
    except pg.NoServer as error:
        pytest.fail(f"{pg.HOW_TO_GET_ONE} ({error})", pytrace=False)
    try:
        yield server
    finally:
        if server.cluster is not None:
            server.cluster.stop()


@pytest.fixture(params=pg.BACKENDS)
async def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Path | str]:
    """A place for a new database: a SQLite file path, or a fresh PostgreSQL database URL."""
    async for target in pg.backend_target(
        request, request.param, tmp_path / "state" / "factdesk.db"
    ):
        yield target


@pytest.fixture
async def postgres_url(postgres_server: pg.Server) -> AsyncIterator[str]:
    """A fresh database on the session's PostgreSQL server (dropped after, on a shared one)."""
    url = await postgres_server.new_database()
    yield url
    if postgres_server.cluster is None:
        await postgres_server.drop_database(url)
