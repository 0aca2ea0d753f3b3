package directory_test

import (
	"context"
	"github.com/detente/detente/internal/access"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

var (
	sec      = actor.Actor{AccountID: "sec", Email: "sec@un.invalid", Role: actor.Secretariat}
	frAdmin  = actor.Actor{AccountID: "fra", Email: "admin@fr.invalid", Role: actor.StateAdmin, State: "FR"}
	frPOC    = actor.Actor{AccountID: "frp", Email: "poc@fr.invalid", Role: actor.POC, State: "FR"}
	frViewer = actor.Actor{AccountID: "frv", Email: "viewer@fr.invalid", Role: actor.Viewer, State: "FR"}
	keAdmin  = actor.Actor{AccountID: "kea", Email: "admin@ke.invalid", Role: actor.StateAdmin, State: "KE"}
	kePOC    = actor.Actor{AccountID: "kep", Email: "poc@ke.invalid", Role: actor.POC, State: "KE"}
	nzAdmin  = actor.Actor{AccountID: "nza", Email: "admin@nz.invalid", Role: actor.StateAdmin, State: "NZ"}
	nzPOC    = actor.Actor{AccountID: "nzp", Email: "poc@nz.invalid", Role: actor.POC, State: "NZ"}
)

type env struct {
	db    *store.DB
	svc   *directory.Service
	clock *clock.Fixed
}

func newEnv(t *testing.T, db *store.DB) env {
	t.Helper()
	c := clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	svc := directory.New(db, audit.New(db, c), c, directory.DefaultConfig(), access.NewSystem(access.New(db, audit.New(db, c), c, access.DefaultConfig())))
	ctx := context.Background()
	if err := svc.SyncStates(ctx); err != nil {
		t.Fatal(err)
	}
	since := c.Now().AddDate(-1, 0, 0)
	for _, code := range []string{"FR", "KE"} {
		if err := svc.SetParticipation(ctx, sec, code, &since); err != nil {
			t.Fatal(err)
		}
	}
	return env{db: db, svc: svc, clock: c}
}

func valid() directory.POCInput {
	return directory.POCInput{
		Level: directory.Technical, FunctionTitle: "Duty officer", Organisation: "National CERT",
		Emails: []string{"duty@cert.example.invalid"}, Phones: []string{"+33 1 23 45 67 89"}, Languages: []string{"fr", "EN"},
		TimeZone: "Europe/Paris", Availability: directory.Always,
	}
}

func (e env) nominate(t *testing.T, a actor.Actor) directory.POC {
	t.Helper()
	in := valid()
	in.Emails = []string{"duty@" + strings.ToLower(a.State) + "-cert.invalid"}
	p, err := e.svc.Nominate(context.Background(), a, a.State, in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func rows(t *testing.T, db *store.DB) [3]int {
	t.Helper()
	var out [3]int
	for i, table := range []string{"pocs", "poc_versions", "audit_log"} {
		if err := db.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestStatesSynced(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if err := e.svc.SyncStates(context.Background()); err != nil {
			t.Fatal("second sync:", err)
		}
		all, err := e.svc.States(context.Background(), frPOC)
		if err != nil || len(all) != 195 {
			t.Fatalf("%d states, %v; want 195", len(all), err)
		}
		fr, err := e.svc.State(context.Background(), frPOC, "FR")
		if err != nil || !fr.Participating() || fr.Alpha3 != "FRA" {
			t.Fatalf("FR = %+v, %v", fr, err)
		}
		anon, _ := e.svc.State(context.Background(), actor.Anonymous, "FR")
		if anon.Participating() {
			t.Fatal("participation shown to the public")
		}
		p, n, err := e.svc.ParticipationCount(context.Background())
		if err != nil || p != 2 || n != 195 {
			t.Fatalf("count = %d/%d, %v", p, n, err)
		}
	})
}

func TestNominateValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tests := []struct {
			name   string
			change func(*directory.POCInput)
			field  string
		}{
			{"missing level", func(in *directory.POCInput) { in.Level = "" }, "level"},
			{"unknown level", func(in *directory.POCInput) { in.Level = "military" }, "level"},
			{"missing function", func(in *directory.POCInput) { in.FunctionTitle = "  " }, "function_title"},
			{"missing organisation", func(in *directory.POCInput) { in.Organisation = "" }, "organisation"},
			{"function too long", func(in *directory.POCInput) { in.FunctionTitle = strings.Repeat("x", 201) }, "function_title"},
			{"multi-line organisation", func(in *directory.POCInput) { in.Organisation = "A\nB" }, "organisation"},
			{"no email", func(in *directory.POCInput) { in.Emails = nil }, "emails"},
			{"malformed email", func(in *directory.POCInput) { in.Emails = []string{"duty at cert"} }, "emails"},
			{"too many emails", func(in *directory.POCInput) {
				in.Emails = []string{"a@x.invalid", "b@x.invalid", "c@x.invalid", "d@x.invalid", "e@x.invalid", "f@x.invalid"}
			}, "emails"},
			{"no phone", func(in *directory.POCInput) { in.Phones = []string{""} }, "phones"},
			{"malformed phone", func(in *directory.POCInput) { in.Phones = []string{"01 23 45"} }, "phones"},
			{"no language", func(in *directory.POCInput) { in.Languages = nil }, "languages"},
			{"malformed language", func(in *directory.POCInput) { in.Languages = []string{"french!"} }, "languages"},
			{"unknown time zone", func(in *directory.POCInput) { in.TimeZone = "Europe/Atlantis" }, "time_zone"},
			{"Factory time zone", func(in *directory.POCInput) { in.TimeZone = "Factory" }, "time_zone"},
			{"posixrules time zone", func(in *directory.POCInput) { in.TimeZone = "posixrules" }, "time_zone"},
			{"right-to-left override in the function", func(in *directory.POCInput) { in.FunctionTitle = "Duty\u202Eofficer" }, "function_title"},
			{"zero-width space in the organisation", func(in *directory.POCInput) { in.Organisation = "CERT\u200BFR" }, "organisation"},
			{"byte order mark in the name", func(in *directory.POCInput) { in.PersonName = "\uFEFFJane Doe" }, "person_name"},
			{"isolate in the hours", func(in *directory.POCInput) {
				in.Availability, in.Hours = directory.OfficeHours, "Mon\u2066–Fri"
			}, "hours"},
			{"NUL in the organisation", func(in *directory.POCInput) { in.Organisation = "CERT\x00" }, "organisation"},
			{"invalid UTF-8 in the function", func(in *directory.POCInput) { in.FunctionTitle = "Duty \xff" }, "function_title"},
			{"NUL in the key", func(in *directory.POCInput) { in.PGPKey = "-----BEGIN PGP\x00" }, "pgp_key"},
			{"missing time zone", func(in *directory.POCInput) { in.TimeZone = "" }, "time_zone"},
			{"unknown availability", func(in *directory.POCInput) { in.Availability = "sometimes" }, "availability"},
			{"office hours without hours", func(in *directory.POCInput) { in.Availability = directory.OfficeHours }, "hours"},
			{"garbage key", func(in *directory.POCInput) {
				in.PGPKey = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----"
			}, "pgp_key"},
			{"oversized key", func(in *directory.POCInput) { in.PGPKey = strings.Repeat("A", 70<<10) }, "pgp_key"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				in := valid()
				tc.change(&in)
				before := rows(t, db)
				_, err := e.svc.Nominate(context.Background(), frAdmin, "FR", in)
				if msg := errs.FieldsOf(err)[tc.field]; msg == "" {
					t.Fatalf("err = %v; want a message for %q", err, tc.field)
				}
				if rows(t, db) != before {
					t.Fatal("invalid input changed the database")
				}
			})
		}
		// Every problem is reported at once, not one per submission.
		_, err := e.svc.Nominate(context.Background(), frAdmin, "FR", directory.POCInput{})
		if n := len(errs.FieldsOf(err)); n < 7 {
			t.Fatalf("empty form reports %d fields: %v", n, err)
		}
	})
}

