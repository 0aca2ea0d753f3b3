package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// Kept reads answer like plain ones, concurrently, on both engines, and a
// transaction is never handed a statement of the reading pool.
func TestKeptReadsAnswerLikePlainOnes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const q = `SELECT n FROM versions WHERE name = $1`
		var plain int64
		if err := db.R.QueryRowContext(ctx, q, "directory").Scan(&plain); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 50 {
					var n int64
					if err := db.Row(ctx, db.R, q, "directory").Scan(&n); err != nil || n != plain {
						t.Errorf("kept read: %d, %v; plain read: %d", n, err, plain)
						return
					}
					rows, err := db.Kept().QueryContext(ctx, `SELECT name FROM versions ORDER BY name`)
					if err != nil {
						t.Error(err)
						return
					}
					names, err := store.Collect(rows, func(r *sql.Rows) (string, error) {
						var s string
						return s, r.Scan(&s)
					})
					if err != nil || len(names) == 0 {
						t.Errorf("kept rows: %v, %v", names, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		// Inside a transaction the row read is the transaction's own.
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if err := db.Bump(ctx, tx, "directory"); err != nil {
				return err
			}
			var n int64
			if err := db.Row(ctx, tx, q, "directory").Scan(&n); err != nil {
				return err
			}
			if n != plain+1 {
				return fmt.Errorf("read %d inside the transaction that made it %d", n, plain+1)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Kept().ExecContext(ctx, `DELETE FROM versions`); err == nil {
			t.Fatal("a write went through the kept reads")
		}
	})
}
