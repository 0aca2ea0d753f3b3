package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/detente/detente/internal/store"
)

// The queue's SQL, over its one table: jobs.

const (
	insertJobs = `INSERT INTO jobs (id, kind, payload, run_at, created_at, max_attempts, dedupe_key) VALUES `
	onConflict = ` ON CONFLICT (dedupe_key) DO NOTHING`
	jobCols    = 7
	// batchRows bounds the rows of one INSERT: 3500 parameters, far below
	// SQLite's limit (32766) and PostgreSQL's (65535); larger statements
	// gain little.
	batchRows = 500
)

// insertJob writes one job's row, in insertJobs' column order.
func insertJob(ctx context.Context, tx *sql.Tx, row []any) error {
	_, err := tx.ExecContext(ctx, insertJobs+`($1, $2, $3, $4, $5, $6, $7)`+onConflict, row...)
	return err
}

// insertJobRows writes n jobs' rows in one statement; args holds their
// columns one row after another.
func insertJobRows(ctx context.Context, tx *sql.Tx, engine store.Engine, n int, args []any) error {
	_, err := tx.ExecContext(ctx, insertJobs+store.Values(engine, n, jobCols)+onConflict, args...)
	return err
}

// lease claims up to n jobs due at now for instance until until, under
// token, and returns them.
func lease(ctx context.Context, q store.Queryer, engine store.Engine, token, instance string, now, until time.Time, n int) ([]Job, error) {
	due := `SELECT id FROM jobs WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= $4
		AND (leased_until IS NULL OR leased_until < $4) ORDER BY run_at LIMIT $5`
	if engine == store.Postgres {
		// Instances skip each other's locked rows instead of queueing on them.
		due += ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := q.QueryContext(ctx, `UPDATE jobs SET lease_token = $1, leased_until = $2, leased_by = $3, attempts = attempts + 1
		WHERE id IN (`+due+`)
		RETURNING id, kind, payload, run_at, attempts, max_attempts, COALESCE(dedupe_key, '')`,
		token, until, instance, now, n)
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	return store.Collect(rows, func(r *sql.Rows) (Job, error) {
		var j Job
		var payload string
		err := r.Scan(&j.ID, &j.Kind, &payload, &j.RunAt, &j.Attempt, &j.MaxAttempts, &j.DedupeKey)
		j.Payload = json.RawMessage(payload)
		return j, err
	})
}

// The outcomes of a run hold only while token still holds the lease; each
// returns how many rows it changed, 0 when the lease had passed on.

func markDone(ctx context.Context, q store.Queryer, id, token string, now time.Time) (int64, error) {
	return store.Changed(q.ExecContext(ctx, `UPDATE jobs SET done_at = $1, lease_token = NULL, leased_until = NULL, last_error = ''
			WHERE id = $2 AND lease_token = $3`, now, id, token))
}

func markFailed(ctx context.Context, q store.Queryer, id, token string, now time.Time, lastError string) (int64, error) {
	return store.Changed(q.ExecContext(ctx, `UPDATE jobs SET failed_at = $1, lease_token = NULL, leased_until = NULL, last_error = $2
			WHERE id = $3 AND lease_token = $4`, now, lastError, id, token))
}

func markRetry(ctx context.Context, q store.Queryer, id, token string, next time.Time, lastError string) (int64, error) {
	return store.Changed(q.ExecContext(ctx, `UPDATE jobs SET run_at = $1, lease_token = NULL, leased_until = NULL, last_error = $2
			WHERE id = $3 AND lease_token = $4`, next, lastError, id, token))
}

func countJobs(ctx context.Context, q store.Queryer, now time.Time) (Stats, error) {
	var s Stats
	err := q.QueryRowContext(ctx, `SELECT
		COUNT(CASE WHEN done_at IS NULL AND failed_at IS NULL AND (leased_until IS NULL OR leased_until < $1) THEN 1 END),
		COUNT(CASE WHEN done_at IS NULL AND failed_at IS NULL AND leased_until >= $1 THEN 1 END),
		COUNT(failed_at)
		FROM jobs`, now).Scan(&s.Queued, &s.Leased, &s.Failed)
	return s, err
}

func failedJobs(ctx context.Context, q store.Queryer, limit int) ([]Failure, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, attempts, created_at, failed_at, last_error FROM jobs
		WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list failed jobs: %w", err)
	}
	return store.Collect(rows, func(r *sql.Rows) (Failure, error) {
		var f Failure
		if err := r.Scan(&f.ID, &f.Kind, &f.Attempts, &f.CreatedAt, &f.FailedAt, &f.LastError); err != nil {
			return f, fmt.Errorf("scan failed job: %w", err)
		}
		return f, nil
	})
}

// requeueFailed makes failed job id due at now with fresh attempts, and
// returns how many rows it changed: 0 when no such job has failed.
func requeueFailed(ctx context.Context, tx *sql.Tx, id string, now time.Time) (int64, error) {
	return store.Changed(tx.ExecContext(ctx, `UPDATE jobs SET failed_at = NULL, attempts = 0, run_at = $1, lease_token = NULL, leased_until = NULL
		WHERE id = $2 AND failed_at IS NOT NULL`, now, id))
}

// purgeDone deletes up to limit jobs finished before cutoff, oldest first
// through the jobs_done index, and returns how many.
func purgeDone(ctx context.Context, q store.Queryer, cutoff time.Time, limit int) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM jobs WHERE id IN (
			SELECT id FROM jobs WHERE done_at IS NOT NULL AND done_at < $1 ORDER BY done_at LIMIT $2)`, cutoff, limit)
	if err != nil {
		return 0, fmt.Errorf("purge jobs: %w", err)
	}
	return res.RowsAffected()
}
