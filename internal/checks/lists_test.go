package checks_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func TestChecksPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		var want []string // newest first
		for i := range 5 {
			in := african(w)
			in.Name, in.OpensAt = fmt.Sprintf("Check %d", i), w.clock.Now().Add(time.Duration(i)*24*time.Hour)
			c, err := w.app.Checks.Create(ctx, w.who["sec"], in)
			if err != nil {
				t.Fatal(err)
			}
			want = append([]string{c.ID}, want...)
		}
		var got []string
		req := page.Request{Limit: 2}
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("paging does not end")
			}
			p, err := w.app.Checks.ChecksPage(ctx, w.who["sec"], req)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range p.Items {
				got = append(got, c.ID)
			}
			if p.Next == "" {
				break
			}
			if req.After, err = page.Decode(p.Next); err != nil {
				t.Fatal(err)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("pages gave %v, want %v", got, want)
		}
		// Scheduled checks have no challenges yet: no State sees them.
		if p, err := w.app.Checks.ChecksPage(ctx, w.who["keadmin"], page.First()); err != nil || len(p.Items) != 0 {
			t.Fatalf("KE's page: %+v %v", p, err)
		}
		for _, bad := range [][]string{{"x"}, {"not a time", want[0]}, {time.Now().Format(time.RFC3339Nano), "not-an-id"}} {
			if _, err := w.app.Checks.ChecksPage(ctx, w.who["sec"], page.Request{Limit: 2, After: bad}); errs.FieldsOf(err)["cursor"] == "" {
				t.Errorf("cursor %q: %v", bad, err)
			}
		}
	})
}

func TestFollowUpPagesAndFilters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		for i := range 5 {
			if _, err := w.app.Directory.Nominate(ctx, w.who["fradmin"], "FR", directory.POCInput{Level: directory.Technical,
				FunctionTitle: fmt.Sprintf("Duty officer %d", i), Organisation: "ANSSI", Emails: []string{fmt.Sprintf("duty%d@fr.test.invalid", i)},
				Phones: []string{"+33 1 00 00 00 00"}, Languages: []string{"fr"}, TimeZone: "Europe/Paris", Availability: directory.Always}); err != nil {
				t.Fatal(err)
			}
		}
		w.smtp.Reject("duty0@fr.test.invalid")
		c, err := w.app.Checks.Create(ctx, w.who["sec"], checks.Input{Name: "Check", ScopeKind: checks.ScopeStates, Scope: []string{"FR", "KE", "NG"},
			Levels: []string{"technical"}, WindowHours: 2})
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		list := func(who string, f checks.FollowUpFilter, limit int) ([]string, error) {
			var out []string
			req := page.Request{Limit: limit}
			for {
				p, err := w.app.Checks.FollowUp(ctx, w.who[who], c.ID, f, req)
				if err != nil {
					return out, err
				}
				if len(p.Items) > limit {
					t.Fatalf("a page of %d rows, limit %d", len(p.Items), limit)
				}
				for _, ch := range p.Items {
					out = append(out, ch.State)
				}
				if p.Next == "" {
					return out, nil
				}
				req.After, _ = page.Decode(p.Next)
			}
		}
		// While open, only bounced mail is listed: FR's duty0 and NG's POC.
		if got, err := list("sec", checks.FollowUpFilter{}, 50); err != nil || fmt.Sprint(got) != "[FR NG]" {
			t.Fatalf("open check's follow-up: %v %v", got, err)
		}
		if got, _ := list("sec", checks.FollowUpFilter{Status: checks.NoAnswer}, 50); len(got) != 0 {
			t.Fatalf("no-answer before the close: %v", got)
		}
		if _, err := w.app.Checks.AcknowledgeToken(ctx, w.tokens(t)["tech@ke.test.invalid"], "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(3 * time.Hour)
		w.drain(t)

		tests := []struct {
			name   string
			who    string
			filter checks.FollowUpFilter
			limit  int
			want   string
		}{
			// France (6 technical POCs, none answered), then Nigeria: by name.
			{"all, pages of 4", "sec", checks.FollowUpFilter{}, 4, "[FR FR FR FR FR FR NG]"},
			{"all, pages of 1", "sec", checks.FollowUpFilter{}, 1, "[FR FR FR FR FR FR NG]"},
			{"bounced", "sec", checks.FollowUpFilter{Status: checks.Bounced}, 50, "[FR NG]"},
			{"no answer", "sec", checks.FollowUpFilter{Status: checks.NoAnswer}, 2, "[FR FR FR FR FR]"},
			{"one State, lower case", "sec", checks.FollowUpFilter{State: "ng"}, 50, "[NG]"},
			{"another level", "sec", checks.FollowUpFilter{Level: "diplomatic"}, 50, "[]"},
			{"France's own", "fradmin", checks.FollowUpFilter{}, 50, "[FR FR FR FR FR FR]"},
			{"Kenya answered", "keadmin", checks.FollowUpFilter{}, 50, "[]"},
			{"Kenya asking for France's", "keadmin", checks.FollowUpFilter{State: "FR"}, 50, "[]"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := list(tc.who, tc.filter, tc.limit)
				if err != nil || fmt.Sprint(got) != tc.want {
					t.Fatalf("got %v %v, want %s", got, err, tc.want)
				}
			})
		}
		if _, err := w.app.Checks.FollowUp(ctx, w.who["sec"], c.ID, checks.FollowUpFilter{State: "France", Level: "military", Status: "late"}, page.First()); len(errs.FieldsOf(err)) != 3 {
			t.Fatalf("bad filters: %v", err)
		}
		if _, err := w.app.Checks.FollowUp(ctx, w.who["sec"], c.ID, checks.FollowUpFilter{}, page.Request{Limit: 2, After: []string{"France", "x", "y"}}); errs.FieldsOf(err)["cursor"] == "" {
			t.Fatalf("damaged cursor: %v", err)
		}
		if _, err := w.app.Checks.FollowUp(ctx, w.who["frpoc"], "01900000-0000-7000-8000-000000000000", checks.FollowUpFilter{}, page.First()); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown check: %v", err)
		}
	})
}

