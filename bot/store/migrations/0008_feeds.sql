-- Live ClaimReview feeds (docs/feeds.md): each feed's URL, who added it, what the last
-- fetch brought, the conditional-GET validators, and its last good body, so a restart
-- serves the feed's entries without the network. A row added by FACTDESK_FEEDS has no
-- added_by. feed_problems holds the problems already told to the mod-log, so each distinct
-- problem is told once, not at every interval.

CREATE TABLE feeds (
    url           TEXT PRIMARY KEY,
    added_by      INTEGER,
    guild_id      INTEGER,
    added_at      TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    body          TEXT,
    entry_count   INTEGER NOT NULL DEFAULT 0,
    last_fetch_at TEXT,
    last_status   TEXT CHECK (last_status IN ('ok', 'not_modified', 'failed')),
    last_error    TEXT,
    last_good_at  TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    next_try_at   TEXT
);

CREATE TABLE feed_problems (
    url           TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('fetch', 'item')),
    problem       TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (url, problem)
);
