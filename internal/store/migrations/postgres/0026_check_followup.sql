-- A check's follow-up list reads the unanswered challenges of a few
-- States at a time: without this index the planner walked every
-- unanswered challenge of the check through ping_challenges_answers.
CREATE INDEX ping_challenges_followup ON ping_challenges(campaign_id, state_code, acknowledged_at);
