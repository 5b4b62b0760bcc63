"""Every setting factdesk reads, in one pydantic-settings class.

Built once in the CLI entry point and passed in; nothing builds it at import time, so tests
construct ``Settings(_env_file=None, ...)`` directly. Each field is documented in
``docs/configuration.md`` and ``deploy/.env.example``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.paths import BUNDLED_CORPUS_DIR, DEFAULT_STATE_DIR

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FACTDESK_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    discord_token: SecretStr | None = Field(
        default=None, description="The bot token from the Discord developer portal."
    )
    database: Path | str = Field(
        default=DEFAULT_STATE_DIR / "factdesk.db",
        description=(
            "SQLite database file (the default), or a postgresql:// URL (asyncpg; the"
            " database must exist, the migrations create its tables)."
        ),
    )

    @field_validator("database", mode="before")
    @classmethod
    def _database_target(cls, value: object) -> object:
        """A ``postgresql://`` URL stays text; anything else is a SQLite file path."""
        if isinstance(value, str):
            if value.startswith(("postgresql://", "postgres://")):
                return value
            if "://" in value:
                raise ValueError("FACTDESK_DATABASE is a SQLite file path or a postgresql:// URL")
            return Path(value)
        return value

    corpus_dir: Path = Field(
        default=BUNDLED_CORPUS_DIR, description="Directory of fact-check files to serve."
    )
    log_format: Literal["console", "json"] = Field(
        default="console", description="console for people, json for log collectors."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    dev_guild_id: int | None = Field(
        default=None, description="Sync application commands to this guild at start."
    )
    discord_api_base: str = Field(
        default=DISCORD_API_BASE, description="REST base URL (a proxy or the test stand-in)."
    )
    discord_gateway_url: str = Field(
        default=DISCORD_GATEWAY_URL, description="Gateway websocket URL."
    )
    owner_ids: list[int] = Field(
        default_factory=list,
        description="Discord user ids allowed to run owner-only commands (corpus reload).",
    )
    heartbeat_file: Path = Field(
        default=DEFAULT_STATE_DIR / "heartbeat.json",
        description="File the running bot refreshes; `factdesk health` reads it.",
    )
    index_dir: Path | None = Field(
        default=None,
        description=(
            "Where the built matching index is saved for fast restarts"
            " (default: an index directory beside the database)."
        ),
    )
    message_content: bool = Field(
        default=False,
        description=(
            "Ask Discord for the Message Content intent (enable it in the Developer Portal"
            " first); without it watch mode is unavailable."
        ),
    )
    match_threshold: float | None = Field(
        default=None,
        ge=0.05,
        le=0.99,
        description=(
            "The probability (0.05-0.99) a match needs to be answered; unset: the shipped"
            " scorer's default, chosen on CheckThat! train (docs/quality.md)."
        ),
    )
    watch_threshold: float = Field(
        default=0.85,
        gt=0,
        le=1,
        description="How confident a match must be before watch mode posts a card (0-1].",
    )
    question_retention_days: int = Field(
        default=90,
        ge=0,
        description="Days after which member ids in asked questions are erased (0: never).",
    )

    feeds: list[str] = Field(
        default_factory=list,
        description="ClaimReview feed URLs to fetch, as a JSON list (docs/feeds.md).",
    )
    feed_interval: int = Field(
        default=1800,
        ge=60,
        description="Seconds between two fetches of a feed (at least 60).",
    )
    feed_timeout: float = Field(
        default=20.0,
        gt=0,
        le=300,
        description="Seconds a whole fetch (connect, headers and body) may take.",
    )
    feed_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        description="The largest feed body read, in bytes; a larger one fails the fetch.",
    )
    feeds_managers: bool = Field(
        default=False,
        description="Let members with Manage Server run /feeds (else only FACTDESK_OWNER_IDS).",
    )
    feeds_allow_private: bool = Field(
        default=False,
        description="Allow feeds on loopback or private addresses (tests, a local mirror).",
    )

    shard_ids: str | None = Field(
        default=None,
        description=(
            "The gateway shards this process runs, e.g. 0-3 or 0,2 (needs FACTDESK_SHARD_COUNT;"
            " unset: one unsharded connection)."
        ),
    )
    shard_count: int | None = Field(
        default=None,
        ge=1,
        description="The bot's shard count, the same in every process (unset: unsharded).",
    )
    identify_interval: float = Field(
        default=5.5,
        gt=0,
        description=(
            "Seconds each identify bucket stays taken across processes (Discord allows one"
            " per 5 s per bucket)."
        ),
    )

    @field_validator("shard_ids")
    @classmethod
    def _shard_ids(cls, value: str | None) -> str | None:
        from bot.shards import parse_shard_ids

        if value is not None:
            parse_shard_ids(value)  # a ValueError names the bad part
        return value

    @property
    def resolved_index_dir(self) -> Path:
        """FACTDESK_INDEX_DIR, else ``index/`` beside the SQLite database file (or in the
        state directory when the database is a PostgreSQL server)."""
        if self.index_dir is not None:
            return self.index_dir
        if isinstance(self.database, Path):
            return self.database.parent / "index"
        return DEFAULT_STATE_DIR / "index"
