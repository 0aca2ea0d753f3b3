-- The language a person chose for the pages (one of the six UN languages'
-- codes: ar, zh, en, fr, ru, es), or '' to follow the browser's.
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT '';
