package survey_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/survey"
)

// env: FR, KE and DE participate, NZ does not. Each has the accounts its
// key names; sec is the secretariat and anon the public.
type env struct {
	db    *store.DB
	svc   *survey.Service
	clock *clock.Fixed
	who   map[string]actor.Actor
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFixed(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
	log := audit.New(db, c)
	cfg := access.DefaultConfig()
	cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
	acc := access.New(db, log, c, cfg)
	dir := directory.New(db, log, c, directory.DefaultConfig(), access.NewSystem(acc))
	if err := dir.SyncStates(ctx); err != nil {
		t.Fatal(err)
	}
	since := c.Now().AddDate(-1, 0, 0)
	for _, st := range []string{"FR", "KE", "DE"} {
		if err := dir.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{db: db, clock: c, who: map[string]actor.Actor{"anon": actor.Anonymous}}
	for _, x := range []struct {
		key   string
		role  actor.Role
		state string
	}{
		{"sec", actor.Secretariat, ""}, {"keadmin", actor.StateAdmin, "KE"}, {"kepoc", actor.POC, "KE"}, {"keviewer", actor.Viewer, "KE"},
		{"frpoc", actor.POC, "FR"}, {"nzadmin", actor.StateAdmin, "NZ"},
	} {
		a, _, err := acc.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.key + "@test.invalid", DisplayName: x.key, Role: x.role, State: x.state, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		e.who[x.key] = a.Actor()
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	e.svc = survey.New(db, log, c, cat, directory.NewSystem(dir))
	return e
}

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func (e *env) cycle(t *testing.T, name string, opens, deadline *time.Time) survey.Cycle {
	t.Helper()
	c, err := e.svc.OpenCycle(context.Background(), e.who["sec"], survey.CycleInput{Name: name, Opens: opens, Deadline: deadline})
	if err != nil {
		t.Fatalf("open cycle %s: %v", name, err)
	}
	return c
}

func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if !errs.Is(err, code) {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

// TestTwoCyclesOfAReport is the national survey end to end: KE drafts,
// two of its people edit, submits, publishes for participants; FR reads
// it, the public and a non-participating State do not; published for the
// public it counts on profiles; the next cycle starts from its answers
// and the changes since are listed.
func TestTwoCyclesOfAReport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c1 := e.cycle(t, "2027", date(2027, 3, 1), date(2027, 6, 30))

		r, err := e.svc.Start(ctx, e.who["keadmin"], c1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Start(ctx, e.who["kepoc"], c1.ID); !errs.Is(err, errs.Conflict) {
			t.Errorf("a second report in one cycle: %v", err)
		}
		r, err = e.svc.Save(ctx, e.who["keadmin"], r.ID, r.Version, survey.PartNorms, []survey.Answer{
			{Subject: survey.Subject{Provision: "norm-h"}, Taken: survey.Yes, Actors: []survey.Actor{survey.PrivateSector, survey.Government},
				Measures: "A national CERT answers requests from other States.", Gaps: "Forensics training."},
			{Subject: survey.Subject{Provision: "norm-a"}}, // empty: no answer
		})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		// Another person of KE edits another part, from the version they read.
		r, err = e.svc.Save(ctx, e.who["kepoc"], r.ID, r.Version, survey.PartCBMs, []survey.Answer{
			{Subject: survey.Subject{Provision: "cbm-1", Item: "a"}, Taken: survey.Partly, Examples: "POCs nominated."},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Save(ctx, e.who["keadmin"], r.ID, r.Version-1, survey.PartLaw, nil); !errs.Is(err, errs.Conflict) {
			t.Errorf("a save from a stale version: %v", err)
		}
		if len(r.Answers) != 2 || r.Answers[0].Key() != "norm-h" || r.Answers[1].Key() != "cbm-1.a" || r.Version != 3 {
			t.Fatalf("answers after two saves: %+v v%d", r.Answers, r.Version)
		}
		if got := r.Answers[0].Actors; !slices.Equal(got, []survey.Actor{survey.Government, survey.PrivateSector}) {
			t.Errorf("actors in list order: %v", got)
		}
		_, h, err := e.svc.History(ctx, e.who["keviewer"], r.ID)
		if err != nil || len(h) != 3 || h[0].By != "kepoc@test.invalid" || !slices.Equal(h[0].Keys, []string{"cbm-1.a"}) ||
			h[1].By != "keadmin@test.invalid" || !slices.Equal(h[1].Keys, []string{"norm-h"}) || h[2].Action != "start" {
			t.Errorf("history: %+v %v", h, err)
		}
		if _, _, err := e.svc.History(ctx, e.who["frpoc"], r.ID); err == nil {
			t.Error("FR read KE's draft history")
		}
		// A draft is KE's alone.
		for _, who := range []string{"sec", "frpoc", "nzadmin", "anon"} {
			if _, err := e.svc.Report(ctx, e.who[who], r.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s reads KE's draft: %v", who, err)
			}
		}
		if _, err := e.svc.Save(ctx, e.who["keviewer"], r.ID, r.Version, survey.PartLaw, nil); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a viewer edits: %v", err)
		}
		if _, err := e.svc.Publish(ctx, e.who["keadmin"], r.ID, r.Version, survey.Public); !errs.Is(err, errs.Conflict) {
			t.Errorf("publishing a draft: %v", err)
		}

		r, err = e.svc.Submit(ctx, e.who["kepoc"], r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Save(ctx, e.who["keadmin"], r.ID, r.Version, survey.PartLaw, nil); !errs.Is(err, errs.Conflict) {
			t.Errorf("editing a submitted report: %v", err)
		}
		if _, err := e.svc.Report(ctx, e.who["sec"], r.ID); err != nil {
			t.Errorf("the secretariat reads a submitted report: %v", err)
		}
		if _, err := e.svc.Report(ctx, e.who["frpoc"], r.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("FR reads an unpublished report: %v", err)
		}
		r, err = e.svc.Publish(ctx, e.who["keadmin"], r.ID, r.Version, survey.Participants)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Report(ctx, e.who["frpoc"], r.ID); err != nil {
			t.Errorf("FR reads a report for participants: %v", err)
		}
		for _, who := range []string{"nzadmin", "anon"} {
			if _, err := e.svc.Report(ctx, e.who[who], r.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s reads a report for participants: %v", who, err)
			}
			if got, _ := e.svc.Published(ctx, e.who[who], "KE", 10); len(got) != 0 {
				t.Errorf("%s's profile of KE lists a report for participants", who)
			}
		}
		listed := func(who string) []string {
			p, err := e.svc.Reports(ctx, e.who[who], c1.ID, page.First())
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, x := range p.Items {
				out = append(out, x.State)
			}
			return out
		}
		if got := listed("frpoc"); !slices.Equal(got, []string{"KE"}) {
			t.Errorf("FR's list of the cycle: %v", got)
		}
		if got := listed("anon"); len(got) != 0 {
			t.Errorf("the public's list of the cycle: %v", got)
		}
		_, n, err := e.svc.Tally(ctx, e.who["frpoc"])
		if err != nil || n["norm-h"] != 1 || n["cbm-1"] != 1 || len(n) != 2 {
			t.Errorf("FR's counts: %v %v", n, err)
		}
		if _, n, _ := e.svc.Tally(ctx, e.who["anon"]); len(n) != 0 {
			t.Errorf("the public counts a report for participants: %v", n)
		}

		r, err = e.svc.Publish(ctx, e.who["keadmin"], r.ID, r.Version, survey.Public)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.Published(ctx, e.who["anon"], "KE", 10); err != nil || len(got) != 1 || got[0].ID != r.ID {
			t.Errorf("the public's profile of KE: %+v %v", got, err)
		}
		if got, _ := e.svc.Measures(ctx, e.who["anon"], "KE"); !slices.Equal(got, []string{"norm-h", "cbm-1"}) {
			t.Errorf("measures on the profile: %v", got)
		}
		if _, n, _ := e.svc.Tally(ctx, e.who["frpoc"]); n["norm-h"] != 1 {
			t.Errorf("moving to public counted the report twice or not at all: %v", n)
		}
		if _, n, _ := e.svc.Tally(ctx, e.who["anon"]); n["norm-h"] != 1 {
			t.Errorf("the public's counts: %v", n)
		}

		// The next cycle starts from the answers of this one.
		e.clock.Set(time.Date(2029, 3, 2, 9, 0, 0, 0, time.UTC))
		c2 := e.cycle(t, "2029", date(2029, 3, 1), date(2029, 6, 30))
		r2, err := e.svc.Start(ctx, e.who["kepoc"], c2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r2.Previous != r.ID || len(r2.Answers) != 2 || r2.Answers[0].Measures != r.Answers[0].Measures {
			t.Fatalf("carried over: %+v", r2)
		}
		r2, err = e.svc.Save(ctx, e.who["keadmin"], r2.ID, r2.Version, survey.PartNorms, []survey.Answer{
			{Subject: survey.Subject{Provision: "norm-h"}, Taken: survey.Yes, Actors: []survey.Actor{survey.Government, survey.PrivateSector},
				Measures: "A national CERT answers requests from other States.", Gaps: ""},
		})
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.svc.Changes(ctx, e.who["keviewer"], r2.ID)
		if err != nil || d.Previous == nil {
			t.Fatalf("changes: %+v %v", d, err)
		}
		if len(d.Changes) != 1 || d.Changes[0].Key() != "norm-h" || d.Changes[0].Field != survey.FieldGaps ||
			d.Changes[0].Before != "Forensics training." || d.Changes[0].After != "" {
			t.Errorf("changes: %+v", d.Changes)
		}
		// The new cycle's draft is KE's; its old published report still shows.
		if got, _ := e.svc.Published(ctx, e.who["anon"], "KE", 10); len(got) != 1 || got[0].ID != r.ID {
			t.Errorf("profile during the next cycle: %+v", got)
		}
	})
}

// TestDeadline: past the last day of a cycle, a report is not submitted.
func TestDeadline(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := e.cycle(t, "2027", date(2027, 1, 1), date(2027, 3, 1))
		r, err := e.svc.Start(ctx, e.who["keadmin"], c.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2027, 3, 1, 23, 59, 0, 0, time.UTC))
		if err := e.svc.CanSubmit(e.who["keadmin"], r); err != nil {
			t.Errorf("on the last day: %v", err)
		}
		e.clock.Set(time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC))
		_, err = e.svc.Submit(ctx, e.who["keadmin"], r.ID, r.Version)
		wantCode(t, "submitting after the deadline", err, errs.Conflict)
		if !strings.Contains(errs.MessageOf(err), "deadline") {
			t.Errorf("the refusal does not say why: %v", err)
		}
		future := e.cycle(t, "2030", date(2030, 1, 1), date(2030, 3, 1))
		_, err = e.svc.Start(ctx, e.who["keadmin"], future.ID)
		wantCode(t, "starting before the cycle opens", err, errs.Conflict)
	})
}

// TestBadInput: the secretariat alone opens cycles; odd names, dates and
// answers are field errors, and write nothing.
func TestBadInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		_, err := e.svc.OpenCycle(ctx, e.who["keadmin"], survey.CycleInput{Name: "2027", Opens: date(2027, 1, 1), Deadline: date(2027, 2, 1)})
		wantCode(t, "a State opens a cycle", err, errs.Forbidden)
		for _, in := range []survey.CycleInput{
			{Name: "", Opens: date(2027, 1, 1), Deadline: date(2027, 2, 1)},
			{Name: "20\x0027", Opens: date(2027, 1, 1), Deadline: date(2027, 2, 1)},
			{Name: "20\xff27", Opens: date(2027, 1, 1), Deadline: date(2027, 2, 1)},
			{Name: "20\u202e27", Opens: date(2027, 1, 1), Deadline: date(2027, 2, 1)},
			{Name: strings.Repeat("9", 1000), Opens: date(2027, 1, 1), Deadline: date(2027, 2, 1)},
			{Name: "2027", Opens: date(2027, 3, 1), Deadline: date(2027, 2, 1)},
			{Name: "2027", Opens: date(9999, 1, 1), Deadline: date(9999, 2, 1)},
			{Name: "2027", Opens: date(1, 1, 1), Deadline: date(2027, 2, 1)},
			{Name: "2027"},
		} {
			_, err := e.svc.OpenCycle(ctx, e.who["sec"], in)
			if !errs.Is(err, errs.Invalid) || len(errs.FieldsOf(err)) == 0 {
				t.Errorf("cycle %q: %v", in.Name, err)
			}
		}
		c := e.cycle(t, "2027", date(2027, 1, 1), date(2027, 12, 31))
		_, err = e.svc.OpenCycle(ctx, e.who["sec"], survey.CycleInput{Name: "2027", Opens: date(2027, 1, 1), Deadline: date(2027, 2, 1)})
		if errs.FieldsOf(err)["name"] == "" {
			t.Errorf("a second cycle of one name: %v", err)
		}
		_, err = e.svc.Start(ctx, e.who["keviewer"], c.ID)
		wantCode(t, "a viewer starts a report", err, errs.Forbidden)
		r, err := e.svc.Start(ctx, e.who["keadmin"], c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []survey.Answer{
			{Subject: survey.Subject{Provision: "norm-h"}, Measures: "a\x00b"},
			{Subject: survey.Subject{Provision: "norm-h"}, Examples: "\xff\xfe"},
			{Subject: survey.Subject{Provision: "norm-h"}, Challenges: strings.Repeat("x", 5001)},
			{Subject: survey.Subject{Provision: "norm-h"}, Taken: "maybe"},
			{Subject: survey.Subject{Provision: "norm-h"}, Actors: []survey.Actor{"aliens"}},
			{Subject: survey.Subject{Provision: "norm-z"}, Taken: survey.Yes},
			{Subject: survey.Subject{Provision: "cbm-1", Item: "a"}, Taken: survey.Yes}, // of another part
			{Subject: survey.Subject{Provision: "norm-h\x00"}, Taken: survey.Yes},
		} {
			_, err := e.svc.Save(ctx, e.who["keadmin"], r.ID, r.Version, survey.PartNorms, []survey.Answer{a})
			if !errs.Is(err, errs.Invalid) || len(errs.FieldsOf(err)) == 0 {
				t.Errorf("answer %+v: %v", a, err)
			}
		}
		if _, err := e.svc.Save(ctx, e.who["keadmin"], r.ID, r.Version, "everything", nil); !errs.Is(err, errs.Invalid) {
			t.Errorf("an unknown part: %v", err)
		}
		got, err := e.svc.Report(ctx, e.who["keadmin"], r.ID)
		if err != nil || got.Version != 1 || len(got.Answers) != 0 {
			t.Errorf("bad input wrote something: %+v %v", got, err)
		}
		if _, err := e.svc.Publish(ctx, e.who["keadmin"], r.ID, r.Version, "everyone"); err == nil {
			t.Error("an unknown visibility was taken")
		}
		for _, id := range []string{"", "not-a-uuid", "\x00", strings.Repeat("9", 5000)} {
			if _, err := e.svc.Report(ctx, e.who["sec"], id); !errs.Is(err, errs.NotFound) {
				t.Errorf("report %q: %v", id, err)
			}
			if _, err := e.svc.Cycle(ctx, e.who["sec"], id); !errs.Is(err, errs.NotFound) {
				t.Errorf("cycle %q: %v", id, err)
			}
		}
		if _, err := e.svc.Reports(ctx, e.who["sec"], c.ID, page.Request{Limit: 10, After: []string{"x"}}); !errs.Is(err, errs.Invalid) {
			t.Errorf("damaged cursor: %v", err)
		}
	})
}

