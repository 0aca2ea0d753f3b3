package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func enqueue(t *testing.T, db *store.DB, now time.Time, n jobs.New) string {
	t.Helper()
	var id string
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		id, err = jobs.Enqueue(context.Background(), tx, now, n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type row struct {
	attempts      int
	runAt         time.Time
	done, failed  bool
	lastError     string
	leaseTokenSet bool
}

func load(t *testing.T, db *store.DB, id string) row {
	t.Helper()
	var r row
	var done, failed sql.NullTime
	var token sql.NullString
	if err := db.R.QueryRow(`SELECT attempts, run_at, done_at, failed_at, last_error, lease_token FROM jobs WHERE id = $1`, id).
		Scan(&r.attempts, &r.runAt, &done, &failed, &r.lastError, &token); err != nil {
		t.Fatal(err)
	}
	r.done, r.failed, r.leaseTokenSet = done.Valid, failed.Valid, token.Valid
	return r
}

func count(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow(`SELECT COUNT(*) FROM jobs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEnqueueIsTransactional(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		boom := errors.New("the change failed")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: "mail", Payload: map[string]string{"to": "x"}}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || count(t, db) != 0 {
			t.Fatalf("a rolled-back change left %d jobs", count(t, db))
		}
		enqueue(t, db, now, jobs.New{Kind: "mail", DedupeKey: "message-1/KE"})
		enqueue(t, db, now, jobs.New{Kind: "mail", DedupeKey: "message-1/KE"})
		enqueue(t, db, now, jobs.New{Kind: "mail"})
		enqueue(t, db, now, jobs.New{Kind: "mail"})
		if n := count(t, db); n != 3 {
			t.Fatalf("%d jobs, want 3 (the duplicate key is dropped, jobs without keys are not)", n)
		}
	})
}

func TestRetriesBackOffAndGiveUp(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := clock.NewFixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		q := jobs.NewQueue(db, c, quiet, jobs.Options{Backoff: func(a int) time.Duration { return time.Duration(a) * time.Minute }})
		var runs sync.Map
		q.Register("flaky", func(ctx context.Context, j jobs.Job) error {
			v, _ := runs.LoadOrStore(j.ID, new(int32))
			atomic.AddInt32(v.(*int32), 1)
			return errors.New("smtp: 421 try later")
		})
		q.Register("refused", func(context.Context, jobs.Job) error { return jobs.Permanent(errors.New("550 no such user")) })
		q.Register("panics", func(context.Context, jobs.Job) error { panic("nil map") })
		q.Register("ok", func(ctx context.Context, j jobs.Job) error {
			var p struct{ N int }
			if err := j.Decode(&p); err != nil || p.N != 7 {
				return jobs.Permanent(errors.New("bad payload"))
			}
			return nil
		})
		flaky := enqueue(t, db, c.Now(), jobs.New{Kind: "flaky", MaxAttempts: 3})
		refused := enqueue(t, db, c.Now(), jobs.New{Kind: "refused"})
		panics := enqueue(t, db, c.Now(), jobs.New{Kind: "panics", MaxAttempts: 1})
		later := enqueue(t, db, c.Now(), jobs.New{Kind: "ok", Payload: map[string]int{"N": 7}, RunAt: c.Now().Add(time.Hour)})
		unknown := enqueue(t, db, c.Now(), jobs.New{Kind: "nobody-handles-this"})

		if n, err := q.RunOnce(ctx); err != nil || n != 4 {
			t.Fatalf("first run: %d jobs, %v; want the 4 due ones", n, err)
		}
		if r := load(t, db, flaky); r.attempts != 1 || r.done || r.failed || !r.runAt.Equal(c.Now().Add(time.Minute)) || r.lastError == "" {
			t.Fatalf("flaky after one failure: %+v", r)
		}
		for _, id := range []string{refused, panics, unknown} {
			if r := load(t, db, id); !r.failed || r.attempts != 1 {
				t.Errorf("job %s: %+v, want failed at once", id, r)
			}
		}
		if r := load(t, db, later); r.attempts != 0 {
			t.Fatal("a job not yet due was run")
		}
		// Nothing is due until the backoff passes.
		if n, _ := q.RunOnce(ctx); n != 0 {
			t.Fatalf("ran %d jobs before their time", n)
		}
		c.Advance(time.Minute)
		q.RunOnce(ctx)
		if r := load(t, db, flaky); r.attempts != 2 || !r.runAt.Equal(c.Now().Add(2*time.Minute)) {
			t.Fatalf("second backoff: %+v", r)
		}
		c.Advance(2 * time.Minute)
		q.RunOnce(ctx)
		if r := load(t, db, flaky); !r.failed || r.attempts != 3 {
			t.Fatalf("after max attempts: %+v", r)
		}
		c.Advance(time.Hour)
		q.RunOnce(ctx)
		if r := load(t, db, later); !r.done {
			t.Fatalf("due job not done: %+v", r)
		}
		st, err := q.Stats(ctx)
		if err != nil || st.Queued != 0 || st.Failed != 4 {
			t.Fatalf("stats %+v %v", st, err)
		}
	})
}

func TestExpiredLeaseIsTakenOverAndFenced(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := clock.NewFixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		slowQ := jobs.NewQueue(db, c, quiet, jobs.Options{Instance: "slow", Lease: time.Minute})
		fastQ := jobs.NewQueue(db, c, quiet, jobs.Options{Instance: "fast", Lease: time.Minute})
		release := make(chan struct{})
		started := make(chan struct{})
		var slowRuns, fastRuns atomic.Int32
		slowQ.Register("send", func(ctx context.Context, j jobs.Job) error {
			slowRuns.Add(1)
			close(started)
			<-release // the worker hangs past its lease
			return nil
		})
		fastQ.Register("send", func(context.Context, jobs.Job) error { fastRuns.Add(1); return nil })
		id := enqueue(t, db, c.Now(), jobs.New{Kind: "send"})

		done := make(chan struct{})
		go func() { slowQ.RunOnce(ctx); close(done) }()
		<-started
		if n, _ := fastQ.RunOnce(ctx); n != 0 {
			t.Fatal("a leased job was claimed twice")
		}
		c.Advance(2 * time.Minute) // the lease runs out
		if n, _ := fastQ.RunOnce(ctx); n != 1 || fastRuns.Load() != 1 {
			t.Fatalf("the expired lease was not taken over (ran %d)", n)
		}
		close(release)
		<-done
		if slowQ.Fenced() != 1 {
			t.Fatalf("the late worker's completion was not refused (fenced=%d)", slowQ.Fenced())
		}
		if r := load(t, db, id); !r.done || r.attempts != 2 {
			t.Fatalf("job %+v", r)
		}
	})
}

// TestTwoInstancesDoEachJobOnce runs two queues on two separate connections
// to one database, as two servers would, with several workers each.
func TestTwoInstancesDoEachJobOnce(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			if engine == store.Postgres {
				storetest.RequirePostgres(t)
			}
			dsn := storetest.DSN(t, engine)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var dbs []*store.DB
			for i := 0; i < 2; i++ {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				dbs = append(dbs, db)
			}
			const total = 500
			now := time.Now().UTC()
			for i := 0; i < total; i++ {
				enqueue(t, dbs[i%2], now, jobs.New{Kind: "send", Payload: map[string]int{"i": i}})
			}
			var runs sync.Map
			var done atomic.Int32
			handler := func(instance string) jobs.Handler {
				return func(ctx context.Context, j jobs.Job) error {
					v, loaded := runs.LoadOrStore(j.ID, new(atomic.Int32))
					if v.(*atomic.Int32).Add(1) > 1 || loaded {
						t.Errorf("job %s ran twice (now on %s)", j.ID, instance)
					}
					done.Add(1)
					return nil
				}
			}
			runCtx, stop := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for i, db := range dbs {
				name := []string{"a", "b"}[i]
				q := jobs.NewQueue(db, clock.System{}, quiet, jobs.Options{Instance: name, Workers: 3, Poll: 10 * time.Millisecond, Batch: 5})
				q.Register("send", handler(name))
				wg.Add(1)
				go func() { defer wg.Done(); q.Run(runCtx) }()
			}
			for done.Load() < total && ctx.Err() == nil {
				time.Sleep(20 * time.Millisecond)
			}
			stop()
			wg.Wait()
			if n := done.Load(); n != total {
				t.Fatalf("%d of %d jobs done", n, total)
			}
			var open int
			if err := dbs[0].R.QueryRow(`SELECT COUNT(*) FROM jobs WHERE done_at IS NULL`).Scan(&open); err != nil || open != 0 {
				t.Fatalf("%d jobs not marked done (%v)", open, err)
			}
		})
	}
}

func TestRunWaitsForHandlersOnShutdown(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	q := jobs.NewQueue(db, clock.System{}, quiet, jobs.Options{Workers: 1, Poll: 10 * time.Millisecond})
	started := make(chan struct{})
	var finished atomic.Bool
	q.Register("slow", func(ctx context.Context, j jobs.Job) error {
		close(started)
		time.Sleep(200 * time.Millisecond)
		finished.Store(ctx.Err() == nil)
		return nil
	})
	id := enqueue(t, db, time.Now().UTC(), jobs.New{Kind: "slow"})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { q.Run(ctx); close(stopped) }()
	<-started
	cancel()
	<-stopped
	if !finished.Load() {
		t.Fatal("the handler was cut short by shutdown")
	}
	if r := load(t, db, id); !r.done {
		t.Fatalf("job not recorded done: %+v", r)
	}
}

// TestEnqueueManyDedupes checks that a batch keeps Enqueue's semantics: a
// key already queued, or repeated within the batch, keeps its first job;
// jobs without keys are all written; batches longer than one statement
// dedupe across statements.
func TestEnqueueManyDedupes(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	keyed := func(key string, i int) jobs.New {
		return jobs.New{Kind: "mail", DedupeKey: key, Payload: map[string]int{"i": i}}
	}
	many := func(n int, key func(i int) string) []jobs.New {
		out := make([]jobs.New, n)
		for i := range out {
			out[i] = keyed(key(i), i)
		}
		return out
	}
	tests := []struct {
		name     string
		existing []jobs.New // enqueued one by one first
		batch    []jobs.New
		want     int               // jobs in the table afterwards
		payloads map[string]string // dedupe key → payload of the job kept
	}{
		{name: "empty batch", want: 0},
		{name: "no keys", batch: []jobs.New{{Kind: "mail"}, {Kind: "mail"}, {Kind: "mail"}}, want: 3},
		{name: "repeat within the batch", batch: []jobs.New{keyed("a", 1), keyed("a", 2), keyed("b", 3), {Kind: "mail"}},
			want: 3, payloads: map[string]string{"a": `{"i":1}`, "b": `{"i":3}`}},
		{name: "key already queued", existing: []jobs.New{keyed("a", 0)}, batch: []jobs.New{keyed("a", 1), keyed("c", 2)},
			want: 2, payloads: map[string]string{"a": `{"i":0}`, "c": `{"i":2}`}},
		{name: "several statements", batch: many(2500, func(i int) string { return fmt.Sprintf("k%d", i%2400) }),
			want: 2400, payloads: map[string]string{"k0": `{"i":0}`, "k99": `{"i":99}`, "k2399": `{"i":2399}`}},
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				if _, err := db.W.ExecContext(ctx, `DELETE FROM jobs`); err != nil {
					t.Fatal(err)
				}
				for _, n := range tc.existing {
					enqueue(t, db, now, n)
				}
				var ids []string
				err := db.Tx(ctx, func(tx *sql.Tx) error {
					var err error
					ids, err = jobs.EnqueueMany(ctx, tx, db.Engine, now, tc.batch)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(ids) != len(tc.batch) {
					t.Fatalf("%d IDs for %d jobs", len(ids), len(tc.batch))
				}
				if n := count(t, db); n != tc.want {
					t.Fatalf("%d jobs, want %d", n, tc.want)
				}
				for key, want := range tc.payloads {
					var got string
					if err := db.R.QueryRow(`SELECT payload FROM jobs WHERE dedupe_key = $1`, key).Scan(&got); err != nil || got != want {
						t.Errorf("job %s: payload %s (%v), want %s", key, got, err, want)
					}
				}
			})
		}
		t.Run("defaults and rollback", func(t *testing.T) {
			ctx := context.Background()
			if _, err := db.W.ExecContext(ctx, `DELETE FROM jobs`); err != nil {
				t.Fatal(err)
			}
			boom := errors.New("the change failed")
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := jobs.EnqueueMany(ctx, tx, db.Engine, now, many(3, func(i int) string { return fmt.Sprint(i) })); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) || count(t, db) != 0 {
				t.Fatalf("a rolled-back change left %d jobs", count(t, db))
			}
			later := now.Add(time.Hour)
			var ids []string
			err = db.Tx(ctx, func(tx *sql.Tx) error {
				ids, err = jobs.EnqueueMany(ctx, tx, db.Engine, now, []jobs.New{{Kind: "mail"}, {Kind: "mail", RunAt: later, MaxAttempts: 2}})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []struct {
				runAt time.Time
				max   int
			}{{now, jobs.DefaultMaxAttempts}, {later, 2}} {
				var runAt time.Time
				var max int
				if err := db.R.QueryRow(`SELECT run_at, max_attempts FROM jobs WHERE id = $1`, ids[i]).Scan(&runAt, &max); err != nil {
					t.Fatal(err)
				}
				if !runAt.Equal(want.runAt) || max != want.max {
					t.Errorf("job %d: run at %s, %d attempts; want %s, %d", i, runAt, max, want.runAt, want.max)
				}
			}
			err = db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := jobs.EnqueueMany(ctx, tx, db.Engine, now, []jobs.New{{Kind: "mail", Payload: func() {}}})
				return err
			})
			if err == nil {
				t.Fatal("a payload that is not JSON was enqueued")
			}
		})
	})
}

func TestRunDueStopsWhenWorkKeepsComing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		q := jobs.NewQueue(db, c, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{Batch: 1})
		runs := 0
		// A handler that enqueues its own successor, due at once.
		q.Register("echo", func(ctx context.Context, j jobs.Job) error {
			runs++
			return db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := jobs.Enqueue(ctx, tx, c.Now(), jobs.New{Kind: "echo", Payload: map[string]int{"n": runs}})
				return err
			})
		})
		if err := db.Tx(context.Background(), func(tx *sql.Tx) error {
			_, err := jobs.Enqueue(context.Background(), tx, c.Now(), jobs.New{Kind: "echo", Payload: map[string]int{"n": 0}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		n, err := q.RunDue(context.Background(), 5)
		if err == nil || n != 5 || runs != 5 {
			t.Fatalf("RunDue = %d, %v after %d runs; want 5 runs and an error", n, err, runs)
		}
	})
}

// The operator lists what was given up and puts a job back once its cause
// is fixed; a job that did not fail cannot be "retried" into running twice.
func TestFailuresAndRetry(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := clock.NewFixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		q := jobs.NewQueue(db, c, quiet, jobs.Options{})
		fixed := false
		q.Register("mail", func(context.Context, jobs.Job) error {
			if !fixed {
				return jobs.Permanent(errors.New("550 5.1.1 mailbox unavailable"))
			}
			return nil
		})
		failing := enqueue(t, db, c.Now(), jobs.New{Kind: "mail"})
		if _, err := q.RunDue(ctx, 10); err != nil {
			t.Fatal(err)
		}
		fixed = true
		done := enqueue(t, db, c.Now(), jobs.New{Kind: "mail"})
		if _, err := q.RunDue(ctx, 10); err != nil {
			t.Fatal(err)
		}
		fs, err := q.Failures(ctx, 10)
		if err != nil || len(fs) != 1 || fs[0].ID != failing || fs[0].Kind != "mail" || !strings.Contains(fs[0].LastError, "550") {
			t.Fatalf("failures %+v %v", fs, err)
		}
		retry := func(id string) error {
			return db.Tx(ctx, func(tx *sql.Tx) error { return jobs.Retry(ctx, tx, c.Now(), id) })
		}
		tests := []struct {
			name string
			id   string
			want error
		}{
			{"a job that succeeded", done, jobs.ErrNotFailed},
			{"an unknown job", "01900000-0000-7000-8000-000000000000", jobs.ErrNotFailed},
			{"the failed job", failing, nil},
			{"the same job again, now queued", failing, jobs.ErrNotFailed},
		}
		for _, tc := range tests {
			if err := retry(tc.id); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
		}
		if n, err := q.RunDue(ctx, 10); err != nil || n != 1 {
			t.Fatalf("after retry ran %d jobs, %v", n, err)
		}
		if r := load(t, db, failing); !r.done || r.failed || r.attempts != 1 {
			t.Fatalf("retried job %+v", r)
		}
		if fs, _ := q.Failures(ctx, 10); len(fs) != 0 {
			t.Fatalf("still listed as failed: %+v", fs)
		}
	})
}

func TestPurgeKeepsWhatIsNotLongFinished(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := clock.NewFixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		q := jobs.NewQueue(db, c, quiet, jobs.Options{Keep: 24 * time.Hour})
		q.Register("ok", func(context.Context, jobs.Job) error { return nil })
		q.Register("refused", func(context.Context, jobs.Job) error { return jobs.Permanent(errors.New("550")) })
		old := enqueue(t, db, c.Now(), jobs.New{Kind: "ok"})
		failed := enqueue(t, db, c.Now(), jobs.New{Kind: "refused"})
		if _, err := q.RunDue(ctx, 10); err != nil {
			t.Fatal(err)
		}
		c.Advance(25 * time.Hour)
		recent := enqueue(t, db, c.Now(), jobs.New{Kind: "ok"})
		if _, err := q.RunDue(ctx, 10); err != nil {
			t.Fatal(err)
		}
		waiting := enqueue(t, db, c.Now(), jobs.New{Kind: "ok", RunAt: c.Now().Add(time.Hour)})
		n, err := q.Purge(ctx)
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want the one finished over a day ago", n, err)
		}
		var left []string
		rows, err := db.R.QueryContext(ctx, `SELECT id FROM jobs ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			left = append(left, id)
		}
		for name, id := range map[string]string{"failed": failed, "recently done": recent, "waiting": waiting} {
			if !slices.Contains(left, id) {
				t.Errorf("the %s job was purged", name)
			}
		}
		if slices.Contains(left, old) {
			t.Error("the job done over a day ago is still there")
		}
	})
}

