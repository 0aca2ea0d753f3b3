package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
)

// The shipped scenario the demo's run plays, and the run's title, which
// its test looks for.
const (
	demoScenarioTitle = "Ransomware on a hospital network, with a cross-border request for assistance"
	demoRunTitle      = "Tabletop: hospital ransomware, Kenya and France"
	ddosScenarioTitle = "DDoS from another State's territory, with a request to mitigate"
	plannedRunTitle   = "Tabletop: DDoS across borders, Brazil and Japan"
)

// demoRunFactor plays the six-hour scenario in half an hour.
const demoRunFactor = 12

// seedExercise has the secretariat run the shipped hospital ransomware
// scenario a fortnight before the demo's today, with Kenya as the
// affected State and France as the State asked for assistance, at the
// technical and policy levels. The States' duty officers play from the
// app: Kenya informs its policy level and asks France for assistance in
// time and answers State C's question; France brings the hosting
// company's demand to its policy level late. The injects for the policy
// level find no player, so those expectations are missed. After the end
// both States and the secretariat write their lessons, so the run has a
// finished after-action report. It was planned for its start, so its
// players were invited with a calendar entry. A second run, of the DDoS
// scenario for Brazil and Japan, is planned ten days ahead.
func seedExercise(ctx context.Context, a *app.App, c *clock.Fixed, sec actor.Actor, duty map[string]actor.Actor, now time.Time) error {
	fail := func(what string, err error) error { return fmt.Errorf("demo exercise, %s: %w", what, err) }
	start := now.Add(-14 * 24 * time.Hour).Truncate(time.Hour).Add(9 * time.Hour)
	c.Set(start.Add(-2 * 24 * time.Hour))
	sc, err := shippedScenario(ctx, a, sec, demoScenarioTitle)
	if err != nil {
		return fail("scenario", err)
	}
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		return fail("zone", err)
	}
	r, err := a.Exercises.Create(ctx, sec, exercise.Input{
		ScenarioID: sc.ID, Title: demoRunTitle,
		Assignments: []exercise.Assignment{{Role: "A", State: "KE"}, {Role: "B", State: "FR"}},
		Levels:      []scenario.Level{scenario.Policy, scenario.Technical},
		Factor:      demoRunFactor,
		Schedule:    exercise.Schedule{Start: start.In(nairobi), TimeZone: "Africa/Nairobi"},
	})
	if err != nil {
		return fail("create", err)
	}
	if err := drain(ctx, a); err != nil {
		return fail("invitations", err)
	}
	c.Set(start)
	if r, err = a.Exercises.Start(ctx, sec, r.ID, r.Version); err != nil {
		return fail("start", err)
	}
	// at moves the clock to scenario time d, stopping at each inject's
	// offset on the way so that each goes out when it is due, as the
	// scheduler would send it.
	reached := time.Duration(-1)
	at := func(d time.Duration) error {
		for _, inj := range sc.Injects {
			if inj.Offset > reached && inj.Offset < d {
				c.Set(r.WallAt(inj.Offset))
				if err := drain(ctx, a); err != nil {
					return err
				}
			}
		}
		reached = d
		c.Set(r.WallAt(d))
		return drain(ctx, a)
	}
	ke, fr := duty["KE"], duty["FR"]
	steps := []struct {
		at     time.Duration // scenario time
		player actor.Actor
		in     exercise.ActionInput
		note   string // an observation instead of an action
	}{
		{at: 12 * time.Minute, player: ke, in: exercise.ActionInput{Inject: "hospital-down", Action: scenario.Escalate, Level: scenario.Policy,
			Text: "Northbridge hospital group: patient records and scheduling encrypted at two sites. Informing the policy level before any outside request."}},
		{at: 31 * time.Minute, player: ke, in: exercise.ActionInput{Inject: "neighbour-notice", Action: scenario.Acknowledge}},
		{at: 48 * time.Minute, player: fr, in: exercise.ActionInput{Inject: "neighbour-notice", Action: scenario.Acknowledge}},
		{at: 55 * time.Minute, player: fr, note: "The indicators in State C's notice were readable only after the TLP:AMBER mail was decrypted; our rota had the key on one laptop."},
		{at: 1*time.Hour + 35*time.Minute, player: ke, in: exercise.ActionInput{Inject: "servers-located", Action: scenario.RequestAssistance, ToRole: "B",
			Text: "Health sector, critical infrastructure affected. Two servers hosted in your territory; we ask that the staging server be taken offline and its logs preserved."}},
		{at: 3*time.Hour + 40*time.Minute, player: ke, in: exercise.ActionInput{Inject: "c-question", Action: scenario.Reply,
			Text:   "Initial access through a VPN appliance with an unpatched vulnerability; new indicators attached.",
			Fields: map[string]string{"indicators": "203.0.113.77 (staging); SHA-256 of the loader: 9f2c…e41a"}}},
		{at: 3*time.Hour + 55*time.Minute, player: fr, in: exercise.ActionInput{Inject: "provider-needs-order", Action: scenario.Escalate, Level: scenario.Policy,
			Text: "The hosting company asks for a formal request before taking the server down; bringing it to the policy level."}},
		{at: 4*time.Hour + 20*time.Minute, player: ke, note: "Our policy POC was in a meeting when the minister's question came; nobody else at that level could answer."},
	}
	for _, s := range steps {
		if err := at(s.at); err != nil {
			return fail("clock", err)
		}
		if s.note != "" {
			if _, err := a.Exercises.AddNote(ctx, s.player, r.ID, exercise.Observation, s.note); err != nil {
				return fail("observation", err)
			}
			continue
		}
		if _, err := a.Exercises.Act(ctx, s.player, r.ID, s.in); err != nil {
			return fail(s.in.Inject, err)
		}
	}
	// The scenario's end stops the run and marks what was not done missed.
	if err := at(sc.Duration + time.Minute); err != nil {
		return fail("end", err)
	}
	c.Set(c.Now().Add(2 * time.Hour))
	for _, l := range []struct {
		who  actor.Actor
		kind exercise.NoteKind
		text string
	}{
		{ke, exercise.WentWell, "The request for assistance used the template's fields and reached France's duty officer within minutes."},
		{ke, exercise.ToImprove, "Name a deputy at the policy level for exercises, so a prompt to that level is not left unanswered."},
		{fr, exercise.ToImprove, "Agree in advance which authority can order a hosting company to act, so the policy level is reached in under an hour."},
		{sec, exercise.WentWell, "Every inject reached both States' technical points of contact, encrypted where a key is on file."},
	} {
		if _, err := a.Exercises.AddNote(ctx, l.who, r.ID, l.kind, l.text); err != nil {
			return fail("lesson", err)
		}
	}
	return seedPlannedRun(ctx, a, c, sec, now)
}

