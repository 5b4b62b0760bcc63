-- A server's own match threshold: how confident factdesk must be before it answers a
-- question there. NULL means the bot's default (FACTDESK_MATCH_THRESHOLD).

ALTER TABLE guild_settings ADD COLUMN match_threshold REAL;
