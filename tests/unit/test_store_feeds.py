"""Feed state in the store, on both back-ends: feeds added and removed (audited), the
FACTDESK_FEEDS rows kept in step, what each fetch leaves (last good body, validators,
failures) and each distinct problem reported once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store.database import Database

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=30)
GUILD = 10
URL = "https://feeds.example.org/a.json"
OTHER = "https://feeds.example.org/b.json"


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(store_target)
    yield database
    await database.close()


async def test_a_feed_is_added_once_listed_and_removed_with_an_audit(db: Database) -> None:
    assert await db.add_feed(URL, guild_id=GUILD, actor_id=7, now=NOW)
    assert not await db.add_feed(URL, guild_id=GUILD, actor_id=8, now=NOW)
    (feed,) = await db.feeds()
    assert (feed.url, feed.added_by, feed.guild_id, feed.added_at) == (URL, 7, GUILD, NOW)
    assert (feed.body, feed.last_status, feed.failures, feed.next_try_at) == (None, None, 0, None)
    assert not feed.configured
    assert await db.remove_feed(URL, guild_id=GUILD, actor_id=7)
    assert not await db.remove_feed(URL, guild_id=GUILD, actor_id=7)
    assert await db.feeds() == []
    history = await db.history(GUILD, "feed", URL)
    assert [entry.action for entry in history] == ["feed_added", "feed_removed"]


async def test_configured_feeds_follow_the_setting_and_cannot_be_removed_by_command(
    db: Database,
) -> None:
    await db.sync_configured_feeds([URL, OTHER], now=NOW)
    assert [(f.url, f.configured) for f in await db.feeds()] == [(URL, True), (OTHER, True)]
    assert not await db.remove_feed(URL, guild_id=GUILD, actor_id=7)
    await db.feed_fetched(
        URL, body="[]", etag='"1"', last_modified=None, entry_count=1, next_try_at=LATER, now=NOW
    )
    await db.sync_configured_feeds([URL], now=LATER)
    (kept,) = await db.feeds()
    assert kept.url == URL
    assert kept.etag == '"1"'  # a feed still configured keeps its state


async def test_a_fetch_keeps_the_good_body_and_a_failure_does_not_replace_it(
    db: Database,
) -> None:
    await db.add_feed(URL, guild_id=GUILD, actor_id=7, now=NOW)
    await db.feed_fetched(
        URL,
        body='{"good": "body ✓"}',
        etag='W/"v1"',
        last_modified="Wed, 02 Dec 2026 10:00:00 GMT",
        entry_count=3,
        next_try_at=LATER,
        now=NOW,
    )
    feed = await db.feed(URL)
    assert feed is not None
    assert (feed.body, feed.etag, feed.entry_count) == ('{"good": "body ✓"}', 'W/"v1"', 3)
    assert (feed.last_status, feed.last_good_at, feed.next_try_at) == ("ok", NOW, LATER)
    for attempt in (1, 2):
        await db.feed_failed(URL, error="HTTP 500", next_try_at=LATER, now=LATER)
        failed = await db.feed(URL)
        assert failed is not None
        assert failed.failures == attempt
    assert failed.body == '{"good": "body ✓"}'
    assert failed.etag == 'W/"v1"'
    assert (failed.last_status, failed.last_error, failed.last_good_at) == (
        "failed",
        "HTTP 500",
        NOW,
    )
    await db.feed_not_modified(URL, next_try_at=LATER + LATER.resolution, now=LATER)
    back = await db.feed(URL)
    assert back is not None
    assert (back.last_status, back.failures, back.last_error) == ("not_modified", 0, None)
    assert back.body == '{"good": "body ✓"}'


async def test_each_distinct_problem_is_new_once_and_again_after_it_went_away(
    db: Database,
) -> None:
    await db.add_feed(URL, guild_id=GUILD, actor_id=7, now=NOW)
    assert await db.note_feed_problems(URL, fetch="HTTP 500", items=None, now=NOW) == ["HTTP 500"]
    assert await db.note_feed_problems(URL, fetch="HTTP 500", items=None, now=LATER) == []
    new = await db.note_feed_problems(URL, fetch=None, items=["[1]: bad date", "[2]: no claim"])
    assert new == ["[1]: bad date", "[2]: no claim"]
    # a 304, or a failed fetch: the served body's problems stand and are not told again
    assert await db.note_feed_problems(URL, fetch=None, items=None) == []
    assert await db.note_feed_problems(URL, fetch="timed out", items=None) == ["timed out"]
    assert await db.note_feed_problems(URL, fetch=None, items=["[1]: bad date"]) == []
    assert await db.note_feed_problems(URL, fetch="HTTP 500", items=None) == ["HTTP 500"]
    assert await db.note_feed_problems(OTHER, fetch="HTTP 500", items=None) == ["HTTP 500"]
