"""Settings: the FACTDESK_ prefix, .env files, defaults, and a token that never leaks."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from bot.logs import configure_logging, get_logger, reset_logging
from bot.paths import BUNDLED_CORPUS_DIR
from bot.settings import DISCORD_API_BASE, Settings

TOKEN = "MTIzNDU2Nzg5.fake-token.abcdefghijklmnop"


@pytest.fixture(autouse=True)
def _no_factdesk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("FACTDESK_"):
            monkeypatch.delenv(name)


def test_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.discord_token is None
    assert settings.corpus_dir == BUNDLED_CORPUS_DIR
    assert settings.discord_api_base == DISCORD_API_BASE
    assert settings.log_format == "console"
    assert settings.dev_guild_id is None


def test_environment_variables_use_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTDESK_DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("FACTDESK_DEV_GUILD_ID", "123")
    monkeypatch.setenv("FACTDESK_LOG_FORMAT", "json")
    monkeypatch.setenv("DISCORD_API_BASE", "http://ignored")  # no prefix: not ours
    settings = Settings(_env_file=None)
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN
    assert settings.dev_guild_id == 123
    assert settings.log_format == "json"
    assert settings.discord_api_base == DISCORD_API_BASE


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"FACTDESK_DISCORD_TOKEN={TOKEN}\nFACTDESK_CORPUS_DIR={tmp_path}\n", encoding="utf-8"
    )
    settings = Settings(_env_file=env_file)
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN
    assert settings.corpus_dir == tmp_path


def test_invalid_log_format_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTDESK_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="log_format"):
        Settings(_env_file=None)


def test_the_match_threshold_is_a_probability_or_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).match_threshold is None  # the scorer's own default
    monkeypatch.setenv("FACTDESK_MATCH_THRESHOLD", "0.9")
    assert Settings(_env_file=None).match_threshold == 0.9
    for bad in ("0", "1.5", "high"):
        monkeypatch.setenv("FACTDESK_MATCH_THRESHOLD", bad)
        with pytest.raises(ValueError, match="match_threshold"):
            Settings(_env_file=None)


def test_token_is_never_in_repr_or_dump() -> None:
    settings = Settings(_env_file=None, discord_token=TOKEN)
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in settings.model_dump_json()


def test_logs_redact_the_token_wherever_it_appears() -> None:
    stream = io.StringIO()
    configure_logging(log_format="json", secrets=[TOKEN], stream=stream)
    try:
        get_logger("test").info("structlog line", token=TOKEN, nested={"t": [TOKEN]})
        logging.getLogger("discord.http").warning("stdlib line with %s inside", TOKEN)
        try:
            raise RuntimeError(f"failed with {TOKEN}")
        except RuntimeError:
            get_logger("test").exception("with a traceback")
    finally:
        reset_logging()
    output = stream.getvalue()
    assert TOKEN not in output
    lines = [json.loads(line) for line in output.splitlines()]
    assert [line["event"] for line in lines] == [
        "structlog line",
        "stdlib line with [redacted] inside",
        "with a traceback",
    ]
    assert lines[1]["logger"] == "discord.http"
    assert "RuntimeError: failed with [redacted]" in lines[2]["exception"]
