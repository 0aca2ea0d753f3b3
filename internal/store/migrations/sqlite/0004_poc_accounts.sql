-- A POC entry may be answered by a person's account: that account then
-- receives what is addressed to the POC (TLP:RED messages, ping checks).
ALTER TABLE pocs ADD COLUMN account_id TEXT REFERENCES accounts(id);
CREATE INDEX pocs_account ON pocs(account_id);
