"""Logging: JSON lines for collectors, discord.py's records in the same pipeline, no token."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, configure_logging, get_logger, reset_logging

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.not-a-real-token-but-long-enough"


@pytest.fixture
def json_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(log_format="json", level="INFO", secrets=[TOKEN], stream=stream)
    yield stream
    reset_logging()


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_structlog_events_are_json_lines_with_their_fields(json_stream: io.StringIO) -> None:
    get_logger("factdesk.test").info("interaction", command="factcheck", latency_ms=3.2)
    (event,) = lines(json_stream)
    assert event["event"] == "interaction"
    assert event["command"] == "factcheck"
    assert event["latency_ms"] == 3.2
    assert event["level"] == "info"
    assert event["logger"] == "factdesk.test"
    assert "timestamp" in event


def test_discord_py_records_go_through_the_same_pipeline(json_stream: io.StringIO) -> None:
    logging.getLogger("discord.gateway").warning("Shard ID %s has stopped responding", None)
    (event,) = lines(json_stream)
    assert event["logger"] == "discord.gateway"
    assert event["event"] == "Shard ID None has stopped responding"
    assert event["level"] == "warning"


def test_the_token_never_reaches_a_line(json_stream: io.StringIO) -> None:
    log = get_logger("factdesk.test")
    log.info(f"connecting with {TOKEN}", headers={"Authorization": f"Bot {TOKEN}"})
    logging.getLogger("discord.http").error("request failed for token %s", TOKEN)
    try:
        raise RuntimeError(f"login refused for {TOKEN}")
    except RuntimeError:
        log.exception("login failed")
    output = json_stream.getvalue()
    assert TOKEN not in output
    assert output.count(REDACTED) >= 4
    assert len(lines(json_stream)) == 3


def test_levels_below_the_setting_are_dropped() -> None:
    stream = io.StringIO()
    configure_logging(log_format="json", level="WARNING", stream=stream)
    try:
        get_logger("factdesk.test").info("quiet")
        get_logger("factdesk.test").warning("loud")
    finally:
        reset_logging()
    assert [e["event"] for e in lines(stream)] == ["loud"]


def test_console_format_is_readable_text() -> None:
    stream = io.StringIO()
    configure_logging(log_format="console", level="INFO", secrets=[TOKEN], stream=stream)
    try:
        get_logger("factdesk.test").info("ready", guilds=2, token=TOKEN)
    finally:
        reset_logging()
    output = stream.getvalue()
    assert "ready" in output
    assert "guilds=2" in output
    assert TOKEN not in output
    with pytest.raises(json.JSONDecodeError):
        json.loads(output)
