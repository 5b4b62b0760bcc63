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


async def test_factdesk_run_answers_and_stops_cleanly_on_sigterm(
    tmp_path: Path, database: Path | str
) -> None:
    """On either back-end (``database``: a SQLite file or a PostgreSQL URL)."""
    log_file = tmp_path / "factdesk.log"
    async with StandIn.start() as standin:
        guild = standin.add_guild("Process")
        channel = standin.add_channel(guild, "general")
        member = standin.add_member(guild, "member")
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")}
        env.update(
            PYTHONPATH=str(PROJECT_ROOT),
            FACTDESK_DISCORD_TOKEN=standin.token,
            FACTDESK_DATABASE=str(database),
            FACTDESK_HEARTBEAT_FILE=str(tmp_path / "state" / "heartbeat.json"),
            FACTDESK_INDEX_DIR=str(tmp_path / "state" / "index"),
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


def offline_env(tmp_path: Path, api_base: str, **extra: str) -> dict[str, str]:
    """A run configured for a Discord that is not the stand-in (unreachable or silent)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        FACTDESK_DISCORD_TOKEN="MTIz.abc.def",
        FACTDESK_DATABASE=str(tmp_path / "state" / "factdesk.db"),
        FACTDESK_HEARTBEAT_FILE=str(tmp_path / "state" / "heartbeat.json"),
        FACTDESK_DISCORD_API_BASE=api_base,
        FACTDESK_DISCORD_GATEWAY_URL="ws://127.0.0.1:9",
    )
    env.update(extra)
    return env


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def own_lines(output: str) -> list[str]:
    """Output lines that are not start-up information: discord.py's chatter (voice support,
    login) and factdesk's line saying whether it built or reused the matching index."""
    chatter = (
        "PyNaCl is not installed",
        "davey is not installed",
        "logging in using static",
        "index built",
        "index reused",
    )
    return [line for line in output.splitlines() if not any(c in line for c in chatter)]


async def test_run_with_discord_unreachable_is_one_line(tmp_path: Path) -> None:
    api_base = f"http://127.0.0.1:{closed_port()}/api/v10"
    process = await start_run(offline_env(tmp_path, api_base), tmp_path)
    code, output = await finish(process)
    assert code == 1, output
    assert "Traceback" not in output
    (line,) = own_lines(output)
    assert line.startswith(f"error: cannot reach Discord at {api_base}: ")


async def test_run_with_discord_unreachable_is_one_json_event(tmp_path: Path) -> None:
    api_base = f"http://127.0.0.1:{closed_port()}/api/v10"
    env = offline_env(tmp_path, api_base, FACTDESK_LOG_FORMAT="json")
    code, output = await finish(await start_run(env, tmp_path))
    assert code == 1, output
    assert "Traceback" not in output
    events = [json.loads(line) for line in output.splitlines()]  # every line is JSON
    (fatal,) = [e for e in events if e["level"] == "error"]
    assert fatal["event"] == "fatal"
    assert fatal["error"].startswith(f"cannot reach Discord at {api_base}: ")


@pytest.mark.parametrize("kind", ["directory", "not-sqlite"])
async def test_run_with_an_unopenable_database_is_one_line(tmp_path: Path, kind: str) -> None:
    database = tmp_path / "state" / "factdesk.db"
    if kind == "directory":
        database.mkdir(parents=True)
    else:
        database.parent.mkdir(parents=True)
        database.write_bytes(b"this is not an SQLite database, just some text" * 20)
    env = offline_env(tmp_path, f"http://127.0.0.1:{closed_port()}/api/v10")
    code, output = await finish(await start_run(env, tmp_path))
    assert code == 1, output
    assert output.splitlines() == [output.splitlines()[0]]
    assert output.startswith(f"error: cannot open database {database}: ")
    assert "Event loop is closed" not in output
    assert "Traceback" not in output


async def test_gateway_close_4004_mid_run_is_the_token_line(tmp_path: Path) -> None:
    async with StandIn.start() as standin:
        standin.add_guild("Revoked")
        process = await start_run(process_env(standin, tmp_path), tmp_path)
        try:
            await standin.wait_ready(within=60)
            await standin.drop_gateway(4004)
            code, output = await finish(process)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert code == 1, output
    assert "Traceback" not in output
    assert own_lines(output)[-1] == "error: Discord rejected the token (FACTDESK_DISCORD_TOKEN)"
    assert standin.token not in output


async def test_sighup_during_start_up_does_not_stop_the_bot(tmp_path: Path) -> None:
    # A "Discord" that accepts the login request and never answers: the bot is held in
    # start-up (before the admin cog exists) for as long as the test needs.
    connected = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()
        await reader.read()  # until the bot hangs up
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    env = offline_env(tmp_path, f"http://127.0.0.1:{port}/api/v10", FACTDESK_LOG_FORMAT="json")
    async with server:
        process = await start_run(env, tmp_path)
        try:
            await asyncio.wait_for(connected.wait(), 60)
            process.send_signal(signal.SIGHUP)
            assert process.stderr is not None
            seen = []
            while not any("sighup before the bot is ready" in line for line in seen):
                line = await asyncio.wait_for(process.stderr.readline(), 30)
                assert line, f"the process ended on SIGHUP: {seen}"
                seen.append(line.decode("utf-8", "replace"))
            assert process.returncode is None
            process.send_signal(signal.SIGTERM)
            code, output = await finish(process)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert code == 0, "".join(seen) + output
    assert "Traceback" not in output
