-- Communications between States (CBM 1): the standard template, threads,
-- messages, and a delivery per recipient State with its deadlines.

-- The communication template is data, versioned, so the secretariat can
-- adapt the structured fields without a release. A message records the
-- version it was written against.
CREATE TABLE message_templates (
	type TEXT NOT NULL,
	version INTEGER NOT NULL,
	title TEXT NOT NULL,
	description TEXT NOT NULL,
	fields TEXT NOT NULL,               -- JSON array of field definitions
	provisions TEXT NOT NULL,           -- JSON array of catalogue ids it relates to
	created_at TIMESTAMPTZ NOT NULL,
	created_by TEXT NOT NULL,
	PRIMARY KEY (type, version)
);

CREATE TABLE threads (
	id TEXT PRIMARY KEY,
	subject TEXT NOT NULL,
	origin_state TEXT NOT NULL REFERENCES states(code),
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE messages (
	id TEXT PRIMARY KEY,
	thread_id TEXT NOT NULL REFERENCES threads(id),
	parent_id TEXT REFERENCES messages(id),
	type TEXT NOT NULL,
	template_version INTEGER NOT NULL,
	sender_state TEXT NOT NULL REFERENCES states(code),
	sender_account_id TEXT NOT NULL REFERENCES accounts(id),
	sender_label TEXT NOT NULL,
	urgency TEXT NOT NULL,              -- routine | priority | urgent
	tlp TEXT NOT NULL,                  -- clear | green | amber | amber+strict | red
	pap TEXT NOT NULL DEFAULT '',       -- optional PAP label
	level TEXT NOT NULL,                -- diplomatic | policy | technical | all
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	fields TEXT NOT NULL,               -- JSON object: the template's structured fields
	provisions TEXT NOT NULL,           -- JSON array of catalogue ids
	requested_action TEXT NOT NULL DEFAULT '',
	ack_requested BOOLEAN NOT NULL,
	exercise BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_thread ON messages(thread_id, created_at);
CREATE INDEX messages_sender ON messages(sender_state, created_at);

-- TLP:RED messages are readable only by the named recipients' accounts.
CREATE TABLE message_named (
	message_id TEXT NOT NULL REFERENCES messages(id),
	account_id TEXT NOT NULL REFERENCES accounts(id),
	PRIMARY KEY (message_id, account_id)
);
CREATE INDEX message_named_account ON message_named(account_id);

CREATE TABLE deliveries (
	id TEXT PRIMARY KEY,
	message_id TEXT NOT NULL REFERENCES messages(id),
	state_code TEXT NOT NULL REFERENCES states(code),
	status TEXT NOT NULL,               -- queued | delivered | acknowledged | responded | closed | expired
	queued_at TIMESTAMPTZ NOT NULL,
	delivered_at TIMESTAMPTZ,
	acknowledged_at TIMESTAMPTZ,
	acknowledged_by TEXT NOT NULL DEFAULT '',
	responded_at TIMESTAMPTZ,
	closed_at TIMESTAMPTZ,
	expired_at TIMESTAMPTZ,
	ack_due_at TIMESTAMPTZ,
	response_due_at TIMESTAMPTZ,
	escalated_at TIMESTAMPTZ,
	UNIQUE (message_id, state_code)
);
CREATE INDEX deliveries_state ON deliveries(state_code, status);

-- What happened to a thread, in order, for its timeline.
CREATE TABLE thread_events (
	id TEXT PRIMARY KEY,
	thread_id TEXT NOT NULL REFERENCES threads(id),
	message_id TEXT REFERENCES messages(id),
	state_code TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	actor_label TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '',
	at TIMESTAMPTZ NOT NULL
);
CREATE INDEX thread_events_thread ON thread_events(thread_id, at);

CREATE TABLE message_reads (
	account_id TEXT NOT NULL REFERENCES accounts(id),
	message_id TEXT NOT NULL REFERENCES messages(id),
	read_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (account_id, message_id)
);