func TestNormalisation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		in := valid()
		in.Emails = []string{" Duty@CERT.example.invalid ", "duty@cert.example.invalid"}
		in.Phones = []string{"+33 (1) 23-45-67-89"}
		p, err := e.svc.Nominate(context.Background(), frAdmin, "fr", in)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Emails) != 1 || p.Phones[0] != "+33123456789" || p.Languages[1] != "en" || p.State != "FR" {
			t.Fatalf("not normalised: %+v", p)
		}
	})
}

func TestChangeAuthorization(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		ops := map[string]func(a actor.Actor, id string) error{
			"edit": func(a actor.Actor, id string) error {
				p, err := e.svc.POC(ctx, sec, id)
				if err != nil {
					return err
				}
				_, err = e.svc.Edit(ctx, a, id, p.Version, valid())
				return err
			},
			"confirm": func(a actor.Actor, id string) error { _, err := e.svc.Confirm(ctx, a, id); return err },
			"retire":  func(a actor.Actor, id string) error { _, err := e.svc.Retire(ctx, a, id); return err },
		}
		tests := []struct {
			who  string
			a    actor.Actor
			want errs.Code
		}{
			{"own State admin", frAdmin, ""},
			{"own State POC", frPOC, errs.Forbidden},
			{"own State viewer", frViewer, errs.Forbidden},
			{"secretariat", sec, errs.Forbidden},
			{"another State's admin", keAdmin, errs.NotFound},
			{"another State's POC", kePOC, errs.NotFound},
			{"anonymous", actor.Anonymous, errs.Unauthenticated},
			{"read-only token of own admin", actor.Actor{AccountID: "fra", Email: "admin@fr.invalid", Role: actor.StateAdmin, State: "FR", ReadOnly: true}, errs.Forbidden},
		}
		for op, do := range ops {
			for _, tc := range tests {
				t.Run(op+" by "+tc.who, func(t *testing.T) {
					p := e.nominate(t, frAdmin)
					before := rows(t, db)
					err := do(tc.a, p.ID)
					if got := errs.CodeOf(err); got != tc.want {
						t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
					}
					if tc.want != "" && rows(t, db) != before {
						t.Fatal("a refused change wrote to the database")
					}
				})
			}
		}
		// Nominating for another State is refused.
		if _, err := e.svc.Nominate(ctx, frAdmin, "KE", valid()); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("FR admin nominated for KE: %v", err)
		}
		if _, err := e.svc.Nominate(ctx, sec, "FR", valid()); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("secretariat nominated for FR: %v", err)
		}
	})
}

