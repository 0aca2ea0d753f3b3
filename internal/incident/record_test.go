package incident_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// auditActions reads the actions recorded for an incident, in order.
func auditActions(t *testing.T, db *store.DB, id string) []string {
	t.Helper()
	rows, err := db.R.Query(`SELECT action FROM audit_log WHERE object_type = 'incident' AND object_id = $1 ORDER BY seq`, id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := store.Collect(rows, func(r *sql.Rows) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVersionsAndConflicts: each change makes a version with who and
// when, a stale version is a conflict that changes nothing, and every
// change is audited in its transaction.
func TestVersionsAndConflicts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := e.input(tlp.Amber, "KE")
		inc := e.create(t, "frpoc", in)
		if inc.Version != 1 || inc.Status != incident.Open || inc.ReportingState != "FR" {
			t.Fatalf("created %+v", inc)
		}
		if inc.Timeline[0].What != "First substations go dark" {
			t.Errorf("timeline not in time order: %+v", inc.Timeline)
		}
		if !slices.Equal(inc.Sectors, []incident.Sector{"energy", "emergency-services"}) {
			t.Errorf("sectors %v", inc.Sectors)
		}
		e.clock.Advance(time.Hour)
		in.Title = "Wiper on two grid operators"
		in.Recipients = []string{"KE", "DE"}
		edited, err := e.svc.Edit(ctx, e.who["fradmin"], inc.ID, 1, in)
		if err != nil {
			t.Fatal(err)
		}
		if edited.Version != 2 || edited.Title != in.Title || !slices.Equal(edited.Recipients, []string{"DE", "KE"}) {
			t.Errorf("edited %+v", edited)
		}
		// A second writer still holding version 1 is refused.
		stale := in
		stale.Title = "Overwritten"
		if _, err := e.svc.Edit(ctx, e.who["frpoc2"], inc.ID, 1, stale); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale edit: %v, want conflict", err)
		}
		if _, err := e.svc.SetStatus(ctx, e.who["frpoc2"], inc.ID, 1, incident.Assessed); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale status: %v, want conflict", err)
		}
		got, err := e.svc.Incident(ctx, e.who["depoc"], inc.ID) // DE is a recipient now
		if err != nil || got.Title != in.Title {
			t.Fatalf("after the conflict: %q %v", got.Title, err)
		}
		if _, err := e.svc.SetStatus(ctx, e.who["frpoc"], inc.ID, 2, incident.Assessed); err != nil {
			t.Fatal(err)
		}
		vs, err := e.svc.Versions(ctx, e.who["kepoc"], inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, v := range vs {
			actions = append(actions, v.Action)
		}
		if !slices.Equal(actions, []string{"create", "edit", "status"}) {
			t.Fatalf("versions %v", actions)
		}
		if vs[0].Incident.Title != "Wiper on a grid operator amber" || vs[0].ActorLabel != "frpoc@test.invalid" ||
			!vs[0].At.Equal(e.clock.Now().Add(-time.Hour)) || vs[1].ActorLabel != "fradmin@test.invalid" || vs[2].Incident.Status != incident.Assessed {
			t.Errorf("versions do not say what changed, who and when: %+v", vs)
		}
		if want := []string{"incident.create", "incident.edit", "incident.status"}; !slices.Equal(auditActions(t, db, inc.ID), want) {
			t.Errorf("audit %v, want %v", auditActions(t, db, inc.ID), want)
		}
	})
}

