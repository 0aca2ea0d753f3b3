-- Scenarios of tabletop exercises (CBM 1 (c)(iii)). scenarios holds each
-- scenario's newest version as lists show it and who may see it;
-- scenario_versions every version saved, in the scenario file format
-- (docs/SCENARIOS.md), which runs read the version they play from;
-- scenario_provisions the provisions the newest version's objectives
-- link, for the list's filter.
CREATE TABLE scenarios (
	id TEXT PRIMARY KEY,
	owner_state TEXT NOT NULL,          -- '' for the secretariat and shipped scenarios
	shipped_name TEXT UNIQUE,           -- the embedded file a shipped scenario comes from; NULL otherwise
	shared INTEGER NOT NULL DEFAULT 0,  -- 1: a State's scenario every participating State sees
	withdrawn INTEGER NOT NULL DEFAULT 0,
	copied_from TEXT NOT NULL,          -- the scenario copied; '' none
	version INTEGER NOT NULL,           -- the newest version
	title TEXT NOT NULL,
	summary TEXT NOT NULL,
	injects INTEGER NOT NULL,
	duration_seconds BIGINT NOT NULL,
	provisions TEXT NOT NULL,           -- JSON array of the objectives' provisions
	saved_at TIMESTAMPTZ NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX scenarios_saved ON scenarios(saved_at, id);
CREATE INDEX scenarios_owner ON scenarios(owner_state, saved_at, id);

CREATE TABLE scenario_versions (
	scenario_id TEXT NOT NULL REFERENCES scenarios(id),
	version INTEGER NOT NULL,
	title TEXT NOT NULL,                -- the version's title, for the history
	body TEXT NOT NULL,                 -- the version as a scenario file
	saved_at TIMESTAMPTZ NOT NULL,
	saved_by TEXT NOT NULL,             -- account id; '' for shipped versions
	saved_name TEXT NOT NULL,
	PRIMARY KEY (scenario_id, version)
);

CREATE TABLE scenario_provisions (
	scenario_id TEXT NOT NULL REFERENCES scenarios(id),
	provision TEXT NOT NULL,
	PRIMARY KEY (scenario_id, provision)
);
CREATE INDEX scenario_provisions_provision ON scenario_provisions(provision, scenario_id);
