package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// Titles of the fixture's incidents, which the pages must show only to
// those who may read them.
const (
	amberIncident = "AMBER wiper at a grid operator 5c1d"
	clearIncident = "CLEAR phishing wave 2e7b"
)

// incidents are the fixture's incidents: FR's TLP:AMBER one shared with
// KE, with an assessment by each State (KE's resting on the origin of the
// activity alone) and a finding on norm 13(h); and FR's TLP:CLEAR one.
type incidents struct {
	amber, clear incident.Incident
	frAtt, keAtt incident.Attribution
}

func (f *fixture) incidents() incidents {
	f.t.Helper()
	ctx := context.Background()
	fr, ke := f.acc["frpoc"].Actor(), f.acc["kepoc"].Actor()
	at := f.clock.Now().Add(-48 * time.Hour)
	var in incidents
	var err error
	in.amber, err = f.app.Incidents.Create(ctx, fr, incident.Input{Title: amberIncident, Summary: "Substation control systems wiped.",
		OccurredAt: at, Timeline: []incident.Event{{At: at, What: "Wiper detected", Source: "CERT-FR"}}, Sectors: []incident.Sector{"energy"},
		Consequences: incident.Consequences{Scope: "Two substations", Severity: incident.SeverityHigh}, TLP: tlp.Amber, Recipients: []string{"KE"}})
	if err != nil {
		f.t.Fatal(err)
	}
	in.clear, err = f.app.Incidents.Create(ctx, fr, incident.Input{Title: clearIncident, Summary: "Phishing against ministries.",
		OccurredAt: at.Add(time.Hour), Sectors: []incident.Sector{"government"}, TLP: tlp.Clear})
	if err != nil {
		f.t.Fatal(err)
	}
	in.frAtt, err = f.app.Incidents.AddAttribution(ctx, fr, in.amber.ID, incident.AttributionInput{Category: incident.ActorNonState,
		Likelihood: incident.Likely, Confidence: incident.ConfidenceModerate, Basis: []incident.Basis{incident.BasisTechnical},
		Evidence: []incident.Evidence{{Description: "Wiper code shared with a criminal kit", Source: "Malware analysis", Reliability: "B", Credibility: 2}}})
	if err != nil {
		f.t.Fatal(err)
	}
	in.keAtt, err = f.app.Incidents.AddAttribution(ctx, ke, in.amber.ID, incident.AttributionInput{Category: incident.ActorState,
		AttributedState: "NZ", Likelihood: incident.Unlikely, Confidence: incident.ConfidenceLow, Basis: []incident.Basis{incident.BasisPolitical},
		OriginTerritoryOnly: true})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.app.Incidents.SetFinding(ctx, fr, in.amber.ID, incident.FindingInput{Provision: "norm-h", Engaged: true,
		Outcome: incident.Consistent, Rationale: "Assistance was given."}); err != nil {
		f.t.Fatal(err)
	}
	return in
}

// lawView28f is the start of the verbatim text of A/70/174, para. 28(f),
// which a card resting on the origin of the activity alone quotes.
const lawView28f = "the indication that an ICT activity was launched or otherwise originates"

