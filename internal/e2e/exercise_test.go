package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/scenario"
)

// injectLink is the player's link in an inject mail.
var injectLink = regexp.MustCompile(`https?://[^\s"<>]+(/exercises/[0-9a-f-]{36}/injects/[A-Za-z0-9_.~%-]+)`)

// exerciseRun is a run the secretariat directs and has started: KE plays
// the affected State, whose policy POC (the kepoc account) receives the
// first inject by mail; FR is the State asked for help.
type exerciseRun struct {
	running, ready exercise.Run
	scenario       scenario.Scenario
}

func newExerciseRun(f *fixture) exerciseRun {
	f.t.Helper()
	ctx := context.Background()
	sec := f.acc["sec"].Actor()
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	sc, err := f.app.Scenarios.Create(ctx, sec, scenario.Input{Language: "en", Title: "Ransomware at a port operator", Summary: "A port's systems are encrypted.",
		Narrative: "The port authority of the affected State cannot load ships.", Duration: 2 * time.Hour,
		Objectives: []scenario.Objective{{Text: "Ask for help through the directory.", Provisions: []string{"norm-h"}}},
		Roles:      []scenario.Role{{Key: "A", Name: "Affected State"}, {Key: "B", Name: "State asked for help"}},
		Injects: []scenario.Inject{
			{Key: "notice", Kind: scenario.Communication, Title: "A partner CERT warns of the campaign", FromSimulated: "CERT of Northland",
				ToRoles: []string{"A"}, ToLevel: scenario.Policy, Type: messaging.InformationRequest, Urgency: messaging.Urgent, TLP: "amber",
				Subject: "Ransomware campaign against ports", Body: "We see the same group in our ports. Have you seen these indicators?",
				Fields:   map[string]string{"question": "Indicators seen?"},
				Expected: []scenario.Expectation{{Key: "ack", Action: scenario.Acknowledge, Within: 30 * time.Minute, Note: "Acknowledge within half an hour."}}},
			{Key: "escalation", Offset: time.Hour, Kind: scenario.Prompt, Title: "The ministry asks for a briefing", ToRoles: []string{"A"}, ToLevel: scenario.Policy,
				Prompt:   "The minister wants to know whether to ask State B for help.",
				Expected: []scenario.Expectation{{Key: "ask", Action: scenario.RequestAssistance, Within: 30 * time.Minute, ToRole: "B"}}},
		}})
	must(err)
	in := exercise.Input{ScenarioID: sc.ID, Title: "Port ransomware drill", Factor: 12, Levels: []scenario.Level{scenario.Policy, scenario.Technical},
		Assignments: []exercise.Assignment{{Role: "A", State: "KE"}, {Role: "B", State: "FR"}}}
	run, err := f.app.Exercises.Create(ctx, sec, in)
	must(err)
	run, err = f.app.Exercises.Start(ctx, sec, run.ID, run.Version)
	must(err)
	f.drain() // the first inject goes out, and its mail
	in.Title = "Next month's drill"
	next := f.clock.Now().AddDate(0, 1, 0)
	in.Schedule = exercise.Schedule{Start: time.Date(next.Year(), next.Month(), next.Day(), 10, 0, 0, 0, time.UTC), TimeZone: "Africa/Nairobi"}
	ready, err := f.app.Exercises.Create(ctx, sec, in)
	must(err)
	f.drain() // the invitations
	return exerciseRun{running: run, ready: ready, scenario: sc}
}

