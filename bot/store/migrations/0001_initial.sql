-- factdesk's first schema: per-server settings, disputed-claim flags, fact-check requests,
-- the moderators' audit log, and every question asked (read by the daily digest).
--
-- Times are UTC ISO 8601 text written by bot.store.database.to_db_time
-- ('2026-11-23T01:45:05.123+00:00'): one fixed width, so they compare and sort as text and
-- SQLite's date functions read them.

CREATE TABLE guild_settings (
    guild_id          INTEGER PRIMARY KEY,
    modlog_channel_id INTEGER,
    updated_at        TEXT NOT NULL,
    updated_by        INTEGER
);

-- A member's dispute of a fact-check ('answer': the button under an answer) or a
-- moderator's flag on any message ('message': the context menu; claim_id is the matched
-- fact-check, or NULL when none matched).
CREATE TABLE flags (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('answer', 'message')),
    claim_id          TEXT,
    flagger_id        INTEGER NOT NULL,
    reason            TEXT,
    channel_id        INTEGER,
    message_id        INTEGER,
    message_link      TEXT,
    message_text      TEXT,
    status            TEXT NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'upheld', 'dismissed')),
    created_at        TEXT NOT NULL,
    resolved_at       TEXT,
    resolved_by       INTEGER,
    resolution_note   TEXT,
    modlog_message_id INTEGER
);
-- One open flag per member per claim per server: a second is refused, not stored.
CREATE UNIQUE INDEX flags_one_open_per_member
    ON flags (guild_id, claim_id, flagger_id)
    WHERE status = 'open' AND claim_id IS NOT NULL;
-- Same for a message flag that matched no claim: once per member per message.
CREATE UNIQUE INDEX flags_one_open_per_message
    ON flags (guild_id, message_id, flagger_id)
    WHERE status = 'open' AND claim_id IS NULL;
CREATE INDEX flags_by_guild_status ON flags (guild_id, status, id);
CREATE INDEX flags_by_flagger ON flags (flagger_id, created_at);

-- An upheld dispute: every answer for the claim in that server carries the note until a
-- moderator clears it (cleared_at set). At most one active dispute per claim per server.
CREATE TABLE disputes (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    claim_id   TEXT NOT NULL,
    flag_id    INTEGER REFERENCES flags (id),
    note       TEXT NOT NULL,
    upheld_by  INTEGER NOT NULL,
    upheld_at  TEXT NOT NULL,
    cleared_by INTEGER,
    cleared_at TEXT
);
CREATE UNIQUE INDEX disputes_one_active
    ON disputes (guild_id, claim_id)
    WHERE cleared_at IS NULL;

-- A question the corpus does not answer yet; near-duplicates merge (one row, many askers).
CREATE TABLE requests (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    question          TEXT NOT NULL,
    source            TEXT NOT NULL CHECK (source IN ('command', 'button', 'message')),
    channel_id        INTEGER,
    status            TEXT NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'answered', 'closed')),
    created_at        TEXT NOT NULL,
    created_by        INTEGER NOT NULL,
    closed_at         TEXT,
    closed_by         INTEGER,
    close_note        TEXT,
    answered_claim_id TEXT,
    modlog_message_id INTEGER
);
CREATE INDEX requests_by_guild_status ON requests (guild_id, status, id);

CREATE TABLE request_askers (
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    asked_at   TEXT NOT NULL,
    PRIMARY KEY (request_id, user_id)
);

-- Every moderator action: who, what, when, why. Never updated or deleted.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    note        TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX audit_by_target ON audit_log (guild_id, target_type, target_id, id);

-- Every question answered (or not) by /factcheck and the message menu. guild_id is NULL in
-- direct messages; claim_id is NULL when nothing matched; score is the best match's score.
CREATE TABLE asked_questions (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER,
    channel_id INTEGER,
    user_id    INTEGER NOT NULL,
    question   TEXT NOT NULL,
    claim_id   TEXT,
    score      REAL,
    asked_at   TEXT NOT NULL
);
CREATE INDEX asked_questions_by_guild_time ON asked_questions (guild_id, asked_at);
