package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/exercise"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
)

// The director's form for a new run. Roles depend on the scenario, and the
// pages run no script: the director picks a scenario first (a GET of the
// same form), then gives each of its roles a participating State from a
// list, the levels taking part and the speed of the clock.

type exerciseFormData struct {
	exerciseWords
	Scenarios []scenario.Summary
	Scenario  *scenario.Scenario // the one picked, nil before
	States    []directory.State  // participating States
}

// badPlannedStart is the form's own error for a date that is no date.
const badPlannedStart = "enter a date and time such as 2026-05-01T14:30"

// scheduleInput reads a planned start and its zone from a form: the wall
// time typed, or a field error when it is no date.
func scheduleInput(f url.Values) (exercise.Schedule, error) {
	in := exercise.Schedule{TimeZone: f.Get("time_zone")}
	if v := strings.TrimSpace(f.Get("planned_start")); v != "" {
		t, ok := parseWhen(v)
		if !ok {
			var bad errs.Fields
			bad.Add("planned_start", badPlannedStart)
			return in, bad.Err()
		}
		in.Start = t
	}
	return in, nil
}

func (s *Server) exerciseFormData(r *http.Request, form url.Values) (exerciseFormData, error) {
	a, ctx := who(r), r.Context()
	d := exerciseFormData{exerciseWords: s.exerciseWords(r)}
	if err := s.app.Exercises.CanCreate(ctx, a); err != nil {
		return d, err
	}
	list, err := s.app.Scenarios.List(ctx, a, scenario.Filter{}, paging.Request{Limit: paging.MaxLimit})
	if err != nil {
		return d, err
	}
	d.Scenarios = list.Items
	if id := strings.TrimSpace(form.Get("scenario")); id != "" {
		if sc, err := s.app.Scenarios.Scenario(ctx, a, id, formScenarioVersion(form)); err == nil {
			d.Scenario = &sc
		} else if !errs.Is(err, errs.NotFound) && !errs.Is(err, errs.Forbidden) {
			return d, err
		}
	}
	sts, err := s.app.Directory.States(ctx, a)
	if err != nil {
		return d, err
	}
	for _, st := range sts {
		if st.Participating() {
			d.States = append(d.States, st)
		}
	}
	return d, nil
}

// formScenarioVersion reads the version asked for: 0 (the newest) when
// none, -1 (refused by the service) when it is no number.
func formScenarioVersion(form url.Values) int {
	v := strings.TrimSpace(form.Get("scenario_version"))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func (s *Server) exerciseNewForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	form := url.Values{"scenario": {q.Get("scenario")}, "scenario_version": {q.Get("scenario_version")}, "factor": {"1"},
		"levels": {string(scenario.Diplomatic), string(scenario.Policy), string(scenario.Technical)}, "time_zone": {"UTC"}}
	d, err := s.exerciseFormData(r, form)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.printer(r)
	pg := page{Title: p.T("New exercise run"), Nav: "exercises", Data: d, Form: form}
	s.render(w, r, http.StatusOK, "exerciseform", pg)
}

func (s *Server) exerciseCreate(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	in := exercise.Input{ScenarioID: f.Get("scenario"), ScenarioVersion: formScenarioVersion(f), Title: f.Get("title")}
	in.Factor, _ = strconv.Atoi(f.Get("factor"))
	for _, l := range f["levels"] {
		in.Levels = append(in.Levels, scenario.Level(l))
	}
	for k, v := range f {
		if role, ok := strings.CutPrefix(k, "assignments."); ok && len(v) > 0 && v[0] != "" {
			in.Assignments = append(in.Assignments, exercise.Assignment{Role: role, State: v[0]})
		}
	}
	sched, err := scheduleInput(f)
	var run exercise.Run
	if err == nil {
		in.Schedule = sched
		run, err = s.app.Exercises.Create(r.Context(), who(r), in)
	} else if cerr := s.app.Exercises.CanCreate(r.Context(), who(r)); cerr != nil {
		err = cerr // the form's own error is for a director only
	}
	if err != nil {
		d, derr := s.exerciseFormData(r, f)
		if derr != nil {
			s.renderError(w, r, derr)
			return
		}
		s.renderForm(w, r, "exerciseform", page{Title: s.printer(r).T("New exercise run"), Nav: "exercises", Data: d}, err)
		return
	}
	redirect(w, r, "/exercises/"+run.ID+"?done=created")
}
