package access

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the login_failures table: failed sign-ins and codes counted
// per key in buckets of the sliding window.

// failureBucket is the failures of one key counted from start.
type failureBucket struct {
	start time.Time
	n     int
}

// failureBuckets lists key's buckets that started after since, oldest first.
func failureBuckets(ctx context.Context, q store.Queryer, key string, since time.Time) ([]failureBucket, error) {
	rows, err := q.QueryContext(ctx, `SELECT window_start, failures FROM login_failures WHERE key = $1 AND window_start > $2 ORDER BY window_start`,
		key, since)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (failureBucket, error) {
		var b failureBucket
		err := r.Scan(&b.start, &b.n)
		return b, err
	})
}

// bumpFailure counts one more failure of key in the bucket window.
func bumpFailure(ctx context.Context, tx *sql.Tx, key string, window time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE login_failures SET failures = failures + 1 WHERE key = $1 AND window_start = $2`, key, window)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err = tx.ExecContext(ctx, `INSERT INTO login_failures (key, window_start, failures) VALUES ($1, $2, 1)`, key, window)
	}
	return err
}

func clearFailures(ctx context.Context, tx *sql.Tx, key string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
	return err
}

// purgeFailures deletes the buckets that started before since.
func purgeFailures(ctx context.Context, q store.Queryer, since time.Time) error {
	_, err := q.ExecContext(ctx, `DELETE FROM login_failures WHERE window_start < $1`, since)
	return err
}
