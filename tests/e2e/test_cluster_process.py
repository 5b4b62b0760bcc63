"""``factdesk cluster`` as an operator runs it: real child processes, one PostgreSQL database.

Two `factdesk run` children of two shards each, against the stand-in (which routes each
server's events to its shard's session and checks the identify rate). Every server is
answered; a child killed with SIGKILL is restarted by the cluster, identifies its shards
again and answers again; SIGTERM stops the cluster and every child with exit 0.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.paths import PROJECT_ROOT
from tests import pg
from tests.standin import Guild, StandIn

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SHARD_COUNT = 4
QUESTION = "Did the US help the cartels in Mexico in any way?"
PID = re.compile(r"cluster: process (\d) \(shards ([\d,-]+) of 4\) (?:re)?started, pid (\d+)")


@pytest.fixture
async def postgres_url(postgres_server: pg.Server) -> AsyncIterator[str]:
    url = await postgres_server.new_database()
    yield url
    if postgres_server.cluster is None:
        await postgres_server.drop_database(url)


class Output:
    """Everything the cluster and its children print; the cluster's own lines queued."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.lines: list[str] = []
        self.cluster: asyncio.Queue[str] = asyncio.Queue()
        self.task = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            if line.startswith("cluster:"):
                self.cluster.put_nowait(line)

    async def started(self, count: int, within: float = 60) -> dict[str, int]:
        """The next ``count`` (re)starts: shard range -> pid."""
        found: dict[str, int] = {}
        while len(found) < count:
            line = await asyncio.wait_for(self.cluster.get(), within)
            if match := PID.match(line):
                found[match.group(2)] = int(match.group(3))
        return found


async def ask(standin: StandIn, guild: Guild, channel: object, member: object) -> str:
    ix = await standin.slash(guild, channel, member, "factcheck", {"question": QUESTION})  # type: ignore[arg-type]
    body = await ix.response(within=20)
    if body["type"] == 5:
        (message,) = await ix.followups(1, within=20)
        return str(message["embeds"][0]["title"])
    return str(body["data"]["embeds"][0]["title"])


async def test_the_cluster_serves_every_shard_restarts_a_killed_child_and_stops(
    tmp_path: Path, postgres_url: str
) -> None:
    async with StandIn.start(max_concurrency=1, identify_window=0.5) as standin:
        servers = []
        for shard in range(SHARD_COUNT):
            guild = standin.add_guild(f"Shard {shard}", on_shard=(shard, SHARD_COUNT))
            servers.append(
                (guild, standin.add_channel(guild, "general"), standin.add_member(guild, "m"))
            )
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")}
        env.update(
            PYTHONPATH=str(PROJECT_ROOT),
            FACTDESK_DISCORD_TOKEN=standin.token,
            FACTDESK_DATABASE=postgres_url,
            FACTDESK_HEARTBEAT_FILE=str(tmp_path / "heartbeat.json"),
            FACTDESK_INDEX_DIR=str(tmp_path / "index"),
            FACTDESK_DISCORD_API_BASE=standin.api_base,
            FACTDESK_DISCORD_GATEWAY_URL=standin.gateway_url,
            FACTDESK_LOG_FORMAT="json",
            FACTDESK_IDENTIFY_INTERVAL="0.8",
        )
        # The commands, globally, as an operator runs `factdesk sync` once.
        sync = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "sync", cwd=tmp_path, env=env
        )
        assert await asyncio.wait_for(sync.wait(), 120) == 0
        cluster = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "cluster",
            "--processes",
            "2",
            "--shard-count",
            str(SHARD_COUNT),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert cluster.stdout is not None
        output = Output(cluster.stdout)
        try:
            pids = await output.started(2)
            assert set(pids) == {"0-1", "2-3"}
            await standin.wait_ready(within=120)
            assert sorted(standin.sessions()) == [0, 1, 2, 3]
            for guild, channel, member in servers:
                assert await ask(standin, guild, channel, member) == QUESTION

            # SIGKILL the second child: the cluster starts it again, its shards identify anew.
            os.kill(pids["2-3"], signal.SIGKILL)
            restarted = await output.started(1)
            assert set(restarted) == {"2-3"}
            assert restarted["2-3"] != pids["2-3"]
            await standin.wait_identified(SHARD_COUNT + 2, within=120)
            for guild, channel, member in servers[2:]:
                assert await ask(standin, guild, channel, member) == QUESTION

            cluster.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(cluster.wait(), 60)
            await asyncio.wait_for(output.task, 30)
        finally:
            if cluster.returncode is None:
                cluster.kill()
                await cluster.wait()
        text = "\n".join(output.lines)
        assert code == 0, text
        assert "cluster: stopped (exit 0)" in text
        assert "Traceback" not in text
        assert standin.token not in text
        # Every child is gone (their pids no longer exist).
        for pid in [*pids.values(), restarted["2-3"]]:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        # Each shard identified once per start, never too soon in its bucket.
        assert sorted(i.shard_id for i in standin.identifies if i.outcome == "ready") == [
            0,
            1,
            2,
            2,
            3,
            3,
        ]
        standin.assert_no_violations()
