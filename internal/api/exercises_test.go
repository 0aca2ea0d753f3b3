package api

import (
	"net/http"
	"strings"
	"testing"
)

// exerciseRows counts what a refused request must not have written.
func (f *fixture) exerciseRows() [3]int {
	f.t.Helper()
	var n [3]int
	for i, table := range []string{"exercise_runs", "exercise_actions", "exercise_notes"} {
		if err := f.app.DB.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n[i]); err != nil {
			f.t.Fatal(err)
		}
	}
	return n
}

// TestExerciseRunLifecycle: a run directed through the API from creation
// to its report, each answer marked as an exercise.
func TestExerciseRunLifecycle(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		ddos := f.exercises().ddos
		res := f.do(sec, req{method: http.MethodPost, path: "/exercise-runs", body: map[string]any{"scenario": ddos, "title": "Lifecycle run",
			"roles": []map[string]any{{"role": "A", "state": "fr"}, {"role": "B", "state": "KE"}}, "levels": []string{"technical"}, "factor": 720}})
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res)
		}
		id, _ := res.json(t)["id"].(string)
		path := "/exercise-runs/" + id
		step := func(role, suffix string, body any, header map[string]string, want int, has ...string) {
			t.Helper()
			res := f.do(role, req{method: http.MethodPost, path: path + suffix, body: body, header: header})
			if res.status != want {
				t.Fatalf("%s: %d, want %d: %s", suffix, res.status, want, res)
			}
			if want < 300 {
				has = append(has, `"exercise":true`)
			}
			for _, s := range has {
				if !strings.Contains(string(res.body), s) {
					t.Errorf("%s: lacks %s: %s", suffix, s, res)
				}
			}
		}
		step(sec, "/start", nil, nil, 428)
		step(sec, "/start", nil, map[string]string{"If-Match": `"1"`}, 200, `"status":"running"`)
		step(sec, "/start", map[string]any{"version": 2}, nil, 409)
		step(sec, "/inject", map[string]any{"version": 2, "inject": "b-notified"}, nil, 200, `"version":3`)
		step(sec, "/inject", map[string]any{"version": 3, "inject": "b-notified"}, nil, 409)
		step(kePOC, "/actions", map[string]any{"inject": "b-notified", "action": "acknowledge"}, nil, 201, `"action":"acknowledge"`)
		step(sec, "/notes", map[string]any{"kind": "went_well", "text": "Too early for a lesson"}, nil, 409)
		step(sec, "/stop", map[string]any{"version": 3}, nil, 200, `"status":"ended"`)
		step(kePOC, "/notes", map[string]any{"kind": "went_well", "text": "The warning was clear"}, nil, 201, `"kind":"went_well"`)
		rep := f.get(sec, path+"/report")
		for _, s := range []string{`"exercise":true`, "The warning was clear", `"outcome":"met"`, `"kind":"action"`, `"status":"ended"`} {
			if !strings.Contains(string(rep.body), s) {
				t.Errorf("report lacks %s: %s", s, rep)
			}
		}
	})
}

