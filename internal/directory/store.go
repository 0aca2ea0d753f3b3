package directory

import (
	"context"

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
