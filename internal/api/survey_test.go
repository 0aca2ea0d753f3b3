package api

import (
	"net/http"
	"strings"
	"testing"
)

// surveyRows counts what a survey write touches, with the audit log.
func (f *fixture) surveyRows() int {
	f.t.Helper()
	var n int
	if err := f.app.DB.R.QueryRow(`SELECT (SELECT COUNT(*) FROM survey_cycles) + (SELECT COUNT(*) FROM survey_reports)
		+ (SELECT COUNT(*) FROM survey_answers) + (SELECT COUNT(*) FROM survey_history) + (SELECT COUNT(*) FROM audit_log)`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// TestSurveyBadInput: bad text, dates that cannot be read or are out of
// range, unknown choices and subjects, huge numbers and stale versions
// are refused on both engines with the field named, writing nothing.
func TestSurveyBadInput(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		draft := f.freshFRReport(false)
		part := func(body any, header map[string]string) req {
			return req{method: http.MethodPut, path: "/survey/reports/" + draft.ID + "/parts/cbms", body: body, header: header}
		}
		v1 := map[string]string{"If-Match": `"1"`}
		for _, tc := range []struct {
			name   string
			role   string
			r      req
			status int
			fields []string
		}{
			{"NUL in a cycle's name", sec, req{method: http.MethodPost, path: "/survey/cycles", body: `{"name": "2027\u0000"}`}, 400, []string{"name"}},
			{"invalid UTF-8 in a cycle's name", sec, req{method: http.MethodPost, path: "/survey/cycles", body: "{\"name\": \"20\xff27\"}"}, 400, []string{"name"}},
			{"a cycle with hidden characters and dates that cannot be read", sec, req{method: http.MethodPost, path: "/survey/cycles",
				body: map[string]any{"name": "2027\u202e", "opens": "2027-02-30", "deadline": "soon"}}, 422, []string{"name", "opens", "deadline"}},
			{"a cycle with dates out of range", sec, req{method: http.MethodPost, path: "/survey/cycles",
				body: map[string]any{"name": "Far", "opens": "0001-01-01", "deadline": "9999-12-31"}}, 422, []string{"opens", "deadline"}},
			{"a cycle ending before it opens", sec, req{method: http.MethodPost, path: "/survey/cycles",
				body: map[string]any{"name": "Backwards", "opens": "2027-06-01", "deadline": "2027-05-01"}}, 422, []string{"deadline"}},
			{"an empty cycle", sec, req{method: http.MethodPost, path: "/survey/cycles", body: map[string]any{}}, 422, []string{"name", "opens", "deadline"}},
			{"a huge number for a name", sec, req{method: http.MethodPost, path: "/survey/cycles", body: `{"name": 1e400}`}, 400, nil},
			{"unknown choices, actors and subjects", frPOC, part(map[string]any{"answers": []map[string]any{
				{"subject": "cbm-1", "taken": "maybe", "policy": "sometimes", "support": "yes please", "actors": []string{"aliens"}},
				{"subject": "norm-h", "taken": "yes"}}}, v1), 422, []string{"cbm-1.taken", "cbm-1.policy", "cbm-1.support", "cbm-1.actors", "part"}},
			{"hidden characters in an answer", frPOC, part(map[string]any{"answers": []map[string]any{
				{"subject": "cbm-1.a", "measures": "See\u202eabove", "gaps": strings.Repeat("x", 5001)}}}, v1), 422, []string{"cbm-1.a.measures", "cbm-1.a.gaps"}},
			{"NUL in an answer", frPOC, part(`{"version": 1, "answers": [{"subject": "cbm-1", "measures": "A\u0000"}]}`, nil), 400, []string{"answers[0].measures"}},
			{"an unknown part", frPOC, req{method: http.MethodPut, path: "/survey/reports/" + draft.ID + "/parts/annex", body: map[string]any{"answers": []any{}}, header: v1},
				422, []string{"part"}},
			{"a huge version", frPOC, part(`{"version": 1e400, "answers": []}`, nil), 400, nil},
			{"version 0", frPOC, part(map[string]any{"version": 0, "answers": []any{}}, nil), 422, []string{"version"}},
			{"no version", frPOC, part(map[string]any{"answers": []any{}}, nil), 428, nil},
			{"a stale version", frPOC, part(map[string]any{"answers": []map[string]any{{"subject": "cbm-1", "taken": "yes"}}}, map[string]string{"If-Match": `"7"`}), 409, nil},
			{"publish a draft", frPOC, req{method: http.MethodPost, path: "/survey/reports/" + draft.ID + "/publish", body: map[string]any{"visibility": "public"}, header: v1}, 409, nil},
			{"an unknown visibility", frPOC, req{method: http.MethodPost, path: "/survey/reports/" + f.freshFRReport(true).ID + "/publish",
				body: map[string]any{"visibility": "everyone"}, header: map[string]string{"If-Match": `"2"`}}, 422, []string{"visibility"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				before := f.surveyRows()
				res := f.do(tc.role, tc.r)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res)
				}
				got := res.errorFields(t)
				for _, name := range tc.fields {
					if msg, _ := got[name].(string); msg == "" {
						t.Errorf("no message for %s: %s", name, res)
					}
				}
				if after := f.surveyRows(); after != before {
					t.Errorf("refused request wrote: %d → %d", before, after)
				}
			})
		}
	})
}