// An accelerated run played in the browser: a player opens the inject
// from the link in its mail (over SMTP), sees it marked EXERCISE with its
// TLP label, and acknowledges it; the director's live view shows the
// expectation met. An hour of scenario later, five minutes of the clock,
// the second inject arrives by mail and the player asks the other State
// for help from its page; the director stops the run, and the report shows
// both expectations met with their measured times. (The mails' OpenPGP
// and that no exercise counts as real traffic: TestExerciseRunEndToEnd in
// package notify.)
func TestExercisePlayerAcknowledges(t *testing.T) {
	f := newFixture(t)
	x := newExerciseRun(f)
	found := f.mail.Newest("policy@ke.e2e.invalid", injectLink)
	if found == nil {
		t.Fatal("no inject mail to KE's policy POC")
	}
	link := found[1]
	if want := "/exercises/" + x.running.ID + "/injects/notice"; link != want {
		t.Fatalf("the mail links to %s, want %s", link, want)
	}

	player := f.signIn(t, "kepoc", nil)
	if st := player.open(link); st != 200 {
		t.Fatalf("GET %s: status %d", link, st)
	}
	if got := player.text("main .exercise-mark"); got != "EXERCISE" {
		t.Errorf("the inject page is marked %q, want EXERCISE", got)
	}
	if got := player.text("main .tlp"); got != "TLP:AMBER" {
		t.Errorf("the inject shows the label %q", got)
	}
	if got := player.text("main h1"); got != "A partner CERT warns of the campaign" {
		t.Errorf("heading %q", got)
	}
	player.click("#act-acknowledge button[type=submit]")
	player.waitFor(".flash.ok")
	if p := player.path(); !strings.HasPrefix(p, link) {
		t.Errorf("after acknowledging the player is at %s", p)
	}
	if got := player.text("main"); !strings.Contains(got, "Acknowledge") {
		t.Errorf("the inject page does not show the acknowledgement:\n%s", got)
	}

	director := f.signIn(t, "sec", nil)
	runPage := "/exercises/" + x.running.ID
	director.open(runPage)
	if !strings.Contains(director.html(), `http-equiv="refresh"`) {
		t.Error("the live view of a running exercise does not reload itself")
	}
	rows := director.rows("section[aria-labelledby=state-KE] tbody tr")
	if len(rows) == 0 {
		t.Fatal("the live view has no rows for KE")
	}
	if cells := rows[0]; len(cells) < 5 || !strings.Contains(cells[4], "Met") || strings.Contains(cells[4], "late") || cells[2] == "—" {
		t.Errorf("KE's first inject in the live view: %q, want it acknowledged and met", rows[0])
	}
	if got := director.text("section[aria-labelledby=state-KE] .tag.outcome-met"); got == "" {
		t.Error("the live view does not mark the expectation met")
	}

	// An hour of scenario later — five minutes at twelve times — the
	// second inject reaches the same point of contact by mail, and the
	// player asks State B for help from its page.
	f.clock.Set(x.running.WallAt(time.Hour).Add(time.Second))
	f.drain()
	second := f.mail.Newest("policy@ke.e2e.invalid", regexp.MustCompile(`https?://[^\s"<>]+(/exercises/[0-9a-f-]{36}/injects/escalation)`))
	if second == nil {
		t.Fatal("no mail of the second inject to KE's policy POC")
	}
	player.open(second[1])
	player.fill("#assist-text", "Please take the staging server offline and keep its logs.")
	player.click("#act-assist button[type=submit]")
	player.waitFor(".flash.ok")

	// Stopped, the page stops reloading and the report shows the time.
	director.open(runPage)
	director.click(`main form[action="` + runPage + `/stop"] button`)
	director.waitFor(".flash.ok")
	if strings.Contains(director.html(), `http-equiv="refresh"`) {
		t.Error("the page of an ended exercise still reloads itself")
	}
	director.open(runPage + "/report")
	if got := director.text("main"); !strings.Contains(got, "Met") || !strings.Contains(got, "EXERCISE") {
		t.Errorf("the report lacks the result or its marking:\n%s", got)
	}
	// Both expectations met, each with the time it took.
	results := director.rows("main table.exercise tbody tr")
	met := 0
	for _, cells := range results {
		if len(cells) < 7 {
			continue
		}
		if strings.Contains(cells[6], "Met") && !strings.Contains(cells[6], "late") && cells[5] != "—" && cells[5] != "" {
			met++
		}
	}
	if met != 2 {
		t.Errorf("the report has %d expectations met with a measured time, want 2: %q", met, results)
	}
}

// withExercises adds the run pages to the tour's legs. Running pages are
// toured without reloading, which a person may turn off the same way.
func withExercises(f *fixture, legs []leg) []leg {
	x := newExerciseRun(f)
	run, ready := "/exercises/"+x.running.ID, "/exercises/"+x.ready.ID
	more := map[string][]stop{
		"sec": {
			{name: "exercises", path: "/exercises"},
			{name: "exercise-new", path: "/exercises/new"},
			{name: "exercise-new-roles", path: "/exercises/new?scenario=" + x.scenario.ID},
			{name: "exercise-new-errors", path: "/exercises/new?scenario=" + x.scenario.ID, then: func(b *tab) {
				b.click(saveButton) // no State in any role
				b.waitFor("#assignments\\.A-error")
			}},
			{name: "exercise-console", path: run + "?refresh=off"},
			{name: "exercise-ready", path: ready},
			{name: "exercise-report", path: run + "/report"},
		},
		"kepoc": {
			{name: "exercises", path: "/exercises"},
			{name: "exercise-live", path: run + "?refresh=off"},
			{name: "exercise-inject", path: run + "/injects/notice"},
			{name: "exercise-inject-errors", path: run + "/injects/notice", then: func(b *tab) {
				b.click("#act-reply button[type=submit]") // no answer written
				b.waitFor("#reply-text-error")
			}},
			{name: "exercise-report", path: run + "/report"},
		},
	}
	for i := range legs {
		legs[i].stops = append(legs[i].stops, more[legs[i].who]...)
	}
	return legs
}
