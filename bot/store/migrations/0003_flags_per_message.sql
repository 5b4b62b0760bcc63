-- A moderator may put context cards on several messages about the same claim: a message
-- flag ('message', from the context menu) is unique per member per message, whether or not
-- it matched a claim. The answer button ('answer') keeps one open flag per member per claim.
-- Existing rows are untouched; only the two partial unique indexes change.

DROP INDEX flags_one_open_per_member;
DROP INDEX flags_one_open_per_message;

CREATE UNIQUE INDEX flags_one_open_answer_flag
    ON flags (guild_id, claim_id, flagger_id)
    WHERE status = 'open' AND kind = 'answer';
CREATE UNIQUE INDEX flags_one_open_message_flag
    ON flags (guild_id, message_id, flagger_id)
    WHERE status = 'open' AND kind = 'message';
