-- Meetings of points of contact (CBM 1 (c)(iv)): the meeting, the States it
-- invites (resolved from the States and regional groups chosen), one
-- invitation per invited POC with its single-use answer link and its
-- answer, and each account's private calendar feed. The counts of answers
-- a list shows are kept on the meeting by the transaction that changes
-- them.
CREATE TABLE meetings (
	id TEXT PRIMARY KEY,
	organiser_state TEXT NOT NULL,      -- '' when the secretariat organises it
	title TEXT NOT NULL,
	kind TEXT NOT NULL,                 -- in_person | virtual | hybrid
	starts_at TIMESTAMP NOT NULL,
	ends_at TIMESTAMP NOT NULL,
	time_zone TEXT NOT NULL,            -- IANA name the times are set in
	venue TEXT NOT NULL,                -- only for invitees and the organiser
	video_url TEXT NOT NULL,            -- only for invitees and the organiser
	agenda TEXT NOT NULL,               -- JSON array of {Title, Notes, Provisions}
	chosen_states TEXT NOT NULL,        -- JSON array of the States chosen by name
	chosen_groups TEXT NOT NULL,        -- JSON array of the regional groups chosen
	levels TEXT NOT NULL,               -- JSON array of POC levels; empty: every level
	contact_name TEXT NOT NULL,
	contact_email TEXT NOT NULL,
	status TEXT NOT NULL,               -- scheduled | cancelled
	sequence INTEGER NOT NULL,          -- iCalendar SEQUENCE
	version INTEGER NOT NULL,           -- optimistic locking of edits
	invited INTEGER NOT NULL DEFAULT 0,
	accepted INTEGER NOT NULL DEFAULT 0,
	declined INTEGER NOT NULL DEFAULT 0,
	tentative INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL,             -- the account, or "operator" for the command line
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL
);
CREATE INDEX meetings_start ON meetings(starts_at, id);
CREATE INDEX meetings_organiser ON meetings(organiser_state, starts_at, id);
CREATE INDEX meetings_end ON meetings(ends_at, id);

CREATE TABLE meeting_states (
	meeting_id TEXT NOT NULL REFERENCES meetings(id),
	state_code TEXT NOT NULL REFERENCES states(code),
	PRIMARY KEY (meeting_id, state_code)
);
CREATE INDEX meeting_states_state ON meeting_states(state_code, meeting_id);

CREATE TABLE meeting_invitations (
	id TEXT PRIMARY KEY,
	meeting_id TEXT NOT NULL REFERENCES meetings(id),
	poc_id TEXT NOT NULL REFERENCES pocs(id),
	state_code TEXT NOT NULL REFERENCES states(code),
	level TEXT NOT NULL,
	token_hash TEXT UNIQUE,             -- SHA-256 of the mailed answer link; NULL once used
	answer TEXT NOT NULL,               -- needs_action | accepted | declined | tentative
	answered_at TIMESTAMP,
	answered_by TEXT NOT NULL DEFAULT '',
	sent_sequence INTEGER NOT NULL,     -- the SEQUENCE last mailed; -1 never
	removed INTEGER NOT NULL DEFAULT 0, -- 1: no longer invited
	cancel_sent INTEGER NOT NULL DEFAULT 0,
	UNIQUE (meeting_id, poc_id)
);
CREATE INDEX meeting_invitations_poc ON meeting_invitations(poc_id, meeting_id);

CREATE TABLE meeting_feeds (
	account_id TEXT PRIMARY KEY REFERENCES accounts(id),
	token_hash TEXT NOT NULL UNIQUE,    -- SHA-256 of the secret in the feed's address
	created_at TIMESTAMP NOT NULL
);
