package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/detente/detente/internal/incidentstix"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/stix/stixtest"
	"github.com/detente/detente/internal/tlp"
)

// What France's TLP:AMBER vulnerability report to Kenya says, for the
// leak assertions.
const (
	vulnSubject = "Pre-authentication flaw in an election results server (AMBER)"
	vulnCVE     = "CVE-2026-40404"
	vulnProduct = "Tally Server 3"
)

// vulnReports keeps each fixture's report, by its App, as incidentSets
// does.
var vulnReports sync.Map

// vulnReport returns France's AMBER vulnerability report to Kenya, sent
// the first time it is asked for.
func (f *fixture) vulnReport() messaging.Message {
	f.t.Helper()
	if v, ok := vulnReports.Load(f.app); ok {
		return v.(messaging.Message)
	}
	m, err := f.app.Messaging.Send(context.Background(), f.acc[frPOC].Actor(), messaging.Draft{Type: messaging.VulnerabilityReport,
		Recipients: []string{"KE"}, Level: messaging.Technical, Urgency: messaging.Priority, TLP: tlp.Amber, Subject: vulnSubject,
		Body: "Found while handling an incident; the vendor was told on the same day.",
		Fields: map[string]string{"product": vulnProduct, "vendor": "Example Elections Ltd", "cve": vulnCVE, "severity": "critical",
			"remedy": "Update to 3.1; until then, filter the management port."}})
	if err != nil {
		f.t.Fatal(err)
	}
	v, _ := vulnReports.LoadOrStore(f.app, m)
	return v.(messaging.Message)
}

func vulnReportPath(f *fixture, _ string) string { return "/messages/" + f.vulnReport().ID + "/stix" }

// TestMessageSTIX reads a vulnerability report as a bundle through the
// API, as each role that may read it, and checks every object against the
// OASIS schemas.
func TestMessageSTIX(t *testing.T) {
	v, err := stixtest.Schemas()
	if err != nil {
		t.Fatal(err)
	}
	engines(t, func(t *testing.T, f *fixture) {
		m := f.vulnReport()
		for _, role := range []string{frAdmin, frPOC, frViewer, kePOC, readOnly} {
			res := f.get(role, "/messages/"+m.ID+"/stix")
			if res.status != http.StatusOK || res.header.Get("Content-Type") != incidentstix.MediaType {
				t.Fatalf("%s: %d %s: %s", role, res.status, res.header.Get("Content-Type"), res.body)
			}
			var bundle struct {
				Type    string            `json:"type"`
				Objects []json.RawMessage `json:"objects"`
			}
			if err := json.Unmarshal(res.body, &bundle); err != nil || bundle.Type != "bundle" {
				t.Fatalf("%s: %v %s", role, err, res.body)
			}
			types := map[string]int{}
			for _, o := range bundle.Objects {
				if err := v.Validate(o); err != nil {
					t.Fatalf("%s: %s: %v", role, o, err)
				}
				var head struct {
					Type string `json:"type"`
				}
				_ = json.Unmarshal(o, &head)
				types[head.Type]++
			}
			// The identity is TLP:CLEAR, the report TLP:AMBER.
			if types["vulnerability"] != 1 || types["identity"] != 1 || types["marking-definition"] != 2 || len(bundle.Objects) != 4 {
				t.Errorf("%s: objects %v", role, types)
			}
			for _, s := range []string{`"name":"` + vulnCVE + `"`, `"source_name":"cve"`, `"external_id":"norm-j"`, `"x_detente_product":"` + vulnProduct + `"`,
				tlp.Amber.MarkingDefinition()} {
				if !strings.Contains(string(res.body), s) {
					t.Errorf("%s: the bundle lacks %s", role, s)
				}
			}
		}
		// A communication that is not a report: the error says why to those
		// who read it, and nothing to those who do not.
		for role, want := range map[string]string{frPOC: "not a vulnerability report", kePOC: "not a vulnerability report",
			sec: "no such message", nzPOC: "no such message"} {
			res := f.get(role, "/messages/"+f.msg.ID+"/stix")
			if res.status != http.StatusNotFound || !strings.Contains(string(res.body), want) {
				t.Errorf("%s: %d %s, want 404 saying %q", role, res.status, res.body, want)
			}
		}
	})
}
