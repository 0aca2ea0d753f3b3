package profile_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/profile"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// shelf is a source that, like the real ones, answers by the viewer: the
// public sees what is public, signed-in accounts also what is shared with
// participants.
type shelf struct {
	public, participants map[string][]string // State → provisions with measures
	docs                 map[string]map[string]int
	asked                []actor.Actor
}

func (s *shelf) reading(a actor.Actor) map[string][]string {
	s.asked = append(s.asked, a)
	if !a.Authenticated() {
		return s.public
	}
	out := map[string][]string{}
	for k, v := range s.public {
		out[k] = append(out[k], v...)
	}
	for k, v := range s.participants {
		out[k] = append(out[k], v...)
	}
	return out
}

func (s *shelf) Readable(_ context.Context, a actor.Actor, state string) ([]profile.Report, error) {
	if len(s.reading(a)[state]) == 0 {
		return nil, nil
	}
	return []profile.Report{{ID: "r-" + state, Cycle: "2027"}}, nil
}

func (s *shelf) Measures(_ context.Context, a actor.Actor, state string) ([]string, error) {
	return s.reading(a)[state], nil
}

func (s *shelf) StatesWithMeasures(_ context.Context, a actor.Actor) (string, map[string]int, error) {
	n := map[string]int{}
	for _, ps := range s.reading(a) {
		for _, p := range ps {
			n[p]++
		}
	}
	return "2027", n, nil
}

func (s *shelf) Newest(_ context.Context, a actor.Actor, state string, limit int) ([]profile.Document, error) {
	var out []profile.Document
	for range min(s.PerProvisionTotal(a, state), limit) {
		out = append(out, profile.Document{ID: "d", Title: "Strategy"})
	}
	return out, nil
}

func (s *shelf) PerProvisionTotal(a actor.Actor, state string) int {
	if !a.Authenticated() {
		return 0
	}
	n := 0
	for _, v := range s.docs[state] {
		n += v
	}
	return n
}

func (s *shelf) PerProvision(_ context.Context, a actor.Actor, state string) (map[string]int, error) {
	s.asked = append(s.asked, a)
	if !a.Authenticated() {
		return nil, nil
	}
	return s.docs[state], nil
}

func newService(t *testing.T, db *store.DB, src *shelf) (*profile.Service, actor.Actor) {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFixed(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))
	log := audit.New(db, c)
	cfg := access.DefaultConfig()
	cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
	acc := access.New(db, log, c, cfg)
	dir := directory.New(db, log, c, directory.DefaultConfig(), access.NewSystem(acc))
	if err := dir.SyncStates(ctx); err != nil {
		t.Fatal(err)
	}
	since := c.Now().AddDate(-1, 0, 0)
	if err := dir.SetParticipation(ctx, actor.Operator, "FR", &since); err != nil {
		t.Fatal(err)
	}
	a, _, err := acc.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "kepoc@test.invalid", DisplayName: "KE POC", Role: actor.POC, State: "KE", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	var parts profile.Sources
	if src != nil {
		parts = profile.Sources{Reports: src, Documents: src}
	}
	return profile.New(dir, cat, parts), a.Actor()
}

func provisionIDs(ps []catalog.Provision) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// TestAProfileShowsWhatTheViewerMayRead asks for FR's profile as the public
// and as another State's POC: each sees what the sources give it, the
// provisions in the catalogue's order whatever order they came in, and
// participation only when signed in, as the directory shows it.
func TestAProfileShowsWhatTheViewerMayRead(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		src := &shelf{
			public:       map[string][]string{"FR": {"norm-j", "norm-h"}},
			participants: map[string][]string{"FR": {"cbm-1"}},
			docs:         map[string]map[string]int{"FR": {"norm-h": 2}},
		}
		svc, kepoc := newService(t, db, src)
		ctx := context.Background()
		for _, tc := range []struct {
			name          string
			viewer        actor.Actor
			measures      []string
			documents     int
			participation bool
		}{
			{"the public", actor.Anonymous, []string{"norm-h", "norm-j"}, 0, false},
			{"another State's POC", kepoc, []string{"norm-h", "norm-j", "cbm-1"}, 2, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := svc.Profile(ctx, tc.viewer, "fr")
				if err != nil {
					t.Fatal(err)
				}
				if got := provisionIDs(p.Measures); !slices.Equal(got, catalogOrder(t, tc.measures)) {
					t.Errorf("measures %v, want %v in catalogue order", got, tc.measures)
				}
				if len(p.Documents) != tc.documents {
					t.Errorf("%d documents, want %d", len(p.Documents), tc.documents)
				}
				if p.State.Participating() != tc.participation {
					t.Errorf("participation shown: %v, want %v", p.State.Participating(), tc.participation)
				}
				if p.State.Code != "FR" || len(p.Reports) != 1 {
					t.Errorf("state %q with %d reports", p.State.Code, len(p.Reports))
				}
			})
		}
		for _, a := range src.asked {
			if a.Authenticated() && a.AccountID != kepoc.AccountID {
				t.Errorf("a source was asked as %v, not as the viewer", a)
			}
		}
		if _, err := svc.Profile(ctx, actor.Anonymous, "XX"); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown State: %v, want not found", err)
		}
	})
}