// TestStatusTransitions walks every pair of statuses.
func TestStatusTransitions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		allowed := map[[2]incident.Status]bool{
			{incident.Open, incident.Assessed}: true, {incident.Open, incident.Closed}: true,
			{incident.Assessed, incident.Closed}: true, {incident.Assessed, incident.Open}: true,
			{incident.Closed, incident.Open}: true,
		}
		// path reaches each status from a new incident.
		path := map[incident.Status][]incident.Status{incident.Open: nil, incident.Assessed: {incident.Assessed}, incident.Closed: {incident.Closed}}
		for _, from := range incident.Statuses() {
			for _, to := range append(incident.Statuses(), "archived") {
				inc := e.create(t, "frpoc", e.input(tlp.Green))
				for _, st := range path[from] {
					var err error
					if inc, err = e.svc.SetStatus(ctx, e.who["frpoc"], inc.ID, inc.Version, st); err != nil {
						t.Fatal(err)
					}
				}
				got, err := e.svc.SetStatus(ctx, e.who["frpoc"], inc.ID, inc.Version, to)
				if allowed[[2]incident.Status{from, to}] {
					if err != nil || got.Status != to {
						t.Errorf("%s → %s: %v", from, to, err)
					}
					continue
				}
				if errs.FieldsOf(err)["status"] == "" {
					t.Errorf("%s → %s: %v, want a field error", from, to, err)
				}
			}
		}
	})
}

// TestAttributionsSideBySide: several assessments of one incident, by the
// reporting State, by another State and by a named organisation, come
// back together, each saying who asserts it; likelihood and confidence
// stay two fields; resting on origin alone makes a page cite law 28(f).
func TestAttributionsSideBySide(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		inc := e.create(t, "frpoc", e.input(tlp.Green))
		fr, err := e.svc.AddAttribution(ctx, e.who["frpoc"], inc.ID, incident.AttributionInput{
			Category: incident.ActorStateAffiliated, AttributedState: "de", Spectrum: "state-shaped",
			Likelihood: incident.VeryLikely, Confidence: incident.ConfidenceLow,
			Basis:               []incident.Basis{incident.BasisTechnical, incident.BasisPolitical, incident.BasisTechnical},
			Evidence:            []incident.Evidence{{Description: "Command servers rented with the same card", Source: "national CERT", Reliability: "b", Credibility: 2}},
			OriginTerritoryOnly: true, Rationale: "Infrastructure only."})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		de, err := e.svc.AddAttribution(ctx, e.who["depoc"], inc.ID, incident.AttributionInput{
			Category: incident.ActorNonState, Likelihood: incident.AlmostCertain, Confidence: incident.ConfidenceHigh,
			Basis: []incident.Basis{incident.BasisSelfAttribution}, Substantiated: true})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		org, err := e.svc.AddAttribution(ctx, e.who["frpoc2"], inc.ID, incident.AttributionInput{ByOrganisation: "Example Threat Lab",
			Category: incident.ActorUnknown, Likelihood: incident.RoughlyEvenChance, Confidence: incident.ConfidenceModerate,
			Basis: []incident.Basis{incident.BasisTechnical}})
		if err != nil {
			t.Fatal(err)
		}
		all, err := e.svc.Attributions(ctx, e.who["kepoc"], inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 || all[0].ID != fr.ID || all[1].ID != de.ID || all[2].ID != org.ID {
			t.Fatalf("assessments %+v", all)
		}
		asserted := [][2]string{}
		for _, x := range all {
			asserted = append(asserted, [2]string{x.AssertedByState, x.AssertedByOrg})
		}
		if !slices.Equal(asserted, [][2]string{{"FR", ""}, {"DE", ""}, {"", "Example Threat Lab"}}) {
			t.Errorf("who asserts: %v", asserted)
		}
		if all[2].RecordedByLabel != "frpoc2@test.invalid" || all[2].RecordedByState != "FR" {
			t.Errorf("recorded by %q of %q", all[2].RecordedByLabel, all[2].RecordedByState)
		}
		got := all[0]
		if got.Likelihood != incident.VeryLikely || got.Confidence != incident.ConfidenceLow || got.AttributedState != "DE" ||
			!slices.Equal(got.Basis, []incident.Basis{incident.BasisTechnical, incident.BasisPolitical}) ||
			got.Evidence[0].Reliability != "B" || got.Evidence[0].Credibility != 2 || !got.OriginTerritoryOnly {
			t.Errorf("stored %+v", got)
		}
		if !slices.Equal(got.Cites(), []string{incident.LawOriginNotAttribution}) || all[1].Cites() != nil {
			t.Errorf("cites %v and %v", got.Cites(), all[1].Cites())
		}
		if _, err := e.cat.Provision(incident.LawOriginNotAttribution); err != nil {
			t.Errorf("the provision to cite is not in the catalogue: %v", err)
		}
		// Only the recording State edits an assessment, at its version.
		edit := incident.AttributionInput{Category: incident.ActorState, AttributedState: "DE", Likelihood: incident.Likely,
			Confidence: incident.ConfidenceModerate, Basis: []incident.Basis{incident.BasisLegal}}
		if _, err := e.svc.EditAttribution(ctx, e.who["depoc"], fr.ID, 1, edit); !errs.Is(err, errs.Forbidden) {
			t.Errorf("DE edits FR's assessment: %v", err)
		}
		if _, err := e.svc.EditAttribution(ctx, e.who["nzpoc"], fr.ID, 1, edit); !errs.Is(err, errs.Forbidden) {
			t.Errorf("NZ edits FR's assessment: %v", err)
		}
		for who, want := range map[string]errs.Code{"fradmin": "", "frpoc2": "", "depoc": errs.Forbidden, "frviewer": errs.Forbidden, "sec": errs.Forbidden} {
			if err := e.svc.CanEditAttribution(ctx, e.who[who], fr); (want == "" && err != nil) || (want != "" && !errs.Is(err, want)) {
				t.Errorf("%s: CanEditAttribution says %v", who, err)
			}
		}
		if one, of, err := e.svc.Attribution(ctx, e.who["kepoc"], de.ID); err != nil || one.AssertedByState != "DE" || of.ID != inc.ID {
			t.Errorf("one assessment: %+v of %s, %v", one, of.ID, err)
		}
		x, err := e.svc.EditAttribution(ctx, e.who["fradmin"], fr.ID, 1, edit)
		if err != nil || x.Version != 2 || x.Likelihood != incident.Likely || x.Confidence != incident.ConfidenceModerate {
			t.Fatalf("edit: %+v %v", x, err)
		}
		if _, err := e.svc.EditAttribution(ctx, e.who["frpoc"], fr.ID, 1, edit); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale edit: %v", err)
		}
		if _, err := e.svc.EditAttribution(ctx, e.who["frpoc"], "not-an-id", 1, edit); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown assessment: %v", err)
		}
		want := []string{"incident.create", "incident.attribute", "incident.attribute", "incident.attribute", "incident.attribution_edit"}
		if got := auditActions(t, db, inc.ID); !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
	})
}

