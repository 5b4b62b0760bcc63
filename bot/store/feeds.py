"""Live feeds' state (``feeds``, ``feed_problems``): which feeds exist, what each fetch
brought, the last good body and validators, and the problems already told.

A feed added with ``/feeds add`` records who added it and in which server (audited there);
a feed of ``FACTDESK_FEEDS`` has no ``added_by`` and is kept in step with the setting by
:meth:`FeedsStore.sync_configured_feeds`. Fetching is :mod:`bot.feeds`; this only stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.store.audit import write_audit
from bot.store.base import StoreBase, to_db_time, utcnow
from bot.store.mapping import from_row

FeedStatus = Literal["ok", "not_modified", "failed"]


@dataclass(frozen=True)
class Feed:
    """One feed and what its fetches left behind."""

    url: str
    added_by: int | None
    guild_id: int | None
    added_at: datetime
    etag: str | None
    last_modified: str | None
    body: str | None
    entry_count: int
    last_fetch_at: datetime | None
    last_status: FeedStatus | None
    last_error: str | None
    last_good_at: datetime | None
    failures: int
    next_try_at: datetime | None

    @property
    def configured(self) -> bool:
        """Whether the feed comes from FACTDESK_FEEDS rather than ``/feeds add``."""
        return self.added_by is None


class FeedsStore(StoreBase):
    """The ``feeds`` and ``feed_problems`` tables."""

    async def feeds(self) -> list[Feed]:
        """Every feed, in order of URL."""
        rows = await self._fetch_all("SELECT * FROM feeds ORDER BY url")
        return [from_row(Feed, row) for row in rows]

    async def feed(self, url: str) -> Feed | None:
        row = await self._fetch_one("SELECT * FROM feeds WHERE url = ?", (url,))
        return None if row is None else from_row(Feed, row)

    async def add_feed(
        self, url: str, *, guild_id: int, actor_id: int, now: datetime | None = None
    ) -> bool:
        """Add a feed (its first fetch is due at once); False if it is already there.
        Audited in ``guild_id``."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO feeds (url, added_by, guild_id, added_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (url) DO NOTHING",
                (url, actor_id, guild_id, stamp),
            )
            if cursor.rowcount == 0:
                return False
            await write_audit(conn, guild_id, actor_id, "feed_added", "feed", url, None, stamp)
        return True

    async def remove_feed(
        self, url: str, *, guild_id: int, actor_id: int, now: datetime | None = None
    ) -> bool:
        """Remove a feed added with ``/feeds add`` (and its problems); False if there is no
        such feed. Audited in ``guild_id``."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM feeds WHERE url = ? AND added_by IS NOT NULL", (url,)
            )
            if cursor.rowcount == 0:
                return False
            await conn.execute("DELETE FROM feed_problems WHERE url = ?", (url,))
            await write_audit(conn, guild_id, actor_id, "feed_removed", "feed", url, None, stamp)
        return True

    async def sync_configured_feeds(
        self, urls: Sequence[str], *, now: datetime | None = None
    ) -> None:
        """Make the FACTDESK_FEEDS rows those of ``urls``: add the new ones, drop the ones no
        longer configured (a feed also added with ``/feeds add`` stays as that)."""
        stamp = to_db_time(now or utcnow())
        wanted = set(urls)
        async with self.transaction() as conn:
            cursor = await conn.execute("SELECT url FROM feeds WHERE added_by IS NULL")
            stale = [row[0] for row in await cursor.fetchall() if row[0] not in wanted]
            for url in stale:
                await conn.execute("DELETE FROM feeds WHERE url = ?", (url,))
                await conn.execute("DELETE FROM feed_problems WHERE url = ?", (url,))
            for url in urls:
                await conn.execute(
                    "INSERT INTO feeds (url, added_at) VALUES (?, ?) ON CONFLICT (url) DO NOTHING",
                    (url, stamp),
                )

    async def feed_fetched(
        self,
        url: str,
        *,
        body: str,
        etag: str | None,
        last_modified: str | None,
        entry_count: int,
        next_try_at: datetime,
        now: datetime | None = None,
    ) -> None:
        """A fetch brought a usable body: keep it as the last good one, with its validators."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET body = ?, etag = ?, last_modified = ?, entry_count = ?,"
                " last_fetch_at = ?, last_good_at = ?, last_status = 'ok', last_error = NULL,"
                " failures = 0, next_try_at = ? WHERE url = ?",
                (
                    body,
                    etag,
                    last_modified,
                    entry_count,
                    stamp,
                    stamp,
                    to_db_time(next_try_at),
                    url,
                ),
            )

    async def feed_not_modified(
        self, url: str, *, next_try_at: datetime, now: datetime | None = None
    ) -> None:
        """The server said 304: the last good body still stands."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET last_fetch_at = ?, last_good_at = ?,"
                " last_status = 'not_modified', last_error = NULL, failures = 0,"
                " next_try_at = ? WHERE url = ?",
                (stamp, stamp, to_db_time(next_try_at), url),
            )

    async def feed_failed(
        self, url: str, *, error: str, next_try_at: datetime, now: datetime | None = None
    ) -> None:
        """A fetch failed (or brought nothing usable): count it; the last good body stays."""
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET last_fetch_at = ?, last_status = 'failed', last_error = ?,"
                " failures = failures + 1, next_try_at = ? WHERE url = ?",
                (stamp, error, to_db_time(next_try_at), url),
            )

    async def note_feed_problems(
        self,
        url: str,
        *,
        fetch: str | None,
        items: Sequence[str] | None,
        now: datetime | None = None,
    ) -> list[str]:
        """Record the feed's current problems and return those not recorded before.

        ``fetch`` is the problem of this fetch (None: it went well); ``items`` the problems
        of the records of the body now served (None: the body did not change, its problems
        stand). A problem that went away is forgotten, so it is told again if it returns.
        """
        stamp = to_db_time(now or utcnow())
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "SELECT kind, problem FROM feed_problems WHERE url = ?", (url,)
            )
            known = {(row[0], row[1]) for row in await cursor.fetchall()}
            wanted: list[tuple[str, str]] = []
            if fetch is not None:
                wanted.append(("fetch", fetch))
            if items is None:
                wanted.extend(sorted(k for k in known if k[0] == "item"))
            else:
                wanted.extend(("item", text) for text in dict.fromkeys(items))
            wanted_set = set(wanted)
            for _kind, problem in known - wanted_set:
                await conn.execute(
                    "DELETE FROM feed_problems WHERE url = ? AND problem = ?", (url, problem)
                )
            new: list[str] = []
            for kind, problem in wanted:
                if (kind, problem) in known:
                    continue
                await conn.execute(
                    "INSERT INTO feed_problems (url, kind, problem, first_seen_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (url, problem) DO UPDATE SET"
                    " kind = excluded.kind",
                    (url, kind, problem, stamp),
                )
                new.append(problem)
        return new