func TestVisibility(t *testing.T) {
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
		ids := func(ps []directory.POC) map[string]bool {
			m := map[string]bool{}
			for _, p := range ps {
				m[p.ID] = true
			}
			return m
		}
		tests := []struct {
			who     string
			a       actor.Actor
			f       directory.Filter
			see     []string
			notSee  []string
			wantErr errs.Code
		}{
			{"secretariat sees all active", sec, directory.Filter{}, []string{fr.ID, ke.ID, nz.ID}, []string{retired.ID}, ""},
			{"secretariat may ask for retired", sec, directory.Filter{Retired: true}, []string{retired.ID}, nil, ""},
			{"FR POC sees participants", frPOC, directory.Filter{}, []string{fr.ID, ke.ID}, []string{nz.ID, retired.ID}, ""},
			{"FR sees own retired on request", frViewer, directory.Filter{Retired: true}, []string{retired.ID}, []string{nz.ID}, ""},
			{"KE never sees FR's retired", kePOC, directory.Filter{Retired: true}, []string{fr.ID}, []string{retired.ID, nz.ID}, ""},
			{"non-participant sees only itself", nzPOC, directory.Filter{}, []string{nz.ID}, []string{fr.ID, ke.ID}, ""},
			{"filter by level", frPOC, directory.Filter{Level: directory.Diplomatic}, nil, []string{fr.ID, ke.ID}, ""},
			{"filter by region", frPOC, directory.Filter{Region: "African"}, []string{ke.ID}, []string{fr.ID}, ""},
			{"anonymous sees nothing", actor.Anonymous, directory.Filter{}, nil, nil, errs.Unauthenticated},
		}
		for _, tc := range tests {
			t.Run(tc.who, func(t *testing.T) {
				got, err := e.svc.POCs(ctx, tc.a, tc.f)
				if errs.CodeOf(err) != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				m := ids(got)
				for _, id := range tc.see {
					if !m[id] {
						t.Errorf("does not see %s", id)
					}
				}
				for _, id := range tc.notSee {
					if m[id] {
						t.Errorf("sees %s, which it must not", id)
					}
				}
			})
		}
		if _, err := e.svc.POC(ctx, kePOC, nz.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("KE reads NZ's entry: %v", err)
		}
		if _, err := e.svc.History(ctx, kePOC, fr.ID); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("KE reads FR's history: %v", err)
		}
		if _, err := e.svc.POC(ctx, frPOC, "0190a0b0-0000-7000-8000-000000000000"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown id: %v", err)
		}
	})
}

