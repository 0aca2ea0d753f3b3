-- The national survey of implementation: cycles the secretariat opens,
-- one report per State per cycle, its answers per catalogue provision (or
-- lettered item), the history of who changed which answers, and the
-- counts profiles show, kept in the transactions that publish.
CREATE TABLE survey_cycles (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	opens_at TIMESTAMP NOT NULL,
	deadline TIMESTAMP NOT NULL,        -- the last day submissions are taken
	created_at TIMESTAMP NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX survey_cycles_opens ON survey_cycles(opens_at, id);

CREATE TABLE survey_reports (
	id TEXT PRIMARY KEY,
	cycle_id TEXT NOT NULL REFERENCES survey_cycles(id),
	state_code TEXT NOT NULL REFERENCES states(code),
	status TEXT NOT NULL,               -- draft | submitted | published
	visibility TEXT NOT NULL,           -- private | participants | public
	previous_id TEXT NOT NULL,          -- the State's report of the cycle before; '' none
	version INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL,
	submitted_at TIMESTAMP,
	published_at TIMESTAMP,
	UNIQUE (cycle_id, state_code)
);
CREATE INDEX survey_reports_state ON survey_reports(state_code, created_at);

CREATE TABLE survey_answers (
	report_id TEXT NOT NULL REFERENCES survey_reports(id),
	provision TEXT NOT NULL,            -- catalogue provision id
	item TEXT NOT NULL,                 -- a lettered item's label; '' the provision itself
	taken TEXT NOT NULL,                -- yes | partly | no | not_considered | ''
	policy TEXT NOT NULL,
	support TEXT NOT NULL,
	actors TEXT NOT NULL,               -- JSON array of actor codes
	measures TEXT NOT NULL,
	examples TEXT NOT NULL,
	challenges TEXT NOT NULL,
	gaps TEXT NOT NULL,
	PRIMARY KEY (report_id, provision, item)
);

CREATE TABLE survey_history (
	report_id TEXT NOT NULL REFERENCES survey_reports(id),
	version INTEGER NOT NULL,
	changed_at TIMESTAMP NOT NULL,
	account_id TEXT NOT NULL,
	by_label TEXT NOT NULL,
	action TEXT NOT NULL,               -- start | edit | submit | publish
	subjects TEXT NOT NULL,                 -- JSON array of the subjects changed
	PRIMARY KEY (report_id, version)
);

-- How many published reports of a cycle, at a visibility, record measures
-- under a provision; moved when a report is published or its visibility
-- changes.
CREATE TABLE survey_tallies (
	cycle_id TEXT NOT NULL REFERENCES survey_cycles(id),
	provision TEXT NOT NULL,
	visibility TEXT NOT NULL,
	states INTEGER NOT NULL,
	PRIMARY KEY (cycle_id, provision, visibility)
);
