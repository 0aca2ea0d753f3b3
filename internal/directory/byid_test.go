package directory_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestPOCsByIDShowsWhatPOCShows: for every reader and every entry —
// own, another participating State's, a non-participant's, retired,
// unknown, not an id — POCsByID holds exactly the entries POC would give
// one by one, as POC gives them.
func TestPOCsByIDShowsWhatPOCShows(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		fr := e.nominate(t, frAdmin)
		ke := e.nominate(t, keAdmin)
		nz := e.nominate(t, nzAdmin) // NZ does not participate
		retired := e.nominate(t, frAdmin)
		if _, err := e.svc.Retire(ctx, frAdmin, retired.ID); err != nil {
			t.Fatal(err)
		}
		ids := []string{fr.ID, ke.ID, nz.ID, retired.ID, fr.ID, "0190a0b0-0000-7000-8000-000000000000", "not an id"}
		for _, a := range []actor.Actor{sec, frAdmin, frPOC, frViewer, kePOC, nzPOC} {
			got, err := e.svc.POCsByID(ctx, a, ids)
			if err != nil {
				t.Fatalf("%s: %v", a.Email, err)
			}
			want := map[string]directory.POC{}
			for _, id := range ids {
				p, err := e.svc.POC(ctx, a, id)
				switch {
				case err == nil:
					want[id] = p
				case !errs.Is(err, errs.NotFound):
					t.Fatalf("%s reading %s: %v", a.Email, id, err)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: POCsByID gives %d entries %v, POC one by one %d %v", a.Email, len(got), keys(got), len(want), keys(want))
			}
		}
		if _, err := e.svc.POCsByID(ctx, actor.Anonymous, ids); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous: %v", err)
		}
	})
}

func keys(m map[string]directory.POC) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
