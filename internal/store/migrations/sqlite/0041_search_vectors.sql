-- PostgreSQL keeps the parsed words of messages and library documents in
-- a column of their own from this migration on; SQLite has kept them in
-- its FTS5 tables all along, so nothing changes here.
SELECT 1;
