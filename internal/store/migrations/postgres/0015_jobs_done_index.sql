-- The purge of finished jobs finds them by completion time; without this
-- index it scanned the whole table on every start.
CREATE INDEX jobs_done ON jobs(done_at) WHERE done_at IS NOT NULL;
