package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/i18n"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
)

// The pages of exercise runs: the runs the viewer may see, the director's
// form for a new one, a run's page (the director's console and the live
// view, or a participating State's own part), the player's page of an
// inject, and the after-action report. The exercise service decides who
// sees and does what; the pages ask it which buttons to show. Every page
// says EXERCISE, in English, as the mails do.

// liveRefresh is how often a running run's page loads itself again.
const liveRefresh = 15

var exerciseFlashes = map[string]i18n.Message{
	"created":  i18n.M("The exercise run is ready. Start it when the players are."),
	"start":    i18n.M("The exercise has started: injects go out at their time."),
	"pause":    i18n.M("The exercise is paused: nothing goes out until it resumes."),
	"resume":   i18n.M("The exercise runs again from where it stood."),
	"stop":     i18n.M("The exercise has ended. Participants may now write what they learnt."),
	"inject":   i18n.M("The inject has gone out."),
	"noted":    i18n.M("Your note is recorded."),
	"acted":    i18n.M("What you did is recorded. The director sees it."),
	"finished": i18n.M("The exercise has reached the end of its scenario."),
	"schedule": i18n.M("The planned start is changed. The players get the change by mail and in their calendars."),
}

func exerciseFlash(r *http.Request) any {
	if m, ok := exerciseFlashes[r.URL.Query().Get("done")]; ok {
		return m
	}
	return nil
}

type exerciseListData struct {
	exerciseWords
	Runs      []exercise.Run
	Pager     pager
	CanCreate bool
}

func (s *Server) exerciseWords(r *http.Request) exerciseWords {
	return exerciseWords{scenarioWords{checkWords{s.printer(r)}}}
}

func (s *Server) exerciseList(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p := s.printer(r)
	d := exerciseListData{exerciseWords: s.exerciseWords(r)}
	pg := page{Title: p.T("Exercise runs"), Nav: "exercises", Data: d, Flash: exerciseFlash(r)}
	if err := a.RequireSignedIn(); err != nil {
		s.renderError(w, r, err)
		return
	}
	d.CanCreate = s.app.Exercises.CanCreate(r.Context(), a) == nil
	pg.Data = d
	req, err := paging.Parse(r.URL.Query())
	if err != nil {
		s.listProblem(w, r, "exercises", pg, err)
		return
	}
	res, err := s.app.Exercises.Runs(r.Context(), a, req)
	if err != nil {
		s.listProblem(w, r, "exercises", pg, err)
		return
	}
	d.Runs, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	s.render(w, r, http.StatusOK, "exercises", pg)
}

type exercisePageData struct {
	exerciseWords
	Live     exercise.Live
	Report   exercise.Report // for the notes the reader may see
	Received []exercise.Received
	// The director's console.
	CanDirect bool
	Unsent    []scenario.Inject // injects that have not gone out
	// Notes the reader may write now.
	NoteKinds []exercise.NoteKind
	Refresh   bool // the page loads itself again
	Paused    bool // the reader asked it not to
	// Schedule fills the console's form of the planned start: the run's,
	// or what the director sent when it was refused.
	Schedule url.Values
}

// Running reports whether the run's clock runs.
func (d exercisePageData) Running() bool { return d.Live.Run.Status == exercise.Running }

func (s *Server) exerciseData(r *http.Request, id string) (exercisePageData, error) {
	a, ctx := who(r), r.Context()
	d := exercisePageData{exerciseWords: s.exerciseWords(r)}
	var err error
	if d.Live, err = s.app.Exercises.Live(ctx, a, id); err != nil {
		return d, err
	}
	if d.Report, err = s.app.Exercises.Report(ctx, a, id); err != nil {
		return d, err
	}
	run := d.Live.Run
	if d.CanDirect = s.app.Exercises.CanDirect(ctx, a, run) == nil; d.CanDirect {
		for _, inj := range run.Scenario.Injects {
			if !slices.ContainsFunc(d.Live.Fired, func(f exercise.Fired) bool { return f.Inject == inj.Key }) {
				d.Unsent = append(d.Unsent, inj)
			}
		}
	}
	// A director's account may answer for a POC too, and then plays.
	if d.Received, err = s.app.Exercises.Received(ctx, a, id); err != nil {
		return d, err
	}
	for _, k := range exercise.NoteKinds() {
		if s.app.Exercises.CanNote(a, run, k) == nil {
			d.NoteKinds = append(d.NoteKinds, k)
		}
	}
	d.Schedule = url.Values{"time_zone": {run.TimeZone}}
	if run.PlannedStart != nil {
		d.Schedule.Set("planned_start", inZone(*run.PlannedStart, run.TimeZone).Format(whenForm))
	}
	d.Paused = r.URL.Query().Get("refresh") == "off"
	d.Refresh = d.Running() && !d.Paused
	return d, nil
}