// TestExerciseBadInput: bad text, numbers and names get field errors on
// both engines and write nothing.
func TestExerciseBadInput(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		set := f.exercises()
		run := "/exercise-runs/" + set.sec.ID
		for _, tc := range []struct {
			name   string
			role   string
			r      req
			status int
			fields []string
		}{
			{"NUL in a title", sec, req{method: http.MethodPost, path: "/exercise-runs", body: `{"title": "Run\u0000", "factor": 1}`}, 400, []string{"title"}},
			{"invalid UTF-8 in a role", sec, req{method: http.MethodPost, path: "/exercise-runs", body: "{\"roles\": [{\"role\": \"A\", \"state\": \"F\xff\"}]}"}, 400, []string{"roles[0].state"}},
			{"hidden characters, an unknown scenario, a speed and levels out of range", sec, req{method: http.MethodPost, path: "/exercise-runs",
				body: map[string]any{"scenario": "nope", "title": "Run\u202e", "factor": 1_000_000, "levels": []string{"ministerial"},
					"roles": []map[string]any{{"role": "A", "state": "NZ"}}}}, 422, []string{"scenario", "title", "factor", "levels"}},
			{"roles not given", sec, req{method: http.MethodPost, path: "/exercise-runs", body: map[string]any{"scenario": set.ddos, "factor": 1,
				"levels": []string{"technical"}, "roles": []map[string]any{{"role": "A", "state": "NZ"}, {"role": "Z", "state": "KE"}}}}, 422, []string{"roles", "roles.A", "roles.B"}},
			{"a planned start that is no date and a zone that is none", sec, req{method: http.MethodPost, path: "/exercise-runs", body: map[string]any{"scenario": set.ddos,
				"factor": 1, "levels": []string{"technical"}, "roles": []map[string]any{{"role": "A", "state": "FR"}, {"role": "B", "state": "KE"}},
				"planned_start": "2026-02-30T10:00", "time_zone": "Mars/Olympus"}}, 422, []string{"planned_start"}},
			{"a look-alike zone and a start years ahead", sec, req{method: http.MethodPost, path: "/exercise-runs", body: map[string]any{"scenario": set.ddos,
				"factor": 1, "levels": []string{"technical"}, "roles": []map[string]any{{"role": "A", "state": "FR"}, {"role": "B", "state": "KE"}},
				"planned_start": "2031-01-01T10:00", "time_zone": "Еurope/Paris"}}, 422, []string{"time_zone"}},
			{"a planned start years ahead", sec, req{method: http.MethodPost, path: "/exercise-runs", body: map[string]any{"scenario": set.ddos,
				"factor": 1, "levels": []string{"technical"}, "roles": []map[string]any{{"role": "A", "state": "FR"}, {"role": "B", "state": "KE"}},
				"planned_start": "2031-01-01T10:00:00Z"}}, 422, []string{"planned_start"}},
			{"NUL in a planned start's zone", sec, req{method: http.MethodPost, path: run + "/schedule", body: `{"version": 1, "planned_start": "2026-04-01T10:00", "time_zone": "UTC\u0000"}`}, 400, []string{"time_zone"}},
			{"a planned start of the wrong type", sec, req{method: http.MethodPost, path: run + "/schedule", body: `{"version": 1, "planned_start": 20260401}`}, 400, nil},
			{"moving a run that has started", sec, req{method: http.MethodPost, path: run + "/schedule", body: map[string]any{"version": set.sec.Version, "planned_start": "2026-04-01T10:00"}}, 409, nil},
			{"a huge version", sec, req{method: http.MethodPost, path: run + "/pause", body: `{"version": 1e400}`}, 400, nil},
			{"a huge scenario version", sec, req{method: http.MethodPost, path: "/exercise-runs", body: `{"scenario_version": 99999999999999999999}`}, 400, nil},
			{"an unknown inject", sec, req{method: http.MethodPost, path: run + "/inject", body: map[string]any{"version": set.sec.Version, "inject": "nope"}}, 422, []string{"inject"}},
			{"an unknown note kind and hidden text", kePOC, req{method: http.MethodPost, path: run + "/notes", body: map[string]any{"kind": "rumour", "text": "x\u0000"}}, 400, []string{"text"}},
			{"an unknown action", kePOC, req{method: http.MethodPost, path: run + "/actions", body: map[string]any{"inject": "b-notified", "action": "panic", "text": "Hi\u200b"}}, 422, []string{"action", "text"}},
			{"an empty reply and a bad field name", kePOC, req{method: http.MethodPost, path: run + "/actions", body: map[string]any{"inject": "b-notified", "action": "reply",
				"fields": map[string]string{"Bad Name": "x"}}}, 422, []string{"text", "fields"}},
			{"invalid UTF-8 in an action's field", kePOC, req{method: http.MethodPost, path: run + "/actions", body: "{\"inject\": \"b-notified\", \"action\": \"reply\", \"fields\": {\"answer\": \"\xc3\"}}"}, 400, []string{"fields.answer"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				before := f.exerciseRows()
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
				if after := f.exerciseRows(); after != before {
					t.Errorf("refused request wrote: %v → %v", before, after)
				}
			})
		}
	})
}
