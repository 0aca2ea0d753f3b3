-- The version of sessions and accounts: a change to either bumps it in its
-- own transaction, so every instance drops the sessions it keeps in memory.
INSERT INTO versions (name, n) VALUES ('access', 1);
