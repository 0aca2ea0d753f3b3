package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/checks"
)

// closedUnpublished holds a check of FR and KE, technical level, that
// closes unpublished: KE's POC confirms, FR's does not.
func (f *fixture) closedUnpublished(name string) checks.Check {
	f.t.Helper()
	ctx := context.Background()
	c, err := f.app.Checks.Create(ctx, f.acc[sec].Actor(), checks.Input{Name: name, ScopeKind: checks.ScopeStates, Scope: []string{"FR", "KE"},
		Levels: []string{"technical"}, WindowHours: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	f.drain()
	pending, err := f.app.Checks.Pending(ctx, f.acc[kePOC].Actor())
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range pending {
		if p.Check.ID == c.ID {
			if err := f.app.Checks.AcknowledgeAsAccount(ctx, f.acc[kePOC].Actor(), p.Challenge.ID, checks.ViaInbox); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	f.clock.Advance(2 * time.Hour)
	f.drain()
	return c
}

// resultsOnly is a check view's JSON, keys sorted, without the check's definition
// (under "check" and v1's "campaign"), whose scope names every State in it:
// what must not leak are figures.
func resultsOnly(t *testing.T, body []byte) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	delete(v, "check")
	delete(v, "campaign")
	b, _ := json.Marshal(v)
	return string(b)
}

func TestCheckResultsKeepStatesApart(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.closedUnpublished("Check of two")
		tests := []struct {
			role string
			show []string
			hide []string
		}{
			// Overall 2 checked, 1 confirmed: less KE's 1 of 1, FR's 0 of 1.
			{sec, []string{`"overall":{"acknowledged":1,"bounced":0,"key":"all","rate":0.5,"total":2}`, `"key":"FR"`, `"key":"KE"`}, nil},
			{kePOC, []string{`"scope":"KE"`, `"own":{"acknowledged":1,"bounced":0,"key":"KE","rate":1,"total":1}`},
				[]string{`"overall"`, `"total":2`, `"rate":0.5`, `"FR"`, `"published"`}},
			{frAdmin, []string{`"scope":"FR"`, `"own":{"acknowledged":0,"bounced":0,"key":"FR","rate":0,"total":1}`},
				[]string{`"overall"`, `"total":2`, `"rate":0.5`, `"KE"`, `"published"`}},
		}
		for _, tc := range tests {
			t.Run(tc.role, func(t *testing.T) {
				f := f.with(t)
				res := f.get(tc.role, "/checks/"+c.ID)
				if res.status != http.StatusOK {
					t.Fatalf("%v", res)
				}
				got := resultsOnly(t, res.body)
				for _, s := range tc.show {
					if !strings.Contains(got, s) {
						t.Errorf("missing %s in %s", s, got)
					}
				}
				for _, s := range tc.hide {
					if strings.Contains(got, s) {
						t.Errorf("%s sees %s: %s", tc.role, s, got)
					}
				}
			})
		}
		// Once published, a State gets the public aggregates by level and
		// regional group; still no other State's breakdown.
		if res := f.do(sec, req{method: http.MethodPost, path: "/checks/" + c.ID + "/publish", body: map[string]any{"published": true}}); res.status != http.StatusOK {
			t.Fatalf("publish: %v", res)
		}
		got := resultsOnly(t, f.get(kePOC, "/checks/"+c.ID).body)
		if !strings.Contains(got, `"published":{`) || !strings.Contains(got, `"by_region":[{"key":"African"`) && !strings.Contains(got, `"key":"Western European and others"`) {
			t.Errorf("KE's view once published lacks the aggregates: %s", got)
		}
		if strings.Contains(got, `"key":"FR"`) || strings.Contains(got, `"state":"FR"`) {
			t.Errorf("KE's view once published breaks FR down: %s", got)
		}
	})
}

func TestCreateCheckOutOfRange(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		valid := func(change map[string]any) map[string]any {
			b := map[string]any{"name": "Ad hoc check", "scope_kind": "all", "levels": []string{"technical"}, "window_hours": 72, "reminder_after_hours": 48}
			for k, v := range change {
				b[k] = v
			}
			return b
		}
		tests := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"window of 3,000,000 hours", valid(map[string]any{"window_hours": 3_000_000}), 422, "window_hours"},
			{"window past int64", `{"name":"x","scope_kind":"all","levels":["technical"],"window_hours":1e30}`, 400, "window_hours"},
			{"negative window", valid(map[string]any{"window_hours": -1}), 422, "window_hours"},
			{"reminder after the window", valid(map[string]any{"reminder_after_hours": 100}), 422, "reminder_after_hours"},
			{"negative reminder", valid(map[string]any{"reminder_after_hours": -48}), 422, "reminder_after_hours"},
			{"opens in year 9999", valid(map[string]any{"opens_at": "9999-12-31T23:00:00Z"}), 422, "opens_at"},
			{"opened last year", valid(map[string]any{"opens_at": "2025-03-02T09:00:00Z"}), 422, "opens_at"},
			{"opens_at not a date", valid(map[string]any{"opens_at": "tomorrow morning"}), 422, "opens_at"},
			{"opens_at with a NUL", valid(map[string]any{"opens_at": "2026-04-01T09:00:00Z\u0000"}), 400, "opens_at"},
			{"repeat of 99999999999 months", valid(map[string]any{"repeat_months": 99999999999}), 422, "repeat_months"},
			{"negative repeat", valid(map[string]any{"repeat_months": -6}), 422, "repeat_months"},
			{"name with a NUL", valid(map[string]any{"name": "Check\u0000"}), 400, "name"},
		}
		before := f.counts()
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				res := f.do(sec, req{method: http.MethodPost, path: "/checks", body: tc.body})
				if res.status != tc.status || res.errorFields(t)[tc.field] == nil {
					t.Fatalf("want %d with a message for %s, got %v", tc.status, tc.field, res)
				}
			})
		}
		if after := f.counts(); after["ping_campaigns"] != before["ping_campaigns"] || after["audit_log"] != before["audit_log"] {
			t.Fatalf("refused checks were stored: %v → %v", before, after)
		}
	})
}

