package api

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/detente/detente/internal/actor"
)

// incidentRows counts the rows every incident write touches; a refused
// request must leave them as they were.
func (f *fixture) incidentRows() count {
	f.t.Helper()
	c := f.counts()
	for _, q := range []struct{ name, sql string }{
		{"incidents", `SELECT COUNT(*) FROM incidents`},
		{"incident_version_sum", `SELECT COALESCE(SUM(version), 0) FROM incidents`},
		{"incident_versions", `SELECT COUNT(*) FROM incident_versions`},
		{"incident_messages", `SELECT COUNT(*) FROM incident_messages`},
		{"incident_attributions", `SELECT COUNT(*) FROM incident_attributions`},
		{"incident_attribution_versions", `SELECT COALESCE(SUM(version), 0) FROM incident_attributions`},
		{"incident_findings", `SELECT COUNT(*) FROM incident_findings`},
	} {
		var n int
		if err := f.app.DB.R.QueryRow(q.sql).Scan(&n); err != nil {
			f.t.Fatalf("%s: %v", q.name, err)
		}
		c[q.name] = n
	}
	return c
}

// decodeJSON decodes a response body into v.
func decodeJSON(t *testing.T, res response, v any) {
	t.Helper()
	if err := json.Unmarshal(res.body, v); err != nil {
		t.Fatalf("%v: %s", err, res.body)
	}
}

type incidentWire struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Status   string   `json:"status"`
	Version  int      `json:"version"`
	Messages []string `json:"messages"`
	Timeline []struct {
		At   string `json:"at"`
		What string `json:"what"`
	} `json:"timeline"`
}

