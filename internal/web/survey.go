package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/survey"
)

// The national survey's pages: the cycles, with the secretariat's form to
// open one; a cycle's reports the viewer may read; a report by its parts,
// printable and exported; its edit form per part; its history and what
// changed since the cycle before. The survey service decides who reads
// and does what; the pages ask it which buttons to show.

var surveyFlashes = map[string]i18n.Message{
	"opened":    i18n.M("The survey cycle is open. States may start their reports."),
	"started":   i18n.M("Your State's report is started, with the answers of its previous report where there was one."),
	"saved":     i18n.M("The answers are saved as a new version of the report."),
	"submitted": i18n.M("The report is submitted to the secretariat. Choose whom to publish it to."),
	"published": i18n.M("The report is published to the readers you chose."),
}

func surveyFlash(r *http.Request) any {
	if m, ok := surveyFlashes[r.URL.Query().Get("done")]; ok {
		return m
	}
	return nil
}

// surveyWords writes the survey's coded facts in the page's language.
type surveyWords struct{ checkWords }

func (w surveyWords) Part(code any) string {
	return w.p.TC("survey part", survey.Part(fmt.Sprint(code)).Label())
}

func (w surveyWords) Status(code any) string {
	s := survey.Status(fmt.Sprint(code))
	if s == survey.Published {
		return w.p.TC("record", "Published")
	}
	return w.p.TC("survey status", s.Label())
}

func (w surveyWords) Visibility(code any) string {
	return w.p.TC("capacity visibility", survey.Visibility(fmt.Sprint(code)).Label())
}

func (w surveyWords) Choice(code any) string {
	switch c := survey.Choice(fmt.Sprint(code)); c {
	case survey.Yes, survey.No:
		return w.p.TC("template field", c.Label())
	case "":
		return w.p.TC("checks", "No answer")
	default:
		return w.p.TC("survey choice", c.Label())
	}
}

func (w surveyWords) Actor(code any) string {
	return w.p.TC("survey actor", survey.Actor(fmt.Sprint(code)).Label())
}

// Actors names a list of actors.
func (w surveyWords) Actors(v []survey.Actor) string {
	codes := make([]string, len(v))
	for i, a := range v {
		codes[i] = string(a)
	}
	return w.list(codes, func(c string) string { return w.Actor(c) })
}

// Field names an answer's field.
func (w surveyWords) Field(code any) string {
	switch survey.Field(fmt.Sprint(code)) {
	case survey.FieldTaken:
		return w.p.TC("survey question", "Has the State taken measures under this provision?")
	case survey.FieldPolicy:
		return w.p.TC("survey question", "Is it reflected in national policy, strategy or law?")
	case survey.FieldSupport:
		return w.p.TC("survey question", "Would the State welcome support to implement it?")
	case survey.FieldActors:
		return w.p.TC("survey question", "Who takes part in implementing it?")
	case survey.FieldMeasures:
		return w.p.TC("survey question", "Measures taken")
	case survey.FieldExamples:
		return w.p.TC("survey question", "Examples")
	case survey.FieldChallenges:
		return w.p.TC("survey question", "Challenges")
	}
	return w.p.TC("survey question", "Capacity gaps")
}

// Value writes a field's value as a diff shows it.
func (w surveyWords) Value(code any, v string) string {
	if v == "" {
		return "—"
	}
	switch survey.Field(fmt.Sprint(code)) {
	case survey.FieldTaken, survey.FieldPolicy, survey.FieldSupport:
		return w.Choice(v)
	case survey.FieldActors:
		return w.list(strings.Split(v, ","), func(c string) string { return w.Actor(c) })
	}
	return v
}

// Subject names a subject: the provision, and the item's label.
func (w surveyWords) Subject(s survey.Subject) string {
	if s.Item == "" {
		return s.Provision
	}
	return w.p.TC("survey", "{provision}, item ({item})", "provision", s.Provision, "item", s.Item)
}

func (w surveyWords) Choices() []survey.Choice  { return survey.Choices() }
func (w surveyWords) AllActors() []survey.Actor { return survey.Actors() }

