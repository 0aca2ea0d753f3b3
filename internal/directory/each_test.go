package directory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestEachPOCIsPOCsInBatches: EachPOC hands over what POCs lists, in its
// order, in batches of at most 200 — once, empty, when nothing matches —
// for readers who see different entries.
func TestEachPOCIsPOCsInBatches(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for range 205 {
			e.nominate(t, frAdmin)
		}
		e.nominate(t, keAdmin)
		e.nominate(t, nzAdmin) // NZ does not participate
		for _, tc := range []struct {
			name string
			a    actor.Actor
			f    directory.Filter
		}{
			{"the secretariat, everything", sec, directory.Filter{}},
			{"Kenya, the participants", kePOC, directory.Filter{}},
			{"New Zealand, itself only", nzPOC, directory.Filter{}},
			{"nothing matches", frPOC, directory.Filter{Level: directory.Diplomatic}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				want, err := e.svc.POCs(ctx, tc.a, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				calls := 0
				err = e.svc.EachPOC(ctx, tc.a, tc.f, func(ps []directory.POC) error {
					calls++
					if len(ps) > 200 {
						t.Errorf("a batch of %d", len(ps))
					}
					for _, p := range ps {
						got = append(got, p.ID)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				var wantIDs []string
				for _, p := range want {
					wantIDs = append(wantIDs, p.ID)
				}
				if fmt.Sprint(got) != fmt.Sprint(wantIDs) {
					t.Errorf("EachPOC gave %d entries, POCs %d, or in another order", len(got), len(wantIDs))
				}
				if calls == 0 {
					t.Error("fn was never called")
				}
			})
		}
	})
}