// TestSurveyReportLifecycle: a State starts its report from the cycle
// before, answers a part at the ETag it read, submits and publishes it,
// and the lists page by key.
func TestSurveyReportLifecycle(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		set := f.survey()
		c := f.freshCycle()
		res := f.do(frAdmin, req{method: http.MethodPost, path: "/survey/cycles/" + c.ID + "/reports"})
		if res.status != http.StatusCreated || res.header.Get("ETag") != `"1"` {
			t.Fatalf("start: %d %s: %s", res.status, res.header.Get("ETag"), res)
		}
		id, _ := res.json(t)["id"].(string)
		if again := f.do(frPOC, req{method: http.MethodPost, path: "/survey/cycles/" + c.ID + "/reports"}); again.status != http.StatusConflict {
			t.Errorf("second start: %d, want 409: %s", again.status, again)
		}
		path := "/survey/reports/" + id
		etag := res.header.Get("ETag")
		res = f.do(frPOC, req{method: http.MethodPut, path: path + "/parts/norms", header: map[string]string{"If-Match": etag},
			body: map[string]any{"answers": []map[string]any{{"subject": "norm-c", "taken": "not_considered", "support": "yes"}}}})
		if res.status != http.StatusOK || !strings.Contains(string(res.body), `"subject":"norm-c"`) {
			t.Fatalf("save: %d: %s", res.status, res)
		}
		// Leaving a subject out of its part removes its answer.
		if strings.Contains(string(res.body), `"subject":"norm-h"`) {
			t.Errorf("norm-h carried over but not sent again: %s", res)
		}
		// A save that changes nothing keeps the version.
		same := f.do(frPOC, req{method: http.MethodPut, path: path + "/parts/norms", header: map[string]string{"If-Match": `"2"`},
			body: map[string]any{"version": 2, "answers": []map[string]any{{"subject": "norm-c", "taken": "not_considered", "support": "yes"}}}})
		if same.header.Get("ETag") != `"2"` {
			t.Errorf("unchanged save moved the version: %s", same.header.Get("ETag"))
		}
		if res = f.do(frPOC, req{method: http.MethodPost, path: path + "/submit", body: map[string]any{"version": 2}}); res.status != http.StatusOK {
			t.Fatalf("submit: %d: %s", res.status, res)
		}
		if late := f.do(frPOC, req{method: http.MethodPut, path: path + "/parts/norms", header: map[string]string{"If-Match": `"3"`},
			body: map[string]any{"answers": []any{}}}); late.status != http.StatusConflict {
			t.Errorf("save after submission: %d, want 409", late.status)
		}
		res = f.do(frPOC, req{method: http.MethodPost, path: path + "/publish", header: map[string]string{"If-Match": `"3"`}, body: map[string]any{"visibility": "public"}})
		if res.status != http.StatusOK {
			t.Fatalf("publish: %d: %s", res.status, res)
		}
		if res = f.get(anon, path); res.status != http.StatusOK || !strings.Contains(string(res.body), `"taken":"not_considered"`) {
			t.Errorf("the public reads a public report: %d: %s", res.status, res)
		}
		diff := f.get(anon, path+"/changes")
		if !strings.Contains(string(diff.body), `"previous":null`) {
			t.Errorf("the public compared with a draft it may not read: %s", diff)
		}
		diff = f.get(frViewer, path+"/changes")
		if !strings.Contains(string(diff.body), `"field":"taken","before":"","after":"not_considered"`) {
			t.Errorf("changes: %s", diff)
		}

		// KE's public report does not name its private one before it.
		if res := f.get(anon, "/survey/reports/"+set.keB.ID); res.status != http.StatusOK || strings.Contains(string(res.body), set.keA.ID) {
			t.Errorf("the public learns of KE's private report: %d: %s", res.status, res)
		}

		// Pages by key: every report of cycle "API-a" the secretariat
		// reads, one at a time.
		var states []string
		next := "/survey/cycles/" + set.a.ID + "/reports?limit=1"
		for next != "" {
			res := f.get(sec, next)
			body := res.json(t)
			for _, it := range asSlice(body["items"]) {
				states = append(states, it.(map[string]any)["state"].(string))
			}
			next, _ = body["next"].(string)
			next = strings.TrimPrefix(next, prefix)
		}
		if strings.Join(states, ",") != "FR,KE,NZ" {
			t.Errorf("paged reports: %v", states)
		}
		cycles := f.get(anon, "/survey/cycles?limit=1").json(t)
		if n, _ := cycles["next"].(string); n == "" {
			t.Errorf("no next page of cycles: %v", cycles)
		}
	})
}
