-- Getting back into an account: an administrator (or the operator) issues a
-- one-time link; only the SHA-256 of its token is kept. Issuing one ends
-- the account's sessions, revokes its API tokens and clears its password
-- and second factor, so the link is the only way back in.
CREATE TABLE account_resets (
	token_hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	created_by TEXT NOT NULL,           -- the actor's label, as in the audit log
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	used_at TIMESTAMP
);
CREATE INDEX account_resets_account ON account_resets(account_id);

-- Set by a reset of an account that had a second factor: it must enrol a
-- new one before it may act, whatever its role.
ALTER TABLE accounts ADD COLUMN totp_reenrol BOOLEAN NOT NULL DEFAULT FALSE;
