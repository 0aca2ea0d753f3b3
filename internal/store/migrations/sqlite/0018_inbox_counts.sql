-- Maintained counts behind the unread badge every signed-in page shows, so
-- that a page does not count a State's whole inbox. An account's unread
-- count is its State's inbox, plus the messages naming it that its State's
-- inbox does not hold (TLP:RED), less the ones it has read of those.
CREATE TABLE inbox_state_counts (
	state_code TEXT PRIMARY KEY REFERENCES states(code),
	messages INTEGER NOT NULL DEFAULT 0  -- delivered to the State, readable by all its accounts
);
CREATE TABLE inbox_account_counts (
	account_id TEXT PRIMARY KEY REFERENCES accounts(id),
	named INTEGER NOT NULL DEFAULT 0,    -- naming the account, outside its State's inbox
	readcount INTEGER NOT NULL DEFAULT 0 -- of both, those the account has read
);

-- What is already there. The label test is the disclosure policy's as it
-- stands: only TLP:RED reaches named people alone.
INSERT INTO inbox_state_counts (state_code, messages)
	SELECT d.state_code, COUNT(*) FROM deliveries d JOIN messages m ON m.id = d.message_id
	WHERE m.tlp <> 'red' GROUP BY d.state_code;
INSERT INTO inbox_account_counts (account_id, named, readcount)
	SELECT a.id,
		(SELECT COUNT(*) FROM message_named n JOIN messages m ON m.id = n.message_id WHERE n.account_id = a.id AND m.tlp = 'red'),
		(SELECT COUNT(*) FROM message_reads r JOIN messages m ON m.id = r.message_id WHERE r.account_id = a.id AND (
			(m.tlp <> 'red' AND EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.state_code = a.state_code))
			OR (m.tlp = 'red' AND EXISTS (SELECT 1 FROM message_named n WHERE n.message_id = m.id AND n.account_id = a.id))))
	FROM accounts a;
