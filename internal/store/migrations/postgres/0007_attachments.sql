-- Files attached to communications. An attachment belongs to one message
-- and has no marking of its own: it inherits the message's TLP label, and
-- exactly the accounts that may read the message may read it
-- (messaging.mayRead).
--
-- The content is kept in the database (bytea here, BLOB on SQLite)
-- rather than in files beside it:
--   - it is written in the same transaction as its message, so a message is
--     never sent without its files, and no file outlives a failed send;
--   - a backup of the database is a backup of everything, and a restore
--     cannot pair messages with the wrong files;
--   - there is no second store whose paths, permissions and clean-up could
--     leak TLP:RED content, and several instances on one PostgreSQL need no
--     shared disk.
-- The limits (by default 10 MiB a file, 25 MiB a message) keep rows of a
-- size both engines handle comfortably.
CREATE TABLE attachments (
	id TEXT PRIMARY KEY,
	message_id TEXT NOT NULL REFERENCES messages(id),
	ordinal INTEGER NOT NULL,           -- order in which the sender attached them
	name TEXT NOT NULL,                 -- sanitised: shown, and the download's file name
	original_name TEXT NOT NULL,        -- as the sender's system gave it (made valid UTF-8)
	declared_type TEXT NOT NULL,        -- media type the sender's client declared
	detected_type TEXT NOT NULL,        -- media type sniffed from the content (net/http.DetectContentType)
	size BIGINT NOT NULL CHECK (size > 0),
	sha256 TEXT NOT NULL CHECK (length(sha256) = 64), -- hex SHA-256 of the content
	created_at TIMESTAMPTZ NOT NULL,
	content BYTEA NOT NULL,             -- last, so reading the metadata does not read it
	CHECK (length(content) = size),
	UNIQUE (message_id, ordinal)
);