type surveyCyclesData struct {
	surveyWords
	Cycles  []survey.Cycle
	Pager   pager
	CanOpen bool
}

// surveyCycles lists the cycles, newest first, with the secretariat's
// form to open one.
func (s *Server) surveyCycles(w http.ResponseWriter, r *http.Request) {
	s.surveyCyclesPage(w, r, nil)
}

func (s *Server) surveyCyclesPage(w http.ResponseWriter, r *http.Request, formErr error) {
	a := who(r)
	p := s.printer(r)
	d := surveyCyclesData{surveyWords: surveyWords{checkWords{p}}, CanOpen: s.app.Survey.CanOpenCycle(a) == nil}
	pg := page{Title: p.T("National survey of implementation"), Nav: "survey", Data: d, Flash: surveyFlash(r)}
	req, err := paging.Parse(r.URL.Query())
	if err != nil {
		s.listProblem(w, r, "surveycycles", pg, err)
		return
	}
	res, err := s.app.Survey.Cycles(r.Context(), a, req)
	if err != nil {
		s.listProblem(w, r, "surveycycles", pg, err)
		return
	}
	d.Cycles, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	if formErr != nil {
		pg.Flash = nil
		s.renderForm(w, r, "surveycycles", pg, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "surveycycles", pg)
}

// surveyOpenCycle opens a cycle from the form on the cycles' page.
func (s *Server) surveyOpenCycle(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	var bad errs.Fields
	in := survey.CycleInput{Name: f.Get("name")}
	in.Opens = formDay(&bad, f, "opens")
	in.Deadline = formDay(&bad, f, "deadline")
	var err error
	var c survey.Cycle
	if len(bad) > 0 {
		// A date the page could not read: ask who may open cycles, then say so.
		if err = s.app.Survey.CanOpenCycle(who(r)); err == nil {
			err = bad.Err()
		}
	} else {
		c, err = s.app.Survey.OpenCycle(r.Context(), who(r), in)
	}
	if err != nil {
		s.surveyCyclesPage(w, r, err)
		return
	}
	redirect(w, r, "/survey/cycles/"+c.ID+"?done=opened")
}

// formDay reads a date field; a value that is no date is a field error.
func formDay(bad *errs.Fields, f url.Values, field string) *time.Time {
	v := strings.TrimSpace(f.Get(field))
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		bad.Add(field, badCapacityDay)
		return nil
	}
	return &t
}

type surveyCycleData struct {
	surveyWords
	Cycle    survey.Cycle
	Reports  []survey.Report
	Pager    pager
	Own      *survey.Report // the viewer's State's report, when it has one
	CanStart bool
	Closed   bool
}

// surveyCycle lists the reports of a cycle the viewer may read, by State.
func (s *Server) surveyCycle(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	ctx := r.Context()
	p := s.printer(r)
	c, err := s.app.Survey.Cycle(ctx, a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := surveyCycleData{surveyWords: surveyWords{checkWords{p}}, Cycle: c, Closed: c.Closed(s.app.Clock.Now())}
	own, found, err := s.app.Survey.Own(ctx, a, c.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if found {
		d.Own = &own
	} else {
		d.CanStart = s.app.Survey.CanStart(ctx, a, c) == nil
	}
	pg := page{Title: p.TC("survey", "Survey cycle {name}", "name", c.Name), Nav: "survey", Data: d, Flash: surveyFlash(r)}
	req, err := paging.Parse(r.URL.Query())
	if err != nil {
		s.listProblem(w, r, "surveycycle", pg, err)
		return
	}
	res, err := s.app.Survey.Reports(ctx, a, c.ID, req)
	if err != nil {
		s.listProblem(w, r, "surveycycle", pg, err)
		return
	}
	d.Reports, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	s.render(w, r, http.StatusOK, "surveycycle", pg)
}

// surveyStart starts the viewer's State's report in a cycle.
func (s *Server) surveyStart(w http.ResponseWriter, r *http.Request) {
	rep, err := s.app.Survey.Start(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/survey/reports/"+rep.ID+"?done=started")
}
