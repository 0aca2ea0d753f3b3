-- What lists and calendar feeds show of a run's scenario, kept beside the
-- snapshot so that listing runs never decodes it: the title, the
-- scenario's duration, and the scenario time the run covers (its
-- duration, or its last inject's offset and an hour when it has none).
ALTER TABLE exercise_runs ADD COLUMN scenario_title TEXT NOT NULL DEFAULT '';
ALTER TABLE exercise_runs ADD COLUMN scenario_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE exercise_runs ADD COLUMN span_ms BIGINT NOT NULL DEFAULT 0;
UPDATE exercise_runs SET
	scenario_title = COALESCE(scenario::jsonb ->> 'Title', ''),
	scenario_ms = COALESCE((scenario::jsonb ->> 'Duration')::bigint, 0) / 1000000,
	span_ms = CASE WHEN COALESCE((scenario::jsonb ->> 'Duration')::bigint, 0) > 0
		THEN (scenario::jsonb ->> 'Duration')::bigint / 1000000
		ELSE COALESCE((SELECT MAX((i ->> 'Offset')::bigint) FROM jsonb_array_elements(
			CASE WHEN jsonb_typeof(scenario::jsonb -> 'Injects') = 'array' THEN scenario::jsonb -> 'Injects' ELSE '[]'::jsonb END) AS i), 0) / 1000000 + 3600000 END;

-- Each role's place in the scenario's order of roles, so that a list reads
-- the States of its runs in that order without the snapshot.
ALTER TABLE exercise_run_states ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE exercise_run_states AS s SET position = j.ord - 1
	FROM exercise_runs AS r, jsonb_array_elements(CASE WHEN jsonb_typeof(r.scenario::jsonb -> 'Roles') = 'array' THEN r.scenario::jsonb -> 'Roles' ELSE '[]'::jsonb END)
		WITH ORDINALITY AS j(v, ord)
	WHERE r.id = s.run_id AND j.v ->> 'Key' = s.role_key;