func TestVersionsAndStaleness(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := e.nominate(t, frAdmin)
		in := valid()
		in.FunctionTitle = "Head of CERT"
		e.clock.Advance(time.Hour)
		edited, err := e.svc.Edit(ctx, frAdmin, p.ID, 1, in)
		if err != nil || edited.Version != 2 || edited.FunctionTitle != "Head of CERT" {
			t.Fatalf("edit: %+v, %v", edited, err)
		}
		if _, err := e.svc.Edit(ctx, frAdmin, p.ID, 1, valid()); !errs.Is(err, errs.Conflict) {
			t.Fatalf("edit of an old version: %v", err)
		}
		e.clock.Advance(366 * 24 * time.Hour)
		got, _ := e.svc.POC(ctx, frPOC, p.ID)
		if !got.Stale {
			t.Fatal("an entry unconfirmed for a year is not stale")
		}
		stale := true
		if list, _ := e.svc.POCs(ctx, frPOC, directory.Filter{Stale: &stale}); len(list) != 1 {
			t.Fatalf("stale filter found %d", len(list))
		}
		if _, err := e.svc.Confirm(ctx, frAdmin, p.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = e.svc.POC(ctx, frPOC, p.ID)
		if got.Stale || got.Version != 3 {
			t.Fatalf("after confirm: stale=%v version=%d", got.Stale, got.Version)
		}
		if _, err := e.svc.Retire(ctx, frAdmin, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Confirm(ctx, frAdmin, p.ID); !errs.Is(err, errs.Conflict) {
			t.Fatalf("confirming a retired entry: %v", err)
		}
		h, err := e.svc.History(ctx, frAdmin, p.ID)
		if err != nil || len(h) != 4 {
			t.Fatalf("history: %d versions, %v", len(h), err)
		}
		want := []string{"retire", "confirm", "edit", "nominate"}
		for i, v := range h {
			if v.Action != want[i] || v.ActorLabel != frAdmin.Email || v.Snapshot.Version != v.Version {
				t.Errorf("version %d: %+v", v.Version, v)
			}
		}
		if h[2].Snapshot.FunctionTitle != "Head of CERT" || h[3].Snapshot.FunctionTitle != "Duty officer" {
			t.Error("snapshots do not keep each version's content")
		}
	})
}

