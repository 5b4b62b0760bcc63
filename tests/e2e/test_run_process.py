"""The ``factdesk run`` process itself: it answers through the stand-in and stops cleanly.

The other e2e tests build the bot's objects in the test process; this one starts the command
a server owner runs, configured only through ``FACTDESK_`` environment variables, and stops
it with SIGTERM the way ``docker stop`` and systemd do.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.paths import PROJECT_ROOT
from tests.standin import StandIn

pytestmark = pytest.mark.e2e

SEED_QUESTION = "Did the US help the cartels in Mexico in any way?"


async def test_factdesk_run_answers_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    log_file = tmp_path / "factdesk.log"
    async with StandIn.start() as standin:
        guild = standin.add_guild("Process")
        channel = standin.add_channel(guild, "general")
        member = standin.add_member(guild, "member")
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")}
        env.update(
            PYTHONPATH=str(PROJECT_ROOT),
            FACTDESK_DISCORD_TOKEN=standin.token,
            FACTDESK_DATABASE=str(tmp_path / "state" / "factdesk.db"),
            FACTDESK_HEARTBEAT_FILE=str(tmp_path / "state" / "heartbeat.json"),
            FACTDESK_DEV_GUILD_ID=str(guild.id),
            FACTDESK_DISCORD_API_BASE=standin.api_base,
            FACTDESK_DISCORD_GATEWAY_URL=standin.gateway_url,
            FACTDESK_LOG_FORMAT="json",
        )
        with log_file.open("w", encoding="utf-8") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=tmp_path,  # no .env file here: the environment is the whole config
                env=env,
                stdout=log,
                stderr=log,
            )
            try:
                await standin.wait_for_commands("factcheck", guild=guild, within=60)
                await standin.wait_ready(within=30)
                ix = await standin.slash(
                    guild,
                    channel,
                    member,
                    "factcheck",
                    {"question": "did the US help the Mexican cartels?"},
                )
                body = await ix.response(within=10)
                process.send_signal(signal.SIGTERM)
                exit_code = await asyncio.wait_for(process.wait(), 30)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
        standin.assert_no_violations()

    assert body["type"] == 4
    assert body["data"]["embeds"][0]["title"] == SEED_QUESTION
    output = log_file.read_text(encoding="utf-8")
    assert exit_code == 0, output
    assert "Traceback" not in output
    assert standin.token not in output
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    names = [event["event"] for event in events]
    assert "stopping" in names
    (answered,) = [e for e in events if e["event"] == "interaction"]
    assert answered["claim_id"] == "us-aid-to-cartels"
    assert answered["guild_id"] == guild.id


# --- issue 12: start-up and shutdown hygiene of the process ------------------------------


def process_env(standin: StandIn, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        FACTDESK_DISCORD_TOKEN=standin.token,
        FACTDESK_DATABASE=str(tmp_path / "state" / "factdesk.db"),
        FACTDESK_HEARTBEAT_FILE=str(tmp_path / "state" / "heartbeat.json"),
        FACTDESK_DISCORD_API_BASE=standin.api_base,
        FACTDESK_DISCORD_GATEWAY_URL=standin.gateway_url,
    )
    env.update(extra)
    return env


async def start_run(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, within: float = 60) -> tuple[int, str]:
    try:
        out, err = await asyncio.wait_for(process.communicate(), within)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, (out + err).decode("utf-8", "replace")


async def test_health_says_stopped_once_run_stopped_cleanly(tmp_path: Path) -> None:
    from bot.heartbeat import assess, read_heartbeat

    heartbeat = tmp_path / "state" / "heartbeat.json"
    async with StandIn.start() as standin:
        standin.add_guild("Stopping")
        process = await start_run(process_env(standin, tmp_path), tmp_path)
        await standin.wait_ready(within=60)
        process.send_signal(signal.SIGTERM)
        code, output = await finish(process)
    assert code == 0, output
    state = read_heartbeat(heartbeat)
    assert state.stopped is True
    assert assess(state, state.written_at, 90.0).summary.startswith("stopped: ")
