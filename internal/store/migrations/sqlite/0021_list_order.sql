-- The inbox is read from the deliveries to a State, newest first, and
-- from the messages that name an account; each by an index in the order
-- shown, so a page costs the same however many messages there are.
CREATE INDEX deliveries_inbox ON deliveries(state_code, queued_at, message_id);
ALTER TABLE message_named ADD COLUMN created_at TIMESTAMP;
UPDATE message_named SET created_at = (SELECT created_at FROM messages WHERE messages.id = message_named.message_id);
CREATE INDEX message_named_inbox ON message_named(account_id, created_at, message_id);
-- The checks waiting for a person's answer are found from the POCs their
-- account answers for.
CREATE INDEX ping_challenges_poc ON ping_challenges(poc_id, campaign_id);
