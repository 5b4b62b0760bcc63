"""The digest's storage: settings, once-only slots, and the window's activity queries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.digest import AskedItem, FlagItem, RequestItem
from bot.store.database import Database
from bot.store.digest import DigestStore
from bot.store.rows import NewFlag

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)
GUILD, OTHER = 1, 2


@pytest.fixture
async def database(store_target: Path | str) -> AsyncIterator[Database]:
    """A new database, once on SQLite and once on PostgreSQL (tests/conftest.py)."""
    db = await Database.open(store_target)
    yield db
    await db.close()


@pytest.fixture
def store(database: Database) -> DigestStore:
    return DigestStore(database)


async def test_migration_2_is_applied(database: Database) -> None:
    assert await database.version() >= 2


async def test_settings_round_trip_and_turn_off(store: DigestStore, database: Database) -> None:
    assert await store.config(GUILD) is None
    saved = await store.save_config(
        GUILD,
        channel_id=50,
        post_time=time(7, 30),
        timezone="Europe/Paris",
        quiet_day="skip",
        actor_id=99,
        now=NOW,
    )
    assert (saved.channel_id, saved.post_time, saved.timezone, saved.quiet_day) == (
        50,
        time(7, 30),
        "Europe/Paris",
        "skip",
    )
    assert saved.enabled
    assert saved.active_since == NOW
    assert [c.guild_id for c in await store.enabled_configs()] == [GUILD]
    assert await store.disable(GUILD, actor_id=99, now=NOW)
    assert not await store.disable(GUILD, actor_id=99, now=NOW)
    assert await store.enabled_configs() == []
    config = await store.config(GUILD)
    assert config is not None
    assert not config.enabled
    # Setting again turns it back on and moves active_since.
    later = NOW + timedelta(days=1)
    again = await store.save_config(
        GUILD,
        channel_id=51,
        post_time=time(8, 0),
        timezone="UTC",
        quiet_day="note",
        actor_id=99,
        now=later,
    )
    assert again.enabled
    assert again.active_since == later
    actions = [e.action for e in await database.history(GUILD, "settings", "digest")]
    assert actions == ["digest_set", "digest_off", "digest_set"]


async def test_a_slot_is_claimed_once(store: DigestStore) -> None:
    kwargs = {"scheduled_at": NOW, "late": False, "channel_id": 50, "now": NOW}
    assert await store.claim(GUILD, DAY, **kwargs)  # type: ignore[arg-type]
    assert not await store.claim(GUILD, DAY, **kwargs)  # type: ignore[arg-type]
    assert await store.claim(OTHER, DAY, **kwargs)  # type: ignore[arg-type]
    assert await store.claim(GUILD, DAY + timedelta(days=1), **kwargs)  # type: ignore[arg-type]
    assert await store.taken_slots(DAY) == {
        (GUILD, DAY),
        (OTHER, DAY),
        (GUILD, DAY + timedelta(days=1)),
    }
    assert await store.taken_slots(DAY + timedelta(days=1)) == {(GUILD, DAY + timedelta(days=1))}


async def test_a_sharded_store_lists_only_the_servers_on_its_shards(database: Database) -> None:
    from bot.shards import ShardPlan, shard_for

    # Real-sized snowflakes: server n is on shard n % 4 of 4.
    guilds = [(n << 22) | 12345 for n in range(8)]
    assert [shard_for(g, 4) for g in guilds] == [0, 1, 2, 3, 0, 1, 2, 3]
    low = DigestStore(database, shards=ShardPlan((0, 1), 4))
    high = DigestStore(database, shards=ShardPlan((2, 3), 4))
    every = DigestStore(database, shards=ShardPlan((0, 1, 2, 3), 4))
    unsharded = DigestStore(database)
    for guild in guilds:
        await unsharded.save_config(
            guild,
            channel_id=50,
            post_time=time(9, 0),
            timezone="UTC",
            quiet_day="skip",
            actor_id=99,
            now=NOW,
        )
        await unsharded.claim(guild, DAY, scheduled_at=NOW, late=False, channel_id=50, now=NOW)
    mine = {
        low: {g for g in guilds if shard_for(g, 4) in (0, 1)},
        high: {g for g in guilds if shard_for(g, 4) in (2, 3)},
        every: set(guilds),
        unsharded: set(guilds),
    }
    for store, own in mine.items():
        assert {c.guild_id for c in await store.enabled_configs()} == own
        assert {g for g, _ in await store.taken_slots(DAY)} == own
        assert {s.guild_id for s in await store.unconfirmed_slots()} == own
        later = NOW + store.lease + timedelta(seconds=1)
        assert {s.guild_id for s in await store.unconfirmed_slots(later)} == own
    # The slot's key still refuses a second claim from a store that does not list it.
    assert not await high.claim(
        guilds[0], DAY, scheduled_at=NOW, late=False, channel_id=50, now=NOW
    )


async def test_finishing_confirms_a_claim_and_only_a_claim(store: DigestStore) -> None:
    await store.claim(GUILD, DAY, scheduled_at=NOW, late=True, channel_id=50, now=NOW)
    assert [s.guild_id for s in await store.unconfirmed_slots()] == [GUILD]
    assert await store.finish(GUILD, DAY, "posted", now=NOW, message_ids=[11, 12])
    assert not await store.finish(GUILD, DAY, "failed", now=NOW)
    slot = await store.slot(GUILD, DAY)
    assert slot is not None
    assert (slot.status, slot.message_ids, slot.late, slot.finished_at) == (
        "posted",
        (11, 12),
        True,
        NOW,
    )
    assert await store.unconfirmed_slots() == []
    last = await store.last_posted(GUILD)
    assert last is not None
    assert last.local_date == DAY
    with pytest.raises(ValueError, match="claim"):
        await store.finish(GUILD, DAY, "claimed", now=NOW)


async def test_a_skipped_slot_is_taken_and_finished(store: DigestStore) -> None:
    assert await store.claim(
        GUILD, DAY, scheduled_at=NOW, late=True, channel_id=50, now=NOW, status="skipped"
    )
    slot = await store.slot(GUILD, DAY)
    assert slot is not None
    assert slot.status == "skipped"
    assert slot.finished_at == NOW
    assert await store.unconfirmed_slots() == []


async def test_activity_covers_exactly_the_window_of_one_server(
    store: DigestStore, database: Database
) -> None:
    since, until = NOW - timedelta(days=1), NOW
    for asked_at, guild, claim in [
        (since - timedelta(seconds=1), GUILD, "too-early"),
        (since, GUILD, "first"),
        (until - timedelta(seconds=1), GUILD, None),
        (until, GUILD, "too-late"),
        (since + timedelta(hours=1), OTHER, "other-server"),
    ]:
        await database.record_question(
            guild_id=guild,
            channel_id=5,
            user_id=6,
            question=f"q {claim}",
            claim_id=claim,
            score=0.9,
            asked_at=asked_at,
        )
    old = await database.add_flag(
        NewFlag(GUILD, "answer", "old-claim", flagger_id=1), now=since - timedelta(hours=1)
    )
    new = await database.add_flag(
        NewFlag(GUILD, "answer", "new-claim", flagger_id=2, reason="wrong"),
        now=since + timedelta(hours=2),
    )
    assert old.flag is not None
    assert new.flag is not None
    await database.resolve_flag(
        GUILD, old.flag.id, "upheld", "fair point", actor_id=9, now=since + timedelta(hours=3)
    )
    for user in [1, 2, 3]:
        await database.add_request(GUILD, "Is tea healthy?", user_id=user, source="command")
    for question in ["Do cats dream?", "Why is the ocean salty?", "When was Rome founded?"]:
        await database.add_request(GUILD, question, user_id=4, source="command")
    await database.add_request(OTHER, "Elsewhere?", user_id=1, source="command")

    activity = await store.activity(GUILD, since, until, top_requests=2)
    assert activity.asked == [AskedItem("q first", "first"), AskedItem("q None", None)]
    assert activity.flags_opened == [FlagItem(new.flag.id, "new-claim", "wrong")]
    assert activity.flags_resolved == [FlagItem(old.flag.id, "old-claim", None, "upheld")]
    assert activity.open_requests[0] == RequestItem(
        activity.open_requests[0].request_id, "Is tea healthy?", 3
    )
    assert len(activity.open_requests) == 2
    assert activity.open_request_total == 4
