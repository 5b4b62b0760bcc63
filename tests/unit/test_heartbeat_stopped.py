"""A bot that shut down says so in its heartbeat: ``factdesk health`` reports "stopped" at once.

Before, the last heartbeat of a cleanly stopped bot read "healthy" for up to 90 s.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.heartbeat import Heartbeat, HeartbeatState, assess, read_heartbeat, write_heartbeat

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_stopped_heartbeat_is_not_healthy_and_says_stopped(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.json"
    write_heartbeat(path, HeartbeatState(NOW, True, True, latency_ms=40.0))
    Heartbeat(path).mark_stopped(now=NOW + timedelta(seconds=1))
    state = read_heartbeat(path)
    assert state.stopped is True
    health = assess(state, NOW + timedelta(seconds=2), 90.0)
    assert health.healthy is False
    assert health.summary == "stopped: the bot shut down at 2026-01-02 03:04:06 UTC"


def test_health_reports_stopped_right_after_shutdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "heartbeat.json"
    Heartbeat(path).mark_stopped()
    code = main(["health", "--heartbeat-file", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("stopped: the bot shut down at ")


def test_a_heartbeat_written_before_the_stopped_field_reads_as_running(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.json"
    data = json.loads(HeartbeatState(NOW, True, True).to_json())
    del data["stopped"]
    path.write_text(json.dumps(data), encoding="utf-8")
    state = read_heartbeat(path)
    assert state.stopped is False
    assert assess(state, NOW, 90.0).healthy is True