// TestFindings: a finding per provision of the catalogue, versioned;
// unknown provisions and recommendations are refused with a field error.
func TestFindings(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		inc := e.create(t, "frpoc", e.input(tlp.Amber, "KE"))
		for _, c := range []struct {
			in    incident.FindingInput
			field string
		}{
			{incident.FindingInput{Provision: "norm-z", Engaged: true, Outcome: incident.Consistent}, "provision"},
			{incident.FindingInput{Provision: "gge2013-22", Engaged: true, Outcome: incident.Consistent}, "provision"},
			{incident.FindingInput{Provision: "norm-h\x00", Engaged: true, Outcome: incident.Consistent}, "provision"},
			{incident.FindingInput{Provision: "norm-h", Engaged: true}, "outcome"},
			{incident.FindingInput{Provision: "norm-h", Engaged: true, Outcome: "probably"}, "outcome"},
			{incident.FindingInput{Provision: "norm-h", Engaged: true, Outcome: incident.Consistent, Rationale: "a\x00b"}, "rationale"},
		} {
			if _, err := e.svc.SetFinding(ctx, e.who["frpoc"], inc.ID, c.in); errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("%+v: %v, want a field error on %s", c.in, err, c.field)
			}
		}
		for _, p := range []string{"norm-h", "law-28f", "cbm-1"} {
			if _, err := e.svc.SetFinding(ctx, e.who["frpoc"], inc.ID, incident.FindingInput{Provision: p, Engaged: true, Outcome: incident.PossibleInconsistency, Rationale: "Hospitals were hit."}); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		}
		f, err := e.svc.SetFinding(ctx, e.who["fradmin"], inc.ID, incident.FindingInput{Provision: "norm-h", Engaged: false, Version: 1})
		if err != nil || f.Version != 2 || f.Engaged || f.ByLabel != "fradmin@test.invalid" {
			t.Fatalf("second finding on norm-h: %+v %v", f, err)
		}
		if _, err := e.svc.SetFinding(ctx, e.who["frpoc"], inc.ID, incident.FindingInput{Provision: "norm-h", Engaged: true, Outcome: incident.Consistent, Version: 1}); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale finding: %v", err)
		}
		if _, err := e.svc.SetFinding(ctx, e.who["frpoc"], inc.ID, incident.FindingInput{Provision: "cbm-1", Engaged: true, Outcome: incident.Consistent}); !errs.Is(err, errs.Conflict) {
			t.Errorf("a second first finding: %v", err)
		}
		fs, err := e.svc.Findings(ctx, e.who["kepoc"], inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, f := range fs {
			order = append(order, f.Provision)
		}
		if !slices.Equal(order, []string{"norm-h", "law-28f", "cbm-1"}) {
			t.Errorf("findings in order %v", order)
		}
		for p, want := range map[string]int{"norm-h": 0, "law-28f": 1, "cbm-1": 1} {
			got, err := e.svc.ByProvision(ctx, e.who["kepoc"], p, page.First())
			if err != nil || len(got.Items) != want {
				t.Errorf("%s engaged in %d incidents (%v), want %d", p, len(got.Items), err, want)
			}
		}
		if _, err := e.svc.ByProvision(ctx, e.who["kepoc"], "", page.First()); errs.FieldsOf(err)["provision"] == "" {
			t.Errorf("no provision listed: %v", err)
		}
		if _, err := e.svc.ByProvision(ctx, e.who["kepoc"], "norm-z", page.First()); errs.FieldsOf(err)["provision"] == "" {
			t.Errorf("unknown provision listed: %v", err)
		}
		got, err := e.svc.Incident(ctx, e.who["kepoc"], inc.ID)
		if err != nil || got.Engaged != 2 {
			t.Errorf("engaged count %d %v", got.Engaged, err)
		}
	})
}

