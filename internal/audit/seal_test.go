package audit_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func appendOne(t *testing.T, db *store.DB, log *audit.Log, i int) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		return log.Append(context.Background(), tx, sec, audit.Change{Action: "poc.edit", ObjectType: "poc", ObjectID: fmt.Sprint("p", i), State: "FR"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func wantBroken(t *testing.T, err error, seq int64, reason string) {
	t.Helper()
	var b *audit.Broken
	if !errors.As(err, &b) {
		t.Fatalf("err = %v, want the chain reported broken at %d", err, seq)
	}
	if b.Seq != seq || !strings.Contains(b.Reason, reason) {
		t.Fatalf("broken at %d (%s), want %d (%s)", b.Seq, b.Reason, seq, reason)
	}
}

// TestEntriesAreVisibleBeforeSealing: an entry is there as soon as its
// change commits, marked unsealed, and verification counts only the
// sealed chain until the sealer has run.
func TestEntriesAreVisibleBeforeSealing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := audit.New(db, clock.System{})
		for i := range 3 {
			appendOne(t, db, log, i)
		}
		got, err := log.List(ctx, sec, audit.Filter{})
		if err != nil || len(got) != 3 {
			t.Fatalf("List = %d entries, %v; want 3", len(got), err)
		}
		for _, e := range got {
			if e.Sealed() || e.Hash != "" {
				t.Fatalf("entry %d sealed before the sealer ran", e.Seq)
			}
		}
		r, err := log.VerifyWith(ctx, audit.VerifyOptions{})
		if err != nil || r.Entries != 0 || r.Unsealed != 3 {
			t.Fatalf("before sealing: %+v, %v; want 0 sealed, 3 waiting", r, err)
		}
		n, err := audit.NewSealer(log, audit.SealConfig{}).Seal(ctx)
		if err != nil || n != 3 {
			t.Fatalf("Seal = %d, %v; want 3", n, err)
		}
		r, err = log.VerifyWith(ctx, audit.VerifyOptions{})
		if err != nil || r.Entries != 3 || r.Unsealed != 0 || r.Head.Seq != 3 {
			t.Fatalf("after sealing: %+v, %v", r, err)
		}
		got, _ = log.List(ctx, sec, audit.Filter{})
		for _, e := range got {
			if !e.Sealed() {
				t.Fatalf("entry %d still unsealed", e.Seq)
			}
		}
	})
}

