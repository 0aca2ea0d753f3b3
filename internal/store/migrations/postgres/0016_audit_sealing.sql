-- Audit entries are written unsealed (prev_hash and hash empty) in the
-- transaction of their change, and sealed into the chain afterwards by one
-- sealer at a time; this index finds the unsealed tail.
CREATE INDEX audit_unsealed ON audit_log(seq) WHERE hash = '';

-- Signed checkpoints of the chain's head: verifying against them detects
-- entries deleted from the tail, which the chain alone cannot show.
CREATE TABLE audit_checkpoints (
	seq BIGINT PRIMARY KEY,
	hash TEXT NOT NULL,
	at TIMESTAMPTZ NOT NULL,
	key_id TEXT NOT NULL,
	signature TEXT NOT NULL
);

-- Sequence numbers come from a sequence, so that appending takes no lock;
-- a number whose transaction rolled back is filled by the sealer.
CREATE SEQUENCE audit_seq;
SELECT setval('audit_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log), false);
