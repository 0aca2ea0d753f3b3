-- Version counters of data that pages render once and serve many times.
-- A change bumps its counter in its own transaction, so every instance on
-- the same database sees that its rendered copies are out of date.
CREATE TABLE versions (
    name TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO versions (name, n) VALUES ('directory', 1);
