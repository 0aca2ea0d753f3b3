-- Exercise runs (CBM 1 (c)(iii)): a run plays one version of a scenario,
-- kept here as it was when the run was created, with a participating State
-- in each role. Everything a run sends and everything players do lives in
-- these tables alone: exercise traffic never enters the communications'
-- tables, so it cannot count in inboxes, check statistics or incidents.
CREATE TABLE exercise_runs (
	id TEXT PRIMARY KEY,
	director_state TEXT NOT NULL,       -- '' when the secretariat directs it
	scenario_id TEXT NOT NULL,
	scenario_version INTEGER NOT NULL,
	scenario TEXT NOT NULL,             -- JSON of the scenario version played
	title TEXT NOT NULL,
	levels TEXT NOT NULL,               -- JSON array of the POC levels taking part
	factor INTEGER NOT NULL,            -- scenario seconds per wall second; 1 is real time
	status TEXT NOT NULL,               -- ready | running | paused | ended
	started_at TIMESTAMPTZ,
	paused_at TIMESTAMPTZ,                -- set while paused
	paused_ms BIGINT NOT NULL DEFAULT 0, -- wall time spent paused before paused_at
	ended_at TIMESTAMPTZ,
	version INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	updated_by TEXT NOT NULL
);
CREATE INDEX exercise_runs_created ON exercise_runs(created_at, id);
CREATE INDEX exercise_runs_director ON exercise_runs(director_state, created_at, id);

-- The State that plays each role.
CREATE TABLE exercise_run_states (
	run_id TEXT NOT NULL REFERENCES exercise_runs(id),
	role_key TEXT NOT NULL,
	state_code TEXT NOT NULL REFERENCES states(code),
	PRIMARY KEY (run_id, role_key)
);
CREATE INDEX exercise_run_states_state ON exercise_run_states(state_code, run_id);

-- An inject once it has gone out: the row that makes delivery happen once.
CREATE TABLE exercise_injects (
	run_id TEXT NOT NULL REFERENCES exercise_runs(id),
	inject_key TEXT NOT NULL,
	delivered_at TIMESTAMPTZ NOT NULL,
	scenario_ms BIGINT NOT NULL,        -- the run's scenario time then
	by_director INTEGER NOT NULL,       -- 1: "inject now", 0: on schedule
	PRIMARY KEY (run_id, inject_key)
);

-- One row per (inject, State, POC) the inject reached.
CREATE TABLE exercise_deliveries (
	id TEXT PRIMARY KEY,
	run_id TEXT NOT NULL REFERENCES exercise_runs(id),
	inject_key TEXT NOT NULL,
	state_code TEXT NOT NULL REFERENCES states(code),
	poc_id TEXT NOT NULL REFERENCES pocs(id),
	level TEXT NOT NULL,
	encrypted INTEGER NOT NULL,
	delivered_at TIMESTAMPTZ NOT NULL,
	scenario_ms BIGINT NOT NULL,
	UNIQUE (run_id, inject_key, poc_id)
);
CREATE INDEX exercise_deliveries_poc ON exercise_deliveries(poc_id, run_id);

-- What players did.
CREATE TABLE exercise_actions (
	id TEXT PRIMARY KEY,
	run_id TEXT NOT NULL REFERENCES exercise_runs(id),
	inject_key TEXT NOT NULL,
	state_code TEXT NOT NULL REFERENCES states(code),
	level TEXT NOT NULL,                -- the level of the POC that acted
	action TEXT NOT NULL,               -- acknowledge | reply | request_assistance | escalate
	text TEXT NOT NULL,
	fields TEXT NOT NULL,               -- JSON object of template fields
	to_role TEXT NOT NULL,              -- request_assistance: the role asked
	to_level TEXT NOT NULL,             -- escalate: the level reached
	account_id TEXT NOT NULL,
	by_label TEXT NOT NULL,
	at TIMESTAMPTZ NOT NULL,
	scenario_ms BIGINT NOT NULL
);
CREATE INDEX exercise_actions_run ON exercise_actions(run_id, at, id);

-- Each expectation of each delivered inject, per receiving State: pending
-- until the first matching action, then met (in time or late), or missed
-- at the end of the run.
CREATE TABLE exercise_outcomes (
	run_id TEXT NOT NULL REFERENCES exercise_runs(id),
	inject_key TEXT NOT NULL,
	expectation_key TEXT NOT NULL,
	state_code TEXT NOT NULL REFERENCES states(code),
	level TEXT NOT NULL,
	delivered_ms BIGINT NOT NULL,       -- scenario time the inject reached the State
	status TEXT NOT NULL,               -- pending | met | late | missed
	measured_ms BIGINT,                 -- scenario time from arrival to the action
	action_id TEXT,
	PRIMARY KEY (run_id, inject_key, expectation_key, state_code)
);

-- Observations during the run and lessons at its end.
CREATE TABLE exercise_notes (
	id TEXT PRIMARY KEY,
	run_id TEXT NOT NULL REFERENCES exercise_runs(id),
	state_code TEXT NOT NULL,           -- '' for the director's side when the secretariat
	kind TEXT NOT NULL,                 -- observation | went_well | to_improve
	text TEXT NOT NULL,
	account_id TEXT NOT NULL,
	by_label TEXT NOT NULL,
	at TIMESTAMPTZ NOT NULL,
	scenario_ms BIGINT NOT NULL
);
CREATE INDEX exercise_notes_run ON exercise_notes(run_id, at, id);
