package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestVersionsAcrossInstances: two instances on one database. The one
// that bumps a counter reads the new value as its transaction commits and
// never a rolled-back one; the other reads it once the bump's notification
// arrives (PostgreSQL) or from the row (SQLite) — and never an older value
// than the database holds once it has seen a newer one.
func TestVersionsAcrossInstances(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, engine)
			open := func() *store.DB {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return db
			}
			a, b := open(), open()
			read := func(db *store.DB) int64 {
				t.Helper()
				n, err := db.Version(ctx, "directory")
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			start := read(a)
			if got := read(b); got != start {
				t.Fatalf("the instances start apart: %d and %d", start, got)
			}
			bump := func(db *store.DB, fail bool) {
				t.Helper()
				err := db.Tx(ctx, func(tx *sql.Tx) error {
					if err := db.Bump(ctx, tx, "directory"); err != nil {
						return err
					}
					if fail {
						return errors.New("rolled back")
					}
					return nil
				})
				if (err != nil) != fail {
					t.Fatal(err)
				}
			}
			bump(a, true)
			if got := read(a); got != start {
				t.Fatalf("a rolled-back bump shows: %d, want %d", got, start)
			}
			bump(a, false)
			if got := read(a); got != start+1 {
				t.Fatalf("the bumping instance reads %d after its commit, want %d", got, start+1)
			}
			deadline := time.Now().Add(10 * time.Second)
			for read(b) != start+1 {
				if time.Now().After(deadline) {
					t.Fatalf("the other instance still reads %d", read(b))
				}
				time.Sleep(10 * time.Millisecond)
			}
			// And back the other way, twice over.
			bump(b, false)
			bump(b, false)
			for read(a) != start+3 {
				if time.Now().After(deadline) {
					t.Fatalf("the first instance still reads %d, want %d", read(a), start+3)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// TestVersionsComeFromMemoryOnPostgres: once its listener is live, an
// instance on PostgreSQL answers Version without a statement.
func TestVersionsComeFromMemoryOnPostgres(t *testing.T) {
	db, statements := storetest.OpenCounting(t, store.Postgres)
	ctx := context.Background()
	// The listener connects on its own and backs off up to 10 s between
	// attempts when the server refuses, as it does when a whole test run
	// holds most of its connections: give it time to become live.
	deadline := time.Now().Add(60 * time.Second)
	for {
		statements.Store(0)
		for range 20 {
			if _, err := db.Version(ctx, "access"); err != nil {
				t.Fatal(err)
			}
		}
		if statements.Load() == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("20 version reads still took %d statements", statements.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A counter added without a notification once the listener is live, as
	// a migration running beside a starting instance adds one, costs one
	// statement and then none.
	if _, err := db.W.ExecContext(ctx, `INSERT INTO versions (name, n) VALUES ('added', 1)`); err != nil {
		t.Fatal(err)
	}
	statements.Store(0)
	for range 20 {
		if n, err := db.Version(ctx, "added"); err != nil || n != 1 {
			t.Fatalf("Version(added) = %d, %v; want 1", n, err)
		}
	}
	if got := statements.Load(); got != 1 {
		t.Errorf("20 reads of a counter added after the listener read them all took %d statements, want 1", got)
	}
}
