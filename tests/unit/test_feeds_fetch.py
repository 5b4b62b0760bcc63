"""The feed fetcher (bot/feeds.py) against a local HTTP server on 127.0.0.1: a 200 keeps
the body and its ETag, a 304 keeps the entries, a slow answer times out, an oversize body
stops being read, a 500 backs off twice as long each time, garbage keeps the last good
entries, and private addresses are refused unless allowed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.feeds import check_feed_url, retry_delay
from bot.feeds import FeedFetcher, PrivateAddress, _PublicResolver, served_feeds
from bot.settings import Settings
from bot.store.database import Database
from tests.feedserver import FeedServer, claim_review

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
GUILD = 10


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer().running() as running:
        yield running


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "factdesk.db")
    yield database
    await database.close()


def settings(**changes: object) -> Settings:
    values: dict[str, object] = {
        "feeds_allow_private": True,
        "feed_timeout": 2.0,
        "feed_max_bytes": 1024 * 1024,
        "feed_interval": 600,
    }
    values.update(changes)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
async def fetcher(db: Database) -> AsyncIterator[FeedFetcher]:
    made = FeedFetcher(db, settings())
    yield made
    await made.close()


async def added(db: Database, url: str) -> None:
    assert await db.add_feed(url, guild_id=GUILD, actor_id=7, now=NOW)


async def test_a_200_keeps_the_body_and_validators_and_a_304_keeps_the_entries(
    server: FeedServer, db: Database, fetcher: FeedFetcher
) -> None:
    route = server.serve("/feed.json", [claim_review(1), claim_review(2)], etag='"v1"')
    await added(db, server.url("/feed.json"))
    (first,) = await fetcher.fetch_due(NOW)
    assert (first.status, first.changed, first.entry_count) == ("ok", True, 2)
    feed = await db.feed(server.url("/feed.json"))
    assert feed is not None
    assert feed.etag == '"v1"'
    assert feed.next_try_at == NOW + timedelta(seconds=600)
    assert await fetcher.fetch_due(NOW + timedelta(seconds=599)) == []  # not due yet
    (second,) = await fetcher.fetch_due(NOW + timedelta(seconds=600))
    assert (second.status, second.changed, second.entry_count) == ("not_modified", False, 2)
    assert route.headers_seen[-1]["If-None-Match"] == '"v1"'
    (served,) = await served_feeds(db, fetcher.settings)
    assert len(served.entries) == 2


async def test_a_changed_feed_is_changed_and_the_same_body_again_is_not(
    server: FeedServer, db: Database, fetcher: FeedFetcher
) -> None:
    server.serve("/feed.json", [claim_review(1)])
    await added(db, server.url("/feed.json"))
    later = NOW
    (outcome,) = await fetcher.fetch_due(later)
    assert outcome.changed
    later += timedelta(hours=1)
    (outcome,) = await fetcher.fetch_due(later)
    assert (outcome.status, outcome.changed) == ("ok", False)
    server.serve("/feed.json", [claim_review(1), claim_review(3)])
    later += timedelta(hours=1)
    (outcome,) = await fetcher.fetch_due(later)
    assert (outcome.changed, outcome.entry_count) == (True, 2)


async def test_a_500_backs_off_twice_as_long_each_time_and_keeps_the_old_entries(
    server: FeedServer, db: Database, fetcher: FeedFetcher
) -> None:
    url = server.url("/feed.json")
    server.serve("/feed.json", [claim_review(1)])
    await added(db, url)
    await fetcher.fetch_due(NOW)
    server.serve("/feed.json", {"error": "down"}, status=500)
    moment = NOW + timedelta(seconds=600)
    delays = []
    for _ in range(3):
        (outcome,) = await fetcher.fetch_due(moment)
        assert (outcome.status, outcome.error) == ("failed", "HTTP 500")
        feed = await db.feed(url)
        assert feed is not None
        assert feed.next_try_at is not None
        delays.append(feed.next_try_at - moment)
        assert await fetcher.fetch_due(feed.next_try_at - timedelta(seconds=1)) == []
        moment = feed.next_try_at
    assert delays == [timedelta(seconds=600), timedelta(seconds=1200), timedelta(seconds=2400)]
    assert feed.failures == 3
    (served,) = await served_feeds(db, fetcher.settings)
    assert len(served.entries) == 1
    server.serve("/feed.json", [claim_review(1)])
    (outcome,) = await fetcher.fetch_due(moment)
    assert outcome.status == "ok"
    recovered = await db.feed(url)
    assert recovered is not None
    assert (recovered.failures, recovered.next_try_at) == (0, moment + timedelta(seconds=600))


async def test_the_same_failure_is_a_new_problem_once(
    server: FeedServer, db: Database, fetcher: FeedFetcher
) -> None:
    server.serve("/feed.json", raw=b"<html>not json</html>")
    await added(db, server.url("/feed.json"))
    (first,) = await fetcher.fetch_due(NOW)
    (again,) = await fetcher.fetch_due(NOW + timedelta(days=1))
    assert first.new_problems == [first.error]
    assert first.error is not None
    assert "invalid JSON" in first.error
    assert again.new_problems == []


async def test_garbage_after_a_good_body_keeps_the_good_entries(
    server: FeedServer, db: Database, fetcher: FeedFetcher
) -> None:
    server.serve("/feed.json", [claim_review(1), claim_review(2)], etag='"v1"')
    await added(db, server.url("/feed.json"))
    await fetcher.fetch_due(NOW)
    garbage_bodies = (b"{ truncated", b"[]", b'[{"@type": "ClaimReview"}]', b"\xff\xfe\x00")
    for day, garbage in enumerate(garbage_bodies, start=1):
        server.serve("/feed.json", raw=garbage, etag='"v2"')
        (outcome,) = await fetcher.fetch_due(NOW + timedelta(days=day))
        assert (outcome.status, outcome.changed) == ("failed", False), garbage
        (served,) = await served_feeds(db, fetcher.settings)
        assert len(served.entries) == 2
        feed = await db.feed(server.url("/feed.json"))
        assert feed is not None
        assert feed.etag == '"v1"'  # the validators of the body still served


async def test_a_slow_answer_times_out(server: FeedServer, db: Database) -> None:
    server.serve("/slow.json", [claim_review(1)], mode="hang")
    await added(db, server.url("/slow.json"))
    fetcher = FeedFetcher(db, settings(feed_timeout=0.2))
    try:
        (outcome,) = await fetcher.fetch_due(NOW)
    finally:
        await fetcher.close()
    assert outcome.status == "failed"
    assert outcome.error == "no complete answer within 0.2 s"


@pytest.mark.parametrize("announce_length", [False, True])
async def test_a_50_mb_body_stops_being_read_past_the_cap(
    server: FeedServer, db: Database, fetcher: FeedFetcher, announce_length: bool
) -> None:
    route = server.serve("/huge.json", raw=b"", mode="huge", announce_length=announce_length)
    await added(db, server.url("/huge.json"))
    (outcome,) = await fetcher.fetch_due(NOW)
    assert (outcome.status, outcome.error) == ("failed", "the body is larger than 1.0 MiB")
    assert route.sent < route.huge_bytes  # the server could not send it all: nobody read it


async def test_a_feed_on_a_private_address_is_refused_unless_allowed(
    server: FeedServer, db: Database
) -> None:
    server.serve("/feed.json", [claim_review(1)])
    await added(db, server.url("/feed.json"))
    fetcher = FeedFetcher(db, settings(feeds_allow_private=False))
    try:
        (outcome,) = await fetcher.fetch_due(NOW)
    finally:
        await fetcher.close()
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error.startswith("refused")
    assert server.routes["/feed.json"].headers_seen == []


def test_feed_urls_are_http_and_public_only_unless_allowed() -> None:
    # The same check runs on a feed's URL and on every redirect target.
    assert check_feed_url("http://127.0.0.1/x") is not None
    assert check_feed_url("http://[::1]/x") is not None
    assert check_feed_url("http://10.1.2.3/x") is not None
    assert check_feed_url("http://169.254.169.254/latest") is not None
    assert check_feed_url("http://[::ffff:127.0.0.1]/x") is not None
    assert check_feed_url("http://localhost:8080/x") is not None
    assert check_feed_url("ftp://example.org/x") is not None
    assert check_feed_url("https://user:pw@example.org/x") is not None
    assert check_feed_url("https://example.org/feed.json") is None
    assert check_feed_url("http://127.0.0.1/x", allow_private=True) is None


async def test_names_resolving_only_to_private_addresses_are_refused() -> None:
    resolver = _PublicResolver()
    try:
        with pytest.raises(PrivateAddress):
            await resolver.resolve("localhost", 80)
    finally:
        await resolver.close()


def test_retry_delay_doubles_and_is_capped() -> None:
    interval = timedelta(minutes=30)
    assert retry_delay(interval, 0) == interval
    assert retry_delay(interval, 1) == interval
    assert retry_delay(interval, 3) == interval * 4
    assert retry_delay(interval, 10_000) == timedelta(hours=12)
    assert retry_delay(timedelta(hours=20), 5) == timedelta(hours=20)
