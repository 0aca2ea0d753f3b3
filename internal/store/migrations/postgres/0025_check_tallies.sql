-- The counts of a communication check's challenges per State and level,
-- kept in step with the challenges in the same transactions (opening a
-- check, an answer, a bounce), so that results and the history across
-- checks read a few hundred rows, not every challenge.
CREATE TABLE ping_tallies (
	campaign_id TEXT NOT NULL REFERENCES ping_campaigns(id),
	state_code TEXT NOT NULL,
	region TEXT NOT NULL,
	level TEXT NOT NULL,
	total INTEGER NOT NULL,
	acknowledged INTEGER NOT NULL,
	bounced INTEGER NOT NULL,           -- bounced and not answered
	PRIMARY KEY (campaign_id, state_code, level)
);
INSERT INTO ping_tallies (campaign_id, state_code, region, level, total, acknowledged, bounced)
	SELECT campaign_id, state_code, MIN(region), level, COUNT(*), COUNT(acknowledged_at),
		COUNT(CASE WHEN acknowledged_at IS NULL AND bounced_at IS NOT NULL THEN 1 END)
	FROM ping_challenges GROUP BY campaign_id, state_code, level;
