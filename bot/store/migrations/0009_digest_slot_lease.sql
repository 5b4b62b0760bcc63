-- A claimed digest slot's lease: which process claimed it and until when it is that
-- process's to confirm. Several processes (shards, `factdesk cluster`) may share one
-- database; the primary key already lets only one of them claim a slot, and the lease keeps
-- the others from settling a claim that is still being posted: only a claim whose lease has
-- run out (its process died between claim and confirmation) is reconciled. NULL (slots
-- claimed before this version): settled at once, as before.

ALTER TABLE digest_slots ADD COLUMN claimed_by TEXT;
ALTER TABLE digest_slots ADD COLUMN lease_until TEXT;
