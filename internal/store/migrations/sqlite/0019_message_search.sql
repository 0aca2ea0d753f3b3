-- Full-text search over communications. search_text is the subject and
-- body as words only (letters, digits and their marks, lower case, one
-- space between), written by the messaging service, so that SQLite's FTS5
-- index here and PostgreSQL's tsvector index split them alike.
ALTER TABLE messages ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE messages_fts USING fts5(search_text, content='messages', content_rowid='rowid',
	tokenize = 'unicode61 remove_diacritics 0');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF search_text ON messages BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
	INSERT INTO messages_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
-- Messages stored before the search text existed are indexed at start;
-- this finds them without reading the others.
CREATE INDEX messages_unindexed ON messages(id) WHERE search_text = '';
