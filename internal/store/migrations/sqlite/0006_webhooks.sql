-- Webhooks: a State's CERT tooling (or the secretariat's) is told of events
-- by a signed HTTPS POST instead of polling. A subscription belongs to one
-- State (managed by its State administrators) or, with no State, to the
-- secretariat.
CREATE TABLE webhooks (
	id TEXT PRIMARY KEY,
	state_code TEXT REFERENCES states(code), -- NULL: the secretariat's
	url TEXT NOT NULL,
	events TEXT NOT NULL,               -- JSON array of event types
	active BOOLEAN NOT NULL DEFAULT TRUE,
	-- The HMAC signing secret, which must stay readable to sign:
	-- "aesgcm:" + base64(nonce || AES-256-GCM ciphertext) when the server
	-- has a webhook key, else "plain:" + the secret. Emptied on delete.
	secret TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	secret_rotated_at TIMESTAMP,
	deleted_at TIMESTAMP                -- deleted subscriptions keep their delivery log
);
CREATE INDEX webhooks_owner ON webhooks(state_code);
CREATE UNIQUE INDEX webhooks_owner_url ON webhooks(COALESCE(state_code, ''), url) WHERE deleted_at IS NULL;

-- One row per event per subscription: what an administrator reads to see
-- whether events arrive. The delivery itself is a job (kind webhook.deliver).
CREATE TABLE webhook_deliveries (
	id TEXT PRIMARY KEY,
	webhook_id TEXT NOT NULL REFERENCES webhooks(id),
	event_id TEXT NOT NULL,             -- the event's "id", also sent as Detente-Delivery
	event_type TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_status INTEGER NOT NULL DEFAULT 0, -- HTTP status of the last attempt; 0: no answer
	last_error TEXT NOT NULL DEFAULT '',
	last_attempt_at TIMESTAMP,
	delivered_at TIMESTAMP,
	failed_at TIMESTAMP,                -- given up: a permanent failure or the last retry
	UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries(webhook_id, created_at);