func TestCheckListsArePaged(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		c, err := f.app.Checks.Create(ctx, f.acc[sec].Actor(), checks.Input{Name: "Check of two levels", ScopeKind: checks.ScopeStates,
			Scope: []string{"FR", "KE"}, Levels: []string{"technical", "diplomatic"}, WindowHours: 1})
		if err != nil {
			t.Fatal(err)
		}
		f.drain()
		f.clock.Advance(2 * time.Hour)
		f.drain()
		type listed struct {
			Items []map[string]any `json:"items"`
			Count int              `json:"count"`
			Next  string           `json:"next"`
		}
		get := func(role, path string) listed {
			t.Helper()
			res := f.get(role, path)
			if res.status != http.StatusOK {
				t.Fatalf("GET %s: %v", path, res)
			}
			var l listed
			if err := json.Unmarshal(res.body, &l); err != nil {
				t.Fatal(err)
			}
			return l
		}
		// Walk a list a row a page, following next, and return one field of each row.
		walk := func(role, path, field string) []string {
			t.Helper()
			var out []string
			for i := 0; path != ""; i++ {
				if i > 10 {
					t.Fatal("paging does not end")
				}
				l := get(role, strings.TrimPrefix(path, prefix))
				if l.Count != len(l.Items) || l.Count > 1 {
					t.Fatalf("count %d for %d items, limit 1", l.Count, len(l.Items))
				}
				for _, it := range l.Items {
					out = append(out, it[field].(string))
				}
				path = l.Next
			}
			return out
		}
		// Newest first: the fixture's autumn and spring checks, then this one.
		if got := walk(sec, "/checks?limit=1", "name"); strings.Join(got, ",") != "Check of two levels,Autumn check,Spring check" {
			t.Errorf("checks, a page at a time: %v", got)
		}
		// Nobody answered: France's entries (diplomatic, then technical),
		// then Kenya's technical one, by State name and level.
		base := "/checks/" + c.ID + "/follow-up"
		if got := walk(sec, base+"?limit=1", "level"); strings.Join(got, ",") != "diplomatic,technical,technical" {
			t.Errorf("follow-up, a page at a time: %v", got)
		}
		if got := walk(sec, base+"?limit=1&state=KE", "state"); strings.Join(got, ",") != "KE" {
			t.Errorf("follow-up of KE: %v", got)
		}
		if got := walk(sec, base+"?limit=1&level=technical&status=no-answer", "state"); strings.Join(got, ",") != "FR,KE" {
			t.Errorf("technical follow-up with no answer: %v", got)
		}
		if got := walk(frPOC, base+"?limit=1", "state"); strings.Join(got, ",") != "FR,FR" {
			t.Errorf("FR's follow-up: %v", got)
		}
		if l := get(kePOC, base+"?state=FR"); len(l.Items) != 0 {
			t.Errorf("KE reads FR's follow-up: %v", l.Items)
		}
		if l := get(sec, base+"?status=bounced"); len(l.Items) != 0 || l.Next != "" {
			t.Errorf("bounced: %+v", l)
		}
		for _, bad := range []struct{ query, field string }{
			{"?limit=0", "limit"}, {"?limit=99999999999999999999", "limit"}, {"?cursor=bm90LWEta2V5", "cursor"},
			{"?level=military", "level"}, {"?status=late", "status"}, {"?state=France", "state"},
		} {
			res := f.get(sec, base+bad.query)
			if res.status != http.StatusUnprocessableEntity || res.errorFields(t)[bad.field] == nil {
				t.Errorf("%s: %v", bad.query, res)
			}
		}
		if res := f.get(sec, "/checks?limit=1000"); res.status != http.StatusUnprocessableEntity || res.errorFields(t)["limit"] == nil {
			t.Errorf("checks with limit=1000: %v", res)
		}
	})
}

