-- A check's report reads the times its challenges were answered, in
-- order, from this index alone.
CREATE INDEX ping_challenges_answers ON ping_challenges(campaign_id, acknowledged_at);
