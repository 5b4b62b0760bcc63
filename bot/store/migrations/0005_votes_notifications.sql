-- Issue 17: helpfulness votes on fact-checks, and telling the members who asked for a
-- fact-check that it exists. Written in the portable subset (no INSERT OR ..., no
-- AUTOINCREMENT); times are UTC ISO 8601 text as in 0001.

-- One vote per member per fact-check per server; a new vote replaces the old one (the
-- last one counts). reason: the optional "why not helpful" a member may add.
CREATE TABLE claim_votes (
    guild_id INTEGER NOT NULL,
    claim_id TEXT NOT NULL,
    user_id  INTEGER NOT NULL,
    helpful  INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    reason   TEXT,
    voted_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, claim_id, user_id)
);
CREATE INDEX claim_votes_by_guild_time ON claim_votes (guild_id, voted_at);

-- Where each asker asked (a merged near-duplicate may come from another channel), and
-- whether they want to be told when the fact-check exists (/request notify:false).
ALTER TABLE request_askers ADD COLUMN channel_id INTEGER;
ALTER TABLE request_askers ADD COLUMN notify INTEGER NOT NULL DEFAULT 1;

-- How a server tells its askers: a reply in the channel where they asked, a DM, or not.
CREATE TABLE notify_settings (
    guild_id   INTEGER PRIMARY KEY,
    mode       TEXT NOT NULL DEFAULT 'channel' CHECK (mode IN ('channel', 'dm', 'off')),
    updated_at TEXT NOT NULL,
    updated_by INTEGER
);

-- The notification outbox: one row per asker of an answered request, written in the same
-- transaction that marks the request answered, so a crash loses nothing. Sending is
-- claim ('sending', committed) -> send -> 'sent' with the message id; a row still 'sending'
-- at start is reconciled against the channel's history before anything is sent again, so
-- nobody is told twice. 'skipped': the member left, or the server turned notices off.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    request_id  INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    claim_id    TEXT NOT NULL,
    channel_id  INTEGER,
    mode        TEXT NOT NULL CHECK (mode IN ('channel', 'dm')),
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'failed')),
    created_at  TEXT NOT NULL,
    claimed_at  TEXT,
    finished_at TEXT,
    message_id  INTEGER,
    note        TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (request_id, user_id)
);
CREATE INDEX notifications_unfinished ON notifications (status, id)
    WHERE status IN ('pending', 'sending');

-- A fact-check whose verdict or summary a corpus reload changed: answers say "Updated on"
-- that date, and the next digest of each server that showed the old version in the 30 days
-- before lists it under "Updated fact-checks".
CREATE TABLE claim_corrections (
    id              INTEGER PRIMARY KEY,
    claim_id        TEXT NOT NULL,
    changed_at      TEXT NOT NULL,
    old_verdict     TEXT,
    new_verdict     TEXT,
    summary_changed INTEGER NOT NULL CHECK (summary_changed IN (0, 1))
);
CREATE INDEX claim_corrections_by_claim ON claim_corrections (claim_id, changed_at);
CREATE INDEX claim_corrections_by_time ON claim_corrections (changed_at);
