package directory_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// walk follows next cursors from the first page to the last and returns
// the ids in the order seen.
func walk(t *testing.T, e env, a actor.Actor, f directory.Filter, limit int) []string {
	t.Helper()
	var ids []string
	req := page.Request{Limit: limit}
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("paging does not end")
		}
		p, err := e.svc.POCPage(context.Background(), a, f, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(p.Items), limit)
		}
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		if p.Next == "" {
			return ids
		}
		after, err := page.Decode(p.Next)
		if err != nil {
			t.Fatal(err)
		}
		req = page.Request{Limit: limit, After: after}
	}
}

func ids(ps []directory.POC) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func nominateAs(t *testing.T, e env, a actor.Actor, level directory.Level, title, org, person string) directory.POC {
	t.Helper()
	in := valid()
	in.Level, in.FunctionTitle, in.Organisation, in.PersonName = level, title, org, person
	p, err := e.svc.Nominate(context.Background(), a, a.State, in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPOCPageWalksEveryEntryOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Several entries per State and level, so pages split inside a
		// State and inside a level.
		for i := 0; i < 3; i++ {
			for _, a := range []actor.Actor{frAdmin, keAdmin, nzAdmin} {
				for _, lv := range directory.Levels {
					nominateAs(t, e, a, lv, fmt.Sprintf("%s %s %d", a.State, lv, i), "Org", "")
				}
			}
		}
		for _, tc := range []struct {
			name string
			a    actor.Actor
			f    directory.Filter
		}{
			{"secretariat, everything", sec, directory.Filter{}},
			{"FR POC, participants", frPOC, directory.Filter{}},
			{"NZ POC, itself only", nzPOC, directory.Filter{}},
			{"technical only", sec, directory.Filter{Level: directory.Technical}},
			{"search", kePOC, directory.Filter{Query: "policy"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				all, err := e.svc.POCs(context.Background(), tc.a, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if len(all) < 3 {
					t.Fatalf("only %d entries to page through", len(all))
				}
				got := walk(t, e, tc.a, tc.f, 2)
				if !slices.Equal(got, ids(all)) {
					t.Fatalf("pages gave %d entries %v,\nthe full list %d %v", len(got), got, len(all), ids(all))
				}
			})
		}
	})
}