// incidentRows are the authorization matrix's rows for the incident
// pages: every route, every role, with what must and must not appear.
func incidentRows(f *fixture) []struct {
	name   string
	method string
	path   string
	form   url.Values
	expect expect
} {
	in := f.incidents()
	amber, clear := "/incidents/"+in.amber.ID, "/incidents/"+in.clear.ID
	const rejected = http.StatusUnprocessableEntity
	conflict := http.StatusConflict
	record := url.Values{"title": {"Ransomware at a port"}, "summary": {"Terminals encrypted."}, "occurred_at": {"2026-05-30T08:00"},
		"rows": {"3"}, "ev_at_1": {"2026-05-30T09:15"}, "ev_what_1": {"Ransom note found"}, "ev_source_1": {"Port CERT"},
		"sectors": {"transport"}, "severity": {"medium"}, "tlp": {"TLP:GREEN"}}
	assess := url.Values{"asserted_by": {"organisation"}, "organisation": {"A research lab"}, "category": {"non-state"}, "likelihood": {"likely"},
		"confidence": {"moderate"}, "basis": {"technical"}, "rows": {"3"}, "ev_desc_0": {"Shared infrastructure"}, "ev_rel_0": {"C"}, "ev_cred_0": {"3"}}
	writers := func(s int) map[string]int {
		return map[string]int{"anon": unauth, "fradmin": s, "frpoc": s}
	}
	return []struct {
		name   string
		method string
		path   string
		form   url.Values
		expect expect
	}{
		{"incidents", "GET", "/incidents", nil, expect{def: ok, status: map[string]int{"anon": see},
			present: map[string][]string{"sec": {clearIncident}, "nzpoc": {clearIncident}, "frviewer": {amberIncident, clearIncident},
				"kepoc": {amberIncident, `href="/incidents/new"`}, "frpoc": {`href="/incidents/new"`, "Incidents by sector"}},
			absent: map[string][]string{"sec": {amberIncident, `href="/incidents/new"`}, "nzpoc": {amberIncident, `href="/incidents/new"`},
				"frviewer": {`href="/incidents/new"`}}}},
		{"incidents filtered", "GET", "/incidents?status=open&sector=energy&provision=norm-h&state=FR&from=2026-01-01&to=2026-12-31", nil,
			expect{def: ok, status: map[string]int{"anon": see},
				present: map[string][]string{"frpoc": {amberIncident}, "kepoc": {amberIncident}},
				absent:  map[string][]string{"frpoc": {clearIncident}, "sec": {amberIncident, clearIncident}, "nzpoc": {amberIncident}}}},
		{"incidents with a bad filter", "GET", "/incidents?sector=volcanoes&from=2026-06-01&to=2026-01-01", nil,
			expect{def: rejected, status: map[string]int{"anon": see},
				present: map[string][]string{"frpoc": {`id="sector-error"`, `id="to-error"`}}}},
		{"incidents with a date that is no date", "GET", "/incidents?from=2026-02-30", nil,
			expect{def: rejected, status: map[string]int{"anon": see}, present: map[string][]string{"kepoc": {`id="from-error"`}}}},
		{"new incident form", "GET", "/incidents/new", nil, expect{def: forbidden, status: map[string]int{"anon": see, "fradmin": ok, "frpoc": ok, "kepoc": ok},
			present: map[string][]string{"frpoc": {`name="ev_at_2"`, `id="sector-energy"`, `id="tlp-red"`}}}},
		{"record an incident", "POST", "/incidents", record, expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see, "frpoc": see, "kepoc": see}}},
		{"record an incident (bad input)", "POST", "/incidents", withField(record, "title", "", "ev_what_1", ""),
			expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": rejected, "frpoc": rejected, "kepoc": rejected},
				present: map[string][]string{"frpoc": {`id="title-error"`, `id="timeline.1.what-error"`}}}},
		{"incident (AMBER)", "GET", amber, nil, expect{def: ok, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound},
			present: map[string][]string{
				"fradmin":  {amberIncident, amber + "/edit", amber + "/status", amber + "/findings", amber + "/attributions/new", "Wiper detected"},
				"frpoc":    {amber + "/edit", "/incidents/attributions/" + in.frAtt.ID + "/edit", "Likely (55–80%)", "Moderate confidence", "Wiper code shared"},
				"frviewer": {amberIncident, "Assistance was given.", lawView28f, `href="/framework/law-28f"`, "History"},
				"kepoc":    {amberIncident, amber + "/attributions/new", "/incidents/attributions/" + in.keAtt.ID + "/edit", "Unlikely (20–45%)", "Low confidence"}},
			absent: map[string][]string{"sec": {amberIncident}, "nzpoc": {amberIncident},
				"frviewer": {amber + "/edit", amber + "/status", amber + "/attributions/new", "/incidents/attributions/"},
				"kepoc":    {amber + "/edit", amber + "/status", amber + "/findings", "/incidents/attributions/" + in.frAtt.ID},
				"frpoc":    {"/incidents/attributions/" + in.keAtt.ID}}}},
		{"incident (CLEAR)", "GET", clear, nil, expect{def: ok, status: map[string]int{"anon": see},
			present: map[string][]string{"sec": {clearIncident}, "nzpoc": {clearIncident}},
			absent:  map[string][]string{"sec": {clear + "/edit", "/attributions/new"}, "nzpoc": {clear + "/edit", "/attributions/new"}, "kepoc": {clear + "/edit"}}}},
		{"unknown incident", "GET", "/incidents/not-an-incident", nil, expect{def: notFound, status: map[string]int{"anon": see}}},
		{"edit form", "GET", amber + "/edit", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound, "fradmin": ok, "frpoc": ok},
			absent: map[string][]string{"sec": {amberIncident}, "nzpoc": {amberIncident}, "kepoc": {amberIncident}}}},
		{"edit (stale version)", "POST", amber + "/edit", withField(record, "version", "0"),
			expect{def: forbidden, status: writers(conflict), present: map[string][]string{"frpoc": {"reload it and try again"}}}},
		{"change status (stale version)", "POST", amber + "/status", url.Values{"status": {"assessed"}, "version": {"99999999999999999999"}},
			expect{def: forbidden, status: writers(conflict)}},
		{"assessment form", "GET", amber + "/attributions/new", nil, expect{def: ok, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound, "frviewer": forbidden},
			present: map[string][]string{"kepoc": {`id="lk-almost-certain"`, `id="cf-high"`, `name="ev_cred_2"`}}}},
		{"add an assessment", "POST", amber + "/attributions", assess,
			expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see, "frpoc": see, "kepoc": see, "sec": forbidden, "nzpoc": forbidden}}},
		{"add an assessment (bad input)", "POST", amber + "/attributions", withField(assess, "ev_cred_0", "99999999999999999999", "likelihood", "surely"),
			expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": rejected, "frpoc": rejected, "kepoc": rejected},
				present: map[string][]string{"kepoc": {`id="evidence.0.credibility-error"`, `id="likelihood-error"`}}}},
		{"change an assessment form", "GET", "/incidents/attributions/" + in.keAtt.ID + "/edit", nil,
			expect{def: forbidden, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound, "kepoc": ok}}},
		{"change an assessment (stale version)", "POST", "/incidents/attributions/" + in.keAtt.ID + "/edit", withField(assess, "version", "0"),
			expect{def: forbidden, status: map[string]int{"anon": unauth, "kepoc": conflict}}},
		{"findings", "GET", amber + "/findings?provision=norm-h", nil,
			expect{def: forbidden, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound, "fradmin": ok, "frpoc": ok},
				present: map[string][]string{"frpoc": {"Assistance was given.", `id="oc-consistent"`, "law-28f"}}}},
		{"findings (not a provision findings are made on)", "GET", amber + "/findings?provision=law-26", nil,
			expect{def: forbidden, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound, "fradmin": http.StatusBadRequest, "frpoc": http.StatusBadRequest},
				present: map[string][]string{"frpoc": {`id="provision-error"`}}}},
		{"set a finding (stale version)", "POST", amber + "/findings", url.Values{"provision": {"norm-h"}, "engaged": {"yes"}, "outcome": {"consistent"}, "version": {"7"}},
			expect{def: forbidden, status: writers(conflict)}},
		{"set a finding (bad input)", "POST", amber + "/findings", url.Values{"provision": {"norm-c"}, "engaged": {"yes"}, "rationale": {"Held\x00back"}, "version": {"0"}},
			expect{def: forbidden, status: writers(rejected), present: map[string][]string{"frpoc": {`id="outcome-error"`, `id="rationale-error"`}}}},
		{"thread offers an incident", "GET", "/threads/" + f.msg.ThreadID, nil, expect{def: notFound, status: map[string]int{"anon": see, "fradmin": ok, "frpoc": ok, "frviewer": ok, "kepoc": ok},
			present: map[string][]string{"kepoc": {"/messages/" + f.msg.ID + "/incident"}, "frpoc": {"/messages/" + f.msg.ID + "/incident", amberIncident}},
			absent:  map[string][]string{"frviewer": {"/incident\""}, "kepoc": {amberIncident, clearIncident}}}},
		{"open an incident from a communication", "POST", "/messages/" + f.msg.ID + "/incident", nil,
			expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see, "frpoc": see, "kepoc": see}}},
		{"add a communication to an incident", "POST", "/messages/" + f.msg.ID + "/incident", url.Values{"join": {in.clear.ID}},
			expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see, "frpoc": see, "kepoc": forbidden}}},
		{"provision's incidents", "GET", "/framework/norm-h/incidents", nil, expect{def: ok, status: map[string]int{"anon": see},
			present: map[string][]string{"frviewer": {amberIncident}, "kepoc": {amberIncident}},
			absent:  map[string][]string{"sec": {amberIncident}, "nzpoc": {amberIncident}, "frviewer": {clearIncident}}}},
		{"unknown provision's incidents", "GET", "/framework/norm-z/incidents", nil, expect{def: notFound}},
		{"provision links to its incidents", "GET", "/framework/norm-h", nil, expect{def: ok,
			present: map[string][]string{"anon": {`href="/framework/norm-h/incidents"`}, "kepoc": {`href="/framework/norm-h/incidents"`}}}},
	}
}

