-- The mod-log outbox: a flag or request that should reach the mod-log is recorded here in
-- the same transaction that stores it, so a crash between the commit and the post loses
-- nothing. The bot posts what is pending (posted_at NULL) at start and after each add, then
-- marks it posted with the message id; a failed post counts an attempt and stays pending.

CREATE TABLE modlog_outbox (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('flag', 'request')),
    ref_id     INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    posted_at  TEXT,
    message_id INTEGER,
    attempts   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, ref_id)
);
CREATE INDEX modlog_outbox_pending ON modlog_outbox (id) WHERE posted_at IS NULL;
