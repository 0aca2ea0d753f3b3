package api

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/incidentstix"
	"github.com/detente/detente/internal/stix"
)

// stixBundleOf exports an incident of France's set as France's POC reads
// it, for a request that imports it.
func (f *fixture) stixBundleOf(pick func(*incidentSet) incident.Incident) []byte {
	f.t.Helper()
	b, err := f.app.IncidentsSTIX.Export(context.Background(), f.acc[frPOC].Actor(), pick(f.incidents()).ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// importSummaryWire is the import's answer, as a client reads it.
type importSummaryWire struct {
	Bundle    string `json:"bundle"`
	Objects   int    `json:"objects"`
	Incidents []struct {
		Object string `json:"object"`
		ID     string `json:"id"`
		Title  string `json:"title"`
	} `json:"incidents"`
	Attributions []struct {
		ID string `json:"id"`
	} `json:"attributions"`
	Findings []struct {
		ID string `json:"id"`
	} `json:"findings"`
	Failures []struct {
		Object  string `json:"object"`
		Message string `json:"message"`
	} `json:"failures"`
	Stored *struct {
		Collection string `json:"collection"`
		Total      int    `json:"total"`
		Successes  []struct {
			ID string `json:"id"`
		} `json:"successes"`
		Failures []struct {
			ID      string `json:"id"`
			Message string `json:"message"`
		} `json:"failures"`
	} `json:"stored"`
}

// stixRows adds the TAXII store to the rows an import touches.
func (f *fixture) stixRows() count {
	f.t.Helper()
	c := f.incidentRows()
	var n int
	if err := f.app.DB.R.QueryRow(`SELECT COUNT(*) FROM taxii_objects`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	c["taxii_objects"] = n
	return c
}

// readBundle checks a response is a STIX 2.1 bundle, served as one.
func readBundle(t *testing.T, res response) stix.Bundle {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != incidentstix.MediaType {
		t.Errorf("Content-Type %q, want %q", ct, incidentstix.MediaType)
	}
	b, err := stix.ParseBundle(res.body, stix.DefaultLimits())
	if err != nil {
		t.Fatalf("not a STIX 2.1 bundle: %v: %s", err, res.body)
	}
	return b
}

func countType(b stix.Bundle, typ string) int {
	n := 0
	for _, o := range b.Objects {
		if o.Type == typ {
			n++
		}
	}
	return n
}

var nextLink = regexp.MustCompile(`^<(/api/v1/incidents\.stix\?[^>]+)>; rel="next"$`)

// TestIncidentsSTIXRoundTrip exports France's AMBER incident through the
// API, imports it as Kenya's POC, and imports a MISP bundle, on every
// engine.
func TestIncidentsSTIXRoundTrip(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		runSTIX(t, f)
	})
}

func runSTIX(t *testing.T, f *fixture) {
	f = f.with(t)
	set := f.incidents()

	t.Run("export one", func(t *testing.T) {
		f := f.with(t)
		res := f.get(frPOC, "/incidents/"+set.amber.ID+"/stix")
		b := readBundle(t, res)
		if countType(b, "incident") != 1 || countType(b, "note") != 2 || countType(b, "marking-definition") == 0 {
			t.Errorf("want one incident, an assessment and a finding note, and markings: %s", res.body)
		}
		for _, s := range []string{amberIncident, amberOrg, "norm-c", incidentstix.IncidentID(set.amber.ID)} {
			if !strings.Contains(string(res.body), s) {
				t.Errorf("bundle lacks %q", s)
			}
		}
		if again := f.get(frPOC, "/incidents/"+set.amber.ID+"/stix"); !bytes.Equal(again.body, res.body) {
			t.Error("a second export of the same version differs")
		}
	})

	t.Run("export pages", func(t *testing.T) {
		f := f.with(t)
		path := "/incidents.stix?limit=1&state=FR"
		seen := map[string]bool{}
		for pages := 0; path != ""; pages++ {
			if pages > 100 {
				t.Fatal("the pages do not end")
			}
			res := f.get(frPOC, path)
			b := readBundle(t, res)
			if n := countType(b, "incident"); n != 1 {
				t.Fatalf("%s: %d incidents, want 1", path, n)
			}
			for _, o := range b.Objects {
				if o.Type == "incident" {
					if seen[o.ID] {
						t.Errorf("%s repeats %s", path, o.ID)
					}
					seen[o.ID] = true
				}
			}
			path = ""
			if link := res.header.Get("Link"); link != "" {
				m := nextLink.FindStringSubmatch(link)
				if m == nil {
					t.Fatalf("Link %q", link)
				}
				if !strings.Contains(m[1], "state=FR") {
					t.Errorf("the next page drops the filter: %s", m[1])
				}
				path = strings.TrimPrefix(m[1], prefix)
			}
		}
		for _, i := range []string{set.amber.ID, set.red.ID, set.green.ID, set.clear.ID} {
			if !seen[incidentstix.IncidentID(i)] {
				t.Errorf("incident %s missing from the pages", i)
			}
		}
		res := f.get(frPOC, "/incidents.stix?status=frozen&limit=0")
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad filters: %s", res)
		}
		if fields := res.errorFields(t); fields["status"] == nil || fields["limit"] == nil {
			t.Errorf("want status and limit named together: %s", res.body)
		}
	})

	t.Run("import as another State", func(t *testing.T) {
		f := f.with(t)
		exported := f.get(frPOC, "/incidents/"+set.amber.ID+"/stix")
		res := f.do(kePOC, req{method: http.MethodPost, path: "/incidents/import", body: exported.body,
			header: map[string]string{"Content-Type": incidentstix.MediaType}})
		if res.status != http.StatusOK {
			t.Fatalf("import: %s", res)
		}
		var sum importSummaryWire
		decodeJSON(t, res, &sum)
		b := readBundle(t, exported)
		if sum.Bundle != b.ID || sum.Objects != len(b.Objects) {
			t.Errorf("summary of %s with %d objects: %s", b.ID, len(b.Objects), res.body)
		}
		if len(sum.Incidents) != 1 || sum.Incidents[0].Title != amberIncident || sum.Incidents[0].Object != incidentstix.IncidentID(set.amber.ID) {
			t.Fatalf("want the AMBER incident recorded: %s", res.body)
		}
		if len(sum.Attributions) != 1 || len(sum.Findings) != 1 || len(sum.Failures) != 0 {
			t.Errorf("want its assessment and finding, no failure: %s", res.body)
		}
		if sum.Stored == nil || sum.Stored.Total != len(b.Objects) || len(sum.Stored.Successes) != len(b.Objects) {
			t.Errorf("want the whole bundle kept in Kenya's collection: %s", res.body)
		}
		got := f.get(kePOC, "/incidents/"+sum.Incidents[0].ID)
		if got.status != http.StatusOK || !strings.Contains(string(got.body), `"reporting_state":"KE"`) {
			t.Errorf("the imported incident is Kenya's: %s", got)
		}
		if got := f.get(frPOC, "/incidents/"+sum.Incidents[0].ID); got.status != http.StatusNotFound {
			t.Errorf("Kenya's imported AMBER incident, shared with no one, as France: %s", got)
		}
	})

	t.Run("import a MISP bundle", func(t *testing.T) {
		f := f.with(t)
		misp, err := os.ReadFile("../incidentstix/testdata/misp-report.json")
		if err != nil {
			t.Fatal(err)
		}
		res := f.do(kePOC, req{method: http.MethodPost, path: "/incidents/import", body: misp})
		if res.status != http.StatusOK {
			t.Fatalf("import: %s", res)
		}
		var sum importSummaryWire
		decodeJSON(t, res, &sum)
		if len(sum.Incidents) != 0 || len(sum.Failures) != 0 {
			t.Errorf("a MISP report holds no incident and nothing fails: %s", res.body)
		}
		if sum.Stored == nil || len(sum.Stored.Successes) == 0 || len(sum.Stored.Failures) != 0 || sum.Stored.Total != sum.Objects {
			t.Errorf("want everything kept in Kenya's collection: %s", res.body)
		}
	})

	t.Run("bad bundles write nothing", func(t *testing.T) {
		f := f.with(t)
		good := f.stixBundleOf(clearOf)
		for _, c := range []struct {
			name        string
			contentType string
			body        []byte
			status      int
			field       string // the field the error names, if any
			says        string // what the message says
		}{
			{"not JSON", "application/json", []byte(`{"type": "bundle",`), 400, "", "line 1"},
			{"empty", "application/json", []byte(" "), 400, "", "empty"},
			{"not a bundle", "application/json", []byte(`{"type":"report","id":"report--3f7c2a91-6e4b-4d8f-b1a2-9c0e5d7f3b64","objects":[]}`), 422, "bundle", "bundle"},
			{"wrong spec version", "application/json",
				bytes.Replace(good, []byte(`"spec_version":"2.1"`), []byte(`"spec_version":"2.0"`), 1), 422, "bundle", "2.1"},
			{"duplicated member", "application/json", append([]byte(`{"type":"bundle","type":"bundle",`), good[1:]...), 422, "bundle", ""},
			{"NUL in a string", "application/json", bytes.Replace(good, []byte(clearIncident), []byte(`Railway\u0000outage`), 1), 422, "bundle", ""},
			{"form data", "application/x-www-form-urlencoded", good, 415, "", "STIX"},
			{"STIX 2.0", "application/stix+json;version=2.0", good, 415, "", "STIX"},
		} {
			t.Run(c.name, func(t *testing.T) {
				f := f.with(t)
				before := f.stixRows()
				res := f.do(kePOC, req{method: http.MethodPost, path: "/incidents/import", body: c.body,
					header: map[string]string{"Content-Type": c.contentType}})
				if res.status != c.status {
					t.Fatalf("status %d, want %d: %s", res.status, c.status, res.body)
				}
				if c.field != "" && res.errorFields(t)[c.field] == nil {
					t.Errorf("the error does not name %s: %s", c.field, res.body)
				}
				if !strings.Contains(string(res.body), c.says) {
					t.Errorf("the error does not say %q: %s", c.says, res.body)
				}
				if after := f.stixRows(); !maps.Equal(before, after) {
					t.Errorf("rows changed: %v → %v", before, after)
				}
			})
		}
	})

	t.Run("too large", func(t *testing.T) {
		f := f.with(t)
		before := f.stixRows()
		huge := make([]byte, stix.DefaultLimits().MaxBytes+1)
		for i := range huge {
			huge[i] = ' '
		}
		res := f.do(kePOC, req{method: http.MethodPost, path: "/incidents/import", body: huge})
		if res.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413: %.200s", res.status, res.body)
		}
		if after := f.stixRows(); !maps.Equal(before, after) {
			t.Errorf("rows changed: %v → %v", before, after)
		}
	})
}
