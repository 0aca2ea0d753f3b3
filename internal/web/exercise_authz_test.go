package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/scenario"
)

// What the run pages must show only to those who may see it.
const (
	exScenarioTitle = "Run drill 4e8b"
	secRunTitle     = "Regional run 6d3e"
	frRunTitle      = "FR bilateral run 2b7c"
	keRunNote       = "KE saw the notice late 8c2d"
	frRunNote       = "FR waited for a call 3a1f"
)

// exerciseRows are the authorization matrix's rows of the run pages. The
// secretariat directs a run where KE plays the affected State (its POC
// receives the first inject) and FR the State asked; FR's administrators
// direct one of their own, which the secretariat does not see. Each State
// sees its own rows and notes only, and only a director the console.
func exerciseRows(f *fixture) []struct {
	name   string
	method string
	path   string
	form   url.Values
	expect expect
} {
	f.t.Helper()
	ctx := context.Background()
	sc, err := f.app.Scenarios.Create(ctx, f.acc["sec"].Actor(), scenarioInput(exScenarioTitle, "The region is hit 4e8b."))
	if err != nil {
		f.t.Fatal(err)
	}
	levels := []scenario.Level{scenario.Technical, scenario.Diplomatic}
	sec := f.acc["sec"].Actor()
	secRun, err := f.app.Exercises.Create(ctx, sec, exercise.Input{ScenarioID: sc.ID, Title: secRunTitle, Factor: 1, Levels: levels,
		Assignments: []exercise.Assignment{{Role: "A", State: "KE"}, {Role: "B", State: "FR"}}})
	if err != nil {
		f.t.Fatal(err)
	}
	if secRun, err = f.app.Exercises.Start(ctx, sec, secRun.ID, secRun.Version); err != nil {
		f.t.Fatal(err)
	}
	f.drain() // the first inject reaches KE's technical POC
	for who, text := range map[string]string{"kepoc": keRunNote, "frpoc": frRunNote} {
		if _, err := f.app.Exercises.AddNote(ctx, f.acc[who].Actor(), secRun.ID, exercise.Observation, text); err != nil {
			f.t.Fatal(err)
		}
	}
	frRun, err := f.app.Exercises.Create(ctx, f.acc["fradmin"].Actor(), exercise.Input{ScenarioID: sc.ID, Title: frRunTitle, Factor: 12, Levels: levels,
		Assignments: []exercise.Assignment{{Role: "A", State: "FR"}, {Role: "B", State: "KE"}}})
	if err != nil {
		f.t.Fatal(err)
	}
	s, fr := "/exercises/"+secRun.ID, "/exercises/"+frRun.ID
	inject := s + "/injects/notice"
	console := func(run string) []string {
		return []string{`action="` + run + `/stop"`, `action="` + run + `/inject"`, `action="` + run + `/start"`, `action="` + run + `/pause"`,
			`action="` + run + `/schedule"`}
	}
	notSeen := []string{secRunTitle, frRunTitle, keRunNote, frRunNote}
	good := url.Values{"scenario": {sc.ID}, "title": {"Matrix run"}, "factor": {"12"}, "levels": {"technical"},
		"assignments.A": {"FR"}, "assignments.B": {"KE"}}
	bad := url.Values{"scenario": {sc.ID}, "title": {"Bad\x00run"}, "factor": {"99999999999999999999999"}, "levels": {"cosmic"},
		"assignments.A": {"ZZ"}, "assignments.B": {"\xff\xfe"}}
	version := func(v int) url.Values { return url.Values{"version": {strconv.Itoa(v)}} }
	signedIn := map[string]int{"anon": see}
	players := map[string]int{"anon": see, "kepoc": ok}
	return []struct {
		name   string
		method string
		path   string
		form   url.Values
		expect expect
	}{
		{"exercise runs", "GET", "/exercises", nil, expect{def: ok, status: signedIn,
			present: map[string][]string{"sec": {secRunTitle, `href="/exercises/new"`, "EXERCISE", `href="/exercises/scenarios"`},
				"fradmin": {secRunTitle, frRunTitle, `href="/exercises/new"`}, "frpoc": {secRunTitle, frRunTitle}, "kepoc": {secRunTitle, frRunTitle}},
			absent: map[string][]string{"anon": notSeen, "sec": {frRunTitle}, "frpoc": {`href="/exercises/new"`}, "frviewer": {`href="/exercises/new"`},
				"kepoc": {`href="/exercises/new"`}, "nzpoc": append([]string{`href="/exercises/new"`}, notSeen...)}}},
		{"exercise runs, a damaged page", "GET", "/exercises?cursor=garbage", nil, expect{def: http.StatusUnprocessableEntity, status: signedIn}},
		{"new run form", "GET", "/exercises/new", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok},
			present: map[string][]string{"sec": {exScenarioTitle, `name="scenario"`}}}},
		{"new run form with its scenario", "GET", "/exercises/new?scenario=" + sc.ID, nil, expect{def: forbidden,
			status:  map[string]int{"anon": see, "sec": ok, "fradmin": ok},
			present: map[string][]string{"sec": {`name="assignments.A"`, `<option value="KE"`, `name="levels"`, `name="factor"`}, "fradmin": {`name="assignments.B"`}},
			absent:  map[string][]string{"sec": {`<option value="NZ"`}}}},
		{"create a run", "POST", "/exercises", good, expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": see, "fradmin": see}}},
		{"create a run (bad input)", "POST", "/exercises", bad, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "sec": http.StatusUnprocessableEntity, "fradmin": http.StatusUnprocessableEntity},
			present: map[string][]string{"sec": {`id="factor-error"`, `id="levels-error"`, `id="assignments.A-error"`, `id="assignments.B-error"`},
				"fradmin": {`id="title-error"`}}}},
		{"create a run (a date that is no date)", "POST", "/exercises", url.Values{"scenario": {sc.ID}, "planned_start": {"2026-02-30T10:00"}}, expect{def: forbidden,
			status:  map[string]int{"anon": unauth, "sec": http.StatusUnprocessableEntity, "fradmin": http.StatusUnprocessableEntity},
			present: map[string][]string{"sec": {`id="planned_start-error"`}}}},
		{"create a run of no such version", "POST", "/exercises", url.Values{"scenario": {sc.ID}, "scenario_version": {"-3"}}, expect{def: forbidden,
			status:  map[string]int{"anon": unauth, "sec": http.StatusUnprocessableEntity, "fradmin": http.StatusUnprocessableEntity},
			present: map[string][]string{"fradmin": {`id="scenario-error"`}}}},
		{"the secretariat's run", "GET", s, nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: map[string][]string{"sec": {"EXERCISE", `action="` + s + `/stop"`, `action="` + s + `/pause"`, `id="state-KE"`, `id="state-FR"`, keRunNote, frRunNote,
				`http-equiv="refresh"`},
				"kepoc": {`id="state-KE"`, keRunNote, inject}, "frpoc": {`id="state-FR"`, frRunNote, `name="text"`}, "frviewer": {frRunNote}},
			absent: map[string][]string{"anon": notSeen, "fradmin": append(console(s), `id="state-KE"`, keRunNote, inject), "frpoc": append(console(s), `id="state-KE"`, keRunNote),
				"frviewer": append(console(s), keRunNote, `name="text"`), "kepoc": append(console(s), `id="state-FR"`, frRunNote), "nzpoc": notSeen}}},
		{"the secretariat's run, not reloading", "GET", s + "?refresh=off", nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			absent: map[string][]string{"sec": {`http-equiv="refresh"`}}}},
		{"FR's run", "GET", fr, nil, expect{def: ok, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound},
			present: map[string][]string{"fradmin": {`action="` + fr + `/start"`, `action="` + fr + `/stop"`, `action="` + fr + `/schedule"`, `name="planned_start"`}},
			absent: map[string][]string{"sec": {frRunTitle}, "frpoc": console(fr), "frviewer": console(fr), "kepoc": console(fr),
				"fradmin": {`http-equiv="refresh"`}, "nzpoc": {frRunTitle}}}},
		{"unknown run", "GET", "/exercises/not-a-run", nil, expect{def: notFound, status: signedIn}},
		{"no such run page", "GET", s + "/minutes", nil, expect{def: notFound}},
		{"the inject's page", "GET", inject, nil, expect{def: notFound, status: players,
			present: map[string][]string{"kepoc": {"EXERCISE", "TLP:AMBER", "Seen this?", "<dt>Information requested</dt>", `value="acknowledge"`, `value="reply"`, `value="request_assistance"`,
				`value="escalate"`, `name="to_role"`, `value="observation"`}},
			absent: map[string][]string{"anon": {"Seen this?"}, "sec": {"Seen this?"}, "fradmin": {"Seen this?"}, "frpoc": {"Seen this?"}, "nzpoc": {"Seen this?"}}}},
		{"an inject that did not go out", "GET", s + "/injects/found", nil, expect{def: notFound, status: map[string]int{"anon": see}}},
		{"act on the inject (bad input)", "POST", inject, url.Values{"action": {"reply"}, "text": {"\x00"}}, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "kepoc": http.StatusUnprocessableEntity, "nzpoc": notFound}, present: map[string][]string{"kepoc": {`id="reply-text-error"`}}}},
		{"acknowledge the inject", "POST", inject, url.Values{"action": {"acknowledge"}}, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "kepoc": see, "nzpoc": notFound}}},
		{"write an observation", "POST", s + "/notes", url.Values{"kind": {"observation"}, "text": {"Seen from the console."}}, expect{def: see,
			status: map[string]int{"anon": unauth, "frviewer": forbidden, "nzpoc": notFound}}},
		{"write an observation (bad input)", "POST", s + "/notes", url.Values{"kind": {"observation"}, "text": {"\u202e"}}, expect{def: http.StatusUnprocessableEntity,
			status: map[string]int{"anon": unauth, "frviewer": forbidden, "nzpoc": notFound}, present: map[string][]string{"kepoc": {`id="note-text-error"`}}}},
		{"write a lesson too early", "POST", s + "/notes", url.Values{"kind": {"went_well"}, "text": {"Calls went well."}}, expect{def: http.StatusConflict,
			status: map[string]int{"anon": unauth, "frviewer": forbidden, "nzpoc": notFound}}},
		{"the report", "GET", s + "/report", nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: map[string][]string{"sec": {"EXERCISE", keRunNote, frRunNote, "?format=csv", "?format=json"}, "kepoc": {keRunNote}, "frpoc": {frRunNote}},
			absent:  map[string][]string{"anon": notSeen, "frpoc": {keRunNote}, "fradmin": {keRunNote}, "frviewer": {keRunNote}, "kepoc": {frRunNote}, "nzpoc": notSeen}}},
		{"the report as CSV", "GET", s + "/report?format=csv", nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: map[string][]string{"sec": {"notice", ",KE,"}, "kepoc": {"notice"}}, absent: map[string][]string{"frpoc": {",KE,"}, "fradmin": {",KE,"}}}},
		{"the report as JSON", "GET", s + "/report?format=json", nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
			present: map[string][]string{"sec": {`"marking": "EXERCISE"`, keRunNote, frRunNote}, "kepoc": {keRunNote}},
			absent:  map[string][]string{"kepoc": {frRunNote}, "frpoc": {keRunNote}, "frviewer": {keRunNote}}}},
		{"the report in no such format", "GET", s + "/report?format=xml", nil, expect{def: notFound, status: map[string]int{"anon": see}}},
		// The console of FR's run, in order: each change raises its version.
		{"plan FR's run (a date that is no date)", "POST", fr + "/schedule", url.Values{"version": {"1"}, "planned_start": {"2026-02-30T10:00"}, "time_zone": {"UTC"}},
			expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": http.StatusUnprocessableEntity},
				present: map[string][]string{"fradmin": {`id="planned_start-error"`}}}},
		{"plan FR's run (bad input)", "POST", fr + "/schedule", url.Values{"version": {"1"}, "planned_start": {"2026-07-01T10:00"}, "time_zone": {"Europe/Paris\x00"}},
			expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": http.StatusUnprocessableEntity},
				present: map[string][]string{"fradmin": {`id="time_zone-error"`}}}},
		{"plan FR's run", "POST", fr + "/schedule", url.Values{"version": {"1"}, "planned_start": {"2026-07-01T10:00"}, "time_zone": {"Europe/Paris"}},
			expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
		{"FR's planned run", "GET", fr, nil, expect{def: ok, status: map[string]int{"anon": see, "sec": notFound, "nzpoc": notFound},
			present: map[string][]string{"fradmin": {`value="2026-07-01T10:00"`}, "kepoc": {"Europe/Paris"}}, absent: map[string][]string{"sec": {frRunTitle}, "nzpoc": {frRunTitle}}}},
		{"start FR's run", "POST", fr + "/start", version(2), expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
		{"pause FR's run", "POST", fr + "/pause", version(3), expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
		{"resume FR's run", "POST", fr + "/resume", version(4), expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
		{"send an inject of FR's run at once", "POST", fr + "/inject", url.Values{"version": {"5"}, "inject": {"found"}}, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
		{"send no such inject of FR's run", "POST", fr + "/inject", url.Values{"version": {"6"}, "inject": {"nope\x00"}}, expect{def: forbidden,
			status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": http.StatusUnprocessableEntity}, present: map[string][]string{"fradmin": {`id="inject-error"`}}}},
		{"stop FR's run (stale)", "POST", fr + "/stop", version(1), expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": http.StatusConflict}}},
		{"stop FR's run", "POST", fr + "/stop", version(6), expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
	}
}
