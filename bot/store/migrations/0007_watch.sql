-- Watch mode: the channels a server asked factdesk to watch, and every card factdesk
-- posted there (or noted in the mod-log). A card is recorded before it is sent, so a
-- crash or a restart never sends one twice; the same rows give the per-fact-check
-- cooldown and the per-channel hourly cap.

CREATE TABLE watched_channels (
    channel_id INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    mode       TEXT NOT NULL CHECK (mode IN ('reply', 'modlog')),
    added_by   INTEGER NOT NULL,
    added_at   TEXT NOT NULL
);
CREATE INDEX watched_channels_guild ON watched_channels (guild_id);

CREATE TABLE watch_cards (
    message_id  INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL,
    guild_id    INTEGER NOT NULL,
    claim_id    TEXT NOT NULL,
    probability REAL NOT NULL,
    mode        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX watch_cards_recent ON watch_cards (channel_id, created_at);
