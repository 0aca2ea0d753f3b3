package e2e

import (
	"context"
	"time"

	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/tlp"
)

// incidentStops records the incidents the tour's incident pages show —
// FR's TLP:AMBER wiper incident shared with KE, with contested
// assessments (one resting on the origin of the activity alone) and
// findings, and a TLP:CLEAR one the secretariat may read — and returns the
// pages each person visits, by account key.
func incidentStops(f *fixture) map[string][]stop {
	f.t.Helper()
	ctx := context.Background()
	fr, ke := f.acc["frpoc"].Actor(), f.acc["kepoc"].Actor()
	at := f.clock.Now().Add(-72 * time.Hour).Truncate(time.Minute)
	amber, err := f.app.Incidents.Create(ctx, fr, incident.Input{Title: "Wiper at a grid operator", OccurredAt: at,
		Summary: "Destructive malware erased the control servers of two substations; operators switched to manual control.",
		Timeline: []incident.Event{
			{At: at, What: "Substation control servers stop answering", Source: "Grid operator"},
			{At: at.Add(40 * time.Minute), What: "Wiper found on the control servers", Source: "CERT-FR"},
			{At: at.Add(26 * time.Hour), What: "Request for assistance sent to Kenya", Source: "Communication"},
		},
		Sectors: []incident.Sector{"energy", "telecom"},
		Consequences: incident.Consequences{Scope: "Two substations serving about 40,000 households", Duration: "Six hours",
			Physical: "No damage to equipment", Economic: "Loss of supply for six hours", Societal: "Hospitals on backup power",
			Severity: incident.SeverityHigh},
		Context: incident.Context{Tensions: "A wave of scanning of grid operators in the region during the preceding month."},
		TLP:     tlp.Amber, Recipients: []string{"KE"}})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.app.Incidents.Create(ctx, fr, incident.Input{Title: "Phishing wave against ministries", OccurredAt: at.Add(-48 * time.Hour),
		Summary: "Credential phishing against several ministries.", Sectors: []incident.Sector{"government"}, TLP: tlp.Clear}); err != nil {
		f.t.Fatal(err)
	}
	frAtt, err := f.app.Incidents.AddAttribution(ctx, fr, amber.ID, incident.AttributionInput{Category: incident.ActorNonState,
		Likelihood: incident.Likely, Confidence: incident.ConfidenceModerate, Basis: []incident.Basis{incident.BasisTechnical},
		Substantiated: true, Rationale: "The wiper reuses code of a criminal kit sold on forums.",
		Evidence: []incident.Evidence{
			{Description: "Code shared with a known criminal kit", Source: "Malware analysis, CERT-FR", Reliability: "B", Credibility: 2},
			{Description: "Ransom demand posted after the attack", Source: "Open sources", Reliability: "C", Credibility: 3},
		}})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.app.Incidents.AddAttribution(ctx, ke, amber.ID, incident.AttributionInput{ByOrganisation: "An independent research laboratory",
		Category: incident.ActorState, AttributedState: "KE", Spectrum: "state-ignored", Likelihood: incident.Unlikely,
		Confidence: incident.ConfidenceLow, Basis: []incident.Basis{incident.BasisTechnical}, OriginTerritoryOnly: true,
		Rationale: "Command servers were hosted by a provider in Kenya."}); err != nil {
		f.t.Fatal(err)
	}
	for _, fd := range []incident.FindingInput{
		{Provision: "norm-h", Engaged: true, Outcome: incident.Consistent, Rationale: "Kenya answered the request for assistance within a day."},
		{Provision: "norm-f", Engaged: true, Outcome: incident.InsufficientInformation, Rationale: "Who is behind the attack is not established."},
	} {
		if _, err := f.app.Incidents.SetFinding(ctx, fr, amber.ID, fd); err != nil {
			f.t.Fatal(err)
		}
	}
	page := "/incidents/" + amber.ID
	return map[string][]stop{
		"frpoc": {
			{name: "incidents", path: "/incidents"},
			{name: "incidents-filtered", path: "/incidents?sector=energy&provision=norm-h"},
			{name: "incident-new", path: "/incidents/new"},
			{name: "incident-new-errors", path: "/incidents/new", then: func(b *tab) {
				b.fill("#ev_at_0", "2025-13-01T00:00")
				b.click(saveButton)
				b.waitFor("#title-error")
			}},
			{name: "incident", path: page},
			{name: "incident-edit", path: page + "/edit"},
			{name: "incident-assess", path: page + "/attributions/new"},
			{name: "incident-assess-errors", path: page + "/attributions/new", then: func(b *tab) {
				b.click(saveButton)
				b.waitFor("#likelihood-error")
			}},
			{name: "incident-assessment-edit", path: "/incidents/attributions/" + frAtt.ID + "/edit"},
			{name: "incident-findings", path: page + "/findings"},
			{name: "incident-finding", path: page + "/findings?provision=norm-h"},
			{name: "provision-incidents", path: "/framework/norm-h/incidents"},
			{name: "thread-incident-offer", path: "/threads/" + f.msg.ThreadID},
			// Last: the import records one more incident.
			{name: "incident-import", path: "/incidents/import"},
			{name: "incident-import-errors", path: "/incidents/import", then: func(b *tab) {
				b.click(saveButton)
				b.waitFor("#bundle-error")
			}},
			{name: "incident-import-summary", path: "/incidents/import", then: importBundle(f, amber.ID)},
		},
		"kepoc": {{name: "incident", path: page}},
		"sec":   {{name: "incidents", path: "/incidents"}},
	}
}

// withIncidents adds the incident pages to the tour's legs, and a leg of
// its own for a person the tour did not take yet.
func withIncidents(f *fixture, legs []leg) []leg {
	more := incidentStops(f)
	for i := range legs {
		legs[i].stops = append(legs[i].stops, more[legs[i].who]...)
		delete(more, legs[i].who)
	}
	for _, who := range []string{"frpoc"} {
		if s, ok := more[who]; ok {
			legs = append(legs, leg{who: who, stops: s})
		}
	}
	return legs
}
