"""The heartbeat of the real bot, connected through the local Discord stand-in.

The bot is built the way ``factdesk run`` builds it (``prepare`` + ``make_bot``); the test
checks that the heartbeat says "connected" as soon as the bot is ready (not 30 s later, at
the loop's next tick), that ``factdesk health`` then exits 0, and that after the bot closes a
beat says "not connected" and ``factdesk health`` exits 1.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.heartbeat import HeartbeatError, HeartbeatState, read_heartbeat
from bot.paths import PROJECT_ROOT
from tests.e2e.harness import bot_settings, running_bot
from tests.standin import StandIn

pytestmark = pytest.mark.e2e

GOOD_CORPUS = PROJECT_ROOT / "tests" / "fixtures" / "corpus" / "good"


async def wait_for_heartbeat(
    path: Path, condition: Callable[[HeartbeatState], bool], within: float
) -> HeartbeatState:
    deadline = time.monotonic() + within
    last: HeartbeatState | None = None
    while time.monotonic() < deadline:
        try:
            last = read_heartbeat(path)
        except HeartbeatError:
            last = None
        if last is not None and condition(last):
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"no heartbeat matching the condition within {within}s; last: {last}")


async def test_running_bot_heartbeat_drives_factdesk_health(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "state" / "factdesk.db"
    heartbeat_file = database.parent / "heartbeat.json"
    async with StandIn.start() as standin:
        guild = standin.add_guild("Ops")
        standin.add_channel(guild, "general")
        settings = bot_settings(standin, corpus=GOOD_CORPUS, database=database)
        assert settings.heartbeat_file == heartbeat_file
        async with running_bot(settings) as bot:
            assert bot.heartbeat is not None  # make_bot wires bot/heartbeat.py in
            # Far sooner than the loop's 30 s interval: on_ready beats at once.
            state = await wait_for_heartbeat(heartbeat_file, lambda s: s.connected, within=5)
            assert state.database_writable
            assert state.latency_ms is not None
            capsys.readouterr()
            assert main(["health", "--heartbeat-file", str(heartbeat_file)]) == 0
            assert capsys.readouterr().out.startswith("healthy: connected")
            # Closed but with its database still open: the next beat says "not connected".
            await bot.close()
            closed = await bot.heartbeat.beat(bot)
        standin.assert_no_violations()

    assert closed.connected is False
    assert read_heartbeat(heartbeat_file) == closed
    assert main(["health", "--heartbeat-file", str(heartbeat_file)]) == 1
    assert "not connected" in capsys.readouterr().out
