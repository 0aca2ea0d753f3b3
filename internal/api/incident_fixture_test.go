package api

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/tlp"
)

// Titles of the fixture's incidents, for the leak assertions. Each label
// has a sector of its own, so that the counts by sector tell which of them
// a caller was counted.
const (
	amberIncident = "Intrusion at the electoral commission (AMBER)"
	redIncident   = "Source-protected hospital ransomware case (RED)"
	greenIncident = "Card-payment outage at a clearing house (GREEN)"
	clearIncident = "Ticketing outage on the national railway (CLEAR)"
	// amberOrg asserts the attribution on the AMBER incident.
	amberOrg = "Example Threat Research Lab"
)

// incidentSet is France's incidents, recorded once per fixture:
//   - amber: shared with Kenya (elections), with a finding on norm 13(c)
//     and an assessment by a named organisation;
//   - red: shared with Kenya's POC by name only (health);
//   - green: every State's accounts (finance);
//   - clear: anyone signed in (transport).
type incidentSet struct {
	amber, red, green, clear incident.Incident
	attribution              incident.Attribution
}

// incidentSets keeps each fixture's set, by its App, since a fixture is
// copied into every subtest; a set is kept for the whole test binary, as
// its fixture's subtests may ask for it at any time.
var incidentSets sync.Map

// incidentInput is a complete record of France's, dated before the
// fixture's clock.
func incidentInput(title string, sector incident.Sector, label tlp.Label, recipients ...string) incident.Input {
	at := epoch.Add(-72 * time.Hour)
	return incident.Input{Title: title, Summary: "Recorded for the tests: " + title + ".", OccurredAt: at,
		Timeline: []incident.Event{{At: at, What: "First alert from the sector CERT.", Source: "Sector CERT"},
			{At: at.Add(3 * time.Hour), What: "Containment under way.", Source: "National CSIRT"}},
		Sectors:      []incident.Sector{sector},
		Consequences: incident.Consequences{Scope: "One operator.", Duration: "Two days", Severity: incident.SeverityMedium},
		Context:      incident.Context{Tensions: "None known."}, TLP: label, Recipients: recipients}
}

// incidents returns the fixture's set, recording it the first time.
func (f *fixture) incidents() *incidentSet {
	f.t.Helper()
	if v, ok := incidentSets.Load(f.app); ok {
		return v.(*incidentSet)
	}
	ctx := context.Background()
	fr := f.acc[frPOC].Actor()
	var set incidentSet
	var err error
	create := func(in incident.Input) incident.Incident {
		f.t.Helper()
		i, err := f.app.Incidents.Create(ctx, fr, in)
		if err != nil {
			f.t.Fatalf("incident %q: %v", in.Title, err)
		}
		return i
	}
	set.amber = create(incidentInput(amberIncident, "elections", tlp.Amber, "KE"))
	red := incidentInput(redIncident, "health", tlp.Red, "KE")
	red.Named = []string{f.acc[kePOC].ID}
	set.red = create(red)
	set.green = create(incidentInput(greenIncident, "finance", tlp.Green))
	set.clear = create(incidentInput(clearIncident, "transport", tlp.Clear))
	if _, err = f.app.Incidents.SetFinding(ctx, fr, set.amber.ID, incident.FindingInput{Provision: "norm-c", Engaged: true,
		Outcome: incident.PossibleInconsistency, Rationale: "Infrastructure abroad was used; whether the State knew is not established."}); err != nil {
		f.t.Fatal(err)
	}
	set.attribution, err = f.app.Incidents.AddAttribution(ctx, fr, set.amber.ID, incident.AttributionInput{ByOrganisation: amberOrg,
		Category: incident.ActorNonState, Likelihood: incident.Likely, Confidence: incident.ConfidenceLow, Basis: []incident.Basis{incident.BasisTechnical},
		Evidence: []incident.Evidence{{Description: "Tooling overlaps with a known criminal kit.", Source: "Lab report", Reliability: "B", Credibility: 3}}})
	if err != nil {
		f.t.Fatal(err)
	}
	v, _ := incidentSets.LoadOrStore(f.app, &set)
	return v.(*incidentSet)
}