// catalogOrder sorts ids as the catalogue lists them.
func catalogOrder(t *testing.T, ids []string) []string {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range cat.Provisions(catalog.Filter{}) {
		if slices.Contains(ids, p.ID) {
			out = append(out, p.ID)
		}
	}
	return out
}

// TestComparisonKeepsTheOrderAskedAndTheCatalogues sets States side by
// side: columns stay in the order asked (never by how much each reported),
// rows follow the catalogue, and rows with nothing in any cell are left out.
func TestComparisonKeepsTheOrderAskedAndTheCatalogues(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		src := &shelf{
			public: map[string][]string{"FR": {"norm-j"}, "DE": {"norm-h", "norm-j", "cbm-1", "norm-a"}},
			docs:   map[string]map[string]int{"KE": {"norm-c": 1}},
		}
		svc, kepoc := newService(t, db, src)
		c, err := svc.Compare(context.Background(), kepoc, []string{"fr", "KE", "DE", "fr"})
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for _, st := range c.States {
			cols = append(cols, st.Code)
		}
		if !slices.Equal(cols, []string{"FR", "KE", "DE"}) {
			t.Fatalf("columns %v, want FR KE DE as asked, once each", cols)
		}
		var rows []string
		cells := map[string][]profile.Cell{}
		for _, r := range c.Rows {
			rows = append(rows, r.Provision.ID)
			cells[r.Provision.ID] = r.Cells
		}
		if want := catalogOrder(t, []string{"norm-a", "norm-c", "norm-h", "norm-j", "cbm-1"}); !slices.Equal(rows, want) {
			t.Errorf("rows %v, want %v", rows, want)
		}
		if got := cells["norm-j"]; !got[0].Measures || got[1].Measures || !got[2].Measures {
			t.Errorf("norm-j cells %+v", got)
		}
		if got := cells["norm-c"]; got[1].Documents != 1 || got[0].Documents != 0 {
			t.Errorf("norm-c cells %+v", got)
		}
	})
}

func TestComparisonRefusesWhatItCannotSetSideBySide(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		svc, kepoc := newService(t, db, &shelf{})
		for _, tc := range []struct {
			name  string
			codes []string
		}{
			{"none", nil},
			{"blank", []string{" ", ""}},
			{"four", []string{"FR", "KE", "DE", "NZ"}},
			{"unknown", []string{"FR", "XX"}},
			{"not a code", []string{"FR", "F\x00R"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.Compare(context.Background(), kepoc, tc.codes)
				if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["states"] == "" {
					t.Errorf("got %v, want a field error on states", err)
				}
			})
		}
	})
}

// TestCountsArePerProvisionInCatalogueOrder checks the aggregate is a
// count per provision over what the viewer may read, listed in the
// catalogue's order whatever the counts are, so it never reads as a
// ranking.
func TestCountsArePerProvisionInCatalogueOrder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		src := &shelf{
			public:       map[string][]string{"FR": {"norm-j"}, "DE": {"norm-j"}},
			participants: map[string][]string{"KE": {"norm-j", "norm-a"}},
		}
		svc, kepoc := newService(t, db, src)
		cat, _ := catalog.New()
		all := provisionIDs(cat.Provisions(catalog.Filter{}))
		for _, tc := range []struct {
			name         string
			viewer       actor.Actor
			normJ, normA int
		}{
			{"the public", actor.Anonymous, 2, 0},
			{"a POC", kepoc, 3, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tally, err := svc.Counts(context.Background(), tc.viewer)
				if err != nil || tally.Cycle != "2027" {
					t.Fatalf("cycle %q, %v", tally.Cycle, err)
				}
				cs := tally.Counts
				var ids []string
				n := map[string]int{}
				for _, c := range cs {
					ids = append(ids, c.Provision.ID)
					n[c.Provision.ID] = c.States
				}
				if !slices.Equal(ids, all) {
					t.Errorf("counts are not one per provision in catalogue order")
				}
				if n["norm-j"] != tc.normJ || n["norm-a"] != tc.normA {
					t.Errorf("norm-j %d, norm-a %d; want %d, %d", n["norm-j"], n["norm-a"], tc.normJ, tc.normA)
				}
			})
		}
	})
}

// TestMissingSourcesLeaveTheirPartsOut: an installation without the survey
// or the library still shows a State's page and counts of zero.
func TestMissingSourcesLeaveTheirPartsOut(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		svc, kepoc := newService(t, db, nil)
		p, err := svc.Profile(context.Background(), kepoc, "FR")
		if err != nil || len(p.Reports)+len(p.Documents)+len(p.Measures)+len(p.Partnerships) != 0 {
			t.Fatalf("profile %+v, %v", p, err)
		}
		tally, err := svc.Counts(context.Background(), kepoc)
		if err != nil || tally.Cycle != "" || len(tally.Counts) == 0 || tally.Counts[0].States != 0 {
			t.Fatalf("counts %+v, %v", tally, err)
		}
	})
}
