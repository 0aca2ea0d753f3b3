-- States: reference data (names, codes, groups) is refreshed from the
-- embedded list on every start; participation is the secretariat's record.
CREATE TABLE states (
	code TEXT PRIMARY KEY,              -- ISO 3166-1 alpha-2
	alpha3 TEXT NOT NULL UNIQUE,
	numeric TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	region TEXT NOT NULL,               -- UN regional group
	membership TEXT NOT NULL,           -- member | observer
	participating_since TIMESTAMPTZ,      -- NULL: not nominated
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE accounts (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,          -- lower-cased
	display_name TEXT NOT NULL,
	role TEXT NOT NULL,
	state_code TEXT REFERENCES states(code),
	password_hash TEXT NOT NULL,
	totp_secret TEXT NOT NULL DEFAULT '',
	totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
	totp_last_step INTEGER NOT NULL DEFAULT 0, -- refuses a code used twice
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	disabled_at TIMESTAMPTZ
);
CREATE INDEX accounts_state ON accounts(state_code);

-- Sessions are server-side; the cookie carries a random token whose SHA-256
-- is the key, so a database leak does not leak live sessions.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	second_factor BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	remote_addr TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE api_tokens (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	scopes TEXT NOT NULL,               -- space-separated
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	revoked_at TIMESTAMPTZ,
	last_used_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

-- Failed sign-ins per key (an account or a client address) per window.
CREATE TABLE login_failures (
	key TEXT NOT NULL,
	window_start TIMESTAMPTZ NOT NULL,
	failures INTEGER NOT NULL,
	PRIMARY KEY (key, window_start)
);

CREATE TABLE pocs (
	id TEXT PRIMARY KEY,
	state_code TEXT NOT NULL REFERENCES states(code),
	version INTEGER NOT NULL,
	level TEXT NOT NULL,
	function_title TEXT NOT NULL,
	organisation TEXT NOT NULL,
	person_name TEXT NOT NULL DEFAULT '',
	emails TEXT NOT NULL,               -- JSON array
	phones TEXT NOT NULL,               -- JSON array
	languages TEXT NOT NULL,            -- JSON array of BCP 47 tags
	time_zone TEXT NOT NULL,
	availability TEXT NOT NULL,         -- 24x7 | hours
	hours TEXT NOT NULL DEFAULT '',
	pgp_key TEXT NOT NULL DEFAULT '',
	pgp_fingerprint TEXT NOT NULL DEFAULT '',
	pgp_expires_at TIMESTAMPTZ,
	status TEXT NOT NULL,               -- active | retired
	confirmed_at TIMESTAMPTZ NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pocs_state ON pocs(state_code, status);

-- Every change to a POC is a new version: a full snapshot with who and when.
CREATE TABLE poc_versions (
	poc_id TEXT NOT NULL REFERENCES pocs(id),
	version INTEGER NOT NULL,
	action TEXT NOT NULL,               -- nominate | edit | confirm | retire
	snapshot TEXT NOT NULL,             -- JSON
	actor_id TEXT NOT NULL,
	actor_label TEXT NOT NULL,
	at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (poc_id, version)
);

-- The audit log is append-only and hash-chained:
-- hash = SHA-256(prev_hash || canonical entry).
CREATE TABLE audit_log (
	seq BIGINT PRIMARY KEY,
	at TIMESTAMPTZ NOT NULL,
	actor_id TEXT NOT NULL,
	actor_label TEXT NOT NULL,
	action TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id TEXT NOT NULL,
	state_code TEXT NOT NULL DEFAULT '',
	digest TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_object ON audit_log(object_type, object_id);
