package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Bump moves the version counter name on, inside tx: whatever was rendered
// from the data it names is out of date once tx commits, on every instance.
func Bump(ctx context.Context, tx *sql.Tx, name string) error {
	res, err := tx.ExecContext(ctx, `UPDATE versions SET n = n + 1 WHERE name = $1`, name)
	if err != nil {
		return fmt.Errorf("bump version %s: %w", name, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("bump version %s: no such counter", name)
	}
	return nil
}

// Version reads counter name. Whoever keeps a copy of what name counts
// reads it first and drops the copy when it has moved: data read after it
// is at least that new.
func Version(ctx context.Context, q Queryer, name string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT n FROM versions WHERE name = $1`, name).Scan(&n); err != nil {
		return 0, fmt.Errorf("read version %s: %w", name, err)
	}
	return n, nil
}