// TestPurgeGoesThroughABacklogInBatches: a start after a long pause finds
// more finished jobs than one statement deletes; Purge goes on until none
// is left, and leaves the newer ones.
func TestPurgeGoesThroughABacklogInBatches(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := clock.NewFixed(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
		q := jobs.NewQueue(db, c, quiet, jobs.Options{Keep: 24 * time.Hour})
		const old, recent = 4321, 7
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for i := range old + recent {
				done := c.Now().Add(-48 * time.Hour).Add(time.Duration(i) * time.Second)
				if i >= old {
					done = c.Now().Add(-time.Hour)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO jobs (id, kind, payload, run_at, created_at, max_attempts, done_at)
					VALUES ($1, 'ok', '{}', $2, $2, 1, $2)`, fmt.Sprintf("job-%05d", i), done); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		n, err := q.Purge(ctx)
		if err != nil || n != old {
			t.Fatalf("purged %d, %v; want %d", n, err, old)
		}
		var left int
		if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs`).Scan(&left); err != nil || left != recent {
			t.Fatalf("%d jobs left (%v), want %d", left, err, recent)
		}
	})
}

// TestPurgeUsesTheDoneIndex guards the shape of the purge: it must find
// finished jobs through jobs_done, not by scanning the table, or a start
// with a large table waits on it.
func TestPurgeUsesTheDoneIndex(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	rows, err := db.R.QueryContext(context.Background(), `EXPLAIN QUERY PLAN
		SELECT id FROM jobs WHERE done_at IS NOT NULL AND done_at < $1 ORDER BY done_at LIMIT $2`, time.Now(), 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "jobs_done") || strings.Contains(p, "SCAN jobs") && !strings.Contains(p, "USING INDEX") {
		t.Fatalf("the purge does not use jobs_done: %s", p)
	}
}

