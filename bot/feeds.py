"""Fetching live ClaimReview feeds (docs/feeds.md): one HTTP GET per due feed, its outcome
stored (:mod:`bot.store.feeds`), its body parsed by :mod:`bot.core.feeds`.

Each fetch is a conditional GET (``If-None-Match`` / ``If-Modified-Since`` from the last
good response), bounded in time (``FACTDESK_FEED_TIMEOUT``, connecting, headers and body
together) and in size (``FACTDESK_FEED_MAX_BYTES``: reading stops past it). Redirects are
followed by hand, at most :data:`MAX_REDIRECTS`, each target checked like the feed URL, and
host names resolve to public addresses only unless ``FACTDESK_FEEDS_ALLOW_PRIVATE``.

A usable body (one that yields an entry) becomes the feed's last good body, kept in the
database so a restart serves it without the network. Anything else (an HTTP error, a
timeout, an oversize or unusable body) keeps the last good body, counts a failure and backs
off (:func:`bot.core.feeds.retry_delay`). Nothing here touches Discord; the feeds cog runs
:meth:`FeedFetcher.fetch_due` and joins changed feeds through the corpus reload.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.core.corpus_file import Problem
from bot.core.feeds import FeedParse, check_feed_url, is_public_address, parse_feed, retry_delay
from bot.logs import get_logger
from bot.store.base import utcnow
from bot.store.feeds import Feed, FeedStatus

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store.database import Database

log = get_logger(__name__)

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
USER_AGENT = "factdesk-feeds/1 (ClaimReview reader)"
ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"


class PrivateAddress(OSError):
    """A feed's host name resolved to no public address."""


class _PublicResolver(ThreadedResolver):
    """Resolves names to public addresses only (the check DNS rebinding cannot dodge: the
    connection goes to an address this returned)."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await super().resolve(host, port, family)
        public = [result for result in results if is_public_address(result["host"])]
        if not public:
            raise PrivateAddress(f"{host} has no public address")
        return public


@dataclass(frozen=True)
class Fetched:
    """What one GET gave: a body (``ok``), ``not_modified``, or ``failed`` and why."""

    status: FeedStatus
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


def make_session(*, allow_private: bool) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        resolver=None if allow_private else _PublicResolver(), limit=4, ttl_dns_cache=60
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        auto_decompress=True,
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    seconds: float,
    max_bytes: int,
    allow_private: bool,
) -> Fetched:
    """GET ``url`` once (following redirects by hand); never raises for network trouble.

    The ``error`` texts are stable (no addresses, no byte counts read so far), so the same
    trouble twice is the same problem and the mod-log hears of it once."""
    refused = check_feed_url(url, allow_private=allow_private)
    if refused:
        return Fetched("failed", error=f"refused: {refused}")
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(seconds):
            target = url
            for _ in range(MAX_REDIRECTS + 1):
                async with session.get(target, headers=headers, allow_redirects=False) as response:
                    if response.status in _REDIRECTS:
                        location = response.headers.get("Location")
                        if not location:
                            return Fetched(
                                "failed", error=f"HTTP {response.status} without a Location"
                            )
                        target = urljoin(target, location)
                        refused = check_feed_url(target, allow_private=allow_private)
                        if refused:
                            return Fetched(
                                "failed", error=f"redirected to a refused URL: {refused}"
                            )
                        continue
                    if response.status == 304:
                        return Fetched("not_modified")
                    if response.status != 200:
                        return Fetched("failed", error=f"HTTP {response.status}")
                    too_large = f"the body is larger than {_megabytes(max_bytes)}"
                    if response.content_length is not None and response.content_length > max_bytes:
                        return Fetched("failed", error=too_large)
                    body = bytearray()
                    async for chunk in response.content.iter_chunked(_CHUNK):
                        body.extend(chunk)
                        if len(body) > max_bytes:
                            return Fetched("failed", error=too_large)
                    return Fetched(
                        "ok",
                        bytes(body),
                        etag=response.headers.get("ETag"),
                        last_modified=response.headers.get("Last-Modified"),
                    )
            return Fetched("failed", error=f"more than {MAX_REDIRECTS} redirects")
    except TimeoutError:
        return Fetched("failed", error=f"no complete answer within {seconds:g} s")
    except aiohttp.ClientConnectorError as error:
        if isinstance(error.os_error, PrivateAddress):
            return Fetched("failed", error="the host has no public address (refused)")
        return Fetched("failed", error="could not connect")
    except aiohttp.ClientPayloadError:
        return Fetched("failed", error="the body was cut short or badly encoded")
    except aiohttp.ClientError as error:
        return Fetched("failed", error=f"the request failed ({type(error).__name__})")


def _described(problem: Problem) -> str:
    """A problem without the feed's URL (the notice names the feed once)."""
    where = f"line {problem.line}" if problem.line is not None else None
    parts = [part for part in (where, problem.field) if part]
    prefix = ": ".join(parts)
    return f"{prefix}: {problem.message}" if prefix else problem.message


