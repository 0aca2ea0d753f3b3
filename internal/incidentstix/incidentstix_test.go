package incidentstix_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/demo"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/incidentstix"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/stix/stixtest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/taxii"
)

var demoNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

type world struct {
	app  *app.App
	svc  *incidentstix.Service
	coll *taxii.Service
	who  func(email string) actor.Actor
}

// seeded builds the whole demo on the engine of db.
func seeded(t *testing.T, db *store.DB) *world {
	ctx := context.Background()
	cfg, err := config.Parse("test", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = storetest.DSN(t, db.Engine)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func(c clock.Clock, m mail.Sender) (*app.App, error) {
		return app.Open(ctx, cfg, log, app.Options{Clock: c, Mail: m, Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}})
	}
	if _, err := demo.Seed(ctx, open, demoNow, "demo-password-for-tests"); err != nil {
		t.Fatal(err)
	}
	a, err := open(clock.NewFixed(demoNow), &demo.Outbox{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	coll := taxii.New(a.DB, a.Audit, a.Clock, a.Directory, taxii.DefaultConfig())
	w := &world{app: a, coll: coll, svc: incidentstix.New(a.Incidents, a.Messaging, coll)}
	w.who = func(email string) actor.Actor {
		t.Helper()
		acc, err := a.Access.AccountByEmail(ctx, actor.Operator, email)
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		return acc.Actor()
	}
	return w
}

// validate checks every object of a bundle against the schema of its type.
func validate(t *testing.T, v *stixtest.Validator, b []byte) {
	t.Helper()
	var bundle struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	for _, o := range bundle.Objects {
		if err := v.Validate(o); err != nil {
			t.Fatalf("%s: %v", o, err)
		}
	}
}

// objects splits a bundle into its objects.
func objects(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var bundle struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	return bundle.Objects
}

func all(t *testing.T, w *world, a actor.Actor) []incident.Incident {
	t.Helper()
	p, err := w.app.Incidents.List(context.Background(), a, incident.Filter{}, page.Request{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func TestIncidentsAsSTIX(t *testing.T) {
	v, err := stixtest.Schemas()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := seeded(t, db)
		ctx := context.Background()
		readers := []string{"secretariat@un.demo.invalid"}
		for _, st := range []string{"fr", "ke", "br", "jp"} {
			for _, local := range []string{"focal.point", "cert.duty", "analyst"} {
				readers = append(readers, local+"@"+st+".demo.invalid")
			}
		}

		t.Run("every object validates and a re-export is identical", func(t *testing.T) {
			for _, email := range readers {
				a := w.who(email)
				b, _, err := w.svc.ExportPage(ctx, a, incident.Filter{}, page.Request{Limit: 100})
				if err != nil {
					t.Fatalf("%s: %v", email, err)
				}
				validate(t, v, b)
				again, _, err := w.svc.ExportPage(ctx, a, incident.Filter{}, page.Request{Limit: 100})
				if err != nil || !bytes.Equal(b, again) {
					t.Fatalf("%s: a second export differs (%v)", email, err)
				}
				readable := all(t, w, a)
				n := 0
				for _, o := range objects(t, b) {
					if o["type"] != "marking-definition" {
						if refs, _ := o["object_marking_refs"].([]any); len(refs) != 1 {
							t.Errorf("%s: %s has markings %v", email, o["id"], o["object_marking_refs"])
						}
					}
					switch o["type"] {
					case "incident":
						n++
						if _, ok := o["extensions"].(map[string]any)[incidentstix.IncidentCore]; !ok {
							t.Errorf("%s: %s lacks the incident core extension", email, o["id"])
						}
					case "identity":
						for k := range o {
							if strings.Contains(k, "contact") || strings.Contains(k, "email") {
								t.Errorf("%s: identity carries %s", email, k)
							}
						}
					case "note":
						if _, ok := o["x_detente_attribution_id"]; ok {
							if o["x_detente_likelihood"] == "" || o["x_detente_confidence"] == "" {
								t.Errorf("%s: an assessment lacks likelihood or confidence: %v", email, o)
							}
						}
					}
				}
				if n != len(readable) {
					t.Errorf("%s: %d incidents exported, %d readable", email, n, len(readable))
				}
				// What the reader may not read is not in the bundle.
				for _, other := range all(t, w, w.who("focal.point@fr.demo.invalid")) {
					if !slices.ContainsFunc(readable, func(i incident.Incident) bool { return i.ID == other.ID }) &&
						bytes.Contains(b, []byte(other.Title)) {
						t.Errorf("%s: the bundle reveals %q", email, other.Title)
					}
				}
			}
		})

		t.Run("one incident", func(t *testing.T) {
			fr := w.who("cert.duty@fr.demo.invalid")
			incs := all(t, w, fr)
			if len(incs) == 0 {
				t.Fatal("no incidents")
			}
			b, err := w.svc.Export(ctx, fr, incs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			validate(t, v, b)
			if !bytes.Contains(b, []byte(incidentstix.IncidentID(incs[0].ID))) {
				t.Error("the incident is not in its bundle")
			}
			if _, err := w.svc.Export(ctx, w.who("secretariat@un.demo.invalid"), "no-such-id"); !errs.Is(err, errs.NotFound) {
				t.Errorf("unknown incident: %v", err)
			}
		})

		t.Run("an export re-imports to the same records", func(t *testing.T) {
			for _, email := range []string{"cert.duty@fr.demo.invalid", "cert.duty@ke.demo.invalid", "focal.point@br.demo.invalid"} {
				a := w.who(email)
				before := all(t, w, a)
				var own []incident.Incident
				for _, i := range before {
					if i.ReportingState == a.State {
						own = append(own, i)
					}
				}
				if len(own) == 0 {
					continue
				}
				b, err := w.svc.Export(ctx, a, own[0].ID)
				if err != nil {
					t.Fatal(err)
				}
				sum, err := w.svc.Import(ctx, a, b)
				if err != nil {
					t.Fatalf("%s: %v", email, err)
				}
				if len(sum.Incidents) != 1 || len(sum.Failures) != 0 {
					t.Fatalf("%s: %+v", email, sum)
				}
				got, err := w.app.Incidents.Incident(ctx, a, sum.Incidents[0].ID)
				if err != nil {
					t.Fatal(err)
				}
				want := own[0]
				if got.Title != want.Title || got.Summary != want.Summary || !got.OccurredAt.Equal(want.OccurredAt) || got.Status != want.Status ||
					got.TLP != want.TLP || !slices.Equal(got.Sectors, want.Sectors) || got.Consequences != want.Consequences ||
					got.Context.Tensions != want.Context.Tensions || !slices.Equal(got.Recipients, want.Recipients) || len(got.Timeline) != len(want.Timeline) {
					t.Errorf("%s: re-imported\n%+v\nwant\n%+v", email, got, want)
				}
				xs, _ := w.app.Incidents.Attributions(ctx, a, want.ID)
				ys, _ := w.app.Incidents.Attributions(ctx, a, got.ID)
				byRationale := func(x, y incident.Attribution) int { return strings.Compare(x.Rationale, y.Rationale) }
				slices.SortFunc(xs, byRationale)
				slices.SortFunc(ys, byRationale)
				if len(xs) != len(ys) || len(sum.Attributions) != len(xs) {
					t.Errorf("%s: %d assessments came back of %d", email, len(ys), len(xs))
				}
				for k := range min(len(xs), len(ys)) {
					x, y := xs[k], ys[k]
					if x.Likelihood != y.Likelihood || x.Confidence != y.Confidence || x.OriginTerritoryOnly != y.OriginTerritoryOnly ||
						x.Substantiated != y.Substantiated || !slices.Equal(x.Evidence, y.Evidence) || x.AttributedState != y.AttributedState {
						t.Errorf("%s: assessment %d came back as %+v, want %+v", email, k, y, x)
					}
				}
				fs, _ := w.app.Incidents.Findings(ctx, a, want.ID)
				gs, _ := w.app.Incidents.Findings(ctx, a, got.ID)
				if len(fs) != len(gs) {
					t.Errorf("%s: %d findings came back of %d", email, len(gs), len(fs))
				}
				if sum.Stored == nil || len(sum.Stored.Successes) == 0 {
					t.Errorf("%s: the bundle was not kept: %+v", email, sum.Stored)
				}
			}
		})

		t.Run("a MISP report imports and is kept", func(t *testing.T) {
			b, err := os.ReadFile("testdata/misp-report.json")
			if err != nil {
				t.Fatal(err)
			}
			jp := w.who("cert.duty@jp.demo.invalid")
			sum, err := w.svc.Import(ctx, jp, b)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Incidents) != 0 || sum.Stored == nil || len(sum.Stored.Successes) != 6 || len(sum.Stored.Failures) != 0 {
				t.Fatalf("%+v %+v", sum, sum.Stored)
			}
			p, err := w.coll.Objects(ctx, jp, taxii.StateCollectionID("JP"), taxii.Filter{Types: []string{"report"}})
			if err != nil || len(p.Records) != 1 {
				t.Fatalf("the report is not in Japan's collection: %v %v", err, p.Records)
			}
		})

		t.Run("bad bundles write nothing", func(t *testing.T) {
			ke := w.who("cert.duty@ke.demo.invalid")
			good, err := os.ReadFile("testdata/misp-report.json")
			if err != nil {
				t.Fatal(err)
			}
			big := bytes.Repeat([]byte(" "), 64<<20+1)
			cases := []struct {
				name string
				body []byte
				code errs.Code
			}{
				{"not JSON", []byte("{not json"), errs.Invalid},
				{"a NUL byte", append([]byte(`{"type":"bundle","id":"bundle--0a6f9c1e-5b7d-4c2a-8e3f-1d9b7a5c3e21","objects":[]}`), 0), errs.Invalid},
				{"a NUL in a string", bytes.Replace(good, []byte("Example national CERT"), []byte(`Example\u0000CERT`), 1), errs.Invalid},
				{"STIX 2.0", bytes.ReplaceAll(good, []byte(`"spec_version": "2.1"`), []byte(`"spec_version": "2.0"`)), errs.Invalid},
				{"not a bundle", []byte(`{"type":"report","objects":[]}`), errs.Invalid},
				{"too large", big, errs.TooLarge},
				{"an incident with a bad date", []byte(`{"type":"bundle","id":"bundle--0a6f9c1e-5b7d-4c2a-8e3f-1d9b7a5c3e21","objects":[` +
					`{"type":"incident","spec_version":"2.1","id":"incident--0a6f9c1e-5b7d-4c2a-8e3f-1d9b7a5c3e22","created":"2026-01-01T00:00:00Z",` +
					`"modified":"2026-01-01T00:00:00Z","name":"x","x_detente_occurred_at":"yesterday"}]}`), errs.Invalid},
			}
			before := len(all(t, w, ke))
			p0, _ := w.coll.Objects(ctx, ke, taxii.StateCollectionID("KE"), taxii.Filter{Limit: 1000})
			for _, c := range cases {
				_, err := w.svc.Import(ctx, ke, c.body)
				if !errs.Is(err, c.code) {
					t.Errorf("%s: %v, want %s", c.name, err, c.code)
				}
			}
			p1, _ := w.coll.Objects(ctx, ke, taxii.StateCollectionID("KE"), taxii.Filter{Limit: 1000})
			if after := len(all(t, w, ke)); after != before || len(p1.Records) != len(p0.Records) {
				t.Errorf("bad bundles wrote: %d → %d incidents, %d → %d objects", before, after, len(p0.Records), len(p1.Records))
			}
		})

		t.Run("who may import", func(t *testing.T) {
			b, _ := os.ReadFile("testdata/misp-report.json")
			for email, code := range map[string]errs.Code{"secretariat@un.demo.invalid": errs.Forbidden, "analyst@fr.demo.invalid": errs.Forbidden} {
				if _, err := w.svc.Import(ctx, w.who(email), b); !errs.Is(err, code) {
					t.Errorf("%s: %v, want %s", email, err, code)
				}
			}
		})
	})
}
