-- When an exercise run is planned to start, read in its time zone, which
-- its invitations and calendar entries give. sequence is the iCalendar
-- SEQUENCE of what was last mailed: each reschedule and the cancellation
-- raise it, so the players' calendars update the one entry. cancelled
-- marks a run stopped before it started.
ALTER TABLE exercise_runs ADD COLUMN planned_start TIMESTAMPTZ;
ALTER TABLE exercise_runs ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE exercise_runs ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exercise_runs ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
-- The calendar feed reads a viewer's runs by their planned start.
CREATE INDEX exercise_runs_planned ON exercise_runs(planned_start, id);
