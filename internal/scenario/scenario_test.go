package scenario_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// env: FR and KE participate, NZ does not. Each has an administrator, a
// POC and (FR) a viewer; the secretariat has an account.
type env struct {
	db    *store.DB
	svc   *scenario.Service
	sys   *scenario.System
	clock *clock.Fixed
	who   map[string]actor.Actor
}

var everyone = []string{"anon", "sec", "fradmin", "frpoc", "frviewer", "keadmin", "kepoc", "nzadmin", "nzpoc"}

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
	for _, st := range []string{"FR", "KE"} {
		if err := dir.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	mcfg := messaging.DefaultConfig()
	mcfg.Attachments = messaging.AttachmentLimits{MaxFileBytes: 1000, MaxTotalBytes: 1500, MaxCount: 3}
	msg, _ := messaging.New(db, log, c, cat, mcfg, directory.NewSystem(dir), access.NewSystem(acc), nil)
	if err := msg.SyncTemplates(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, clock: c, who: map[string]actor.Actor{"anon": actor.Anonymous}}
	e.svc = scenario.New(db, log, c, cat, directory.NewSystem(dir), msg)
	e.sys = scenario.NewSystem(e.svc)
	for _, x := range []struct {
		key   string
		role  actor.Role
		state string
	}{
		{"sec", actor.Secretariat, ""}, {"fradmin", actor.StateAdmin, "FR"}, {"frpoc", actor.POC, "FR"}, {"frviewer", actor.Viewer, "FR"},
		{"keadmin", actor.StateAdmin, "KE"}, {"kepoc", actor.POC, "KE"}, {"nzadmin", actor.StateAdmin, "NZ"}, {"nzpoc", actor.POC, "NZ"},
	} {
		a, _, err := acc.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.key + "@test.invalid", DisplayName: x.key, Role: x.role, State: x.state, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		e.who[x.key] = a.Actor()
	}
	return e
}

// good is a small valid scenario: a communication expecting an
// acknowledgement and an answer with fields, and a prompt expecting an
// escalation.
func good(title string) scenario.Input {
	return scenario.Input{Language: "en", Title: title, Summary: "Short.", Narrative: "It begins.", Duration: 3 * time.Hour,
		Objectives: []scenario.Objective{{Text: "Ask for help.", Provisions: []string{"norm-h", "cbm-1"}}},
		Roles:      []scenario.Role{{Key: "A", Name: "Affected State"}, {Key: "B", Name: "State asked"}},
		Injects: []scenario.Inject{
			{Key: "later", Offset: time.Hour, Kind: scenario.Prompt, Title: "Servers found", ToRoles: []string{"A"}, Prompt: "They are in B.",
				Expected: []scenario.Expectation{{Key: "up", Action: scenario.Escalate, Within: 30 * time.Minute}}},
			{Key: "first", Offset: 0, Kind: scenario.Communication, Title: "Notice", FromSimulated: "CERT of C", ToRoles: []string{"A", "B"},
				ToLevel: scenario.Technical, Type: messaging.InformationRequest, Urgency: messaging.Urgent, TLP: "amber", Subject: "Seen this?",
				Body: "Please tell us.", Fields: map[string]string{"question": "Indicators?"},
				Attachments: []scenario.Attachment{{Name: "iocs.txt", MediaType: "text/plain", Content: []byte("198.51.100.1\n")}},
				Expected: []scenario.Expectation{{Key: "ack", Action: scenario.Acknowledge, Within: 30 * time.Minute},
					{Key: "ans", Action: scenario.ReplyWithFields, Within: time.Hour, Fields: []string{"indicators"}}}},
		}}
}

