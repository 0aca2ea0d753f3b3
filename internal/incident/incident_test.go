package incident_test

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
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// env: FR, KE and DE participate, NZ does not. FR has an administrator, two
// POCs and a viewer; KE two POCs and an administrator; DE and NZ a POC each.
type env struct {
	db    *store.DB
	svc   *incident.Service
	msg   *messaging.Service
	cat   *catalog.Catalog
	clock *clock.Fixed
	who   map[string]actor.Actor
}

// everyone is every audience, in a fixed order.
var everyone = []string{"anon", "sec", "fradmin", "frpoc", "frpoc2", "frviewer", "kepoc", "kepoc2", "keadmin", "depoc", "nzpoc"}

func newEnv(t testing.TB, db *store.DB) env {
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
	for _, st := range []string{"FR", "KE", "DE"} {
		if err := dir.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
			t.Fatal(err)
		}
	}
	who := map[string]actor.Actor{"anon": actor.Anonymous}
	for _, x := range []struct {
		key   string
		role  actor.Role
		state string
	}{
		{"sec", actor.Secretariat, ""}, {"fradmin", actor.StateAdmin, "FR"}, {"frpoc", actor.POC, "FR"}, {"frpoc2", actor.POC, "FR"},
		{"frviewer", actor.Viewer, "FR"}, {"kepoc", actor.POC, "KE"}, {"kepoc2", actor.POC, "KE"}, {"keadmin", actor.StateAdmin, "KE"},
		{"depoc", actor.POC, "DE"}, {"nzpoc", actor.POC, "NZ"},
	} {
		a, _, err := acc.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.key + "@test.invalid", DisplayName: x.key, Role: x.role, State: x.state, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		who[x.key] = a.Actor()
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := messaging.New(db, log, c, cat, messaging.DefaultConfig(), directory.NewSystem(dir), access.NewSystem(acc), nil)
	if err := msg.SyncTemplates(ctx); err != nil {
		t.Fatal(err)
	}
	svc := incident.New(db, log, c, cat, directory.NewSystem(dir), access.NewSystem(acc), msg)
	return env{db: db, svc: svc, msg: msg, cat: cat, clock: c, who: who}
}

// input is a valid incident shared by label with to.
func (e env) input(label tlp.Label, to ...string) incident.Input {
	began := e.clock.Now().Add(-48 * time.Hour)
	return incident.Input{
		Title:      "Wiper on a grid operator " + string(label),
		Summary:    "Substation control systems were wiped; two regions lost power for six hours.",
		OccurredAt: began,
		Timeline: []incident.Event{
			{At: began.Add(3 * time.Hour), What: "Operator restores power manually", Source: "grid operator"},
			{At: began, What: "First substations go dark", Source: "national CERT"},
		},
		Sectors: []incident.Sector{"energy", "emergency-services"},
		Consequences: incident.Consequences{Scope: "Two regions, 400,000 people", Duration: "six hours",
			Physical: "Breakers opened remotely", Economic: "Lost production", Societal: "Hospitals on generators", Severity: incident.SeverityHigh},
		Context:    incident.Context{Tensions: "Follows a dispute over a border crossing"},
		TLP:        label,
		Recipients: to,
	}
}

func (e env) create(t testing.TB, who string, in incident.Input) incident.Incident {
	t.Helper()
	inc, err := e.svc.Create(context.Background(), e.who[who], in)
	if err != nil {
		t.Fatalf("create as %s: %v", who, err)
	}
	return inc
}

func ids(is []incident.Incident) []string {
	var out []string
	for _, i := range is {
		out = append(out, i.ID)
	}
	return out
}

