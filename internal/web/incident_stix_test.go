package web_test

import (
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/taxii"
)

// incidentByTitle finds one of the fixture's incidents as FR's POC reads it.
func (f *fixture) incidentByTitle(title string) incident.Incident {
	f.t.Helper()
	res, err := f.app.Incidents.List(context.Background(), f.acc["frpoc"].Actor(), incident.Filter{}, page.Request{Limit: page.MaxLimit})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, in := range res.Items {
		if in.Title == title {
			return in
		}
	}
	f.t.Fatalf("no incident %q", title)
	return incident.Incident{}
}

// incidentSTIXRows are the authorization matrix's rows for the STIX
// downloads and the import form; they read the incidents incidentRows
// recorded.
func incidentSTIXRows(f *fixture) []struct {
	name   string
	method string
	path   string
	form   url.Values
	expect expect
} {
	amber, clear := f.incidentByTitle(amberIncident), f.incidentByTitle(clearIncident)
	importers := map[string]int{"anon": see, "fradmin": ok, "frpoc": ok, "kepoc": ok}
	const importLink = `href="/incidents/import"`
	return []struct {
		name   string
		method string
		path   string
		form   url.Values
		expect expect
	}{
		{"incident as STIX (AMBER)", "GET", "/incidents/" + amber.ID + "/stix", nil,
			expect{def: ok, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound},
				present: map[string][]string{"frviewer": {amberIncident, `"type":"bundle"`}, "kepoc": {amberIncident, "Wiper detected"}},
				absent:  map[string][]string{"sec": {amberIncident}, "nzpoc": {amberIncident}, "anon": {amberIncident}}}},
		{"incident as STIX (CLEAR)", "GET", "/incidents/" + clear.ID + "/stix", nil,
			expect{def: ok, status: map[string]int{"anon": see},
				present: map[string][]string{"sec": {clearIncident}, "nzpoc": {clearIncident}},
				absent:  map[string][]string{"sec": {amberIncident}, "anon": {clearIncident}}}},
		{"unknown incident as STIX", "GET", "/incidents/not-an-incident/stix", nil, expect{def: notFound, status: map[string]int{"anon": see}}},
		{"incidents as STIX", "GET", "/incidents.stix", nil,
			expect{def: ok, status: map[string]int{"anon": see},
				present: map[string][]string{"sec": {clearIncident}, "nzpoc": {clearIncident}, "frviewer": {amberIncident, clearIncident}, "kepoc": {amberIncident}},
				absent:  map[string][]string{"sec": {amberIncident}, "nzpoc": {amberIncident}, "anon": {clearIncident}}}},
		{"incidents as STIX, filtered", "GET", "/incidents.stix?sector=energy&state=FR&from=2026-01-01&to=2026-12-31", nil,
			expect{def: ok, status: map[string]int{"anon": see},
				present: map[string][]string{"frpoc": {amberIncident}, "kepoc": {amberIncident}},
				absent:  map[string][]string{"frpoc": {clearIncident}, "kepoc": {clearIncident}, "sec": {amberIncident, clearIncident}, "nzpoc": {amberIncident}}}},
		{"incidents as STIX, bad filter", "GET", "/incidents.stix?sector=volcanoes", nil,
			expect{def: http.StatusUnprocessableEntity, status: map[string]int{"anon": see}, absent: map[string][]string{"frpoc": {`"bundle"`}}}},
		{"incident page offers STIX", "GET", "/incidents/" + amber.ID, nil,
			expect{def: ok, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound},
				present: map[string][]string{"frviewer": {"/incidents/" + amber.ID + "/stix"}, "kepoc": {"/incidents/" + amber.ID + "/stix"}},
				absent:  map[string][]string{"sec": {amberIncident, amber.ID + "/stix"}, "nzpoc": {amberIncident, amber.ID + "/stix"}}}},
		{"incident list offers STIX and import", "GET", "/incidents?sector=energy", nil,
			expect{def: ok, status: map[string]int{"anon": see},
				present: map[string][]string{"frpoc": {importLink, `href="/incidents.stix?sector=energy"`}, "fradmin": {importLink}, "kepoc": {importLink},
					"frviewer": {`href="/incidents.stix?sector=energy"`}},
				absent: map[string][]string{"frviewer": {importLink}, "sec": {importLink, amberIncident}, "nzpoc": {importLink, amberIncident}}}},
		{"import form", "GET", "/incidents/import", nil,
			expect{def: forbidden, status: importers, present: map[string][]string{"frpoc": {`enctype="multipart/form-data"`, `name="bundle"`}},
				absent: map[string][]string{"frviewer": {`name="bundle"`}, "sec": {`name="bundle"`}, "nzpoc": {`name="bundle"`}}}},
		// Without a file: the field's error for those who may import.
		{"import without a file", "POST", "/incidents/import", url.Values{},
			expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": http.StatusUnprocessableEntity, "frpoc": http.StatusUnprocessableEntity,
				"kepoc": http.StatusUnprocessableEntity},
				present: map[string][]string{"frpoc": {`id="bundle-error"`, "Choose a file holding a STIX 2.1 bundle."}}}},
	}
}