// TestIncidentLifecycle walks an incident through the API as France's and
// Kenya's points of contact would: recorded, edited at its version,
// closed, assessed by two States that disagree, found on provisions, and
// listed a page at a time.
func TestIncidentLifecycle(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		must := func(res response, status int) response {
			t.Helper()
			if res.status != status {
				t.Fatalf("status %d, want %d: %s", res.status, status, res.body)
			}
			return res
		}
		res := must(f.do(frPOC, req{method: http.MethodPost, path: "/incidents", body: incidentBody("Pumping stations on manual control", "KE")}), 201)
		var inc incidentWire
		decodeJSON(t, res, &inc)
		if loc := res.header.Get("Location"); loc != prefix+"/incidents/"+inc.ID || res.header.Get("ETag") != `"1"` {
			t.Errorf("Location %q, ETag %q", loc, res.header.Get("ETag"))
		}
		if len(inc.Timeline) != 2 || inc.Timeline[1].At != "2026-02-27T08:00:00Z" || inc.Status != "open" {
			t.Errorf("recorded as %+v", inc)
		}
		path := "/incidents/" + inc.ID

		t.Run("edits at the version read", func(t *testing.T) {
			f := f.with(t)
			edit := incidentBody("Pumping stations on manual control, three sites", "KE")
			must(f.do(frPOC, req{method: http.MethodPut, path: path, body: edit, header: map[string]string{"If-Match": `"1"`}}), 200)
			before := f.incidentRows()
			stale := f.do(frAdmin, req{method: http.MethodPut, path: path, body: incidentBody("Overwritten", "KE"), header: map[string]string{"If-Match": `"1"`}})
			if stale.status != 409 || f.incidentRows()["incident_version_sum"] != before["incident_version_sum"] {
				t.Errorf("a stale edit: %s", stale)
			}
			if res := f.do(frAdmin, req{method: http.MethodPut, path: path, body: incidentBody("No version", "KE")}); res.status != 428 {
				t.Errorf("an edit without a version: %s", res)
			}
			if got := f.get(kePOC, path); !strings.Contains(string(got.body), "three sites") || strings.Contains(string(got.body), "Overwritten") {
				t.Errorf("Kenya reads %s", got.body)
			}
		})

		t.Run("status moves and versions", func(t *testing.T) {
			f := f.with(t)
			must(f.do(frPOC, req{method: http.MethodPost, path: path + "/status", body: map[string]any{"status": "closed", "version": 2}}), 200)
			bad := f.do(frPOC, req{method: http.MethodPost, path: path + "/status", body: map[string]any{"status": "assessed", "version": 3}})
			if bad.status != 422 || bad.errorFields(t)["status"] == nil {
				t.Errorf("closed → assessed: %s", bad)
			}
			var vs struct {
				Items []struct {
					Version int    `json:"version"`
					Action  string `json:"action"`
				} `json:"items"`
			}
			decodeJSON(t, must(f.get(frViewer, path+"/versions"), 200), &vs)
			var actions []string
			for _, v := range vs.Items {
				actions = append(actions, v.Action)
			}
			if strings.Join(actions, ",") != "create,edit,status" {
				t.Errorf("versions %v", actions)
			}
		})

		t.Run("contested attributions side by side", func(t *testing.T) {
			f := f.with(t)
			own := must(f.do(frPOC, req{method: http.MethodPost, path: path + "/attributions", body: map[string]any{
				"category": "state", "attributed_state": "NZ", "spectrum": "state-executed", "likelihood": "very-likely", "confidence": "high",
				"basis":         []string{"technical", "political"},
				"evidence":      []map[string]any{{"description": "Implant shared with an earlier campaign.", "source": "National CSIRT", "reliability": "A", "credibility": 2}},
				"substantiated": true, "rationale": "Code reuse and infrastructure."}}), 201)
			other := must(f.do(kePOC, req{method: http.MethodPost, path: path + "/attributions", body: attributionBody("Example Threat Research Lab")}), 201)
			var list struct {
				Items []map[string]any `json:"items"`
			}
			decodeJSON(t, must(f.get(frViewer, path+"/attributions"), 200), &list)
			if len(list.Items) != 2 {
				t.Fatalf("%d assessments, want both", len(list.Items))
			}
			a, b := list.Items[0], list.Items[1]
			if a["likelihood"] != "very-likely" || a["confidence"] != "high" || a["asserted_by_state"] != "FR" ||
				b["likelihood"] != "unlikely" || b["confidence"] != "moderate" || b["asserted_by_organisation"] != "Example Threat Research Lab" {
				t.Errorf("side by side: %v\n%v", a, b)
			}
			if cites, _ := b["cites"].([]any); len(cites) != 1 || cites[0] != "law-28f" {
				t.Errorf("origin only cites %v, want law-28f", b["cites"])
			}
			var mine, theirs struct {
				ID string `json:"id"`
			}
			decodeJSON(t, own, &mine)
			decodeJSON(t, other, &theirs)
			if res := f.do(kePOC, req{method: http.MethodPut, path: "/attributions/" + mine.ID, body: attributionBody("x"), header: map[string]string{"If-Match": `"1"`}}); res.status != 403 {
				t.Errorf("Kenya edits France's assessment: %s", res)
			}
			must(f.do(kePOC, req{method: http.MethodPut, path: "/attributions/" + theirs.ID, body: attributionBody("Example Threat Research Lab (revised)"),
				header: map[string]string{"If-Match": `"1"`}}), 200)
			if res := f.do(kePOC, req{method: http.MethodPut, path: "/attributions/" + theirs.ID, body: attributionBody("y"), header: map[string]string{"If-Match": `"1"`}}); res.status != 409 {
				t.Errorf("a stale assessment edit: %s", res)
			}
			if got := must(f.get(frPOC, "/attributions/"+theirs.ID), 200); got.header.Get("ETag") != `"2"` {
				t.Errorf("ETag %q", got.header.Get("ETag"))
			}
		})

		t.Run("findings per provision", func(t *testing.T) {
			f := f.with(t)
			put := func(provision string, body map[string]any, header map[string]string) response {
				return f.do(frPOC, req{method: http.MethodPut, path: path + "/findings/" + provision, body: body, header: header})
			}
			must(put("law-28f", map[string]any{"engaged": false, "rationale": "No attribution to a State was made.", "version": 0}, nil), 200)
			must(put("norm-h", map[string]any{"engaged": true, "outcome": "consistent", "rationale": "Kenya answered the request within a day."},
				map[string]string{"If-None-Match": "*"}), 200)
			if res := put("norm-h", map[string]any{"engaged": true, "outcome": "possible-inconsistency", "version": 0}, nil); res.status != 409 {
				t.Errorf("a second first finding: %s", res)
			}
			if res := put("norm-h", map[string]any{"engaged": true, "outcome": "consistent"}, nil); res.status != 428 {
				t.Errorf("a finding without a version: %s", res)
			}
			must(put("norm-h", map[string]any{"engaged": true, "outcome": "insufficient-information", "rationale": "Awaiting the logs."},
				map[string]string{"If-Match": `"1"`}), 200)
			var list struct {
				Items []struct {
					Provision, Outcome string
					Version            int
				} `json:"items"`
			}
			decodeJSON(t, must(f.get(kePOC, path+"/findings"), 200), &list)
			if len(list.Items) != 2 || list.Items[0].Provision != "norm-h" || list.Items[0].Version != 2 || list.Items[0].Outcome != "insufficient-information" ||
				list.Items[1].Provision != "law-28f" {
				t.Errorf("findings in catalogue order: %+v", list.Items)
			}
			by := must(f.get(kePOC, "/framework/provisions/norm-h/incidents"), 200)
			if !strings.Contains(string(by.body), inc.ID) {
				t.Errorf("norm-h does not list the incident: %s", by.body)
			}
			if res := f.get(kePOC, "/framework/provisions/norm-z/incidents"); res.status != 404 {
				t.Errorf("an unknown provision: %s", res)
			}
		})

		t.Run("opened from a request for assistance, then joined", func(t *testing.T) {
			f := f.with(t)
			m := f.freshAssistance()
			res := must(f.do(frPOC, req{method: http.MethodPost, path: "/messages/" + m.ID + "/incident"}), 201)
			var opened incidentWire
			decodeJSON(t, res, &opened)
			if opened.Title != m.Subject || len(opened.Messages) != 1 || opened.Messages[0] != m.ID {
				t.Errorf("opened %+v", opened)
			}
			second := f.freshAssistance()
			res = must(f.do(frPOC, req{method: http.MethodPost, path: "/messages/" + second.ID + "/incident", body: map[string]any{"join": opened.ID}}), 200)
			var joined incidentWire
			decodeJSON(t, res, &joined)
			if joined.ID != opened.ID || len(joined.Messages) != 2 {
				t.Errorf("joined %+v", joined)
			}
			// Only the openers of incidents open one.
			if res := f.do(kePOC, req{method: http.MethodPost, path: "/messages/" + f.msg.ID + "/incident"}); res.status != 422 || res.errorFields(t)["message"] == nil {
				t.Errorf("an information request opens: %s", res)
			}
		})

		t.Run("pages follow next", func(t *testing.T) {
			f := f.with(t)
			f.incidents()
			seen := map[string]bool{}
			next := "/incidents?limit=2&state=FR"
			for pages := 0; next != ""; pages++ {
				if pages > 50 {
					t.Fatal("paging does not end")
				}
				var pg struct {
					Items []incidentWire `json:"items"`
					Count int            `json:"count"`
					Next  string         `json:"next"`
				}
				decodeJSON(t, must(f.get(frViewer, next), 200), &pg)
				for _, i := range pg.Items {
					if seen[i.ID] {
						t.Errorf("%s listed twice", i.ID)
					}
					seen[i.ID] = true
				}
				if pg.Count != len(pg.Items) || pg.Count > 2 {
					t.Errorf("count %d for %d items", pg.Count, len(pg.Items))
				}
				next = strings.TrimPrefix(pg.Next, prefix)
			}
			var n int
			if err := f.app.DB.R.QueryRow(`SELECT COUNT(*) FROM incidents WHERE reporting_state = 'FR'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if len(seen) != n {
				t.Errorf("paged through %d of France's %d incidents", len(seen), n)
			}
		})

		t.Run("TLP:RED reaches the named only", func(t *testing.T) {
			f := f.with(t)
			set := f.incidents()
			f.token["keadmin"] = f.newToken("keadmin", actor.ScopeRead)
			for _, c := range []struct {
				role, path string
				status     int
				show, hide string
			}{
				{"keadmin", "/incidents/" + set.red.ID, 404, "", redIncident},
				{"keadmin", "/incidents/" + set.amber.ID, 200, amberIncident, ""},
				{"keadmin", "/incidents?limit=200", 200, amberIncident, redIncident},
				{"keadmin", "/incidents/counts", 200, sectorCount("elections", 1), sectorCount("health", 1)},
				{"keadmin", "/incidents/" + set.red.ID + "/findings", 404, "", ""},
				{kePOC, "/incidents/" + set.red.ID, 200, redIncident, ""},
				{kePOC, "/incidents/counts", 200, sectorCount("health", 1), ""},
			} {
				res := f.get(c.role, c.path)
				if res.status != c.status || (c.show != "" && !strings.Contains(string(res.body), c.show)) ||
					(c.hide != "" && strings.Contains(string(res.body), c.hide)) {
					t.Errorf("%s GET %s: %s", c.role, c.path, res)
				}
			}
		})

		t.Run("errors in the request's language", func(t *testing.T) {
			f := f.with(t)
			for _, lang := range []string{"en", "fr", "es"} {
				res := f.do(frPOC, req{method: http.MethodPost, path: "/incidents", body: map[string]any{"tlp": "amber"},
					header: map[string]string{"Accept-Language": lang}})
				if res.status != 422 || res.header.Get("Content-Language") != lang {
					t.Fatalf("%s: %s (%s)", lang, res, res.header.Get("Content-Language"))
				}
				fields := res.errorFields(t)
				title, _ := fields["title"].(string)
				began, _ := fields["occurred_at"].(string)
				english := title == "enter a title" && began == "enter when the incident began, in UTC"
				if (lang == "en") != english || title == "" || began == "" {
					t.Errorf("%s: title %q, occurred_at %q", lang, title, began)
				}
				// The API's own messages, for times it cannot read, come
				// from the catalogue too.
				bad := incidentBody("Valid", "KE")
				bad["occurred_at"] = "last Tuesday"
				res = f.do(frPOC, req{method: http.MethodPost, path: "/incidents", body: bad, header: map[string]string{"Accept-Language": lang}})
				when, _ := res.errorFields(t)["occurred_at"].(string)
				res = f.do(frPOC, req{method: http.MethodGet, path: "/incidents?to=someday", header: map[string]string{"Accept-Language": lang}})
				to, _ := res.errorFields(t)["to"].(string)
				english = when == msgWhen && to == "use a date like 2026-01-31"
				if (lang == "en") != english || when == "" || to == "" {
					t.Errorf("%s: occurred_at %q, to %q", lang, when, to)
				}
			}
		})
	})
}

// TestIncidentBadInput: what no database can store, what could read as
// something else on screen, numbers out of range and dates out of range
// are refused with the field named, on every engine, and change nothing.
func TestIncidentBadInput(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		set := f.incidents()
		amber := "/incidents/" + set.amber.ID
		with := func(changes map[string]any) map[string]any {
			b := incidentBody("Valid title", "KE")
			maps.Copy(b, changes)
			return b
		}
		raw := func(title, summary string) string {
			return `{"title": "` + title + `", "summary": "` + summary + `", "occurred_at": "2026-02-27T06:30:00Z", "tlp": "amber", "recipients": ["KE"]}`
		}
		attribution := func(changes map[string]any) map[string]any {
			b := attributionBody("Lab")
			maps.Copy(b, changes)
			return b
		}
		// A hidden character is named in its message, so that the writer
		// can find it.
		shows := map[string]string{"right-to-left override in a title": "U+202E", "zero-width space in a source": "U+200B",
			"byte-order mark in an organisation": "U+FEFF"}
		for _, tc := range []struct {
			name   string
			r      req
			status int
			fields []string
		}{
			// Bodies that cannot be read as the API's types.
			{"title as a number", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{"title": 42})}, 400, []string{"title"}},
			{"sectors as a string", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{"sectors": "water"})}, 400, []string{"sectors"}},
			{"credibility as a string", req{method: http.MethodPost, path: amber + "/attributions",
				body: attribution(map[string]any{"evidence": []map[string]any{{"description": "x", "source": "y", "reliability": "A", "credibility": "2"}}})}, 400, nil},
			{"NUL in a title", req{method: http.MethodPost, path: "/incidents", body: raw(`Outage\u0000`, "x")}, 400, []string{"title"}},
			{"invalid UTF-8 in a summary", req{method: http.MethodPost, path: "/incidents", body: raw("Outage", "bad \xff byte")}, 400, []string{"summary"}},
			{"NUL in a filter", req{method: http.MethodGet, path: "/incidents?sector=%00"}, 400, []string{"sector"}},
			{"invalid UTF-8 in a filter", req{method: http.MethodGet, path: "/incidents?state=%FF"}, 400, []string{"state"}},
			// Text that could read as something else.
			{"right-to-left override in a title", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{"title": "Outage\u202Etxt.exe"})}, 422, []string{"title"}},
			{"zero-width space in a source", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{
				"timeline": []map[string]any{{"at": "2026-02-27T06:30:00Z", "what": "Alert.", "source": "CS\u200BIRT"}}})}, 422, []string{"timeline[0].source"}},
			{"byte-order mark in an organisation", req{method: http.MethodPost, path: amber + "/attributions", body: attribution(map[string]any{"organisation": "\uFEFFLab"})}, 422, []string{"organisation"}},
			// Numbers out of range.
			{"huge version", req{method: http.MethodPost, path: amber + "/status", body: `{"status": "closed", "version": 1e30}`}, 400, []string{"version"}},
			{"huge credibility", req{method: http.MethodPost, path: amber + "/attributions",
				body: attribution(map[string]any{"evidence": []map[string]any{{"description": "x", "source": "y", "reliability": "Z", "credibility": 99999}}})}, 422,
				[]string{"evidence[0].credibility", "evidence[0].reliability"}},
			{"credibility beyond any integer", req{method: http.MethodPost, path: amber + "/attributions",
				body: `{"category": "unknown", "likelihood": "likely", "confidence": "low", "basis": ["technical"], "evidence": [{"description": "x", "source": "y", "reliability": "A", "credibility": 1e40}]}`}, 400, nil},
			// Dates out of range, or not dates.
			{"before 1970", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{"occurred_at": "1969-12-31T23:00:00Z"})}, 422, []string{"occurred_at"}},
			{"in the far future", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{"occurred_at": "9999-12-31T00:00:00Z"})}, 422, []string{"occurred_at"}},
			{"30 February", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{"occurred_at": "2026-02-30T00:00:00Z", "title": ""})}, 422,
				[]string{"occurred_at", "title"}},
			{"an event at no date", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{
				"timeline": []map[string]any{{"at": "yesterday", "what": "Alert.", "source": "CSIRT"}, {"at": "2026-02-27T06:30:00Z", "what": ""}}})}, 422,
				[]string{"timeline[0].at", "timeline[1].what"}},
			{"filter from 1900", req{method: http.MethodGet, path: "/incidents?from=1900-01-01&to=someday"}, 422, []string{"from", "to"}},
			{"filter ending before it starts", req{method: http.MethodGet, path: "/incidents?from=2026-03-01&to=2026-01-01"}, 422, []string{"to"}},
			{"unknown filters", req{method: http.MethodGet, path: "/incidents?status=pending&sector=steel&provision=norm-z&state=XX&limit=0"}, 422,
				[]string{"status", "sector", "provision", "state", "limit"}},
			// Values the service refuses, every one named at once.
			{"unknown codes", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{"sectors": []string{"steel"}, "tlp": "TLP:PURPLE",
				"consequences": map[string]any{"severity": "apocalyptic"}, "recipients": []string{"NZ"}, "context": map[string]any{"related": []string{"not-an-id"}}})}, 422,
				[]string{"sectors", "tlp", "consequences.severity", "recipients", "context.related"}},
			{"named below RED", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{"named": []string{unknownID}})}, 422, []string{"named"}},
			{"empty assessment", req{method: http.MethodPost, path: amber + "/attributions", body: map[string]any{"origin_territory_only": true}}, 422,
				[]string{"category", "likelihood", "confidence", "basis", "attributed_state"}},
			{"unknown status", req{method: http.MethodPost, path: amber + "/status", body: map[string]any{"status": "archived", "version": 1}}, 422, []string{"status"}},
			{"unknown outcome", req{method: http.MethodPut, path: amber + "/findings/norm-b", body: map[string]any{"engaged": true, "outcome": "fine", "version": 0}}, 422, []string{"outcome"}},
			{"finding on an unknown provision", req{method: http.MethodPut, path: amber + "/findings/no-such-provision", body: map[string]any{"engaged": true, "outcome": "consistent", "version": 0}}, 422, []string{"provision"}},
			{"unknown field", req{method: http.MethodPost, path: "/incidents", body: with(map[string]any{"likelihood_confidence": "likely/high"})}, 400, []string{"likelihood_confidence"}},
			{"link to an unknown communication", req{method: http.MethodPost, path: amber + "/messages", body: map[string]any{"message_id": unknownID}}, 404, nil},
			{"unknown incident", req{method: http.MethodGet, path: "/incidents/" + unknownID}, 404, nil},
			{"malformed incident id", req{method: http.MethodGet, path: "/incidents/not-an-id/versions"}, 404, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				before := f.incidentRows()
				res := f.do(frPOC, tc.r)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res)
				}
				fields := res.errorFields(t)
				for _, name := range tc.fields {
					if msg, _ := fields[name].(string); msg == "" {
						t.Errorf("no message for %s: %s", name, res)
					}
				}
				if code, ok := shows[tc.name]; ok {
					if msg, _ := fields[tc.fields[0]].(string); !strings.Contains(msg, code) {
						t.Errorf("the message for %s does not show %s: %s", tc.fields[0], code, res)
					}
				}
				if after := f.incidentRows(); !maps.Equal(before, after) {
					t.Errorf("a refused request changed the database:\nbefore %v\nafter  %v", before, after)
				}
			})
		}
		// The checks above ran as a writer of the reporting State; nothing
		// about the fixture's incidents changed either.
		if got, err := f.app.Incidents.Incident(context.Background(), f.acc[frPOC].Actor(), set.amber.ID); err != nil || got.Version != 1 || got.Status != "open" {
			t.Errorf("the AMBER incident is now %+v, %v", got, err)
		}
	})
}
