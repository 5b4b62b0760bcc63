"""A server's language (/settings language, migration 0010) in the store, on both back-ends:
kept, changed, set back to auto, refused when unknown, and audited like the threshold."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store.database import Database

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
GUILD = 10


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(store_target)
    yield database
    await database.close()


async def test_a_servers_language_is_kept_changed_reset_and_audited(db: Database) -> None:
    assert await db.guild_language(GUILD) is None
    await db.set_guild_language(GUILD, "es", actor_id=7, now=NOW)
    assert await db.guild_language(GUILD) == "es"
    assert (await db.guild_settings(GUILD)).language == "es"
    assert await db.guild_language(99) is None  # other servers stay on auto
    await db.set_match_threshold(GUILD, 0.8, actor_id=7, now=NOW)
    assert await db.guild_language(GUILD) == "es"  # another setting leaves it alone
    await db.set_guild_language(GUILD, None, actor_id=8, now=NOW)
    assert await db.guild_language(GUILD) is None
    history = await db.history(GUILD, "settings", "language")
    assert [(entry.action, entry.actor_id, entry.note) for entry in history] == [
        ("set_language", 7, "es"),
        ("set_language", 8, "auto"),
    ]


async def test_an_unknown_language_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        await db.set_guild_language(GUILD, "fr", actor_id=7, now=NOW)
    assert await db.guild_language(GUILD) is None
