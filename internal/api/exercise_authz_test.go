package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
)

// What the exercise routes must show only to those who may see it.
const (
	secRunTitle = "Regional tabletop 3a1f"
	frRunTitle  = "FR drill run 6a41"
	frScenTitle = "FR national drill 2b8c"
	frPrompt    = "The grid operator calls the CERT 2b8c"
	secNote     = "Director sees 9c1e"
	frNote      = "FR observes 4d2a"
	keNote      = "KE observes 7b3f"
	keAck       = "KE acknowledges 5e60"
	keSubject   = "Botnet command servers in your networks"
)

// exerciseSet holds the fixture's runs:
//   - sec: the secretariat's run of the shipped DDoS scenario, FR
//     targeted (A) and KE the State of origin (B), running; the warning
//     to B went out at once and reached KE's technical POC, whose account
//     acknowledged it; the secretariat, FR and KE each wrote an
//     observation;
//   - fr: FR's run of its own one-role scenario, not started, which
//     nobody outside FR sees.
type exerciseSet struct {
	ddos   string // the shipped DDoS scenario's id
	frScen scenario.Scenario
	sec    exercise.Run
	fr     exercise.Run
}

var exerciseSets sync.Map

func (f *fixture) exercises() *exerciseSet {
	f.t.Helper()
	if v, ok := exerciseSets.Load(f.app); ok {
		return v.(*exerciseSet)
	}
	ctx := context.Background()
	var set exerciseSet
	shipped, err := f.app.Scenarios.List(ctx, f.acc[sec].Actor(), scenario.Filter{Owner: "shipped"}, page.Request{})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, sc := range shipped.Items {
		if strings.HasPrefix(sc.Title, "DDoS") {
			set.ddos = sc.ID
		}
	}
	if set.ddos == "" {
		f.t.Fatal("no shipped DDoS scenario")
	}
	set.frScen, err = f.app.Scenarios.Create(ctx, f.acc[frAdmin].Actor(), scenario.Input{Language: "en", Title: frScenTitle,
		Summary: "A national drill.", Narrative: "The grid is down.", Roles: []scenario.Role{{Key: "A", Name: "Affected State"}},
		Injects: []scenario.Inject{{Key: "p1", Kind: scenario.Prompt, Title: "Grid down", ToRoles: []string{"A"}, ToLevel: scenario.Technical,
			Prompt: frPrompt, Expected: []scenario.Expectation{{Key: "esc", Action: scenario.Escalate, Within: 30 * time.Minute}}}},
		Duration: time.Hour})
	if err != nil {
		f.t.Fatal(err)
	}
	if set.fr, err = f.app.Exercises.Create(ctx, f.acc[frAdmin].Actor(), exercise.Input{ScenarioID: set.frScen.ID, Title: frRunTitle,
		Assignments: []exercise.Assignment{{Role: "A", State: "FR"}}, Levels: []scenario.Level{scenario.Technical}, Factor: 60}); err != nil {
		f.t.Fatal(err)
	}
	set.sec = f.freshRun(set.ddos, sec, secRunTitle, "b-notified")
	for _, n := range []struct{ role, text string }{{sec, secNote}, {frPOC, frNote}, {kePOC, keNote}} {
		if _, err := f.app.Exercises.AddNote(ctx, f.acc[n.role].Actor(), set.sec.ID, exercise.Observation, n.text); err != nil {
			f.t.Fatal(err)
		}
	}
	if _, err := f.app.Exercises.Act(ctx, f.acc[kePOC].Actor(), set.sec.ID, exercise.ActionInput{Inject: "b-notified",
		Action: scenario.Acknowledge, Text: keAck}); err != nil {
		f.t.Fatal(err)
	}
	f.drain()
	v, _ := exerciseSets.LoadOrStore(f.app, &set)
	return v.(*exerciseSet)
}

