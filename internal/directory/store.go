package directory

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/store"
)

// What the directory's store files share, and the read of its version
// counter (store.Bump moves it on).

// selectVersion reads the directory's version counter. Its SQL is
// constant, so that through db.Kept it stays prepared.
func selectVersion(ctx context.Context, q store.Queryer) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT n FROM versions WHERE name = $1`, versionName).Scan(&n)
	return n, err
}

// changed is the rows a statement changed; a driver that cannot tell
// counts as none.
func changed(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// nullString keeps an empty v as NULL.
func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// nullTime keeps a nil t as NULL.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}