// TestCheckKeepsItsV1Names: v1 clients read "campaign" and "campaign_id";
// until v2 they carry exactly what "check" and "check_id" carry.
func TestCheckKeepsItsV1Names(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		object := func(role, path string) map[string]any {
			t.Helper()
			res := f.get(role, path)
			if res.status != http.StatusOK {
				t.Fatalf("GET %s as %s: %v", path, role, res)
			}
			var v map[string]any
			if err := json.Unmarshal(res.body, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		// item is the element of a list whose field at key has id under "id",
		// or is id itself.
		item := func(list map[string]any, key, id string) map[string]any {
			t.Helper()
			for _, it := range list["items"].([]any) {
				m := it.(map[string]any)
				if v, ok := m[key].(map[string]any); ok && v["id"] == id || m[key] == id {
					return m
				}
			}
			t.Fatalf("no item with %s %s in %v", key, id, list)
			return nil
		}
		secView := object(sec, "/checks/"+f.spring.ID)
		keView := object(kePOC, "/checks/"+f.spring.ID)
		keReport, _ := keView["published"].(map[string]any)
		report := item(object(anon, "/check-results"), "check", f.spring.ID)
		pending := item(object(kePOC, "/checks/pending"), "check_id", f.autumn.ID)
		checkOf := func(v map[string]any) any {
			if c, ok := v["check"].(map[string]any); ok {
				return c["id"]
			}
			return nil
		}
		tests := []struct {
			name     string
			obj      map[string]any
			key, old string
			want     any                      // what the new key holds, or its "id" for an object
			value    func(map[string]any) any // reads the new key
		}{
			{"secretariat's view", secView, "check", "campaign", f.spring.ID, checkOf},
			{"State's view", keView, "check", "campaign", f.spring.ID, checkOf},
			{"report published in a State's view", keReport, "check", "campaign", f.spring.ID, checkOf},
			{"published report", report, "check", "campaign", f.spring.ID, checkOf},
			{"pending item's id", pending, "check_id", "campaign_id", f.autumn.ID, func(v map[string]any) any { return v["check_id"] }},
			{"pending item's name", pending, "check", "campaign", f.autumn.Name, func(v map[string]any) any { return v["check"] }},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if tc.obj == nil {
					t.Fatal("not in the response")
				}
				if got := tc.value(tc.obj); got != tc.want {
					t.Errorf("%s: got %v, want %v", tc.key, got, tc.want)
				}
				if !reflect.DeepEqual(tc.obj[tc.key], tc.obj[tc.old]) {
					t.Errorf("%s %v and %s %v differ", tc.key, tc.obj[tc.key], tc.old, tc.obj[tc.old])
				}
			})
		}
	})
}
