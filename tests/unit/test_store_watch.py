"""The per-server threshold and watch mode in the store, on both back-ends: a watch card
is claimed once per message, once per fact-check per channel within the cooldown, and at
most the hourly cap per channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store.database import Database

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
GUILD, CHANNEL, OTHER_CHANNEL = 10, 20, 21


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(store_target)
    yield database
    await database.close()


async def claim(
    db: Database,
    message_id: int,
    claim_id: str = "moon",
    *,
    channel_id: int = CHANNEL,
    at: datetime = NOW,
    cap: int = 6,
) -> bool:
    return await db.claim_watch_card(
        guild_id=GUILD,
        channel_id=channel_id,
        message_id=message_id,
        claim_id=claim_id,
        probability=0.9,
        mode="reply",
        cooldown=timedelta(hours=6),
        hourly_cap=cap,
        now=at,
    )


async def test_one_card_per_message_and_per_fact_check_within_the_cooldown(db: Database) -> None:
    assert await claim(db, 1)
    assert not await claim(db, 1, "volcano")  # that message already had its card
    assert not await claim(db, 2, at=NOW + timedelta(hours=5, minutes=59))
    assert await claim(db, 3, "volcano")  # another fact-check: its own cooldown
    assert await claim(db, 4, channel_id=OTHER_CHANNEL)  # another channel: its own too
    assert await claim(db, 5, at=NOW + timedelta(hours=6, minutes=1))


async def test_the_hourly_cap_holds_per_channel(db: Database) -> None:
    for number in range(3):
        assert await claim(db, 100 + number, f"claim-{number}", cap=3)
    assert not await claim(db, 200, "claim-new", cap=3)
    assert await claim(db, 201, "claim-new", channel_id=OTHER_CHANNEL, cap=3)
    assert await claim(db, 202, "claim-new", at=NOW + timedelta(minutes=61), cap=3)


async def test_watched_channels_are_listed_changed_and_removed_with_an_audit(
    db: Database,
) -> None:
    await db.watch_channel(GUILD, CHANNEL, "reply", actor_id=7, now=NOW)
    await db.watch_channel(GUILD, CHANNEL, "modlog", actor_id=7, now=NOW)
    await db.watch_channel(99, OTHER_CHANNEL, "reply", actor_id=8, now=NOW)
    assert [(w.channel_id, w.mode) for w in await db.watched_channels(GUILD)] == [
        (CHANNEL, "modlog")
    ]
    assert len(await db.watched_channels()) == 2
    assert await db.unwatch_channel(GUILD, CHANNEL, actor_id=7)
    assert not await db.unwatch_channel(GUILD, CHANNEL, actor_id=7)
    assert not await db.unwatch_channel(GUILD, OTHER_CHANNEL, actor_id=7)  # not this server's
    history = await db.history(GUILD, "channel", str(CHANNEL))
    assert [(entry.action, entry.note) for entry in history] == [
        ("watch_added", "reply"),
        ("watch_added", "modlog"),
        ("watch_removed", None),
    ]


async def test_a_servers_threshold_is_kept_changed_reset_and_audited(db: Database) -> None:
    assert await db.match_threshold(GUILD) is None
    await db.set_match_threshold(GUILD, 0.8, actor_id=7, now=NOW)
    assert await db.match_threshold(GUILD) == pytest.approx(0.8)
    assert (await db.guild_settings(GUILD)).match_threshold == pytest.approx(0.8)
    assert await db.match_threshold(99) is None  # other servers keep the default
    await db.set_match_threshold(GUILD, None, actor_id=7, now=NOW)
    assert await db.match_threshold(GUILD) is None
    history = await db.history(GUILD, "settings", "threshold")
    assert [(entry.action, entry.note) for entry in history] == [
        ("set_threshold", "0.80"),
        ("set_threshold", None),
    ]
