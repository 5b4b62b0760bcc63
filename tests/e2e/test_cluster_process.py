"""``factdesk cluster`` as an operator runs it: real child processes, one PostgreSQL database.

Two `factdesk run` children of two shards each, against the stand-in (which routes each
server's events to its shard's session and checks the identify rate). Every server is
answered; each child beats into its own heartbeat file; a child killed with SIGKILL in the
middle of a burst of flags is restarted by the cluster, identifies its shards again and
answers again, and every flag a member was told is recorded is in the database, once;
SIGTERM stops the cluster and every child with exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.heartbeat import HeartbeatError, read_heartbeat
from bot.paths import PROJECT_ROOT
from tests import pg
from tests.standin import Guild, StandIn

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SHARD_COUNT = 4
QUESTION = "Did the US help the cartels in Mexico in any way?"
PID = re.compile(r"cluster: process (\d) \(shards ([\d,-]+) of 4\) (?:re)?started, pid (\d+)")


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


async def answer(standin: StandIn, guild: Guild, channel: Any, member: Any) -> dict[str, Any]:
    ix = await standin.slash(guild, channel, member, "factcheck", {"question": QUESTION})
    body = await ix.response(within=20)
    if body["type"] == 5:
        (message,) = await ix.followups(1, within=20)
        return dict(message)
    return dict(await ix.wait_original(within=20))


async def ask(standin: StandIn, guild: Guild, channel: Any, member: Any) -> str:
    return str((await answer(standin, guild, channel, member))["embeds"][0]["title"])


async def flag(
    standin: StandIn, guild: Guild, channel: Any, message: dict[str, Any], member: Any
) -> bool:
    """A member flags the answer through its form; True when told it is recorded."""
    button = next(
        b["custom_id"]
        for row in message["components"]
        for b in row["components"]
        if b.get("custom_id", "").startswith("fd:flag:")
    )
    ix = await standin.click(message, button, member)
    body = await ix.response(within=15)
    submitted = await standin.submit_modal(
        guild,
        channel,
        member,
        body["data"]["custom_id"],
        {"reason": "the answer is out of date"},
        message=message,
    )
    reply = await submitted.response(within=15)
    if reply["type"] == 5:
        (sent,) = await submitted.followups(1, within=15)
        return "is recorded" in str(sent.get("content"))
    return "is recorded" in str(reply["data"].get("content"))


async def beaten_by(path: Path, pid: int, within: float = 60.0) -> None:
    """The heartbeat at ``path`` was written by process ``pid`` (polled: it is another
    process's file)."""

    async def poll() -> None:
        while True:
            with contextlib.suppress(HeartbeatError):
                if read_heartbeat(path).pid == pid:
                    return
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), within)


async def test_the_cluster_serves_every_shard_restarts_a_killed_child_and_stops(
    tmp_path: Path, postgres_url: str
) -> None:
    async with StandIn.start(max_concurrency=1, identify_window=0.5) as standin:
        servers = []
        flaggers: dict[int, list[Any]] = {}
        for shard in range(SHARD_COUNT):
            guild = standin.add_guild(f"Shard {shard}", on_shard=(shard, SHARD_COUNT))
            servers.append(
                (guild, standin.add_channel(guild, "general"), standin.add_member(guild, "m"))
            )
            flaggers[guild.id] = [standin.add_member(guild, f"f{n}") for n in range(10)]
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
            # Each child beats into its own file (the range before the suffix), none into
            # the shared name (only `factdesk sync` above wrote that one): `factdesk health
            # --heartbeat-file` can judge each child.
            for name, pid in pids.items():
                await beaten_by(tmp_path / f"heartbeat-{name}.json", pid)
            assert read_heartbeat(tmp_path / "heartbeat.json").pid == sync.pid
            answers = {}
            for guild, channel, member in servers:
                answers[guild.id] = await answer(standin, guild, channel, member)
                assert answers[guild.id]["embeds"][0]["title"] == QUESTION

            # 40 flags at once over the four servers (both processes); the second child is
            # SIGKILLed as soon as the first few are acknowledged, in the middle of them.
            acknowledged: list[tuple[int, int]] = []
            some = asyncio.Event()

            async def one(guild: Guild, channel: Any, member: Any) -> None:
                if await flag(standin, guild, channel, answers[guild.id], member):
                    acknowledged.append((guild.id, member.id))
                    if len(acknowledged) >= 4:
                        some.set()

            burst = asyncio.gather(
                *(
                    one(guild, channel, member)
                    for guild, channel, _ in servers
                    for member in flaggers[guild.id]
                ),
                return_exceptions=True,
            )
            await asyncio.wait_for(some.wait(), 60)
            # SIGKILL the second child: the cluster starts it again, its shards identify anew.
            os.kill(pids["2-3"], signal.SIGKILL)
            outcomes = await asyncio.wait_for(burst, 120)
            # The first process's servers lost nothing; the killed one's unanswered
            # interactions time out on the member's side (as with Discord).
            assert all(
                not isinstance(o, BaseException) or isinstance(o, TimeoutError) for o in outcomes
            ), outcomes
            restarted = await output.started(1)
            assert set(restarted) == {"2-3"}
            assert restarted["2-3"] != pids["2-3"]
            await standin.wait_identified(SHARD_COUNT + 2, within=120)
            await beaten_by(tmp_path / "heartbeat-2-3.json", restarted["2-3"])
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
        # Every acknowledged flag is in the database, and no flag twice.
        rows = await pg.raw_rows(postgres_url, "SELECT guild_id, flagger_id FROM flags")
        assert len(rows) == len(set(rows))
        assert set(acknowledged) <= {(int(g), int(m)) for g, m in rows}
        low = {guild.id for guild, _, _ in servers[:2]}
        assert {(g, m) for g, m in acknowledged if g in low} == {
            (guild.id, member.id) for guild, _, _ in servers[:2] for member in flaggers[guild.id]
        }
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
