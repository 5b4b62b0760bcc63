"""The world every end-to-end test starts from: a stand-in, one server, its people, paths.

Fixtures (each test gets fresh ones):

- ``standin``: the Discord stand-in, running; after the test it must have seen no request
  that breaks Discord's contract (``assert_no_violations``);
- ``corpus``: an empty directory for the test file's fact-checks; ``state``: the directory
  for the bot's heartbeat and index (it does not exist yet: the bot makes it);
- ``database``: where the bot keeps its rows, once per back-end (test ids ``[sqlite]`` and
  ``[postgresql]``, the latter marked ``postgres``): a SQLite file in ``state``, or a fresh
  database on the session's PostgreSQL server (tests/conftest.py). Tests read and write
  rows beside the bot with :func:`tests.e2e.harness.rows` / ``execute``, which take either.
  A test that is SQLite's by nature (its file, its write lock) would pin itself with
  ``@pytest.mark.parametrize("database", ["sqlite"], indirect=True)`` and a comment saying
  why; none does today (the held write lock has a PostgreSQL counterpart, a table lock);
- ``world``: one server on ``standin`` (:class:`tests.e2e.harness.World`) with a
  ``general`` and a ``mod-log`` channel, a plain member, a moderator (Manage Messages) and a
  manager (Manage Messages + Manage Server).

A test file gives the world its corpus by overriding ``world`` with a fixture that asks for
it (``def world(world)``, pytest hands it this one) and writes into ``world.corpus``; the
bot reads the corpus when it starts, inside the test. A file with another shape of world
(the digest's three servers) overrides ``world`` from ``standin``, ``corpus`` and
``database``. Start the bot with :func:`tests.e2e.harness.world_bot`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests import pg
from tests.e2e.harness import World
from tests.standin import PLAIN_MEMBER, StandIn

MANAGE_MESSAGES = 1 << 13
MANAGE_GUILD = 1 << 5
MODERATOR = PLAIN_MEMBER | MANAGE_MESSAGES
MANAGER = PLAIN_MEMBER | MANAGE_MESSAGES | MANAGE_GUILD


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn.start() as running:
        yield running
        running.assert_no_violations()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "claims"
    directory.mkdir()
    return directory


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture(params=pg.BACKENDS)
async def database(request: pytest.FixtureRequest, state: Path) -> AsyncIterator[Path | str]:
    async for target in pg.backend_target(request, request.param, state / "factdesk.db"):
        yield target


@pytest.fixture
def world(standin: StandIn, corpus: Path, state: Path, database: Path | str) -> World:
    guild = standin.add_guild("Test Guild")
    return World(
        standin=standin,
        guild=guild,
        channel=standin.add_channel(guild, "general"),
        modlog=standin.add_channel(guild, "mod-log"),
        member=standin.add_member(guild, "member"),
        moderator=standin.add_member(guild, "moderator", permissions=MODERATOR),
        manager=standin.add_member(guild, "manager", permissions=MANAGER),
        corpus=corpus,
        state=state,
        database=database,
    )