// TestIncidentForms: the record form comes back with each problem beside
// its row, a timeline row left empty is no event, an edit keeps the
// events, a stale version is a conflict, and the list shows the charts'
// figures beside their tables.
func TestIncidentForms(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine)
		c := f.signIn("frpoc")
		form := url.Values{"title": {"Grid outage"}, "summary": {"A wiper."}, "occurred_at": {"2026-05-30T08:00"}, "rows": {"4"},
			"ev_at_0": {"2026-05-30T08:10"}, "ev_what_0": {"Alarm"}, "ev_at_2": {"not a time"}, "ev_what_2": {"Second event"},
			"sectors": {"energy", "water"}, "severity": {"high"}, "tlp": {"TLP:AMBER"}, "recipients": {"KE"}}
		r := c.post("/incidents", form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="timeline.2.at-error"`) || strings.Contains(r.body, `id="timeline.0.at-error"`) {
			t.Fatalf("a bad date in row 3: status %d\n%s", r.status, snippet(r.body))
		}
		if !strings.Contains(r.body, `value="Second event"`) && !strings.Contains(r.body, ">Second event</textarea>") {
			t.Error("the form came back without what was typed")
		}
		form.Set("ev_at_2", "2026-05-30T09:00")
		r = c.post("/incidents", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("record: status %d\n%s", r.status, snippet(r.body))
		}
		page := r.header.Get("Location")
		id := strings.TrimSuffix(strings.TrimPrefix(page, "/incidents/"), "?done=recorded")
		inc, err := f.app.Incidents.Incident(context.Background(), f.acc["frpoc"].Actor(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(inc.Timeline) != 2 || inc.Timeline[1].What != "Second event" || len(inc.Sectors) != 2 || inc.Recipients[0] != "KE" {
			t.Fatalf("recorded %+v", inc)
		}
		r = c.get("/incidents/" + id + "/edit")
		if !strings.Contains(r.body, `name="ev_at_4"`) || !strings.Contains(r.body, `value="2026-05-30T09:00"`) {
			t.Errorf("the edit form lacks the events or the empty rows\n%s", snippet(r.body))
		}
		edit := url.Values{}
		for k, v := range form {
			edit[k] = v
		}
		edit.Set("version", "1")
		edit.Set("title", "Grid outage, two regions")
		if r = c.post("/incidents/"+id+"/edit", edit); r.status != http.StatusSeeOther {
			t.Fatalf("edit: status %d\n%s", r.status, snippet(r.body))
		}
		if r = c.post("/incidents/"+id+"/edit", edit); r.status != http.StatusConflict || !strings.Contains(r.body, "reload it and try again") {
			t.Errorf("a second edit at version 1: status %d", r.status)
		}
		r = c.get("/incidents/" + id)
		for _, want := range []string{"Grid outage, two regions", "Second event", "Edited", "Mark as assessed"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the incident page lacks %q", want)
			}
		}
		if r = c.post("/incidents/"+id+"/status", url.Values{"status": {"assessed"}, "version": {"2"}}); r.status != http.StatusSeeOther {
			t.Fatalf("status: %d\n%s", r.status, snippet(r.body))
		}
		r = c.get("/incidents?status=assessed")
		if !strings.Contains(r.body, "Grid outage, two regions") || !strings.Contains(r.body, `<svg`) || !strings.Contains(r.body, `href="/incidents?sector=water"`) {
			t.Errorf("the list of assessed incidents lacks the incident or its charts\n%s", snippet(r.body))
		}
	})
}

// TestIncidentBadInput: what no database can store, hidden formatting
// characters, huge numbers and dates that are no dates get a field error
// and write nothing.
func TestIncidentBadInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine)
		in := f.incidents()
		c := f.signIn("frpoc")
		record := url.Values{"title": {"Port ransomware"}, "summary": {"Encrypted."}, "occurred_at": {"2026-05-30T08:00"}, "rows": {"3"},
			"severity": {"medium"}, "tlp": {"TLP:GREEN"}}
		assess := url.Values{"category": {"non-state"}, "likelihood": {"likely"}, "confidence": {"moderate"}, "basis": {"technical"}, "rows": {"3"}}
		amber := "/incidents/" + in.amber.ID
		for _, tc := range []struct {
			name, path string
			form       url.Values
			field      string
		}{
			{"NUL in a title", "/incidents", withField(record, "title", "Port\x00"), "title"},
			{"invalid UTF-8 in a summary", "/incidents", withField(record, "summary", "Enc\xffrypted"), "summary"},
			{"hidden formatting in a title", "/incidents", withField(record, "title", "Port \u202Eerawmosnar"), "title"},
			{"a year out of range", "/incidents", withField(record, "occurred_at", "99999-01-01T00:00"), "occurred_at"},
			{"a date before 1970", "/incidents", withField(record, "occurred_at", "1969-12-31T23:00"), "occurred_at"},
			{"a date that is no date", "/incidents", withField(record, "occurred_at", "2026-02-30T10:00"), "occurred_at"},
			{"NUL in an event", "/incidents", withField(record, "ev_at_1", "2026-05-30T08:00", "ev_what_1", "Seen\x00"), "timeline.1.what"},
			{"an unknown sector", "/incidents", withField(record, "sectors", "volcano\x01"), "sectors"},
			{"a related incident that is no id", "/incidents", withField(record, "related", "../../etc"), "related"},
			{"NUL in a recipient", "/incidents", withField(record, "recipients", "K\x00E"), "recipients"},
			{"a huge number of rows", "/incidents", withField(record, "rows", "99999999999999999999999", "ev_at_0", "x"), "timeline.0.at"},
			{"NUL in an organisation", amber + "/attributions", withField(assess, "asserted_by", "organisation", "organisation", "Lab\x00"), "organisation"},
			{"a huge credibility", amber + "/attributions", withField(assess, "ev_desc_0", "Seen", "ev_rel_0", "A", "ev_cred_0", "18446744073709551617"), "evidence.0.credibility"},
			{"an unknown State held responsible", amber + "/attributions", withField(assess, "attributed_state", "ZZ"), "attributed_state"},
			{"invalid UTF-8 in a rationale", amber + "/findings", url.Values{"provision": {"norm-c"}, "rationale": {"\xc3"}, "version": {"0"}}, "rationale"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := c.on(t)
				before := rowCounts(t, f)
				r := c.post(tc.path, tc.form)
				if r.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422\n%s", r.status, snippet(r.body))
				}
				if !strings.Contains(r.body, `id="`+tc.field+`-error"`) {
					t.Errorf("the page does not mark the field %q\n%s", tc.field, snippet(r.body))
				}
				if after := rowCounts(t, f); after != before {
					t.Errorf("refused request changed the database: %v → %v", before, after)
				}
			})
		}
		for _, path := range []string{"/incidents?from=%00", "/incidents?provision=norm-h%FF"} {
			if r := c.get(path); r.status != http.StatusBadRequest {
				t.Errorf("GET %s: status %d, want 400", path, r.status)
			}
		}
		for _, path := range []string{"/incidents?to=2026-13-01", "/incidents?from=2300-01-01", "/incidents?provision=norm-z", "/incidents?state=XX"} {
			if r := c.get(path); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "-error\"") {
				t.Errorf("GET %s: status %d, want 422 with the filter marked", path, r.status)
			}
		}
	})
}
