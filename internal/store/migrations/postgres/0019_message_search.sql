-- Full-text search over communications. search_text is the subject and
-- body as words only (letters, digits and their marks, lower case, one
-- space between), written by the messaging service, so that PostgreSQL's
-- tsvector index here and SQLite's FTS5 index split them alike.
ALTER TABLE messages ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_search ON messages USING GIN (to_tsvector('simple', search_text));
-- Messages stored before the search text existed are indexed at start;
-- this finds them without reading the others.
CREATE INDEX messages_unindexed ON messages(id) WHERE search_text = '';