// TestWhoReadsAnIncident records one FR incident per label, shared with KE
// (TLP:RED names one KE POC), with a sector, an engaged provision and an
// attribution, and asks every reading method as every audience: the
// incident page, its assessments, findings and versions, the list, the
// per-provision list and the chart counts must agree with the written
// specification, and show nothing beyond it.
func TestWhoReadsAnIncident(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		// The specification, written out rather than derived from the
		// disclosure table, so that a change to the table fails here.
		readers := map[tlp.Label][]string{
			tlp.Clear:       {"sec", "fradmin", "frpoc", "frpoc2", "frviewer", "kepoc", "kepoc2", "keadmin", "depoc", "nzpoc"},
			tlp.Green:       {"fradmin", "frpoc", "frpoc2", "frviewer", "kepoc", "kepoc2", "keadmin", "depoc", "nzpoc"},
			tlp.Amber:       {"fradmin", "frpoc", "frpoc2", "frviewer", "kepoc", "kepoc2", "keadmin"},
			tlp.AmberStrict: {"fradmin", "frpoc", "frpoc2", "frviewer", "kepoc", "kepoc2", "keadmin"},
			tlp.Red:         {"fradmin", "frpoc", "frpoc2", "frviewer", "kepoc"},
		}
		made := map[tlp.Label]incident.Incident{}
		for _, l := range tlp.Labels() {
			in := e.input(l, "KE")
			in.Sectors = []incident.Sector{"water"}
			if l == tlp.Red {
				in.Named = []string{e.who["kepoc"].AccountID}
			}
			inc := e.create(t, "frpoc", in)
			if _, err := e.svc.SetFinding(ctx, e.who["fradmin"], inc.ID, incident.FindingInput{Provision: "norm-f", Engaged: true, Outcome: incident.PossibleInconsistency}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.AddAttribution(ctx, e.who["frpoc"], inc.ID, incident.AttributionInput{Category: incident.ActorUnknown,
				Likelihood: incident.Likely, Confidence: incident.ConfidenceLow, Basis: []incident.Basis{incident.BasisTechnical}}); err != nil {
				t.Fatal(err)
			}
			made[l] = inc
		}
		for _, who := range everyone {
			a := e.who[who]
			var want []string
			for _, l := range tlp.Labels() {
				if slices.Contains(readers[l], who) {
					want = append(want, made[l].ID)
				}
			}
			list, lerr := e.svc.List(ctx, a, incident.Filter{}, page.First())
			byProv, perr := e.svc.ByProvision(ctx, a, "norm-f", page.First())
			counts, cerr := e.svc.Counts(ctx, a)
			if who == "anon" {
				for _, err := range []error{lerr, perr, cerr} {
					if !errs.Is(err, errs.Unauthenticated) {
						t.Errorf("anonymous: %v, want unauthenticated", err)
					}
				}
			} else {
				if lerr != nil || perr != nil || cerr != nil {
					t.Fatalf("%s: %v %v %v", who, lerr, perr, cerr)
				}
				got := ids(list.Items)
				slices.Sort(got)
				w := slices.Clone(want)
				slices.Sort(w)
				if !slices.Equal(got, w) {
					t.Errorf("%s lists %d incidents, want %d", who, len(got), len(w))
				}
				got = ids(byProv.Items)
				slices.Sort(got)
				if !slices.Equal(got, w) {
					t.Errorf("%s finds %d incidents under norm-f, want %d", who, len(got), len(w))
				}
				if n := countOf(counts.BySector, "water"); n != len(want) {
					t.Errorf("%s counts %d incidents in water, want %d", who, n, len(want))
				}
				if n := countOf(counts.ByProvision, "norm-f"); n != len(want) {
					t.Errorf("%s counts %d incidents under norm-f, want %d", who, n, len(want))
				}
			}
			for _, l := range tlp.Labels() {
				id := made[l].ID
				may := slices.Contains(readers[l], who)
				got, err := e.svc.Incident(ctx, a, id)
				_, aerr := e.svc.Attributions(ctx, a, id)
				_, ferr := e.svc.Findings(ctx, a, id)
				_, verr := e.svc.Versions(ctx, a, id)
				if xs, err := e.svc.Attributions(ctx, e.who["frpoc"], id); err != nil || len(xs) != 1 {
					t.Fatalf("assessments of %s: %d, %v", l, len(xs), err)
				} else if _, _, err := e.svc.Attribution(ctx, a, xs[0].ID); (err == nil) != (who != "anon" && may) {
					t.Errorf("%s reads an assessment of the %s incident: %v", who, l, err)
				}
				for name, err := range map[string]error{"incident": err, "attributions": aerr, "findings": ferr, "versions": verr} {
					switch {
					case who == "anon" && !errs.Is(err, errs.Unauthenticated):
						t.Errorf("anonymous reads %s %s: %v", l, name, err)
					case who != "anon" && may && err != nil:
						t.Errorf("%s cannot read the %s %s: %v", who, l, name, err)
					case who != "anon" && !may && !errs.Is(err, errs.NotFound):
						t.Errorf("%s reads the %s %s (%v), want not found", who, l, name, err)
					}
				}
				if may && err == nil && got.Title != made[l].Title {
					t.Errorf("%s reads %q", who, got.Title)
				}
			}
		}
	})
}

