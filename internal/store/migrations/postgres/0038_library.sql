-- The policy library (CBM 7, 8): documents a State (or the secretariat,
-- owner_state '') shares — strategies, laws, positions on international
-- law — with a file kept in the row as attachments are (0007), or a link.
-- search_text is the title, summary, topics and the text extracted from
-- the file as words only (messaging.SearchText), indexed by a tsvector GIN index here
-- and by FTS5 on SQLite, so both engines split it alike.
CREATE TABLE library_documents (
	id TEXT PRIMARY KEY,
	owner_state TEXT NOT NULL,          -- '' for the secretariat
	doc_type TEXT NOT NULL,             -- strategy | law | regulation | concept_paper | law_position | oewg_submission | good_practice | other
	title TEXT NOT NULL,
	summary TEXT NOT NULL,
	language TEXT NOT NULL,             -- ISO 639-1
	issued_on TIMESTAMPTZ,                -- the document's date; NULL unknown
	status TEXT NOT NULL,               -- in_progress | adopted | superseded
	superseded_by TEXT NOT NULL,        -- a library document's id; '' none
	provisions TEXT NOT NULL,           -- JSON array of catalogue provision ids
	topics TEXT NOT NULL,               -- JSON array of keywords
	visibility TEXT NOT NULL,           -- private | participants | public
	link TEXT NOT NULL,                 -- http(s) address; '' when a file is kept
	file_name TEXT NOT NULL,            -- sanitised; '' when a link
	original_name TEXT NOT NULL,
	declared_type TEXT NOT NULL,
	detected_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	text_status TEXT NOT NULL,          -- none | extracted | unreadable
	file_words TEXT NOT NULL,           -- the words of the file's text, each once: kept when only the metadata change
	search_text TEXT NOT NULL,          -- the metadata's words and file_words
	version INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	updated_by TEXT NOT NULL,
	content BYTEA                        -- the file; NULL for a link. Last, so metadata reads skip it
);
CREATE INDEX library_documents_created ON library_documents(created_at, id);
CREATE INDEX library_documents_owner ON library_documents(owner_state, created_at, id);
-- What a withdrawn document superseded no longer names it.
CREATE INDEX library_documents_superseded ON library_documents(superseded_by) WHERE superseded_by <> '';

-- A document's provisions one per row, with its owner and visibility, so
-- that lists filter by provision and a State's profile counts per
-- provision by index, reading only that State's rows.
CREATE TABLE library_provisions (
	document_id TEXT NOT NULL REFERENCES library_documents(id) ON DELETE CASCADE,
	provision TEXT NOT NULL,
	owner_state TEXT NOT NULL,
	visibility TEXT NOT NULL,
	PRIMARY KEY (document_id, provision)
);
CREATE INDEX library_provisions_owner ON library_provisions(owner_state, provision, visibility);
CREATE INDEX library_provisions_provision ON library_provisions(provision, document_id);

CREATE INDEX library_documents_search ON library_documents USING GIN (to_tsvector('simple', search_text));
