package web

import (
	"fmt"
	"time"

	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/scenario"
)

// exerciseWords writes a run's coded facts in the page's language: its
// status, outcomes, notes, players' actions, and scenario times.
type exerciseWords struct{ scenarioWords }

// RunStatus names a run's status.
func (w exerciseWords) RunStatus(s exercise.Status) string {
	return w.p.TC("exercise status", s.Label())
}

// RunState names where run r stands: its status, or cancelled for one
// stopped before it started.
func (w exerciseWords) RunState(r exercise.Run) string {
	if r.Cancelled {
		return w.p.TC("exercise status", "Cancelled")
	}
	return w.RunStatus(r.Status)
}

// Zones are the time zones a planned start may be given in.
func (exerciseWords) Zones() []string { return formZones }

// Outcome names whether an expectation was met.
func (w exerciseWords) Outcome(o exercise.Outcome) string {
	return w.p.TC("exercise outcome", o.Label())
}

// NoteKind names an observation or a lesson.
func (w exerciseWords) NoteKind(k exercise.NoteKind) string {
	return w.p.TC("exercise note", k.Label())
}

// What names a timeline entry's action or note kind.
func (w exerciseWords) What(e exercise.Event) string {
	switch e.Kind {
	case exercise.EventInject:
		return w.p.TC("exercise timeline", "Inject sent")
	case exercise.EventNote:
		return w.NoteKind(exercise.NoteKind(e.What))
	}
	return w.Action(scenario.Action(e.What))
}

// Director names who directs a run.
func (w exerciseWords) Director(state string) string {
	if state == "" {
		return w.p.TC("scenario owner", "The secretariat")
	}
	return w.State(state)
}

// DirectedBy says who directs a run, inside a sentence.
func (w exerciseWords) DirectedBy(state string) string {
	if state == "" {
		return w.p.T("Directed by {director}", "director", w.p.TC("exercise director", "the secretariat"))
	}
	return w.p.T("Directed by {director}", "director", w.State(state))
}

// Clock writes scenario time elapsed as the live view shows it.
func (w exerciseWords) Clock(d time.Duration) string { return w.At(d) }

// Took writes a measured time, or a dash for none yet.
func (w exerciseWords) Took(d *time.Duration) string {
	if d == nil {
		return "—"
	}
	return w.Human(*d)
}

// Factor names a speed of the clock.
func (w exerciseWords) Factor(f int) string {
	if f <= 1 {
		return w.p.T("Real time")
	}
	return w.p.T("{factor}× — an hour of the scenario in {time}", "factor", fmt.Sprint(f), "time", w.Human(time.Hour/time.Duration(f)))
}

// Factors are the speeds the form offers.
func (exerciseWords) Factors() []int { return []int{1, 2, 4, 6, 12, 24, 60, 120, 360, 720} }

// Levels are those a run may take part at.
func (exerciseWords) Levels() []scenario.Level { return exercise.Levels() }

// InjectTitle is the title of inject key in the scenario r plays.
func (exerciseWords) InjectTitle(r exercise.Run, key string) string {
	for _, inj := range r.Scenario.Injects {
		if inj.Key == key {
			return inj.Title
		}
	}
	return key
}

// RoleName names role key as r's scenario calls it, with the State playing it.
func (w exerciseWords) RoleName(r exercise.Run, key string) string {
	name := w.RoleNames(r.Scenario, []string{key})
	if st := r.StateOf(key); st != "" {
		return w.p.T("{role}: {state}", "role", name, "state", w.State(st))
	}
	return name
}