func TestWritingAndReadingVersions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		fr := e.who["fradmin"]
		sc, err := e.svc.Create(ctx, fr, good("FR drill"))
		if err != nil {
			t.Fatal(err)
		}
		if sc.Version != 1 || sc.OwnerState != "FR" || sc.Shipped || sc.Shared || sc.SavedBy != fr.AccountID || sc.SavedName != fr.Email {
			t.Fatalf("created %+v", sc)
		}
		// Injects come back in order of offset; the expectation's level
		// defaults to diplomatic.
		if sc.Injects[0].Key != "first" || sc.Injects[1].Key != "later" || sc.Injects[1].Expected[0].Level != scenario.Diplomatic {
			t.Fatalf("injects %+v", sc.Injects)
		}
		if string(sc.Injects[0].Attachments[0].Content) != "198.51.100.1\n" || sc.Injects[0].Fields["question"] != "Indicators?" {
			t.Fatalf("communication %+v", sc.Injects[0])
		}
		e.clock.Advance(time.Minute)
		in := good("FR drill, second take")
		sc2, err := e.svc.Save(ctx, fr, sc.ID, 1, in)
		if err != nil {
			t.Fatal(err)
		}
		if sc2.Version != 2 || sc2.Title != "FR drill, second take" || !sc2.SavedAt.After(sc.SavedAt) {
			t.Fatalf("saved %+v", sc2)
		}
		// A stale version is a conflict and writes nothing.
		if _, err := e.svc.Save(ctx, fr, sc.ID, 1, good("lost")); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale save: %v", err)
		}
		v1, err := e.svc.Scenario(ctx, fr, sc.ID, 1)
		if err != nil || v1.Title != "FR drill" || v1.Version != 1 {
			t.Fatalf("version 1: %+v %v", v1, err)
		}
		newest, err := e.svc.Scenario(ctx, fr, sc.ID, 0)
		if err != nil || newest.Version != 2 || newest.Title != "FR drill, second take" {
			t.Fatalf("newest: %+v %v", newest, err)
		}
		for _, v := range []int{3, -1} {
			if _, err := e.svc.Scenario(ctx, fr, sc.ID, v); !errs.Is(err, errs.NotFound) {
				t.Errorf("version %d: %v", v, err)
			}
		}
		vs, err := e.svc.Versions(ctx, fr, sc.ID, page.Request{Limit: 1})
		if err != nil || len(vs.Items) != 1 || vs.Items[0].Version != 2 || vs.Next == "" {
			t.Fatalf("versions page 1: %+v %v", vs, err)
		}
		after, _ := page.Decode(vs.Next)
		vs, err = e.svc.Versions(ctx, fr, sc.ID, page.Request{Limit: 1, After: after})
		if err != nil || len(vs.Items) != 1 || vs.Items[0].Version != 1 || vs.Items[0].Title != "FR drill" || vs.Next != "" {
			t.Fatalf("versions page 2: %+v %v", vs, err)
		}
		var n int
		if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'scenario.%'`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("audit entries: %d %v", n, err)
		}
	})
}

// TestWhoSeesAndWrites walks every role over the secretariat's, FR's
// unshared and KE's shared scenarios.
func TestWhoSeesAndWrites(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		sec, err := e.svc.Create(ctx, e.who["sec"], good("Secretariat drill"))
		if err != nil {
			t.Fatal(err)
		}
		fr, err := e.svc.Create(ctx, e.who["fradmin"], good("FR own drill"))
		if err != nil {
			t.Fatal(err)
		}
		ke, err := e.svc.Create(ctx, e.who["keadmin"], good("KE shared drill"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Share(ctx, e.who["keadmin"], ke.ID, true); err != nil {
			t.Fatal(err)
		}
		if n, err := e.sys.InstallShipped(ctx); err != nil || n != 3 {
			t.Fatalf("installed %d: %v", n, err)
		}
		sees := map[string][]string{
			"sec":      {"Secretariat drill", "KE shared drill"},
			"fradmin":  {"Secretariat drill", "FR own drill", "KE shared drill"},
			"frpoc":    {"Secretariat drill", "FR own drill", "KE shared drill"},
			"frviewer": {"Secretariat drill", "FR own drill", "KE shared drill"},
			"keadmin":  {"Secretariat drill", "KE shared drill"},
			"kepoc":    {"Secretariat drill", "KE shared drill"},
		}
		all := map[string]string{"Secretariat drill": sec.ID, "FR own drill": fr.ID, "KE shared drill": ke.ID}
		for _, who := range everyone {
			a := e.who[who]
			res, err := e.svc.List(ctx, a, scenario.Filter{}, page.First())
			if who == "anon" {
				if !errs.Is(err, errs.Unauthenticated) {
					t.Errorf("anon lists: %v", err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s lists: %v", who, err)
			}
			var got []string
			shipped := 0
			for _, s := range res.Items {
				if s.Shipped {
					shipped++
					continue
				}
				got = append(got, s.Title)
			}
			want := sees[who]
			if want != nil && shipped != 3 {
				t.Errorf("%s sees %d shipped scenarios", who, shipped)
			}
			for title, id := range all {
				listed, allowed := slices.Contains(got, title), slices.Contains(want, title)
				if listed != allowed {
					t.Errorf("%s: %q listed %v, want %v", who, title, listed, allowed)
				}
				_, err := e.svc.Scenario(ctx, a, id, 0)
				if allowed != (err == nil) || (!allowed && !errs.Is(err, errs.NotFound)) {
					t.Errorf("%s reads %q: %v", who, title, err)
				}
			}
		}
		// Who writes: the secretariat and the administrators of
		// participating States; nobody changes another side's scenario.
		for _, who := range everyone {
			err := e.svc.CanWrite(ctx, e.who[who])
			want := who == "sec" || who == "fradmin" || who == "keadmin"
			if (err == nil) != want {
				t.Errorf("%s may write: %v", who, err)
			}
		}
		for _, x := range []struct {
			who, id string
			code    errs.Code
		}{
			{"keadmin", fr.ID, errs.NotFound}, {"sec", fr.ID, errs.NotFound}, {"fradmin", sec.ID, errs.Forbidden},
			{"fradmin", ke.ID, errs.Forbidden}, {"frpoc", fr.ID, errs.Forbidden}, {"nzadmin", fr.ID, errs.Forbidden}, {"anon", fr.ID, errs.Unauthenticated},
		} {
			if _, err := e.svc.Save(ctx, e.who[x.who], x.id, 1, good("taken over")); !errs.Is(err, x.code) {
				t.Errorf("%s saves %s: %v, want %s", x.who, x.id, err, x.code)
			}
			if _, err := e.svc.Share(ctx, e.who[x.who], x.id, true); !errs.Is(err, x.code) && !(x.who == "fradmin" && errs.Is(err, errs.Forbidden)) {
				t.Errorf("%s shares %s: %v", x.who, x.id, err)
			}
		}
		if _, err := e.svc.Share(ctx, e.who["sec"], sec.ID, true); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the secretariat shares its own: %v", err)
		}
		// Nothing of the refused saves was written.
		got, _ := e.svc.Scenario(ctx, e.who["fradmin"], fr.ID, 0)
		if got.Version != 1 || got.Title != "FR own drill" {
			t.Errorf("after refused saves: %+v", got)
		}
		// Unsharing hides KE's again; withdrawing takes FR's out of lists
		// but runs still read it.
		if _, err := e.svc.Share(ctx, e.who["keadmin"], ke.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Scenario(ctx, e.who["fradmin"], ke.ID, 0); !errs.Is(err, errs.NotFound) {
			t.Errorf("unshared still read: %v", err)
		}
		if _, err := e.svc.Withdraw(ctx, e.who["fradmin"], fr.ID); err != nil {
			t.Fatal(err)
		}
		res, _ := e.svc.List(ctx, e.who["fradmin"], scenario.Filter{Owner: "mine"}, page.First())
		if len(res.Items) != 0 {
			t.Errorf("withdrawn still listed: %+v", res.Items)
		}
		if w, err := e.svc.Scenario(ctx, e.who["frpoc"], fr.ID, 1); err != nil || !w.Withdrawn {
			t.Errorf("withdrawn read: %+v %v", w, err)
		}
		if _, err := e.svc.Save(ctx, e.who["fradmin"], fr.ID, 1, good("again")); !errs.Is(err, errs.Conflict) {
			t.Errorf("withdrawn saved: %v", err)
		}
	})
}

// Several instances start at once on one database, and each installs the
// shipped scenarios: every start succeeds and each file is installed once.
func TestShippedScenariosInstalledByInstancesAtOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		const instances = 4
		wrote := make(chan int, instances)
		failed := make(chan error, instances)
		var wg sync.WaitGroup
		for range instances {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := e.sys.InstallShipped(ctx)
				if err != nil {
					failed <- err
				}
				wrote <- n
			}()
		}
		wg.Wait()
		close(wrote)
		close(failed)
		for err := range failed {
			t.Errorf("a start failed: %v", err)
		}
		total := 0
		for n := range wrote {
			total += n
		}
		if total != 3 {
			t.Errorf("installed %d scenarios in all, want each of the 3 once", total)
		}
		res, err := e.svc.List(ctx, e.who["fradmin"], scenario.Filter{Owner: "shipped"}, page.First())
		if err != nil || len(res.Items) != 3 {
			t.Fatalf("shipped: %+v %v", res.Items, err)
		}
	})
}

func TestShippedScenarios(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if n, err := e.sys.InstallShipped(ctx); err != nil || n != 3 {
			t.Fatalf("first install: %d %v", n, err)
		}
		// Idempotent: a second start writes nothing.
		if n, err := e.sys.InstallShipped(ctx); err != nil || n != 0 {
			t.Fatalf("second install: %d %v", n, err)
		}
		fr := e.who["fradmin"]
		res, err := e.svc.List(ctx, fr, scenario.Filter{Owner: "shipped"}, page.First())
		if err != nil || len(res.Items) != 3 {
			t.Fatalf("shipped: %+v %v", res.Items, err)
		}
		wantProv := map[string][]string{"Ransomware": {"norm-h", "norm-f"}, "DDoS": {"norm-c", "norm-h"}, "vulnerability": {"norm-j", "norm-i"}}
		for _, s := range res.Items {
			sc, err := e.svc.Scenario(ctx, e.who["kepoc"], s.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !sc.Shipped || sc.OwnerState != "" || len(sc.Injects) < 5 || len(sc.Injects) > 8 || sc.Language != "en" {
				t.Errorf("%s: %d injects, %+v", sc.Title, len(sc.Injects), sc.Summary)
			}
			kinds := map[scenario.InjectKind]int{}
			for _, i := range sc.Injects {
				kinds[i.Kind]++
			}
			if kinds[scenario.Communication] == 0 || kinds[scenario.Prompt] == 0 {
				t.Errorf("%s mixes no kinds: %v", sc.Title, kinds)
			}
			for word, provs := range wantProv {
				if strings.Contains(sc.Title, word) {
					for _, p := range provs {
						if !slices.Contains(s.Provisions, p) {
							t.Errorf("%s lacks %s: %v", sc.Title, p, s.Provisions)
						}
					}
				}
			}
			// Editing a shipped scenario writes a copy of one's own and
			// leaves the shipped one as it was.
			cp, err := e.svc.Save(ctx, fr, s.ID, sc.Version, scenario.InputOf(sc))
			if err != nil {
				t.Fatal(err)
			}
			if cp.ID == s.ID || cp.Shipped || cp.OwnerState != "FR" || cp.CopiedFrom != s.ID || cp.Version != 1 {
				t.Errorf("copy %s: version %d, owner %q, shipped %v, from %s", cp.ID, cp.Version, cp.OwnerState, cp.Shipped, cp.CopiedFrom)
			}
			if _, err := e.svc.Scenario(ctx, e.who["kepoc"], cp.ID, 0); !errs.Is(err, errs.NotFound) {
				t.Errorf("KE reads FR's copy: %v", err)
			}
			if err := e.svc.CanEdit(ctx, fr, sc); !errs.Is(err, errs.Forbidden) {
				t.Errorf("shipped is editable: %v", err)
			}
		}
		// The filter by provision.
		res, err = e.svc.List(ctx, e.who["kepoc"], scenario.Filter{Provision: "norm-j"}, page.First())
		if err != nil || len(res.Items) != 1 || !strings.Contains(res.Items[0].Title, "vulnerability") {
			t.Fatalf("norm-j: %+v %v", res.Items, err)
		}
		if _, err := e.svc.List(ctx, fr, scenario.Filter{Provision: "norm-zz"}, page.First()); !errs.Is(err, errs.Invalid) {
			t.Errorf("unknown provision: %v", err)
		}
	})
}

func TestListPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for i := range 7 {
			e.clock.Advance(time.Second)
			if _, err := e.svc.Create(ctx, e.who["keadmin"], good(fmt.Sprintf("KE drill %d", i))); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		req := page.Request{Limit: 3}
		for {
			res, err := e.svc.List(ctx, e.who["kepoc"], scenario.Filter{Owner: "mine"}, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res.Items {
				got = append(got, s.Title)
			}
			if res.Next == "" {
				break
			}
			req.After, _ = page.Decode(res.Next)
		}
		want := []string{"KE drill 6", "KE drill 5", "KE drill 4", "KE drill 3", "KE drill 2", "KE drill 1", "KE drill 0"}
		if !slices.Equal(got, want) {
			t.Fatalf("pages %v", got)
		}
		if _, err := e.svc.List(ctx, e.who["kepoc"], scenario.Filter{}, page.Request{After: []string{"x"}}); err == nil {
			t.Error("damaged cursor accepted")
		}
	})
}

// TestListCostsTheSame: a page of scenarios costs as many statements for
// one scenario as for many.
func TestListCostsTheSame(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			if engine == store.Postgres {
				storetest.RequirePostgres(t)
			}
			db, n := storetest.OpenCounting(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			count := func() int64 {
				before := n.Load()
				if _, err := e.svc.List(ctx, e.who["frpoc"], scenario.Filter{Provision: "norm-h"}, page.First()); err != nil {
					t.Fatal(err)
				}
				return n.Load() - before
			}
			if _, err := e.svc.Create(ctx, e.who["fradmin"], good("one")); err != nil {
				t.Fatal(err)
			}
			one := count()
			for i := range 20 {
				if _, err := e.svc.Create(ctx, e.who["fradmin"], good(fmt.Sprintf("more %d", i))); err != nil {
					t.Fatal(err)
				}
			}
			if many := count(); many != one {
				t.Errorf("statements: %d for one scenario, %d for 21", one, many)
			}
		})
	}
}
