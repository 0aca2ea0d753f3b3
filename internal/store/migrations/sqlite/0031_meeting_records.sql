-- What is left of a meeting once it has met (CBM 1 (c)(iv)): who attended,
-- its minutes and outcome documents, and what its organiser publishes.
--
-- Attendance is one row per invited POC (an invitation), written by the
-- organiser's side; a POC without a row is not recorded yet.
CREATE TABLE meeting_attendance (
	invitation_id TEXT PRIMARY KEY REFERENCES meeting_invitations(id),
	meeting_id TEXT NOT NULL REFERENCES meetings(id),
	state_code TEXT NOT NULL REFERENCES states(code),
	presence TEXT NOT NULL,             -- in_person | remote | absent
	recorded_at TIMESTAMP NOT NULL,
	recorded_by TEXT NOT NULL
);
CREATE INDEX meeting_attendance_meeting ON meeting_attendance(meeting_id, state_code);

-- Minutes (text) and documents (one file each), each with its own TLP
-- label, read through messaging.Disclosure (meeting.mayReadRecord). A
-- file's content is kept in the row, as attachments are (0007): one
-- backup, no second store.
CREATE TABLE meeting_records (
	id TEXT PRIMARY KEY,
	meeting_id TEXT NOT NULL REFERENCES meetings(id),
	kind TEXT NOT NULL,                 -- minutes | file
	title TEXT NOT NULL,
	tlp TEXT NOT NULL,
	body TEXT NOT NULL,                 -- the minutes; '' for a file
	file_name TEXT NOT NULL,            -- sanitised; '' for minutes
	original_name TEXT NOT NULL,
	declared_type TEXT NOT NULL,
	detected_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	published INTEGER NOT NULL DEFAULT 0, -- 1: on the public page (TLP:CLEAR only)
	version INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	created_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL,
	content BLOB                        -- the file; NULL for minutes. Last, so metadata reads skip it
);
CREATE INDEX meeting_records_meeting ON meeting_records(meeting_id, created_at, id);

-- Every earlier version of a record, kept when it is edited.
CREATE TABLE meeting_record_versions (
	record_id TEXT NOT NULL REFERENCES meeting_records(id),
	version INTEGER NOT NULL,
	title TEXT NOT NULL,
	tlp TEXT NOT NULL,
	body TEXT NOT NULL,
	edited_at TIMESTAMP NOT NULL,
	edited_by TEXT NOT NULL,
	PRIMARY KEY (record_id, version)
);

-- A past meeting its organiser chose to publish: the public list reads
-- these, newest meeting first, with the meeting's own title, dates and
-- kind; never its venue, link, invitees or unpublished records.
CREATE TABLE meeting_publications (
	meeting_id TEXT PRIMARY KEY REFERENCES meetings(id),
	summary TEXT NOT NULL,
	version INTEGER NOT NULL,
	published_at TIMESTAMP NOT NULL,
	published_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL
);