// freshRun creates a run of scenario id directed by role's side, FR
// playing A and KE B, and takes it as far as the steps say: "start",
// "pause", or an inject's key to start it and send that inject at once.
func (f *fixture) freshRun(id, role, title string, steps ...string) exercise.Run {
	f.t.Helper()
	ctx := context.Background()
	a := f.acc[role].Actor()
	r, err := f.app.Exercises.Create(ctx, a, exercise.Input{ScenarioID: id, Title: title,
		Assignments: []exercise.Assignment{{Role: "A", State: "FR"}, {Role: "B", State: "KE"}}, Levels: []scenario.Level{scenario.Technical}, Factor: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, step := range steps {
		if r.Status == exercise.Ready {
			if r, err = f.app.Exercises.Start(ctx, a, r.ID, r.Version); err != nil {
				f.t.Fatal(err)
			}
		}
		switch step {
		case "start":
		case "pause":
			r, err = f.app.Exercises.Pause(ctx, a, r.ID, r.Version)
		default:
			r, err = f.app.Exercises.InjectNow(ctx, a, r.ID, r.Version, step)
		}
		if err != nil {
			f.t.Fatal(err)
		}
	}
	return r
}

func runPath(pick func(*exerciseSet) exercise.Run, suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/exercise-runs/" + pick(f.exercises()).ID + suffix }
}

// freshRunPath is a fresh run of FR's administrators (or of director's
// side), taken through steps, for a request that changes it.
func freshRunPath(director, suffix string, steps ...string) func(*fixture, string) string {
	return func(f *fixture, role string) string {
		*f.seq++
		r := f.freshRun(f.exercises().ddos, director, fmt.Sprintf("Fresh run %d for %s", *f.seq, role), steps...)
		return "/exercise-runs/" + r.ID + suffix
	}
}

func secRunOf(s *exerciseSet) exercise.Run { return s.sec }
func frRunOf(s *exerciseSet) exercise.Run  { return s.fr }

// exerciseMatrix are the authorization matrix's rows of the exercise
// routes: the director's side sees a whole run, a State playing in it its
// own part, and anyone else nothing, not even its title.
var exerciseMatrix = []matrixCase{
	{name: "exercise runs", method: http.MethodGet, path: func(f *fixture, _ string) string { f.exercises(); return "/exercise-runs" },
		//          sec  fradm frpoc frvw kepoc nzpoc  ro  anon
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {frRunTitle}, kePOC: {frRunTitle}, nzPOC: {secRunTitle, frRunTitle}, anon: {secRunTitle, frRunTitle}},
		show: map[string][]string{sec: {secRunTitle, `"exercise":true`, `"marking":"EXERCISE"`}, frAdmin: {secRunTitle, frRunTitle},
			frViewer: {frRunTitle}, kePOC: {secRunTitle}, nzPOC: {`"exercise":true`, `"items":[]`}}},
	{name: "the secretariat's run", method: http.MethodGet, path: runPath(secRunOf, ""),
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{nzPOC: {secRunTitle}, anon: {secRunTitle}},
		show: map[string][]string{sec: {secRunTitle, `"exercise":true`, `"status":"running"`}, kePOC: {`"director_state":""`}}},
	{name: "FR's run", method: http.MethodGet, path: runPath(frRunOf, ""),
		want: byRole{404, 200, 200, 200, 404, 404, 200, 401},
		hide: map[string][]string{sec: {frRunTitle, frScenTitle}, kePOC: {frRunTitle, frScenTitle}, nzPOC: {frRunTitle}, anon: {frRunTitle}},
		show: map[string][]string{frPOC: {frRunTitle, frScenTitle, `"director_state":"FR"`, `"exercise":true`}}},
	{name: "unknown run", method: http.MethodGet, path: static("/exercise-runs/0190b3a6-0000-7000-8000-000000000000"),
		want: byRole{404, 404, 404, 404, 404, 404, 404, 401}},
	{name: "live view of the secretariat's run", method: http.MethodGet, path: runPath(secRunOf, "/live"),
		// Two States play: each sees its own rows, and no figures across
		// States, which would be the other's result.
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{frAdmin: {`"state":"KE","roles"`, "b-notified", `"across_states":[`}, frPOC: {`"state":"KE","roles"`, "b-notified"},
			kePOC: {`"state":"FR","roles"`, `"across_states":[`}, nzPOC: {secRunTitle}, anon: {secRunTitle}},
		show: map[string][]string{sec: {`"director":true`, `"state":"FR","roles"`, `"state":"KE","roles"`, `"outcome":"met"`, `"across_states":[`},
			frViewer: {`"state":"FR","roles"`, `"director":false`, `"exercise":true`}, kePOC: {`"state":"KE","roles"`, "b-notified", `"outcome":"met"`}}},
	{name: "live view of FR's run", method: http.MethodGet, path: runPath(frRunOf, "/live"),
		want: byRole{404, 200, 200, 200, 404, 404, 200, 401},
		hide: map[string][]string{sec: {frRunTitle}, kePOC: {frRunTitle, "Grid down"}, nzPOC: {frRunTitle}},
		show: map[string][]string{frAdmin: {"Grid down", `"director":true`}}},
	{name: "report of the secretariat's run", method: http.MethodGet, path: runPath(secRunOf, "/report"),
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{frAdmin: {secNote, keNote, keAck}, frPOC: {secNote, keNote, keAck}, frViewer: {keNote, keAck},
			readOnly: {keNote, keAck}, kePOC: {secNote, frNote}, nzPOC: {secNote, frNote, keNote, keAck}, anon: {secNote, keNote}},
		show: map[string][]string{sec: {secNote, frNote, keNote, keAck, `"exercise":true`}, frPOC: {frNote}, kePOC: {keNote, keAck, `"outcome":"met"`}}},
	{name: "report of FR's run", method: http.MethodGet, path: runPath(frRunOf, "/report"),
		want: byRole{404, 200, 200, 200, 404, 404, 200, 401},
		hide: map[string][]string{sec: {frRunTitle}, kePOC: {frRunTitle}, nzPOC: {frRunTitle}}},
	{name: "injects received in the secretariat's run", method: http.MethodGet, path: runPath(secRunOf, "/received"),
		// Only KE's POC account answers for a point of contact it reached.
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {keSubject}, frAdmin: {keSubject, keAck}, frPOC: {keSubject}, nzPOC: {keSubject}, anon: {keSubject}},
		show: map[string][]string{kePOC: {keSubject, keAck, `"key":"b-notified"`, `"exercise":true`}, frPOC: {`"items":[]`, `"exercise":true`}}},
	{name: "injects received in FR's run", method: http.MethodGet, path: runPath(frRunOf, "/received"),
		want: byRole{404, 200, 200, 200, 404, 404, 200, 401}, hide: map[string][]string{kePOC: {frRunTitle}}},
	{name: "create a run", method: http.MethodPost, path: static("/exercise-runs"),
		body: func(f *fixture, role string) any {
			return map[string]any{"scenario": f.exercises().ddos, "title": "Created by " + role, "roles": []map[string]any{{"role": "A", "state": "FR"},
				{"role": "B", "state": "KE"}}, "levels": []string{"technical"}, "factor": 60}
		},
		// The secretariat and a participating State's administrators.
		want: byRole{201, 201, 403, 403, 403, 403, 403, 401},
		show: map[string][]string{sec: {`"director_state":""`, `"status":"ready"`, `"exercise":true`}, frAdmin: {`"director_state":"FR"`, `"version":1`}}},
	{name: "start a run", method: http.MethodPost, path: freshRunPath(frAdmin, "/start"),
		body: func(*fixture, string) any { return map[string]any{"version": 1} },
		// Only the director's side; the secretariat does not see FR's run.
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401},
		show: map[string][]string{frAdmin: {`"status":"running"`, `"version":2`, `"exercise":true`}}},
	{name: "start the secretariat's run", method: http.MethodPost, path: freshRunPath(sec, "/start"), header: map[string]string{"If-Match": `"1"`},
		want: byRole{200, 403, 403, 403, 403, 403, 403, 401}, show: map[string][]string{sec: {`"status":"running"`}}},
	{name: "pause a run", method: http.MethodPost, path: freshRunPath(frAdmin, "/pause", "start"), header: map[string]string{"If-Match": `"2"`},
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401}, show: map[string][]string{frAdmin: {`"status":"paused"`}}},
	{name: "resume a run", method: http.MethodPost, path: freshRunPath(frAdmin, "/resume", "pause"), body: func(*fixture, string) any { return map[string]any{"version": 3} },
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401}, show: map[string][]string{frAdmin: {`"status":"running"`, `"version":4`}}},
	{name: "stop a run", method: http.MethodPost, path: freshRunPath(frAdmin, "/stop"), header: map[string]string{"If-Match": `"1"`},
		// Stopped before it started: cancelled.
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401}, show: map[string][]string{frAdmin: {`"status":"ended"`, `"cancelled":true`}}},
	{name: "plan a run", method: http.MethodPost, path: freshRunPath(frAdmin, "/schedule"),
		body: func(*fixture, string) any {
			return map[string]any{"version": 1, "planned_start": "2026-09-01T10:00", "time_zone": "Europe/Paris"}
		},
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401},
		show: map[string][]string{frAdmin: {`"planned_start":"2026-09-01T08:00:00Z"`, `"time_zone":"Europe/Paris"`, `"sequence":0`, `"version":2`}}},
	{name: "plan a run (a date that is no date)", method: http.MethodPost, path: freshRunPath(frAdmin, "/schedule"),
		body: func(*fixture, string) any { return map[string]any{"version": 1, "planned_start": "2026-02-30T10:00"} },
		// The director alone learns what is wrong with the body.
		want: byRole{404, 422, 403, 403, 403, 403, 403, 401},
		show: map[string][]string{frAdmin: {`"planned_start"`}}},
	{name: "inject now", method: http.MethodPost, path: freshRunPath(frAdmin, "/inject", "start"),
		body: func(*fixture, string) any { return map[string]any{"version": 2, "inject": "b-notified"} },
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401}, show: map[string][]string{frAdmin: {`"version":3`}}},
	{name: "act on an inject", method: http.MethodPost, path: freshRunPath(sec, "/actions", "b-notified"),
		body: func(_ *fixture, role string) any {
			return map[string]any{"inject": "b-notified", "action": "reply", "text": "Answered by " + role}
		},
		// A player is an account linked to a point of contact the inject
		// reached: KE's POC only.
		want: byRole{403, 403, 403, 403, 201, 404, 403, 401},
		show: map[string][]string{kePOC: {`"action":"reply"`, `"state":"KE"`, `"exercise":true`}}},
	{name: "write an observation", method: http.MethodPost, path: freshRunPath(sec, "/notes", "start"),
		body: func(_ *fixture, role string) any {
			return map[string]any{"kind": "observation", "text": "Seen by " + role}
		},
		want: byRole{201, 201, 201, 403, 201, 404, 403, 401},
		show: map[string][]string{sec: {`"state":""`, `"exercise":true`}, kePOC: {`"state":"KE"`, `"kind":"observation"`}}},
}

func init() { matrix = append(matrix, exerciseMatrix...) }