// freshIncident records a new AMBER incident of France's shared with
// Kenya, for a request that changes it.
func (f *fixture) freshIncident() incident.Incident {
	f.t.Helper()
	*f.seq++
	i, err := f.app.Incidents.Create(context.Background(), f.acc[frPOC].Actor(),
		incidentInput(fmt.Sprintf("Fresh telecom incident %d", *f.seq), "telecom", tlp.Amber, "KE"))
	if err != nil {
		f.t.Fatal(err)
	}
	return i
}

// freshAttribution records France's assessment on a fresh incident.
func (f *fixture) freshAttribution() incident.Attribution {
	f.t.Helper()
	i := f.freshIncident()
	x, err := f.app.Incidents.AddAttribution(context.Background(), f.acc[frPOC].Actor(), i.ID, incident.AttributionInput{
		Category: incident.ActorUnknown, Likelihood: incident.RoughlyEvenChance, Confidence: incident.ConfidenceModerate,
		Basis: []incident.Basis{incident.BasisTechnical}})
	if err != nil {
		f.t.Fatal(err)
	}
	return x
}

// freshAssistance has Kenya's POC ask France for assistance under norm
// 13(h), at TLP:AMBER, for a request that opens or joins an incident.
func (f *fixture) freshAssistance() messaging.Message {
	f.t.Helper()
	*f.seq++
	m, err := f.app.Messaging.Send(context.Background(), f.acc[kePOC].Actor(), messaging.Draft{Type: messaging.AssistanceRequest,
		Recipients: []string{"FR"}, Level: messaging.Technical, Urgency: messaging.Urgent, TLP: tlp.Amber,
		Subject: fmt.Sprintf("Water utility controllers encrypted (%d)", *f.seq), Body: "Pumping stations run on manual control; we ask for help.",
		Fields: map[string]string{"sector": "water", "critical_infrastructure": "yes", "assistance": "Identify the servers listed.",
			"impact": "Manual operation at three stations."}})
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func incidentPath(pick func(*incidentSet) incident.Incident, suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/incidents/" + pick(f.incidents()).ID + suffix }
}

func freshIncidentPath(suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/incidents/" + f.freshIncident().ID + suffix }
}

func amberOf(s *incidentSet) incident.Incident { return s.amber }
func redOf(s *incidentSet) incident.Incident   { return s.red }
func clearOf(s *incidentSet) incident.Incident { return s.clear }

// incidentBody is a complete, valid incident as the API takes it.
func incidentBody(title, recipient string) map[string]any {
	return map[string]any{"title": title, "summary": "Controllers of a water utility stopped answering.",
		"occurred_at": "2026-02-27T06:30:00Z",
		"timeline": []map[string]any{{"at": "2026-02-27T06:30:00Z", "what": "Telemetry lost.", "source": "Utility SOC"},
			{"at": "2026-02-27 08:00", "what": "Manual operation ordered.", "source": "Utility"}},
		"sectors":      []string{"water"},
		"consequences": map[string]any{"scope": "Three pumping stations.", "duration": "Ongoing", "severity": "medium"},
		"context":      map[string]any{"tensions": "None known."}, "tlp": "TLP:AMBER", "recipients": []string{recipient}}
}

// attributionBody is a complete, valid assessment as the API takes it.
func attributionBody(org string) map[string]any {
	return map[string]any{"organisation": org, "category": "state-affiliated", "attributed_state": "NZ", "spectrum": "state-encouraged",
		"likelihood": "unlikely", "confidence": "moderate", "basis": []string{"technical", "political"},
		"evidence":              []map[string]any{{"description": "Command servers hosted in the State.", "source": "Passive DNS", "reliability": "C", "credibility": 3}},
		"origin_territory_only": true, "rationale": "Only hosting points there."}
}

// recipientFor is a State other than role's own to share an incident with.
func recipientFor(role string) string {
	if role == kePOC {
		return "FR"
	}
	return "KE"
}

// sectorCount is how /incidents/counts shows n incidents in sector.
func sectorCount(sector string, n int) string {
	return fmt.Sprintf(`{"sector":%q,"count":%d}`, sector, n)
}