@dataclass(frozen=True)
class FeedOutcome:
    """One fetch: its status, whether a new body is served now, and the problems that are
    new since the last fetch (for the mod-log; the log has every one)."""

    url: str
    status: FeedStatus
    changed: bool
    entry_count: int
    guild_id: int | None
    error: str | None = None
    new_problems: list[str] = field(default_factory=list)


def ordered(feeds: Sequence[Feed], configured: Sequence[str]) -> list[Feed]:
    """The feeds in the order that decides id clashes between them: FACTDESK_FEEDS first,
    in its order, then the added ones, oldest first."""
    rank = {url: position for position, url in enumerate(configured)}
    return sorted(
        feeds,
        key=lambda f: (0, rank[f.url], f.added_at) if f.url in rank else (1, 0, f.added_at),
    )


async def served_feeds(database: Database, settings: Settings) -> list[FeedParse]:
    """Every feed's last good body, parsed, in clash order: what a reload joins to the files."""
    feeds = [f for f in ordered(await database.feeds(), settings.feeds) if f.body is not None]

    def parse_all() -> list[FeedParse]:
        return [parse_feed(feed.body or "", feed.url) for feed in feeds]

    return await asyncio.to_thread(parse_all)


class FeedFetcher:
    """Fetches the feeds that are due and records what came back."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self._session = session
        self._lock = asyncio.Lock()

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=self.settings.feed_interval)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = make_session(allow_private=self.settings.feeds_allow_private)
        return self._session

    async def sync_configured(self) -> None:
        """Keep the FACTDESK_FEEDS rows in step with the setting (refused URLs are logged)."""
        usable: list[str] = []
        for url in dict.fromkeys(self.settings.feeds):
            refused = check_feed_url(url, allow_private=self.settings.feeds_allow_private)
            if refused:
                log.warning("FACTDESK_FEEDS entry refused", url=url, reason=refused)
                continue
            usable.append(url)
        await self.database.sync_configured_feeds(usable)

    async def fetch_due(self, now: datetime | None = None) -> list[FeedOutcome]:
        """Fetch every feed whose next try has come (one pass at a time)."""
        async with self._lock:
            moment = now or utcnow()
            feeds = ordered(await self.database.feeds(), self.settings.feeds)
            outcomes = []
            for feed in feeds:
                if feed.next_try_at is None or feed.next_try_at <= moment:
                    outcomes.append(await self.fetch_one(feed, moment))
            return outcomes

    async def fetch_one(self, feed: Feed, now: datetime) -> FeedOutcome:
        fetched = await fetch(
            self._session_now(),
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            seconds=self.settings.feed_timeout,
            max_bytes=self.settings.feed_max_bytes,
            allow_private=self.settings.feeds_allow_private,
        )
        database = self.database
        if fetched.status == "not_modified":
            await database.feed_not_modified(feed.url, next_try_at=now + self.interval, now=now)
            new = await database.note_feed_problems(feed.url, fetch=None, items=None, now=now)
            return FeedOutcome(
                feed.url, "not_modified", False, feed.entry_count, feed.guild_id, None, new
            )
        error = fetched.error
        if fetched.status == "ok" and fetched.body is not None:
            parsed = await asyncio.to_thread(parse_feed, fetched.body, feed.url)
            if parsed.usable:
                text = fetched.body.decode("utf-8-sig")
                items = [_described(p) for p in parsed.problems]
                await database.feed_fetched(
                    feed.url,
                    body=text,
                    etag=fetched.etag,
                    last_modified=fetched.last_modified,
                    entry_count=len(parsed.entries),
                    next_try_at=now + self.interval,
                    now=now,
                )
                new = await database.note_feed_problems(feed.url, fetch=None, items=items, now=now)
                for problem in parsed.problems:
                    log.warning("feed record problem", url=feed.url, problem=_described(problem))
                changed = text != feed.body
                log.info("feed fetched", url=feed.url, entries=len(parsed.entries), changed=changed)
                return FeedOutcome(
                    feed.url, "ok", changed, len(parsed.entries), feed.guild_id, None, new
                )
            first = parsed.problems[0] if parsed.problems else None
            reason = _described(first) if first else "nothing usable"
            error = f"the body holds no usable ClaimReview ({reason})"
        error = error or "the fetch failed"
        failures = feed.failures + 1
        delay = retry_delay(self.interval, failures)
        await database.feed_failed(feed.url, error=error, next_try_at=now + delay, now=now)
        new = await database.note_feed_problems(feed.url, fetch=error, items=None, now=now)
        log.warning(
            "feed fetch failed",
            url=feed.url,
            error=error,
            failures=failures,
            retry_in_seconds=int(delay.total_seconds()),
        )
        return FeedOutcome(feed.url, "failed", False, feed.entry_count, feed.guild_id, error, new)