// TestLabelsAreInTheCatalogue: every name the domain gives a page is a
// message of the catalogue in its context.
func TestLabelsAreInTheCatalogue(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	check := func(ctx, label string) {
		if problems := c.CheckMessage(i18n.MC(ctx, label)); len(problems) > 0 || label == "" {
			t.Errorf("%s %q: %v", ctx, label, problems)
		}
	}
	for _, s := range incident.Statuses() {
		check("incident status", s.Label())
	}
	for _, s := range incident.Sectors() {
		check("incident sector", s.Label())
	}
	for _, s := range incident.Severities() {
		check("incident severity", s.Label())
	}
	for _, x := range incident.ActorCategories() {
		check("actor category", x.Label())
	}
	for _, x := range incident.SpectrumSteps() {
		check("responsibility spectrum", x.Label())
	}
	for _, x := range incident.Likelihoods() {
		check("likelihood", x.Label())
	}
	for _, x := range incident.Confidences() {
		check("confidence", x.Label())
	}
	for _, x := range incident.Bases() {
		check("attribution basis", x.Label())
	}
	for _, x := range incident.Outcomes() {
		check("finding", x.Label())
	}
	if n := len(incident.SpectrumSteps()); n != 10 {
		t.Errorf("%d steps of the spectrum, want 10", n)
	}
	if n := len(incident.Likelihoods()); n != 7 {
		t.Errorf("%d likelihood terms, want 7", n)
	}
}