// TestWritesLeftForDoneCommitWithIt: what a handler leaves with OnDone is
// written in the transaction that records its job done, for every job of
// a batch; not at all when the job fails or when its lease had passed on.
func TestWritesLeftForDoneCommitWithIt(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.W.Exec(`CREATE TABLE IF NOT EXISTS test_marks (job TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = db.W.Exec(`DROP TABLE test_marks`) })
		mark := func(id string) jobs.Then {
			return func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO test_marks (job) VALUES ($1)`, id)
				return err
			}
		}
		marked := func(id string) bool {
			var n int
			if err := db.R.QueryRow(`SELECT COUNT(*) FROM test_marks WHERE job = $1`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n == 1
		}
		c := clock.NewFixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		q := jobs.NewQueue(db, c, quiet, jobs.Options{Instance: "one", Lease: time.Minute, Batch: 8})
		q.Register("ok", func(ctx context.Context, j jobs.Job) error { return jobs.OnDone(ctx, db, mark(j.ID)) })
		q.Register("fails", func(ctx context.Context, j jobs.Job) error {
			if err := jobs.OnDone(ctx, db, mark(j.ID)); err != nil {
				return err
			}
			return jobs.Permanent(errors.New("refused"))
		})
		var ok []string
		for range 5 {
			ok = append(ok, enqueue(t, db, c.Now(), jobs.New{Kind: "ok"}))
		}
		bad := enqueue(t, db, c.Now(), jobs.New{Kind: "fails"})
		if n, err := q.RunOnce(ctx); err != nil || n != 6 {
			t.Fatalf("ran %d: %v", n, err)
		}
		for _, id := range ok {
			if r := load(t, db, id); !r.done || !marked(id) {
				t.Errorf("job %s: done %v, its write there %v", id, r.done, marked(id))
			}
		}
		if r := load(t, db, bad); !r.failed || marked(bad) {
			t.Errorf("failed job: failed %v, its write there %v", r.failed, marked(bad))
		}

		// A worker whose lease passed on writes neither its outcome nor
		// what its handler left.
		slow := jobs.NewQueue(db, c, quiet, jobs.Options{Instance: "slow", Lease: time.Minute})
		fast := jobs.NewQueue(db, c, quiet, jobs.Options{Instance: "fast", Lease: time.Minute})
		started, release := make(chan struct{}), make(chan struct{})
		slow.Register("late", func(ctx context.Context, j jobs.Job) error {
			close(started)
			<-release
			return jobs.OnDone(ctx, db, mark("slow "+j.ID))
		})
		fast.Register("late", func(ctx context.Context, j jobs.Job) error { return jobs.OnDone(ctx, db, mark("fast "+j.ID)) })
		late := enqueue(t, db, c.Now(), jobs.New{Kind: "late"})
		finished := make(chan struct{})
		go func() { slow.RunOnce(ctx); close(finished) }()
		<-started
		c.Advance(2 * time.Minute)
		if n, _ := fast.RunOnce(ctx); n != 1 {
			t.Fatal("the expired lease was not taken over")
		}
		close(release)
		<-finished
		if slow.Fenced() != 1 || marked("slow "+late) || !marked("fast "+late) {
			t.Fatalf("fenced %d; late worker's write there %v; new worker's %v", slow.Fenced(), marked("slow "+late), marked("fast "+late))
		}

		// Outside a job, OnDone writes at once.
		if err := jobs.OnDone(ctx, db, mark("outside")); err != nil || !marked("outside") {
			t.Fatalf("outside a job: %v, written %v", err, marked("outside"))
		}
	})
}