func (s *Server) exercisePage(w http.ResponseWriter, r *http.Request) {
	d, err := s.exerciseData(r, r.PathValue("run"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "exercise", s.exercisePageOf(d, exerciseFlash(r)))
}

func (s *Server) exercisePageOf(d exercisePageData, flash any) page {
	pg := page{Title: d.Live.Run.Title, Nav: "exercises", Data: d, Flash: flash}
	if d.Refresh {
		pg.Refresh = liveRefresh
	}
	return pg
}

// exerciseAction serves /exercises/{run}/{action}: the report (GET), the
// director's console and the notes (POST).
func (s *Server) exerciseAction(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + r.PathValue("action") {
	case "GET report":
		s.exerciseReport(w, r)
	case "POST start", "POST pause", "POST resume", "POST stop", "POST inject", "POST schedule":
		s.exerciseDirect(w, r, r.PathValue("action"))
	case "POST notes":
		s.exerciseNote(w, r)
	default:
		s.renderError(w, r, errNotFound)
	}
}

// exerciseInjectRoute serves /exercises/{run}/{action}/{key}: the player's
// page of an inject, the link of the inject mails.
func (s *Server) exerciseInjectRoute(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + r.PathValue("action") {
	case "GET injects":
		s.exerciseInject(w, r)
	case "POST injects":
		s.exerciseAct(w, r)
	default:
		s.renderError(w, r, errNotFound)
	}
}

// exerciseDirect starts, pauses, resumes, stops, sends an inject at once
// or moves the planned start.
func (s *Server) exerciseDirect(w http.ResponseWriter, r *http.Request, action string) {
	id, a, ctx := r.PathValue("run"), who(r), r.Context()
	version, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil || version < 1 {
		version = -1 // stale: the service answers with a conflict
	}
	switch action {
	case "start":
		_, err = s.app.Exercises.Start(ctx, a, id, version)
	case "pause":
		_, err = s.app.Exercises.Pause(ctx, a, id, version)
	case "resume":
		_, err = s.app.Exercises.Resume(ctx, a, id, version)
	case "stop":
		_, err = s.app.Exercises.Stop(ctx, a, id, version)
	case "inject":
		_, err = s.app.Exercises.InjectNow(ctx, a, id, version, r.PostForm.Get("inject"))
	case "schedule":
		var in exercise.Schedule
		if in, err = scheduleInput(r.PostForm); err != nil {
			// The form's own error is for the director alone.
			if derr := s.app.Exercises.MayDirect(ctx, a, id); derr != nil {
				err = derr
			}
		} else {
			_, err = s.app.Exercises.Reschedule(ctx, a, id, version, in)
		}
	}
	if err != nil {
		s.exerciseProblem(w, r, id, err)
		return
	}
	redirect(w, r, "/exercises/"+id+"?done="+action)
}

// exerciseNote records an observation or a lesson, from the run's page or
// from an inject's.
func (s *Server) exerciseNote(w http.ResponseWriter, r *http.Request) {
	id, a, ctx := r.PathValue("run"), who(r), r.Context()
	key := r.PostForm.Get("inject")
	_, err := s.app.Exercises.AddNote(ctx, a, id, exercise.NoteKind(r.PostForm.Get("kind")), r.PostForm.Get("text"))
	if err != nil {
		if key != "" {
			s.injectProblem(w, r, id, key, "note", err)
			return
		}
		s.exerciseProblem(w, r, id, err)
		return
	}
	if key != "" {
		redirect(w, r, injectPath(id, key)+"?done=noted")
		return
	}
	redirect(w, r, "/exercises/"+id+"?done=noted#notes")
}

// exerciseProblem shows the run's page again with what went wrong, or the
// error page when it cannot be shown.
func (s *Server) exerciseProblem(w http.ResponseWriter, r *http.Request, id string, err error) {
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, derr := s.exerciseData(r, id)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	d.Refresh = false // a form with errors is not reloaded under the typist
	if _, ok := r.PostForm["planned_start"]; ok {
		d.Schedule = r.PostForm
	}
	s.renderForm(w, r, "exercise", s.exercisePageOf(d, nil), err)
}