func TestParticipationIsTheSecretariats(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		now := e.clock.Now()
		if err := e.svc.SetParticipation(ctx, frAdmin, "NZ", &now); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("state admin set participation: %v", err)
		}
		future := now.AddDate(0, 1, 0)
		if err := e.svc.SetParticipation(ctx, sec, "NZ", &future); errs.FieldsOf(err)["since"] == "" {
			t.Fatalf("future date accepted: %v", err)
		}
		if err := e.svc.SetParticipation(ctx, sec, "QQ", &now); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown State: %v", err)
		}
		if err := e.svc.SetParticipation(ctx, sec, "NZ", &now); err != nil {
			t.Fatal(err)
		}
		nz, _ := e.svc.State(ctx, nzPOC, "NZ")
		if !nz.Participating() {
			t.Fatal("NZ not participating")
		}
	})
}

func TestLinkAccount(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		cfg := access.DefaultConfig()
		cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
		acc := access.New(db, audit.New(db, e.clock), e.clock, cfg)
		mk := func(email string, role actor.Role, state string) string {
			a, _, err := acc.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: email, DisplayName: email, Role: role, State: state, Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		frPOCAcc, frViewerAcc, kePOCAcc := mk("poc@fr.invalid", actor.POC, "FR"), mk("viewer@fr.invalid", actor.Viewer, "FR"), mk("poc@ke.invalid", actor.POC, "KE")
		tests := []struct {
			name    string
			account string
			ok      bool
		}{
			{"own State's POC account", frPOCAcc, true},
			{"no account", "", true},
			{"another State's account", kePOCAcc, false},
			{"a viewer cannot answer for a POC", frViewerAcc, false},
			{"unknown account", "0190a0b0-0000-7000-8000-000000000000", false},
			{"not an id", "x", false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				in := valid()
				in.AccountID = tc.account
				before := rows(t, db)
				p, err := e.svc.Nominate(ctx, frAdmin, "FR", in)
				if tc.ok {
					if err != nil || p.AccountID != tc.account {
						t.Fatalf("nominate: %+v, %v", p, err)
					}
					got, _ := e.svc.POC(ctx, frPOC, p.ID)
					if got.AccountID != tc.account {
						t.Fatalf("stored account %q", got.AccountID)
					}
					return
				}
				if errs.FieldsOf(err)["account_id"] == "" {
					t.Fatalf("err = %v, want a message for account_id", err)
				}
				if rows(t, db) != before {
					t.Fatal("refused link wrote to the database")
				}
			})
		}
		// Editing can link and unlink.
		p := e.nominate(t, frAdmin)
		in := valid()
		in.AccountID = frPOCAcc
		p, err := e.svc.Edit(ctx, frAdmin, p.ID, p.Version, in)
		if err != nil || p.AccountID != frPOCAcc {
			t.Fatalf("link by edit: %v", err)
		}
		in.AccountID = kePOCAcc
		if _, err := e.svc.Edit(ctx, frAdmin, p.ID, p.Version, in); errs.FieldsOf(err)["account_id"] == "" {
			t.Fatalf("edit linked another State's account: %v", err)
		}
		// An edit that does not say keeps the link, even to an account
		// disabled since; it is not checked again.
		if err := acc.SetDisabled(ctx, actor.Operator, frPOCAcc, true); err != nil {
			t.Fatal(err)
		}
		keep := valid()
		keep.KeepAccount, keep.AccountID, keep.FunctionTitle = true, kePOCAcc, "Kept"
		p, err = e.svc.Edit(ctx, frAdmin, p.ID, p.Version, keep)
		if err != nil || p.AccountID != frPOCAcc {
			t.Fatalf("edit keeping the link: %+v, %v", p, err)
		}
		in.AccountID = ""
		if p, err = e.svc.Edit(ctx, frAdmin, p.ID, p.Version, in); err != nil || p.AccountID != "" {
			t.Fatalf("unlink by edit: %+v, %v", p, err)
		}
		// Only the State's administrators are told the link.
		for _, c := range []struct {
			a    actor.Actor
			want bool
		}{{frAdmin, true}, {frPOC, false}, {frViewer, false}, {sec, false}, {keAdmin, false}, {actor.Actor{Role: actor.StateAdmin, State: "FR"}, false}} {
			if got := e.svc.SeesAccountLink(c.a, "FR"); got != c.want {
				t.Errorf("SeesAccountLink(%s %s) = %v", c.a.Role, c.a.State, got)
			}
		}
	})
}