// seedPlannedRun has the secretariat plan the shipped DDoS scenario for
// Brazil (targeted) and Japan (State of origin) ten days after the demo's
// today, at 09:00 in Brasília, at the technical and diplomatic levels:
// its players' invitations are in the outbox and it is in their calendar
// feeds.
func seedPlannedRun(ctx context.Context, a *app.App, c *clock.Fixed, sec actor.Actor, now time.Time) error {
	fail := func(what string, err error) error { return fmt.Errorf("demo planned exercise, %s: %w", what, err) }
	c.Set(now.Add(-3 * 24 * time.Hour))
	sc, err := shippedScenario(ctx, a, sec, ddosScenarioTitle)
	if err != nil {
		return fail("scenario", err)
	}
	day := now.AddDate(0, 0, 10)
	if _, err := a.Exercises.Create(ctx, sec, exercise.Input{
		ScenarioID: sc.ID, Title: plannedRunTitle,
		Assignments: []exercise.Assignment{{Role: "A", State: "BR"}, {Role: "B", State: "JP"}},
		Levels:      []scenario.Level{scenario.Diplomatic, scenario.Technical},
		Factor:      6,
		Schedule:    exercise.Schedule{Start: time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, time.UTC), TimeZone: "America/Sao_Paulo"},
	}); err != nil {
		return fail("create", err)
	}
	return drain(ctx, a)
}

// shippedScenario finds a scenario that ships with the product by title;
// a handful ship, all on one page.
func shippedScenario(ctx context.Context, a *app.App, viewer actor.Actor, title string) (scenario.Scenario, error) {
	p, err := a.Scenarios.List(ctx, viewer, scenario.Filter{Owner: "shipped"}, page.Request{Limit: page.MaxLimit})
	if err != nil {
		return scenario.Scenario{}, err
	}
	for _, s := range p.Items {
		if s.Title == title {
			return a.Scenarios.Scenario(ctx, viewer, s.ID, 0)
		}
	}
	return scenario.Scenario{}, fmt.Errorf("no shipped scenario %q", title)
}
