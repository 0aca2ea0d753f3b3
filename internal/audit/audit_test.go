package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

var sec = actor.Actor{AccountID: "acc-1", Email: "sec@example.invalid", Role: actor.Secretariat}

func appendN(t *testing.T, db *store.DB, log *audit.Log, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		err := db.Tx(context.Background(), func(tx *sql.Tx) error {
			return log.Append(context.Background(), tx, sec, audit.Change{Action: "poc.edit", ObjectType: "poc", ObjectID: "p1", State: "FR", Details: map[string]int{"i": i}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	seal(t, log)
}

// seal links every appended entry into the chain, as the server's sealer
// does moments after each change.
func seal(t *testing.T, log *audit.Log) {
	t.Helper()
	if _, err := audit.NewSealer(log, audit.SealConfig{}).Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		tests := []struct {
			name    string
			tamper  string
			wantSeq int64
		}{
			{"intact chain", "", 0},
			{"edited action", `UPDATE audit_log SET action = 'poc.retire' WHERE seq = 3`, 3},
			{"edited actor", `UPDATE audit_log SET actor_label = 'someone@else.invalid' WHERE seq = 2`, 2},
			{"deleted entry", `DELETE FROM audit_log WHERE seq = 4`, 4},
			{"rehashed entry", `UPDATE audit_log SET hash = 'ff' WHERE seq = 2`, 2},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := db.W.Exec(`DELETE FROM audit_log`); err != nil {
					t.Fatal(err)
				}
				if db.Engine == store.Postgres {
					// Start numbering again, as a new database would.
					if _, err := db.W.Exec(`SELECT setval('audit_seq', 1, false)`); err != nil {
						t.Fatal(err)
					}
				}
				log := audit.New(db, clock.NewFixed(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
				appendN(t, db, log, 5)
				if tc.tamper != "" {
					if _, err := db.W.Exec(tc.tamper); err != nil {
						t.Fatal(err)
					}
				}
				n, err := log.Verify(context.Background())
				if tc.wantSeq == 0 {
					if err != nil || n != 5 {
						t.Fatalf("Verify = %d, %v; want 5 entries, no error", n, err)
					}
					return
				}
				var b *audit.Broken
				if !errors.As(err, &b) {
					t.Fatalf("Verify error = %v, want *Broken", err)
				}
				if b.Seq != tc.wantSeq {
					t.Fatalf("broken at %d, want %d (%v)", b.Seq, tc.wantSeq, err)
				}
			})
		}
	})
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		log := audit.New(db, clock.System{})
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					err := db.Tx(context.Background(), func(tx *sql.Tx) error {
						return log.Append(context.Background(), tx, sec, audit.Change{Action: "x", ObjectType: "y", ObjectID: "z"})
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		seal(t, log)
		n, err := log.Verify(context.Background())
		if err != nil || n != 40 {
			t.Fatalf("Verify = %d, %v; want 40, nil", n, err)
		}
	})
}

func TestListScopedByRole(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		log := audit.New(db, clock.System{})
		for _, st := range []string{"FR", "KE"} {
			err := db.Tx(context.Background(), func(tx *sql.Tx) error {
				return log.Append(context.Background(), tx, sec, audit.Change{Action: "poc.edit", ObjectType: "poc", ObjectID: st, State: st})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		ctx := context.Background()
		got, err := log.List(ctx, sec, audit.Filter{})
		if err != nil || len(got) != 2 {
			t.Fatalf("secretariat sees %d, %v; want 2", len(got), err)
		}
		fr := actor.Actor{AccountID: "a2", Email: "fr@example.invalid", Role: actor.StateAdmin, State: "FR"}
		got, err = log.List(ctx, fr, audit.Filter{State: "KE"})
		if err != nil || len(got) != 1 || got[0].State != "FR" {
			t.Fatalf("FR admin sees %+v, %v; want only FR's entry", got, err)
		}
		for _, a := range []actor.Actor{actor.Anonymous, {AccountID: "a3", Role: actor.POC, State: "FR"}} {
			if _, err := log.List(ctx, a, audit.Filter{}); err == nil {
				t.Fatalf("%v may read the audit log", a.Role)
			}
		}
	})
}
