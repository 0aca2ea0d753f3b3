// Command audit measures the audit log two ways, each against a baseline
// run side by side on the same database engine:
//
//   - appends from concurrent writers: entries written unsealed and sealed
//     by the sealer (what detente does) against every writer holding the
//     chain's lock until its commit (what it did before);
//   - verifying a long chain: ranges checked at once over the reader pool
//     against one sequential walk.
//
// It prints each side's figure and the ratio. The long chain is built once
// and kept in -cache (SQLite) so repeating the run is quick.
//
//	go run ./bench/audit [-engine sqlite|postgres] [-dsn URL] [-entries 1000000]
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/store"
)

func main() {
	engine := flag.String("engine", "sqlite", "sqlite or postgres")
	dsn := flag.String("dsn", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL URL, with -engine postgres")
	entries := flag.Int("entries", 1_000_000, "length of the chain to verify")
	writers := flag.Int("writers", 8, "concurrent writers appending")
	appends := flag.Int("appends", 4000, "entries the writers append in all, per side")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "detente-bench-audit"), "directory keeping the long chain between runs (SQLite)")
	flag.Parse()
	if err := run(*engine, *dsn, *entries, *writers, *appends, *cache); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

var who = actor.Actor{AccountID: "bench", Email: "bench@example.invalid", Role: actor.Secretariat}

func run(engine, dsn string, entries, writers, appends int, cache string) error {
	ctx := context.Background()
	open := func(name string) (*store.DB, func(), error) {
		if engine == "postgres" {
			return openSchema(ctx, dsn, name)
		}
		if err := os.MkdirAll(cache, 0o700); err != nil {
			return nil, nil, err
		}
		db, err := store.Open(ctx, filepath.Join(cache, name+".db"))
		if err != nil {
			return nil, nil, err
		}
		_, err = db.Migrate(ctx)
		return db, func() { db.Close() }, err
	}

	fmt.Printf("engine %s, %d writers appending %d entries per side\n", engine, writers, appends)
	for _, side := range []string{"locked", "sealed"} {
		if engine == "sqlite" {
			_ = os.Remove(filepath.Join(cache, "appends-"+side+".db"))
		}
	}
	locked, err := timeAppends(ctx, open, "appends-locked", writers, appends, true)
	if err != nil {
		return err
	}
	sealed, err := timeAppends(ctx, open, "appends-sealed", writers, appends, false)
	if err != nil {
		return err
	}
	fmt.Printf("  lock held to commit (before): %8.0f appends/s\n", float64(appends)/locked.Seconds())
	fmt.Printf("  unsealed + sealer    (now):   %8.0f appends/s, all sealed\n", float64(appends)/sealed.Seconds())
	fmt.Printf("  ratio: %.2fx the throughput\n\n", locked.Seconds()/sealed.Seconds())

	db, closeDB, err := open(fmt.Sprintf("chain-%d", entries))
	if err != nil {
		return err
	}
	defer closeDB()
	log := audit.New(db, clock.System{})
	if err := fill(ctx, db, log, entries); err != nil {
		return err
	}
	fmt.Printf("verifying a chain of %d entries\n", entries)
	seq, err := timeVerify(ctx, log, 1)
	if err != nil {
		return err
	}
	par, err := timeVerify(ctx, log, 4)
	if err != nil {
		return err
	}
	fmt.Printf("  one sequential walk: %6.2f s\n", seq.Seconds())
	fmt.Printf("  ranges at once (4):  %6.2f s\n", par.Seconds())
	fmt.Printf("  ratio: %.2fx faster\n", seq.Seconds()/par.Seconds())
	return nil
}

// timeAppends has writers append n entries in all, each in its own
// transaction. With locked, each transaction first takes the chain's lock
// and holds it to its commit, as appends did before sealing; otherwise a
// sealer runs beside the writers, and the time includes sealing the last.
func timeAppends(ctx context.Context, open func(string) (*store.DB, func(), error), name string, writers, n int, locked bool) (time.Duration, error) {
	db, closeDB, err := open(name)
	if err != nil {
		return 0, err
	}
	defer closeDB()
	log := audit.New(db, clock.System{})
	sealer := audit.NewSealer(log, audit.SealConfig{})
	sctx, stop := context.WithCancel(ctx)
	var sealing sync.WaitGroup
	if !locked {
		sealing.Add(1)
		go func() { defer sealing.Done(); sealer.Run(sctx, 20*time.Millisecond) }()
	}
	start := time.Now()
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += writers {
				err := db.Tx(ctx, func(tx *sql.Tx) error {
					if locked {
						if _, err := db.LockAuditChain(ctx, tx, true); err != nil {
							return err
						}
					}
					return log.Append(ctx, tx, who, audit.Change{Action: "poc.edit", ObjectType: "poc", ObjectID: fmt.Sprint(i)})
				})
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	stop()
	sealing.Wait()
	if _, err := sealer.Flush(ctx); err != nil {
		return 0, err
	}
	took := time.Since(start)
	close(errc)
	if err := <-errc; err != nil {
		return 0, err
	}
	r, err := log.VerifyWith(ctx, audit.VerifyOptions{})
	if err != nil {
		return 0, err
	}
	if r.Entries != int64(n) {
		return 0, fmt.Errorf("%s: %d entries sealed, want %d", name, r.Entries, n)
	}
	return took, nil
}

// fill appends entries until the chain has want of them, in large
// transactions, and seals them.
func fill(ctx context.Context, db *store.DB, log *audit.Log, want int) error {
	var have int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&have); err != nil {
		return err
	}
	if have > want {
		return errors.New("the cached chain is longer than asked; remove the cache")
	}
	if have < want {
		fmt.Printf("building a chain of %d entries (kept for the next run)…\n", want)
	}
	for have < want {
		n := min(20000, want-have)
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for i := range n {
				if err := log.Append(ctx, tx, who, audit.Change{Action: "poc.edit", ObjectType: "poc", ObjectID: fmt.Sprint(have + i), State: "FR", Details: map[string]int{"i": have + i}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		have += n
	}
	_, err := audit.NewSealer(log, audit.SealConfig{}).Flush(ctx)
	return err
}

// timeVerify times a verification by workers ranges at once; one worker
// walks the chain as a single range, as verification did before.
func timeVerify(ctx context.Context, log *audit.Log, workers int) (time.Duration, error) {
	opt := audit.VerifyOptions{Workers: workers}
	if workers == 1 {
		opt.RangeSize = 1 << 62
	}
	start := time.Now()
	if _, err := log.VerifyWith(ctx, opt); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// openSchema opens PostgreSQL in a schema of the bench's own, kept between
// runs so the long chain is built once.
func openSchema(ctx context.Context, dsn, name string) (*store.DB, func(), error) {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, nil, err
	}
	defer admin.Close()
	schema := "bench_audit_" + sanitize(name)
	if name[:7] == "appends" {
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			return nil, nil, err
		}
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema); err != nil {
		return nil, nil, err
	}
	sep := "?"
	for _, c := range dsn {
		if c == '?' {
			sep = "&"
		}
	}
	db, err := store.Open(ctx, dsn+sep+"search_path="+schema)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}