func TestEditChecksWhoBeforeWhat(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := e.nominate(t, frAdmin)
		bad := valid()
		bad.Emails = []string{"not an email"}
		tests := []struct {
			who  string
			a    actor.Actor
			want errs.Code
		}{
			{"another State's admin", keAdmin, errs.NotFound},
			{"another State's POC", kePOC, errs.NotFound},
			{"own State's POC", frPOC, errs.Forbidden},
			{"secretariat", sec, errs.Forbidden},
			{"own State's admin", frAdmin, errs.Invalid},
		}
		for _, tc := range tests {
			t.Run(tc.who, func(t *testing.T) {
				before := rows(t, db)
				_, err := e.svc.Edit(ctx, tc.a, p.ID, p.Version, bad)
				if errs.CodeOf(err) != tc.want {
					t.Fatalf("code %q (%v), want %q", errs.CodeOf(err), err, tc.want)
				}
				if tc.want != errs.Invalid && len(errs.FieldsOf(err)) > 0 {
					t.Fatal("validation messages given to a caller who may not edit")
				}
				if rows(t, db) != before {
					t.Fatal("database changed")
				}
			})
		}
	})
}

func TestRetireAndReinstate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := e.nominate(t, frAdmin)
		if _, err := e.svc.Reinstate(ctx, frAdmin, p.ID); !errs.Is(err, errs.Conflict) {
			t.Fatalf("reinstate an active entry: %v", err)
		}
		p, err := e.svc.Retire(ctx, frAdmin, p.ID)
		if err != nil || p.Status != directory.Retired {
			t.Fatalf("retire: %+v, %v", p, err)
		}
		if _, err := e.svc.Edit(ctx, frAdmin, p.ID, p.Version, valid()); !errs.Is(err, errs.Conflict) || !strings.Contains(errs.MessageOf(err), "reinstate") {
			t.Fatalf("edit of a retired entry: %v", err)
		}
		for _, tc := range []struct {
			who  string
			a    actor.Actor
			want errs.Code
		}{
			{"another State's admin", keAdmin, errs.NotFound},
			{"own State's POC", frPOC, errs.Forbidden},
			{"own State's viewer", frViewer, errs.Forbidden},
			{"secretariat", sec, errs.Forbidden},
			{"read-only admin", actor.Actor{AccountID: "fra", Role: actor.StateAdmin, State: "FR", ReadOnly: true}, errs.Forbidden},
		} {
			before := rows(t, db)
			if _, err := e.svc.Reinstate(ctx, tc.a, p.ID); errs.CodeOf(err) != tc.want {
				t.Errorf("%s reinstates: %v, want %s", tc.who, err, tc.want)
			}
			if rows(t, db) != before {
				t.Errorf("%s: refused reinstatement wrote to the database", tc.who)
			}
		}
		e.clock.Advance(400 * 24 * time.Hour)
		p, err = e.svc.Reinstate(ctx, frAdmin, p.ID)
		if err != nil || p.Status != directory.Active || p.Version != 3 || p.Stale || !p.ConfirmedAt.Equal(e.clock.Now()) {
			t.Fatalf("reinstate: %+v, %v", p, err)
		}
		if got, err := e.svc.POC(ctx, kePOC, p.ID); err != nil || got.Status != directory.Active {
			t.Fatalf("another State reads the reinstated entry: %+v, %v", got, err)
		}
		h, err := e.svc.History(ctx, frAdmin, p.ID)
		if err != nil || h[0].Action != "reinstate" || h[0].Snapshot.Status != directory.Active {
			t.Fatalf("history: %+v, %v", h, err)
		}
	})
}