// TestUnsealedEntryBelowASealedOneIsTampering: the sealer works in order,
// so a hash cleared below the head was cleared by someone else.
func TestUnsealedEntryBelowASealedOneIsTampering(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		log := audit.New(db, clock.System{})
		appendN(t, db, log, 4)
		if _, err := db.W.Exec(`UPDATE audit_log SET hash = '' WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		_, err := log.Verify(context.Background())
		wantBroken(t, err, 2, "lost its seal")
	})
}

// TestRolledBackAppendLeavesAHoleTheSealerFills: on PostgreSQL a change
// that rolls back has used a sequence number. The sealer waits a moment
// for it, then records the number as skipped and goes on.
func TestRolledBackAppendLeavesAHoleTheSealerFills(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	ctx := context.Background()
	c := clock.NewFixed(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	log := audit.New(db, c)
	appendOne(t, db, log, 1)
	abandon := errors.New("the change failed")
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if err := log.Append(ctx, tx, sec, audit.Change{Action: "poc.edit", ObjectType: "poc", ObjectID: "lost"}); err != nil {
			return err
		}
		return abandon
	})
	if !errors.Is(err, abandon) {
		t.Fatal(err)
	}
	appendOne(t, db, log, 3)
	s := audit.NewSealer(log, audit.SealConfig{})
	if n, err := s.Seal(ctx); err != nil || n != 1 {
		t.Fatalf("first pass sealed %d, %v; want only the entry before the hole", n, err)
	}
	c.Advance(2 * time.Second)
	if n, err := s.Seal(ctx); err != nil || n != 2 {
		t.Fatalf("second pass sealed %d, %v; want the skipped number and the entry after it", n, err)
	}
	r, err := log.VerifyWith(ctx, audit.VerifyOptions{})
	if err != nil || r.Entries != 3 || r.Unsealed != 0 {
		t.Fatalf("verify: %+v, %v", r, err)
	}
	var action string
	if err := db.R.QueryRow(`SELECT action FROM audit_log WHERE seq = 2`).Scan(&action); err != nil || action != "audit.skipped" {
		t.Fatalf("seq 2 is %q (%v), want audit.skipped", action, err)
	}
}

// TestTwoSealersOnOnePostgresKeepOneChain: two instances, each with its own
// pool and sealer, seal while writers append; the chain comes out whole,
// every entry sealed once, in sequence order.
func TestTwoSealersOnOnePostgresKeepOneChain(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	ctx := context.Background()
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dbA, dbB := open(), open()
	if _, err := dbA.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	logA, logB := audit.New(dbA, clock.System{}), audit.New(dbB, clock.System{})
	runCtx, stop := context.WithCancel(ctx)
	var sealers sync.WaitGroup
	for _, l := range []*audit.Log{logA, logB} {
		sealers.Add(1)
		go func() {
			defer sealers.Done()
			audit.NewSealer(l, audit.SealConfig{Log: slog.New(slog.NewTextHandler(tw{t}, nil))}).Run(runCtx, 5*time.Millisecond)
		}()
	}
	const writers, each = 4, 50
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, l := dbA, logA
			if w%2 == 1 {
				db, l = dbB, logB
			}
			for i := range each {
				err := db.Tx(ctx, func(tx *sql.Tx) error {
					return l.Append(ctx, tx, sec, audit.Change{Action: "x", ObjectType: "y", ObjectID: fmt.Sprint(w, "-", i)})
				})
				if err != nil {
					failed.Store(true)
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	stop()
	sealers.Wait()
	if failed.Load() {
		t.FailNow()
	}
	r, err := logA.VerifyWith(ctx, audit.VerifyOptions{})
	if err != nil || r.Entries != writers*each || r.Unsealed != 0 {
		t.Fatalf("verify: %+v, %v; want %d sealed entries", r, err, writers*each)
	}
}

// TestCheckpointsShowATruncatedTail: entries deleted from the end leave a
// chain that links perfectly; a signed checkpoint, or a head kept outside
// the database, shows they are gone.
func TestCheckpointsShowATruncatedTail(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := clock.NewFixed(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
		log := audit.New(db, c)
		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		s := audit.NewSealer(log, audit.SealConfig{Key: priv, Every: 10, Interval: time.Hour})
		for round := range 3 {
			for i := range 10 {
				appendOne(t, db, log, round*10+i)
			}
			if _, err := s.Seal(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 { // not far enough for a checkpoint
			appendOne(t, db, log, 30+i)
		}
		if _, err := s.Seal(ctx); err != nil {
			t.Fatal(err)
		}
		r, err := log.VerifyWith(ctx, audit.VerifyOptions{Key: pub})
		if err != nil || r.Entries != 35 || r.Checkpoints != 3 || r.Signed != 3 {
			t.Fatalf("intact log: %+v, %v; want 35 entries and 3 signed checkpoints", r, err)
		}
		head := r.Head

		// Entries past the last checkpoint: only an outside head shows it.
		if _, err := db.W.Exec(`DELETE FROM audit_log WHERE seq > 32`); err != nil {
			t.Fatal(err)
		}
		if _, err := log.VerifyWith(ctx, audit.VerifyOptions{Key: pub}); err != nil {
			t.Fatalf("without an outside head: %v", err)
		}
		_, err = log.VerifyWith(ctx, audit.VerifyOptions{Key: pub, Expect: &head})
		wantBroken(t, err, 33, "the expected head says the log reached entry 35")

		// Entries a checkpoint covers.
		if _, err := db.W.Exec(`DELETE FROM audit_log WHERE seq > 24`); err != nil {
			t.Fatal(err)
		}
		_, err = log.VerifyWith(ctx, audit.VerifyOptions{Key: pub})
		wantBroken(t, err, 25, "a checkpoint says the log reached entry 30")

		// A rebuilt tail links, but not to the checkpoint's hash. (On
		// PostgreSQL the forger also rewinds the sequence.)
		if db.Engine == store.Postgres {
			if _, err := db.W.Exec(`SELECT setval('audit_seq', 25, false)`); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 8 {
			appendOne(t, db, log, 100+i)
		}
		if _, err := audit.NewSealer(log, audit.SealConfig{}).Seal(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = log.VerifyWith(ctx, audit.VerifyOptions{Key: pub})
		wantBroken(t, err, 30, "does not have the hash a checkpoint records")
	})
}

// TestForgedCheckpointIsRefused: a checkpoint written without the key does
// not pass for one.
func TestForgedCheckpointIsRefused(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := audit.New(db, clock.System{})
		pub, _, _ := ed25519.GenerateKey(nil)
		_, other, _ := ed25519.GenerateKey(nil)
		for i := range 3 {
			appendOne(t, db, log, i)
		}
		if _, err := audit.NewSealer(log, audit.SealConfig{Key: other, Every: 1}).Seal(ctx); err != nil {
			t.Fatal(err)
		}
		_, err := log.VerifyWith(ctx, audit.VerifyOptions{Key: pub})
		wantBroken(t, err, 3, "not signed by the configured key")
		// Without a key the checkpoint is still held against the chain.
		if r, err := log.VerifyWith(ctx, audit.VerifyOptions{}); err != nil || r.Checkpoints != 1 || r.Signed != 0 {
			t.Fatalf("without a key: %+v, %v", r, err)
		}
	})
}

// TestVerifyInRangesFindsTheFirstBreak: a long chain is checked in ranges
// at once; a break in any range is found, and of two the earlier one is
// reported.
func TestVerifyInRangesFindsTheFirstBreak(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := audit.New(db, clock.System{})
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for i := range 100 {
				if err := log.Append(ctx, tx, sec, audit.Change{Action: "x", ObjectType: "y", ObjectID: fmt.Sprint(i)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		seal(t, log)
		opt := audit.VerifyOptions{Workers: 4, RangeSize: 10}
		if r, err := log.VerifyWith(ctx, opt); err != nil || r.Entries != 100 {
			t.Fatalf("intact: %+v, %v", r, err)
		}
		for _, tc := range []struct {
			name    string
			tamper  string
			wantSeq int64
		}{
			{"first entry of a range", `UPDATE audit_log SET action = 'y' WHERE seq = 41`, 41},
			{"last entry", `UPDATE audit_log SET action = 'y' WHERE seq = 100`, 41},
			{"earlier range", `UPDATE audit_log SET object_id = 'z' WHERE seq = 7`, 7},
			{"deleted at a range's edge", `DELETE FROM audit_log WHERE seq = 10`, 7},
		} {
			if _, err := db.W.Exec(tc.tamper); err != nil {
				t.Fatal(err)
			}
			_, err := log.VerifyWith(ctx, opt)
			var b *audit.Broken
			if !errors.As(err, &b) || b.Seq != tc.wantSeq {
				t.Fatalf("%s: %v, want broken at %d", tc.name, err, tc.wantSeq)
			}
		}
	})
}

type tw struct{ t *testing.T }

func (w tw) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