// TestReportAndFollowUpCostTheSame holds the shape of a check's report
// and follow-up list: the statements they run do not grow with the
// States, points of contact and challenges of the check, nor with the
// rows a page shows.
func TestReportAndFollowUpCostTheSame(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		statements := storetest.CountReads(t, w.app.DB, w.dsn)
		run := func(name string) checks.Check {
			c, err := w.app.Checks.Create(ctx, w.who["sec"], checks.Input{Name: name, ScopeKind: checks.ScopeAll,
				Levels: []string{"technical", "policy"}, WindowHours: 2})
			if err != nil {
				t.Fatal(err)
			}
			w.drain(t)
			w.clock.Advance(3 * time.Hour)
			w.drain(t)
			return c
		}
		cost := func(c checks.Check, limit int) (view, followUp int64) {
			statements.Store(0)
			if _, err := w.app.Checks.View(ctx, w.who["sec"], c.ID); err != nil {
				t.Fatal(err)
			}
			view = statements.Swap(0)
			p, err := w.app.Checks.FollowUp(ctx, w.who["sec"], c.ID, checks.FollowUpFilter{}, page.Request{Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != limit {
				t.Fatalf("a follow-up page of %d rows, want %d", len(p.Items), limit)
			}
			return view, statements.Load()
		}
		small := run("Small check")
		// Three more States with four POCs each at two levels.
		since := w.clock.Now().AddDate(-1, 0, 0)
		for _, st := range []string{"DE", "BR", "JP"} {
			if err := w.app.Directory.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
				t.Fatal(err)
			}
			admin, _, err := w.app.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "admin@" + st + ".test.invalid", DisplayName: st,
				Role: actor.StateAdmin, State: st, Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 4 {
				lv := []directory.Level{directory.Technical, directory.Policy}[i%2]
				if _, err := w.app.Directory.Nominate(ctx, admin.Actor(), st, directory.POCInput{Level: lv, FunctionTitle: fmt.Sprintf("Duty %d", i),
					Organisation: "CERT", Emails: []string{fmt.Sprintf("duty%d@%s.test.invalid", i, st)}, Phones: []string{"+49 30 000000"},
					Languages: []string{"en"}, TimeZone: "Europe/Berlin", Availability: directory.Always}); err != nil {
					t.Fatal(err)
				}
			}
		}
		large := run("Large check")
		v1, f1 := cost(small, 2)
		v2, f2 := cost(large, 2)
		_, f3 := cost(large, 12)
		if v1 == 0 || v1 != v2 {
			t.Errorf("the report of a check over 3 States took %d statements, over 6 States %d", v1, v2)
		}
		if f1 == 0 || f1 != f2 || f2 != f3 {
			t.Errorf("a follow-up page took %d statements (3 States, 2 rows), %d (6 States, 2 rows), %d (6 States, 12 rows)", f1, f2, f3)
		}
	})
}
