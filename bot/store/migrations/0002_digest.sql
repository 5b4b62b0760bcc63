-- The daily digest: each server's settings, and one row per (server, local date) slot.
--
-- digest_slots is the guarantee that a digest is posted at most once: the bot INSERTs the
-- slot ('claimed') in a transaction *before* sending, and the primary key refuses a second
-- claim for the same server and local date whatever the loop, a restart or a second
-- process does. After Discord accepts the message the slot becomes 'posted' with its
-- message ids. A slot still 'claimed' when the bot starts was interrupted between claim and
-- confirmation; the bot then looks for its own message in the channel before deciding (see
-- docs/digest.md). Times are UTC ISO 8601 text as in 0001; local_date is 'YYYY-MM-DD'.

CREATE TABLE digest_settings (
    guild_id     INTEGER PRIMARY KEY,
    channel_id   INTEGER,
    post_time    TEXT NOT NULL DEFAULT '09:00'
                 CHECK (post_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    timezone     TEXT NOT NULL DEFAULT 'UTC',
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    quiet_day    TEXT NOT NULL DEFAULT 'note' CHECK (quiet_day IN ('note', 'skip')),
    -- Slots scheduled before this never count as missed (set when the schedule changes).
    active_since TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   INTEGER
);
CREATE INDEX digest_settings_enabled ON digest_settings (enabled);

CREATE TABLE digest_slots (
    guild_id     INTEGER NOT NULL,
    local_date   TEXT NOT NULL,
    status       TEXT NOT NULL
                 CHECK (status IN ('claimed', 'posted', 'skipped', 'failed', 'quiet')),
    scheduled_at TEXT NOT NULL,
    late         INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    channel_id   INTEGER,
    claimed_at   TEXT NOT NULL,
    finished_at  TEXT,
    -- Space-separated ids of the messages the digest was posted as.
    message_ids  TEXT,
    note         TEXT,
    PRIMARY KEY (guild_id, local_date)
);
CREATE INDEX digest_slots_by_date ON digest_slots (local_date);
CREATE INDEX digest_slots_claimed ON digest_slots (status) WHERE status = 'claimed';
-- The digest reads flags by when they were opened and resolved.
CREATE INDEX flags_by_guild_created ON flags (guild_id, created_at);
CREATE INDEX flags_by_guild_resolved ON flags (guild_id, resolved_at);
