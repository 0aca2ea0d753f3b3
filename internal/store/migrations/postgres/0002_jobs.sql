-- Work to do later or elsewhere: notifications to send, reminders,
-- escalations, campaign closes. A service writes its change and its jobs in
-- one transaction (the outbox); workers in any instance claim due jobs
-- with a lease, so each job is done once.
CREATE TABLE jobs (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	payload TEXT NOT NULL,              -- JSON
	run_at TIMESTAMPTZ NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	lease_token TEXT,                   -- who holds the job now; completion must present it
	leased_until TIMESTAMPTZ,
	leased_by TEXT NOT NULL DEFAULT '',
	done_at TIMESTAMPTZ,
	failed_at TIMESTAMPTZ,                -- gave up: attempts exhausted or a permanent error
	last_error TEXT NOT NULL DEFAULT '',
	dedupe_key TEXT UNIQUE              -- the same logical job is enqueued once
);
-- The claim query scans open jobs by due time.
CREATE INDEX jobs_due ON jobs(run_at) WHERE done_at IS NULL AND failed_at IS NULL;