func TestPOCPageSearchAndFilters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		anssi := nominateAs(t, e, frAdmin, directory.Technical, "Head of CERT-FR", "ANSSI", "Camille Martin")
		mfa := nominateAs(t, e, frAdmin, directory.Diplomatic, "Cyber ambassador", "Ministère de l'Europe", "")
		kecirt := nominateAs(t, e, keAdmin, directory.Technical, "Duty officer", "KE-CIRT/CC", "Wanjiru Kamau")
		percent := nominateAs(t, e, keAdmin, directory.Policy, "100% on call", "ICT Authority", "")
		nz := nominateAs(t, e, nzAdmin, directory.Technical, "Duty officer", "CERT NZ", "")
		stale := nominateAs(t, e, keAdmin, directory.Policy, "Policy lead", "Ministry of ICT", "")
		e.clock.Advance(400 * 24 * time.Hour)
		if _, err := e.svc.Confirm(ctx, frAdmin, anssi.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Confirm(ctx, keAdmin, kecirt.ID); err != nil {
			t.Fatal(err)
		}
		yes, no := true, false
		for _, tc := range []struct {
			name      string
			a         actor.Actor
			f         directory.Filter
			want, not []string
		}{
			{"State name", frPOC, directory.Filter{Query: "kenya"}, []string{kecirt.ID, percent.ID, stale.ID}, []string{anssi.ID}},
			{"State code", frPOC, directory.Filter{Query: "ke"}, []string{kecirt.ID}, []string{anssi.ID, mfa.ID}},
			{"alpha-3 code", frPOC, directory.Filter{Query: "FRA"}, []string{anssi.ID, mfa.ID}, []string{kecirt.ID}},
			{"organisation, any case", kePOC, directory.Filter{Query: "anssi"}, []string{anssi.ID}, []string{mfa.ID, kecirt.ID}},
			{"person", kePOC, directory.Filter{Query: "Kamau"}, []string{kecirt.ID}, []string{anssi.ID}},
			{"function", kePOC, directory.Filter{Query: "ambassador"}, []string{mfa.ID}, []string{anssi.ID}},
			{"every word must match", kePOC, directory.Filter{Query: "duty kenya"}, []string{kecirt.ID}, []string{anssi.ID, nz.ID}},
			{"a wildcard is a character", kePOC, directory.Filter{Query: "100%"}, []string{percent.ID}, []string{anssi.ID, kecirt.ID}},
			{"an underscore is a character", kePOC, directory.Filter{Query: "_"}, nil, []string{anssi.ID, kecirt.ID, percent.ID}},
			{"search stays within what one sees", kePOC, directory.Filter{Query: "cert nz"}, nil, []string{nz.ID}},
			{"secretariat searches everyone", sec, directory.Filter{Query: "cert nz"}, []string{nz.ID}, []string{kecirt.ID}},
			{"level", kePOC, directory.Filter{Level: directory.Policy}, []string{percent.ID, stale.ID}, []string{anssi.ID, mfa.ID}},
			{"regional group", kePOC, directory.Filter{Region: "African"}, []string{kecirt.ID}, []string{anssi.ID}},
			{"State", sec, directory.Filter{State: "fr"}, []string{anssi.ID, mfa.ID}, []string{kecirt.ID, nz.ID}},
			{"stale", kePOC, directory.Filter{Stale: &yes}, []string{mfa.ID, stale.ID}, []string{anssi.ID, kecirt.ID}},
			{"confirmed within the period", kePOC, directory.Filter{Stale: &no}, []string{anssi.ID, kecirt.ID}, []string{mfa.ID, stale.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := e.svc.POCPage(ctx, tc.a, tc.f, page.First())
				if err != nil {
					t.Fatal(err)
				}
				got := ids(p.Items)
				for _, id := range tc.want {
					if !slices.Contains(got, id) {
						t.Errorf("lacks %s", id)
					}
				}
				for _, id := range tc.not {
					if slices.Contains(got, id) {
						t.Errorf("lists %s, which it must not", id)
					}
				}
			})
		}
	})
}

func TestPOCPageRefusesBadInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, tc := range []struct {
			name  string
			f     directory.Filter
			after []string
			field string
		}{
			{"unknown level", directory.Filter{Level: "military"}, nil, "level"},
			{"unknown region", directory.Filter{Region: "Atlantis"}, nil, "region"},
			{"malformed State", directory.Filter{State: "FRA"}, nil, "state"},
			{"NUL in the search", directory.Filter{Query: "a\x00b"}, nil, "q"},
			{"invalid UTF-8 in the search", directory.Filter{Query: "a\xffb"}, nil, "q"},
			{"hidden character in the search", directory.Filter{Query: "cert\u202e"}, nil, "q"},
			{"search too long", directory.Filter{Query: string(make([]byte, 101))}, nil, "q"},
			{"cursor of another list", directory.Filter{}, []string{"x"}, "cursor"},
			{"cursor with a bad level", directory.Filter{}, []string{"France", "9", "0190a0b0-0000-7000-8000-000000000000"}, "cursor"},
			{"cursor with a huge level", directory.Filter{}, []string{"France", "99999999999999999999999", "0190a0b0-0000-7000-8000-000000000000"}, "cursor"},
			{"cursor with a bad id", directory.Filter{}, []string{"France", "1", "not-an-id"}, "cursor"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.POCPage(context.Background(), frPOC, tc.f, page.Request{Limit: 10, After: tc.after})
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("err = %v, want invalid", err)
				}
				if _, ok := errs.FieldsOf(err)[tc.field]; !ok {
					t.Fatalf("fields %v, want %q", errs.FieldsOf(err), tc.field)
				}
			})
		}
	})
}

