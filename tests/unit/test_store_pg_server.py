"""The PostgreSQL test server (tests/pg.py): found, started and stopped, or a clear failure."""

from __future__ import annotations

import os

import pytest

from bot.paths import PROJECT_ROOT
from tests import pg


def test_without_binaries_or_url_the_reason_says_how_to_get_a_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(pg.ENV_URL, raising=False)
    monkeypatch.setattr(pg, "find_bindir", lambda: None)
    with pytest.raises(pg.NoServer, match="no initdb found"):
        pg.get_server()
    # The line the fixture fails with names both ways to get one and how to deselect.
    assert "apt-get install postgresql" in pg.HOW_TO_GET_ONE
    assert pg.ENV_URL in pg.HOW_TO_GET_ONE
    assert '-m "not postgres"' in pg.HOW_TO_GET_ONE
    assert "\n" not in pg.HOW_TO_GET_ONE


async def test_a_named_server_that_cannot_be_reached_fails_with_the_same_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(pg.ENV_URL, "postgresql://me:pw@127.0.0.1:1/admin")
    server = pg.get_server()
    with pytest.raises(pg.NoServer) as refused:
        await server.new_database()
    assert str(refused.value).startswith(pg.HOW_TO_GET_ONE)
    assert "cannot connect to the server" in str(refused.value)


def test_a_named_server_is_used_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pg.ENV_URL, "postgresql://me@db.example/admin?sslmode=disable")
    server = pg.get_server()
    assert server.cluster is None
    assert server.url_for("t1") == "postgresql://me@db.example/t1?sslmode=disable"


def test_ci_installs_postgresql_before_the_tests_when_absent() -> None:
    script = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = script.index("apt-get install -y -qq --no-install-recommends postgresql")
    assert "DEBIAN_FRONTEND=noninteractive" in script
    assert 'compgen -G "/usr/lib/postgresql/*/bin/initdb"' in script
    assert install < script.index(".venv/bin/python -m pytest")


@pytest.mark.postgres
async def test_the_throwaway_cluster_runs_unprivileged_and_is_removed() -> None:
    import asyncpg

    server = pg.start_cluster()
    assert server.cluster is not None
    root = server.cluster.root
    try:
        url = await server.new_database()
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT current_setting('listen_addresses')") == ""
            assert await conn.fetchval("SELECT current_setting('is_superuser')") == "on"
        finally:
            await conn.close()
        owner = (root / "data").stat().st_uid
        assert owner != 0 or os.geteuid() != 0, "the server never runs as root"
    finally:
        server.cluster.stop()
    assert not root.exists()
