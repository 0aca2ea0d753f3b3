-- ICT incidents recorded by a State (norm 13(b)): the record, its sharing
-- (TLP label, recipient States, and for TLP:RED the named accounts), the
-- sectors it hit, a snapshot of every version, the communications linked
-- to it, the attribution assessments made of it and the findings per
-- provision of the framework. Who may read an incident is the disclosure
-- policy of communications, put in SQL by the incident package.
CREATE TABLE incidents (
	id TEXT PRIMARY KEY,
	reporting_state TEXT NOT NULL REFERENCES states(code),
	author_account_id TEXT NOT NULL REFERENCES accounts(id),
	title TEXT NOT NULL,
	summary TEXT NOT NULL,
	occurred_at TIMESTAMP NOT NULL,     -- when it began, as far as known
	timeline TEXT NOT NULL,             -- JSON array of {At, What, Source}
	scope TEXT NOT NULL,
	duration TEXT NOT NULL,
	physical TEXT NOT NULL,
	economic TEXT NOT NULL,
	societal TEXT NOT NULL,
	severity TEXT NOT NULL,
	tensions TEXT NOT NULL,
	related TEXT NOT NULL,              -- JSON array of incident ids
	status TEXT NOT NULL,               -- open | assessed | closed
	tlp TEXT NOT NULL,                  -- clear | green | amber | amber+strict | red
	version INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL
);
-- Lists walk incidents newest first; a State's own list starts from its code.
CREATE INDEX incidents_occurred ON incidents(occurred_at, id);
CREATE INDEX incidents_state ON incidents(reporting_state, occurred_at, id);

CREATE TABLE incident_recipients (
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	state_code TEXT NOT NULL REFERENCES states(code),
	PRIMARY KEY (incident_id, state_code)
);
CREATE INDEX incident_recipients_state ON incident_recipients(state_code, incident_id);

CREATE TABLE incident_named (
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	account_id TEXT NOT NULL REFERENCES accounts(id),
	PRIMARY KEY (incident_id, account_id)
);
CREATE INDEX incident_named_account ON incident_named(account_id, incident_id);

CREATE TABLE incident_sectors (
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	sector TEXT NOT NULL,
	PRIMARY KEY (incident_id, sector)
);
CREATE INDEX incident_sectors_sector ON incident_sectors(sector, incident_id);

CREATE TABLE incident_versions (
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	version INTEGER NOT NULL,
	action TEXT NOT NULL,               -- create | edit | status | link
	snapshot TEXT NOT NULL,             -- JSON of the record as it became
	actor_id TEXT NOT NULL,
	actor_label TEXT NOT NULL,
	changed_at TIMESTAMP NOT NULL,
	PRIMARY KEY (incident_id, version)
);

CREATE TABLE incident_messages (
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	message_id TEXT NOT NULL REFERENCES messages(id),
	linked_by TEXT NOT NULL,
	linked_at TIMESTAMP NOT NULL,
	PRIMARY KEY (incident_id, message_id)
);
CREATE INDEX incident_messages_message ON incident_messages(message_id, incident_id);

CREATE TABLE incident_attributions (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	asserted_by_state TEXT NOT NULL,    -- '' when an organisation asserts it
	asserted_by_org TEXT NOT NULL,      -- '' when a State asserts it
	recorded_by TEXT NOT NULL REFERENCES accounts(id),
	recorded_by_label TEXT NOT NULL,
	recorded_by_state TEXT NOT NULL REFERENCES states(code),
	category TEXT NOT NULL,
	attributed_state TEXT NOT NULL,
	spectrum TEXT NOT NULL,
	likelihood TEXT NOT NULL,           -- ICD 203 term
	confidence TEXT NOT NULL,           -- low | moderate | high, never merged with likelihood
	basis TEXT NOT NULL,                -- JSON array
	evidence TEXT NOT NULL,             -- JSON array of {Description, Source, Reliability, Credibility}
	origin_territory_only BOOLEAN NOT NULL,
	substantiated BOOLEAN NOT NULL,
	rationale TEXT NOT NULL,
	version INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX incident_attributions_incident ON incident_attributions(incident_id, created_at, id);

CREATE TABLE incident_findings (
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	provision_id TEXT NOT NULL,
	engaged BOOLEAN NOT NULL,
	outcome TEXT NOT NULL,              -- consistent | possible-inconsistency | insufficient-information | ''
	rationale TEXT NOT NULL,
	version INTEGER NOT NULL,
	by_account TEXT NOT NULL REFERENCES accounts(id),
	by_label TEXT NOT NULL,
	at TIMESTAMP NOT NULL,
	PRIMARY KEY (incident_id, provision_id)
);
CREATE INDEX incident_findings_provision ON incident_findings(provision_id, engaged, incident_id);
