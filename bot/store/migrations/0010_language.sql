-- The language of a server's public answers and digests (/settings language): 'en' or
-- 'es'. NULL means auto: the server's preferred locale, as Discord reports it.

ALTER TABLE guild_settings ADD COLUMN language TEXT CHECK (language IN ('en', 'es'));