func countOf(cs []incident.Count, key string) int {
	for _, c := range cs {
		if c.Key == key {
			return c.N
		}
	}
	return 0
}

// TestWhoWrites: only the points of contact and administrators of the
// reporting State change an incident; any State's who may read it add an
// assessment; the secretariat, viewers and non-participating States write
// nothing.
func TestWhoWrites(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		amber := e.create(t, "frpoc", e.input(tlp.Amber, "KE"))
		green := e.create(t, "frpoc", e.input(tlp.Green))
		for _, who := range []string{"sec", "frviewer", "nzpoc"} {
			if _, err := e.svc.Create(ctx, e.who[who], e.input(tlp.Green)); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s records an incident: %v", who, err)
			}
			if err := e.svc.CanReport(ctx, e.who[who]); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s may report: %v", who, err)
			}
		}
		for _, who := range []string{"fradmin", "frpoc", "kepoc", "depoc"} {
			if err := e.svc.CanReport(ctx, e.who[who]); err != nil {
				t.Errorf("%s may not report: %v", who, err)
			}
		}
		if _, err := e.svc.Create(ctx, e.who["anon"], e.input(tlp.Green)); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous records an incident: %v", err)
		}
		cases := []struct {
			who  string
			inc  incident.Incident
			edit errs.Code // "" for allowed
		}{
			{"fradmin", amber, ""},
			{"frpoc2", green, ""},
			{"frviewer", amber, errs.Forbidden},
			{"kepoc", amber, errs.Forbidden}, // a recipient reads but does not change it
			{"depoc", amber, errs.NotFound},  // may not read it
			{"depoc", green, errs.Forbidden}, // reads it, does not change it
			{"sec", green, errs.Forbidden},   // the secretariat changes nothing
			{"nzpoc", green, errs.Forbidden}, // not participating
			{"anon", green, errs.Unauthenticated},
		}
		for _, c := range cases {
			cur, err := e.svc.Incident(ctx, e.who["fradmin"], c.inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			in := e.input(cur.TLP, cur.Recipients...)
			in.Title = "Edited by " + c.who
			// What the page is told to offer agrees with what is done.
			if canErr := e.svc.CanEdit(ctx, e.who[c.who], cur); (c.edit == "") != (canErr == nil) {
				t.Errorf("%s: CanEdit says %v", c.who, canErr)
			}
			_, err = e.svc.Edit(ctx, e.who[c.who], c.inc.ID, cur.Version, in)
			_, serr := e.svc.SetFinding(ctx, e.who[c.who], c.inc.ID, incident.FindingInput{Provision: "norm-c", Engaged: false})
			for name, err := range map[string]error{"edit": err, "finding": serr} {
				if c.edit == "" && err != nil {
					t.Errorf("%s cannot %s: %v", c.who, name, err)
				}
				if c.edit != "" && !errs.Is(err, c.edit) {
					t.Errorf("%s %s: %v, want %s", c.who, name, err, c.edit)
				}
			}
		}
		// Assessments: any State's writers who read the incident.
		for _, c := range []struct {
			who  string
			inc  incident.Incident
			want errs.Code
		}{
			{"frpoc", amber, ""}, {"kepoc", amber, ""}, {"depoc", green, ""},
			{"depoc", amber, errs.NotFound}, {"sec", green, errs.Forbidden}, {"frviewer", green, errs.Forbidden},
			{"nzpoc", green, errs.Forbidden},
		} {
			if canErr := e.svc.CanAssess(ctx, e.who[c.who], c.inc); (c.want == "") != (canErr == nil) {
				t.Errorf("%s: CanAssess says %v", c.who, canErr)
			}
			_, err := e.svc.AddAttribution(ctx, e.who[c.who], c.inc.ID, incident.AttributionInput{Category: incident.ActorNonState,
				Likelihood: incident.Unlikely, Confidence: incident.ConfidenceModerate, Basis: []incident.Basis{incident.BasisPolitical}})
			if c.want == "" && err != nil {
				t.Errorf("%s cannot assess: %v", c.who, err)
			}
			if c.want != "" && !errs.Is(err, c.want) {
				t.Errorf("%s assesses: %v, want %s", c.who, err, c.want)
			}
		}
	})
}
