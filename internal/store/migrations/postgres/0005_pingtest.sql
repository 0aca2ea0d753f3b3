-- Communication checks ("ping" tests, CBM 1 (c)(i)): a campaign sends each
-- POC in scope a single-use token; acknowledging takes a person's step.
CREATE TABLE ping_campaigns (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	scope_kind TEXT NOT NULL,           -- all | regions | states
	scope TEXT NOT NULL,                -- JSON array: region names or State codes
	levels TEXT NOT NULL,               -- JSON array of POC levels
	status TEXT NOT NULL,               -- scheduled | open | closed
	opens_at TIMESTAMPTZ NOT NULL,
	closes_at TIMESTAMPTZ NOT NULL,
	reminder_after_hours INTEGER NOT NULL, -- 0: no reminder
	repeat_months INTEGER NOT NULL,     -- 0: once; else the next campaign is scheduled at close
	published BOOLEAN NOT NULL DEFAULT FALSE, -- aggregate results shown to the public
	previous_id TEXT REFERENCES ping_campaigns(id),
	created_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	opened_at TIMESTAMPTZ,
	closed_at TIMESTAMPTZ
);

CREATE TABLE ping_challenges (
	id TEXT PRIMARY KEY,
	campaign_id TEXT NOT NULL REFERENCES ping_campaigns(id),
	poc_id TEXT NOT NULL REFERENCES pocs(id),
	state_code TEXT NOT NULL REFERENCES states(code),
	region TEXT NOT NULL,
	level TEXT NOT NULL,
	account_id TEXT,                    -- the POC's linked account, for the inbox button
	token_hash TEXT NOT NULL UNIQUE,    -- SHA-256 of the emailed token
	sent_at TIMESTAMPTZ,
	bounced_at TIMESTAMPTZ,
	bounce TEXT NOT NULL DEFAULT '',
	reminded_at TIMESTAMPTZ,
	acknowledged_at TIMESTAMPTZ,
	channel TEXT NOT NULL DEFAULT '',   -- link | inbox | api
	acknowledged_by TEXT NOT NULL DEFAULT '',
	UNIQUE (campaign_id, poc_id)
);
CREATE INDEX ping_challenges_state ON ping_challenges(state_code, campaign_id);
CREATE INDEX ping_challenges_account ON ping_challenges(account_id);
