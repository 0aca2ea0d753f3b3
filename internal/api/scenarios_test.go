package api

import (
	"net/http"
	"strings"
	"testing"
)

// TestScenarioBadInput: a file that is not a scenario, bad text in one
// and numbers out of range get field or request errors on both engines
// and write nothing.
func TestScenarioBadInput(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		file := string(ddosFile(f, sec).([]byte))
		with := func(old, new string) string {
			if !strings.Contains(file, old) {
				t.Fatalf("the file has no %q", old)
			}
			return strings.Replace(file, old, new, 1)
		}
		title := `"title": "DDoS from another State's territory, with a request to mitigate"`
		rows := func() int {
			var n int
			if err := f.app.DB.R.QueryRow(`SELECT (SELECT COUNT(*) FROM scenarios) + (SELECT COUNT(*) FROM scenario_versions)`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, tc := range []struct {
			name   string
			r      req
			status int
			fields []string
		}{
			{"not JSON", req{method: http.MethodPost, path: "/scenarios/import", body: "format: detente"}, 400, nil},
			{"NUL in a title", req{method: http.MethodPost, path: "/scenarios/import", body: with(title, `"title": "DDoS\u0000"`)}, 400, []string{"title"}},
			{"invalid UTF-8 in a title", req{method: http.MethodPost, path: "/scenarios/import", body: with(title, "\"title\": \"DDoS \xff\"")}, 400, []string{"title"}},
			{"hidden characters in a title", req{method: http.MethodPost, path: "/scenarios/import", body: with(title, `"title": "DDoS\u202e"`)}, 422, []string{"title"}},
			{"a field the format does not define", req{method: http.MethodPost, path: "/scenarios/import", body: with(title, `"colour": "red", `+title)}, 422, []string{"file"}},
			{"another format", req{method: http.MethodPost, path: "/scenarios/import", body: with(`"format": "detente-scenario"`, `"format": "stix"`)}, 422, []string{"file"}},
			{"a huge duration", req{method: http.MethodPost, path: "/scenarios/import", body: with(`"duration": "PT8H"`, `"duration": "P99999999999999999999D"`)}, 422, nil},
			{"a huge version to copy", req{method: http.MethodPost, path: "/scenarios/" + f.exercises().ddos + "/copy", body: `{"version": 1e400}`}, 400, nil},
			{"a version to copy that is none", req{method: http.MethodPost, path: "/scenarios/" + f.exercises().ddos + "/copy", body: `{"version": 99}`}, 404, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				before := rows()
				res := f.do(frAdmin, tc.r)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res)
				}
				got := res.errorFields(t)
				for _, name := range tc.fields {
					if msg, _ := got[name].(string); msg == "" {
						t.Errorf("no message for %s: %s", name, res)
					}
				}
				if after := rows(); after != before {
					t.Errorf("refused request wrote: %d → %d", before, after)
				}
			})
		}
	})
}

// TestScenarioFileRoundTrip: a file imported through the API comes back
// the same from export, as application/json, and inside the scenario; a
// copy names where it came from.
func TestScenarioFileRoundTrip(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		file := ddosFile(f, sec).([]byte)
		res := f.do(frAdmin, req{method: http.MethodPost, path: "/scenarios/import", body: file})
		if res.status != http.StatusCreated {
			t.Fatalf("import: %s", res)
		}
		id, _ := res.json(t)["id"].(string)
		if loc := res.header.Get("Location"); loc != prefix+"/scenarios/"+id {
			t.Errorf("Location %q", loc)
		}
		exp := f.get(frAdmin, "/scenarios/"+id+"/export?version=1")
		if exp.status != http.StatusOK || exp.header.Get("Content-Type") != "application/json" {
			t.Fatalf("export: %s %s", exp.header.Get("Content-Type"), exp)
		}
		if string(exp.body) != string(file) {
			t.Errorf("export differs from the file imported:\n%s\nwant\n%s", exp.body, file)
		}
		if !strings.Contains(exp.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("Content-Disposition %q", exp.header.Get("Content-Disposition"))
		}
		got := f.get(frAdmin, "/scenarios/"+id)
		content, _ := got.json(t)["content"].(map[string]any)
		if content["format"] != "detente-scenario" || content["title"] == nil {
			t.Errorf("content: %s", got)
		}
		if kePOC := f.get(kePOC, "/scenarios/"+id+"/export"); kePOC.status != http.StatusNotFound {
			t.Errorf("KE exports FR's scenario: %s", kePOC)
		}
		cp := f.do(frAdmin, req{method: http.MethodPost, path: "/scenarios/" + id + "/copy"})
		if cp.status != http.StatusCreated || cp.json(t)["copied_from"] != id {
			t.Errorf("copy: %s", cp)
		}
		if v := f.get(frAdmin, "/scenarios/"+id+"/versions"); !strings.Contains(string(v.body), `"version":1`) {
			t.Errorf("versions: %s", v)
		}
	})
}
