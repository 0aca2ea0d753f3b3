-- What lists and calendar feeds show of a run's scenario, kept beside the
-- snapshot so that listing runs never decodes it: the title, the
-- scenario's duration, and the scenario time the run covers (its
-- duration, or its last inject's offset and an hour when it has none).
ALTER TABLE exercise_runs ADD COLUMN scenario_title TEXT NOT NULL DEFAULT '';
ALTER TABLE exercise_runs ADD COLUMN scenario_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE exercise_runs ADD COLUMN span_ms BIGINT NOT NULL DEFAULT 0;
UPDATE exercise_runs SET
	scenario_title = COALESCE(json_extract(scenario, '$.Title'), ''),
	scenario_ms = COALESCE(json_extract(scenario, '$.Duration'), 0) / 1000000,
	span_ms = CASE WHEN COALESCE(json_extract(scenario, '$.Duration'), 0) > 0
		THEN json_extract(scenario, '$.Duration') / 1000000
		ELSE COALESCE((SELECT MAX(json_extract(i.value, '$.Offset')) FROM json_each(scenario, '$.Injects') AS i), 0) / 1000000 + 3600000 END;

-- Each role's place in the scenario's order of roles, so that a list reads
-- the States of its runs in that order without the snapshot.
ALTER TABLE exercise_run_states ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE exercise_run_states SET position = COALESCE((SELECT CAST(j.key AS INTEGER) FROM exercise_runs r, json_each(r.scenario, '$.Roles') AS j
	WHERE r.id = exercise_run_states.run_id AND json_extract(j.value, '$.Key') = exercise_run_states.role_key), 0);
