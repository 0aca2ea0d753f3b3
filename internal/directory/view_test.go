package directory_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// Edges serve rendered directory pages again to anyone with the same View.
// That is safe only if two callers with the same View are shown exactly
// the same by every read: this test asks every read of many callers and
// compares all those that share a View.
func TestCallersWithOneViewAreShownTheSame(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		fr := e.nominate(t, frAdmin)
		e.nominate(t, keAdmin)
		e.nominate(t, nzAdmin) // NZ does not participate
		if _, err := e.svc.Retire(ctx, frAdmin, fr.ID); err != nil {
			t.Fatal(err)
		}
		e.nominate(t, frAdmin)

		callers := []actor.Actor{
			sec, {AccountID: "sec2", Role: actor.Secretariat},
			frAdmin, {AccountID: "fra2", Role: actor.StateAdmin, State: "FR"},
			frPOC, frViewer, {AccountID: "frp2", Role: actor.POC, State: "FR", ReadOnly: true, ViaToken: true},
			keAdmin, kePOC,
			nzAdmin, nzPOC, {AccountID: "nzp2", Role: actor.Viewer, State: "NZ"},
			actor.Anonymous,
		}
		stale := true
		filters := []directory.Filter{{}, {Retired: true}, {State: "FR", Retired: true}, {State: "NZ", Retired: true}, {Stale: &stale}, {Query: "cert"}}
		// shown is everything the reads tell a, in one comparable value.
		shown := func(a actor.Actor) string {
			var out []any
			for _, f := range filters {
				p, err := e.svc.POCPage(ctx, a, f, page.Request{Limit: 50})
				out = append(out, p, errString(err))
				list, err := e.svc.POCs(ctx, a, f)
				out = append(out, list, errString(err))
			}
			for _, code := range []string{"FR", "KE", "NZ", "BR"} {
				st, err := e.svc.State(ctx, a, code)
				out = append(out, st, errString(err), e.svc.CanManage(a, code), e.svc.SeesAccountLink(a, code))
			}
			sts, err := e.svc.StatePage(ctx, a, directory.StateFilter{}, page.Request{Limit: 200})
			out = append(out, sts, errString(err))
			return fmt.Sprintf("%#v", out)
		}
		byView := map[string]actor.Actor{}
		for _, a := range callers {
			v, err := e.svc.View(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			if b, ok := byView[v]; ok {
				if !reflect.DeepEqual(shown(a), shown(b)) {
					t.Errorf("%s and %s share the view %q but are shown different things", a.Label(), b.Label(), v)
				}
				continue
			}
			byView[v] = a
		}
		if len(byView) < 6 {
			t.Errorf("only %d views for %d callers: the test compares too little", len(byView), len(callers))
		}
	})
}

func TestViewChangesWithEveryChange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		view := func() string {
			v, err := e.svc.View(ctx, frPOC)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		var p directory.POC
		since := e.clock.Now().AddDate(0, -1, 0)
		changes := []struct {
			name string
			do   func() error
		}{
			{"nominate", func() (err error) { p, err = e.svc.Nominate(ctx, frAdmin, "FR", valid()); return err }},
			{"edit", func() error {
				in := valid()
				in.FunctionTitle = "Head of the CERT"
				_, err := e.svc.Edit(ctx, frAdmin, p.ID, 0, in)
				return err
			}},
			{"confirm", func() error { _, err := e.svc.Confirm(ctx, frAdmin, p.ID); return err }},
			{"retire", func() error { _, err := e.svc.Retire(ctx, frAdmin, p.ID); return err }},
			{"reinstate", func() error { _, err := e.svc.Reinstate(ctx, frAdmin, p.ID); return err }},
			{"participation", func() error { return e.svc.SetParticipation(ctx, sec, "NZ", &since) }},
			{"names of the States", func() error { return e.svc.SyncStates(ctx) }},
			{"a minute passes", func() error { e.clock.Advance(time.Minute); return nil }},
		}
		before := view()
		for _, c := range changes {
			if err := c.do(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			after := view()
			if after == before {
				t.Errorf("%s left the view at %q: pages rendered before it would still be served", c.name, after)
			}
			before = after
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
