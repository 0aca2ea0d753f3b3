package api

import (
	"context"
	"net/http"
)

const ddosTitle = "DDoS from another State's territory"

func ddosPath(suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/scenarios/" + f.exercises().ddos + suffix }
}

func frScenPath(suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/scenarios/" + f.exercises().frScen.ID + suffix }
}

// ddosFile is the shipped DDoS scenario as a scenario file.
func ddosFile(f *fixture, _ string) any {
	b, _, err := f.app.Scenarios.Export(context.Background(), f.acc[sec].Actor(), f.exercises().ddos, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// scenarioMatrix are the authorization matrix's rows of the scenario
// routes: the secretariat's and shipped scenarios are for every
// participating State, FR's own for FR alone; a State outside and the
// public see none.
var scenarioMatrix = []matrixCase{
	{name: "scenarios", method: http.MethodGet, path: func(f *fixture, _ string) string { f.exercises(); return "/scenarios?limit=200" },
		//          sec  fradm frpoc frvw kepoc nzpoc  ro  anon
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {frScenTitle}, kePOC: {frScenTitle}, nzPOC: {ddosTitle, frScenTitle}, anon: {ddosTitle, frScenTitle}},
		show: map[string][]string{sec: {ddosTitle, `"shipped":true`}, frViewer: {ddosTitle, frScenTitle, `"owner_state":"FR"`}, kePOC: {ddosTitle}, nzPOC: {`"items":[]`}}},
	{name: "own scenarios", method: http.MethodGet, path: func(f *fixture, _ string) string { f.exercises(); return "/scenarios?owner=mine" },
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{frAdmin: {ddosTitle}, kePOC: {frScenTitle, ddosTitle}},
		show: map[string][]string{frAdmin: {frScenTitle}}},
	{name: "scenarios with unknown filters", method: http.MethodGet, path: static("/scenarios?owner=nobody&provision=norm-zz&limit=0"),
		want: byRole{422, 422, 422, 422, 422, 422, 422, 401},
		show: map[string][]string{kePOC: {`"owner"`, `"provision"`, `"limit"`}}},
	{name: "a shipped scenario", method: http.MethodGet, path: ddosPath(""),
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{nzPOC: {ddosTitle}, anon: {ddosTitle}},
		show: map[string][]string{kePOC: {ddosTitle, `"format":"detente-scenario"`, `"b-notified"`}}},
	{name: "FR's scenario", method: http.MethodGet, path: frScenPath("?version=1"),
		want: byRole{404, 200, 200, 200, 404, 404, 200, 401},
		hide: map[string][]string{sec: {frScenTitle, frPrompt}, kePOC: {frScenTitle, frPrompt}, nzPOC: {frPrompt}, anon: {frPrompt}},
		show: map[string][]string{frPOC: {frPrompt, `"owner_state":"FR"`}}},
	{name: "a version that is none", method: http.MethodGet, path: ddosPath("?version=x"),
		want: byRole{404, 404, 404, 404, 404, 404, 404, 401}},
	{name: "versions of FR's scenario", method: http.MethodGet, path: frScenPath("/versions"),
		want: byRole{404, 200, 200, 200, 404, 404, 200, 401},
		hide: map[string][]string{sec: {frScenTitle}, kePOC: {frScenTitle}}, show: map[string][]string{frViewer: {frScenTitle, `"version":1`}}},
	{name: "export a shipped scenario", method: http.MethodGet, path: ddosPath("/export"),
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{nzPOC: {ddosTitle}}, show: map[string][]string{kePOC: {`"format": "detente-scenario"`, ddosTitle}}},
	{name: "export FR's scenario", method: http.MethodGet, path: frScenPath("/export"),
		want: byRole{404, 200, 200, 200, 404, 404, 200, 401},
		hide: map[string][]string{sec: {frPrompt}, kePOC: {frPrompt}, nzPOC: {frPrompt}}, show: map[string][]string{frAdmin: {frPrompt}}},
	{name: "import a scenario", method: http.MethodPost, path: static("/scenarios/import"), body: ddosFile,
		// The secretariat and a participating State's administrators.
		want: byRole{201, 201, 403, 403, 403, 403, 403, 401},
		show: map[string][]string{sec: {`"owner_state":""`, `"shipped":false`}, frAdmin: {`"owner_state":"FR"`, ddosTitle}}},
	{name: "copy a shipped scenario", method: http.MethodPost, path: ddosPath("/copy"),
		want: byRole{201, 201, 403, 403, 403, 403, 403, 401},
		show: map[string][]string{frAdmin: {`"owner_state":"FR"`, `"copied_from":"`, `"version":1`}}},
	{name: "copy FR's scenario", method: http.MethodPost, path: frScenPath("/copy"),
		body: func(*fixture, string) any { return map[string]any{"version": 1} },
		want: byRole{404, 201, 403, 403, 403, 403, 403, 401},
		hide: map[string][]string{sec: {frPrompt}}, show: map[string][]string{frAdmin: {frPrompt}}},
}

func init() { matrix = append(matrix, scenarioMatrix...) }