// TestReportsPageStatements holds the cost of a page of a cycle's reports
// fixed: as many statements for 5 reports as for 30.
func TestReportsPageStatements(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			if engine == store.Postgres {
				storetest.RequirePostgres(t)
			}
			db, n := storetest.OpenCounting(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			c := e.cycle(t, "2027", date(2027, 1, 1), date(2027, 12, 31))
			codes := []string{"AR", "AU", "BR", "CA", "CL", "CN", "CO", "EG", "ES", "GH", "ID", "IN", "IT", "JP", "KR", "MA", "MX", "NG", "NL", "NO",
				"PE", "PH", "PL", "PT", "SE", "SG", "SN", "TH", "TR", "ZA"}
			publish := func(code string) {
				a := actor.Actor{AccountID: "acct-" + code, Role: actor.StateAdmin, State: code}
				r, err := e.svc.Start(ctx, a, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if r, err = e.svc.Submit(ctx, a, r.ID, r.Version); err != nil {
					t.Fatal(err)
				}
				if _, err = e.svc.Publish(ctx, a, r.ID, r.Version, survey.Public); err != nil {
					t.Fatal(err)
				}
			}
			cost := func() int64 {
				before := n.Load()
				p, err := e.svc.Reports(ctx, e.who["frpoc"], c.ID, page.Request{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Items) == 0 {
					t.Fatal("the page is empty")
				}
				return n.Load() - before
			}
			for _, code := range codes[:5] {
				publish(code)
			}
			few := cost()
			for _, code := range codes[5:] {
				publish(code)
			}
			if many := cost(); many != few {
				t.Errorf("%d statements for 30 reports, %d for 5", many, few)
			}
		})
	}
}