func TestStatePage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		all, err := e.svc.States(ctx, sec)
		if err != nil {
			t.Fatal(err)
		}
		var walked []string
		req := page.Request{Limit: 2}
		for {
			p, err := e.svc.StatePage(ctx, sec, directory.StateFilter{}, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range p.Items {
				walked = append(walked, st.Code)
			}
			if p.Next == "" {
				break
			}
			req.After, _ = page.Decode(p.Next)
		}
		var want []string
		for _, st := range all {
			want = append(want, st.Code)
		}
		if !slices.Equal(walked, want) {
			t.Fatalf("walked %d States, want %d", len(walked), len(want))
		}
		yes, no := true, false
		codes := func(a actor.Actor, f directory.StateFilter) []string {
			t.Helper()
			p, err := e.svc.StatePage(ctx, a, f, page.Request{Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, st := range p.Items {
				out = append(out, st.Code)
			}
			return out
		}
		if got := codes(sec, directory.StateFilter{Participating: &yes}); !slices.Equal(got, []string{"FR", "KE"}) {
			t.Errorf("participating: %v", got)
		}
		if got := codes(sec, directory.StateFilter{Participating: &no, Query: "zeal"}); !slices.Equal(got, []string{"NZ"}) {
			t.Errorf("not participating, zeal: %v", got)
		}
		if got := codes(sec, directory.StateFilter{Query: "KEN"}); !slices.Equal(got, []string{"KE"}) {
			t.Errorf("alpha-3: %v", got)
		}
		if got := codes(actor.Anonymous, directory.StateFilter{Region: "African", Query: "ken"}); !slices.Equal(got, []string{"KE"}) {
			t.Errorf("public search: %v", got)
		}
		_, err = e.svc.StatePage(ctx, actor.Anonymous, directory.StateFilter{Participating: &yes}, page.First())
		if _, ok := errs.FieldsOf(err)["participating"]; !ok {
			t.Errorf("the public filtered on participation: %v", err)
		}
		_, err = e.svc.StatePage(ctx, sec, directory.StateFilter{}, page.Request{Limit: 5, After: []string{"France"}})
		if _, ok := errs.FieldsOf(err)["cursor"]; !ok {
			t.Errorf("damaged cursor: %v", err)
		}
	})
}

// TestPOCPageCostDoesNotGrow counts the statements one page sends: the
// same with six entries as with sixty, whatever page is read.
func TestPOCPageCostDoesNotGrow(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db, counter := storetest.OpenCounting(t, engine)
			c := clock.NewFixed(clockStart)
			svc := directory.New(db, audit.New(db, c), c, directory.DefaultConfig(), access.NewSystem(access.New(db, audit.New(db, c), c, access.DefaultConfig())))
			e := env{db: db, svc: svc, clock: c}
			setUp(t, e)
			measure := func() int64 {
				first, err := svc.POCPage(context.Background(), frPOC, directory.Filter{Query: "duty"}, page.Request{Limit: 5})
				if err != nil {
					t.Fatal(err)
				}
				after, _ := page.Decode(first.Next)
				counter.Store(0)
				if _, err := svc.POCPage(context.Background(), frPOC, directory.Filter{Query: "duty"}, page.Request{Limit: 5, After: after}); err != nil {
					t.Fatal(err)
				}
				return counter.Load()
			}
			add := func(n int) {
				for i := 0; i < n; i++ {
					nominateAs(t, e, []actor.Actor{frAdmin, keAdmin}[i%2], directory.Technical, fmt.Sprintf("Duty %d", i), "CERT", "")
				}
			}
			add(12)
			small := measure()
			add(60)
			large := measure()
			t.Logf("statements: %d, %d", small, large)
			if small == 0 || small != large {
				t.Fatalf("a page took %d statements with 12 entries, %d with 72", small, large)
			}
		})
	}
}

var clockStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// setUp is newEnv's preparation for a database opened by hand.
func setUp(t *testing.T, e env) {
	t.Helper()
	ctx := context.Background()
	if err := e.svc.SyncStates(ctx); err != nil {
		t.Fatal(err)
	}
	since := e.clock.Now().AddDate(-1, 0, 0)
	for _, code := range []string{"FR", "KE"} {
		if err := e.svc.SetParticipation(ctx, sec, code, &since); err != nil {
			t.Fatal(err)
		}
	}
}
