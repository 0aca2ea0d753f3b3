package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/survey"
)

// The edit form of one part of a report: for each subject of the part,
// the three single-choice questions, who takes part and the four texts.
// Every field is optional; a subject left blank has no answer.

type surveyFormData struct {
	surveyWords
	Report  survey.Report
	This    survey.Part // the part the form answers
	Parts   []survey.Part
	Entries []survey.Entry
}

// Answered reports whether the form holds anything for subject key: the
// subject then shows open, the others folded, so that a part of thirty
// subjects is a list to choose from rather than pages of empty fields.
func (surveyFormData) Answered(form url.Values, key string) bool {
	for _, f := range survey.Fields() {
		for _, v := range form[key+"."+string(f)] {
			if v != "" {
				return true
			}
		}
	}
	return false
}

// Wrong reports whether a field of subject key has an error: it shows
// open, beside its error.
func (surveyFormData) Wrong(errors map[string]string, key string) bool {
	for name := range errors {
		if strings.HasPrefix(name, key+".") {
			return true
		}
	}
	return false
}

// surveyPart is the part asked for, the norms when none or an unknown.
func surveyPart(r *http.Request) survey.Part {
	p := survey.Part(r.URL.Query().Get("part"))
	if !slices.Contains(survey.Parts(), p) {
		return survey.PartNorms
	}
	return p
}

func answerValues(rep survey.Report, part survey.Part, entries []survey.Entry) url.Values {
	v := url.Values{"version": {strconv.Itoa(rep.Version)}, "part": {string(part)}}
	for _, e := range entries {
		x, has := rep.Answer(e.Key())
		if !has {
			continue
		}
		k := e.Key()
		for _, f := range survey.Fields() {
			if f == survey.FieldActors {
				for _, c := range x.Actors {
					v.Add(k+".actors", string(c))
				}
				continue
			}
			v.Set(k+"."+string(f), x.Value(f))
		}
	}
	return v
}

func formAnswers(f url.Values, entries []survey.Entry) []survey.Answer {
	var out []survey.Answer
	for _, e := range entries {
		k := e.Key()
		x := survey.Answer{Subject: e.Subject, Taken: survey.Choice(f.Get(k + ".taken")), Policy: survey.Choice(f.Get(k + ".policy")),
			Support: survey.Choice(f.Get(k + ".support")), Measures: f.Get(k + ".measures"), Examples: f.Get(k + ".examples"),
			Challenges: f.Get(k + ".challenges"), Gaps: f.Get(k + ".gaps")}
		for _, c := range f[k+".actors"] {
			x.Actors = append(x.Actors, survey.Actor(c))
		}
		out = append(out, x)
	}
	return out
}

func (s *Server) surveyFormPage(r *http.Request, rep survey.Report, part survey.Part) page {
	p := s.printer(r)
	d := surveyFormData{surveyWords: surveyWords{checkWords{p}}, Report: rep, This: part, Parts: survey.Parts(), Entries: s.app.Survey.Entries(part)}
	title := p.TC("survey", "Answer {part}", "part", d.Part(part))
	return page{Title: title, Nav: "survey", Data: d}
}

// surveyEdit shows the form of one part of a draft.
func (s *Server) surveyEdit(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	rep, err := s.app.Survey.Report(r.Context(), a, r.PathValue("id"))
	if err == nil {
		err = s.app.Survey.CanEdit(a, rep)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	part := surveyPart(r)
	pg := s.surveyFormPage(r, rep, part)
	pg.Form = answerValues(rep, part, s.app.Survey.Entries(part))
	s.render(w, r, http.StatusOK, "surveyform", pg)
}

// surveySave saves the answers of one part.
func (s *Server) surveySave(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	f := r.PostForm
	part := survey.Part(f.Get("part"))
	version, _ := formVersion(f)
	entries := s.app.Survey.Entries(part)
	rep, err := s.app.Survey.Save(r.Context(), a, r.PathValue("id"), version, part, formAnswers(f, entries))
	if err == nil {
		redirect(w, r, "/survey/reports/"+rep.ID+"?done=saved")
		return
	}
	cur, lerr := s.app.Survey.Report(r.Context(), a, r.PathValue("id"))
	if lerr != nil || !slices.Contains(survey.Parts(), part) {
		s.renderError(w, r, err)
		return
	}
	s.renderForm(w, r, "surveyform", s.surveyFormPage(r, cur, part), err)
}