// postFile sends a multipart form with one file, as the import form does.
func (c *client) postFile(path, name string, content io.Reader) response {
	c.t.Helper()
	csrf := c.csrf()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := mw.WriteField("csrf", csrf)
		if err == nil && name != "" {
			var fw io.Writer
			if fw, err = mw.CreateFormFile("bundle", name); err == nil {
				_, err = io.Copy(fw, content)
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+path, pr)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// repeat is n bytes of b, without holding them.
type repeat struct {
	b byte
	n int64
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

var newIncidentLink = regexp.MustCompile(`<a href="/incidents/([0-9a-f-]{36})"`)

// TestIncidentSTIXImportAndExport: a download is a STIX 2.1 bundle
// named as a file; KE's POC imports FR's incident as it reads it and the
// summary links the new incident and says what the collection kept; a bad
// file gets the field's error and writes nothing.
func TestIncidentSTIXImportAndExport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		in := f.incidents()
		ctx := context.Background()
		ke := f.signIn("kepoc")
		collection := taxii.StateCollectionID("KE")
		kept := func() int {
			p, err := f.app.TAXII.Objects(ctx, f.acc["kepoc"].Actor(), collection, taxii.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return len(p.Records)
		}
		keIncidents := func() int {
			res, err := f.app.Incidents.List(ctx, f.acc["kepoc"].Actor(), incident.Filter{State: "KE"}, page.Request{Limit: page.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Items)
		}

		r := ke.get("/incidents/" + in.amber.ID + "/stix")
		if r.status != http.StatusOK {
			t.Fatalf("download: %d %s", r.status, snippet(r.body))
		}
		if ct := r.header.Get("Content-Type"); ct != "application/stix+json;version=2.1" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := r.header.Get("Content-Disposition"); cd != "attachment; filename=incident-"+in.amber.ID+".json" {
			t.Errorf("Content-Disposition %q", cd)
		}
		if _, err := stix.ParseBundle([]byte(r.body), stix.DefaultLimits()); err != nil {
			t.Fatalf("the download is not a bundle: %v", err)
		}
		all := ke.get("/incidents.stix")
		if cd := all.header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename=incidents-\d{4}-\d\d-\d\d\.json$`).MatchString(cd) {
			t.Errorf("list Content-Disposition %q", cd)
		}
		var bundle struct {
			Objects []struct{ Type, Name string }
		}
		if err := json.Unmarshal([]byte(all.body), &bundle); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, o := range bundle.Objects {
			if o.Type == "incident" {
				names = append(names, o.Name)
			}
		}
		// KE reads FR's AMBER incident shared with it and FR's CLEAR one.
		if len(names) != 2 {
			t.Errorf("KE's list bundle holds incidents %q, want the two FR shares with it", names)
		}

		// Bad files change nothing.
		before, beforeKept := keIncidents(), kept()
		for _, tc := range []struct {
			name, file string
			content    io.Reader
			status     int
			present    []string
		}{
			{"no file", "", nil, http.StatusUnprocessableEntity, []string{`id="bundle-error"`, "Choose a file holding a STIX 2.1 bundle."}},
			{"empty file", "empty.json", strings.NewReader(""), http.StatusUnprocessableEntity, []string{`id="bundle-error"`}},
			{"not JSON", "notes.txt", strings.NewReader("these are notes"), http.StatusUnprocessableEntity,
				[]string{`id="bundle-error"`, "This file is not a STIX 2.1 bundle", `id="bundle-detail"`}},
			{"STIX 2.0", "old.json", strings.NewReader(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","spec_version":"2.0","objects":[` +
				`{"type":"identity","spec_version":"2.0","id":"identity--311b2d2d-f010-4473-83ec-1edf84858f4c","created":"2017-06-01T00:00:00.000Z",` +
				`"modified":"2017-06-01T00:00:00.000Z","name":"A 2.0 identity","identity_class":"organization"}]}`),
				http.StatusUnprocessableEntity, []string{"This file is not a STIX 2.1 bundle"}},
			{"NUL byte", "nul.json", strings.NewReader(strings.Replace(r.body, "Wiper detected", "Wiper\\u0000detected", 1)),
				http.StatusUnprocessableEntity, []string{"This file is not a STIX 2.1 bundle"}},
			{"invalid UTF-8", "bad.json", strings.NewReader(strings.Replace(r.body, "Wiper detected", "Wiper \xff detected", 1)),
				http.StatusUnprocessableEntity, []string{"This file is not a STIX 2.1 bundle"}},
			{"a file just over the limit", "big.json", &repeat{' ', int64(stix.DefaultLimits().MaxBytes) + 1}, http.StatusRequestEntityTooLarge,
				[]string{`id="bundle-error"`, "This file is too large: a bundle may have at most 64 MiB"}},
			{"a file far over the limit", "huge.json", &repeat{' ', 2 * int64(stix.DefaultLimits().MaxBytes)}, http.StatusRequestEntityTooLarge,
				[]string{"This file is too large: a bundle may have at most 64 MiB"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := ke.on(t).postFile("/incidents/import", tc.file, tc.content)
				if got.status != tc.status {
					t.Errorf("status %d, want %d: %s", got.status, tc.status, snippet(got.body))
				}
				for _, s := range tc.present {
					if !strings.Contains(got.body, s) {
						t.Errorf("the page lacks %q", s)
					}
				}
				if n, k := keIncidents(), kept(); n != before || k != beforeKept {
					t.Errorf("a refused file wrote: KE incidents %d → %d, kept objects %d → %d", before, n, beforeKept, k)
				}
			})
		}

		// FR's bundle, imported by KE: a new incident of KE's, linked,
		// and the whole bundle kept in KE's collection.
		got := ke.postFile("/incidents/import", "fr.json", strings.NewReader(r.body))
		if got.status != http.StatusOK {
			t.Fatalf("import: %d %s", got.status, snippet(got.body))
		}
		m := newIncidentLink.FindStringSubmatch(got.body)
		if m == nil {
			t.Fatalf("the summary links no new incident: %s", snippet(got.body))
		}
		made, err := f.app.Incidents.Incident(ctx, f.acc["kepoc"].Actor(), m[1])
		if err != nil || made.ReportingState != "KE" || made.Title != amberIncident {
			t.Fatalf("the linked incident: %+v %v", made, err)
		}
		for _, s := range []string{"The bundle is imported.", "attribution assessments recorded", "1 finding recorded", "Kept in your State", collection} {
			if !strings.Contains(got.body, s) {
				t.Errorf("the summary lacks %q", s)
			}
		}
		if keIncidents() != before+1 || kept() <= beforeKept {
			t.Errorf("after the import: KE incidents %d (was %d), kept objects %d (was %d)", keIncidents(), before, kept(), beforeKept)
		}
		// FR's viewer and the secretariat may not import.
		for _, who := range []string{"frviewer", "sec"} {
			if got := f.signIn(who).postFile("/incidents/import", "fr.json", strings.NewReader(r.body)); got.status != http.StatusForbidden {
				t.Errorf("%s imports: status %d", who, got.status)
			}
		}
	})
}
