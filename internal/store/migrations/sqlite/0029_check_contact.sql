-- A challenge names its POC as the check found it when it opened, so the
-- page of the mail's link (opened and posted once per POC, thousands of
-- times as a check opens) reads nothing of the directory. Challenges made
-- before are named from the directory's current entries.
ALTER TABLE ping_challenges ADD COLUMN poc_function TEXT NOT NULL DEFAULT '';
ALTER TABLE ping_challenges ADD COLUMN poc_organisation TEXT NOT NULL DEFAULT '';
UPDATE ping_challenges SET
	poc_function = COALESCE((SELECT function_title FROM pocs WHERE pocs.id = ping_challenges.poc_id), ''),
	poc_organisation = COALESCE((SELECT organisation FROM pocs WHERE pocs.id = ping_challenges.poc_id), '');
