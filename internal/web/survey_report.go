package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/survey"
)

// reportEntry is one subject of a report's part, with its answer.
type reportEntry struct {
	survey.Entry
	Answer survey.Answer
	Has    bool
}

// reportPart is one part of a report as a page shows it.
type reportPart struct {
	Part     survey.Part
	Answered []reportEntry
	Blank    []reportEntry
}

type surveyReportData struct {
	surveyWords
	Report        survey.Report
	Parts         []reportPart
	Print         bool
	CanEdit       bool
	CanSubmit     bool
	SubmitProblem string // why the State's writer may not submit, e.g. the deadline
	CanPublish    bool
	CanHistory    bool
	Visibilities  []survey.Visibility
	// PostNeeds says the viewer may post its State's capacity gaps as
	// capacity-building needs (CBM 5); Source names the report there.
	PostNeeds bool
	Source    string
}

// NeedFrom is the address of the capacity-building need form filled with
// the gap reported under provision, or "" when the viewer may not post it.
func (d surveyReportData) NeedFrom(provision, gap string) string {
	if !d.PostNeeds {
		return ""
	}
	q := url.Values{"source_report": {d.Source}, "source_provision": {provision}, "provisions": {provision}, "description": {gap}}
	return "/capacity/needs/new?" + q.Encode()
}

func (s *Server) surveyParts(rep survey.Report) []reportPart {
	var out []reportPart
	for _, part := range survey.Parts() {
		rp := reportPart{Part: part}
		for _, e := range s.app.Survey.Entries(part) {
			x, has := rep.Answer(e.Key())
			re := reportEntry{Entry: e, Answer: x, Has: has}
			if has {
				rp.Answered = append(rp.Answered, re)
			} else {
				rp.Blank = append(rp.Blank, re)
			}
		}
		out = append(out, rp)
	}
	return out
}

// surveyReport shows a report by its parts, or exports it when the
// address ends in .json or .csv.
func (s *Server) surveyReport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	format := r.URL.Query().Get("format")
	if base, ok := strings.CutSuffix(id, ".json"); ok {
		id, format = base, "json"
	} else if base, ok := strings.CutSuffix(id, ".csv"); ok {
		id, format = base, "csv"
	}
	a := who(r)
	ctx := r.Context()
	rep, err := s.app.Survey.Report(ctx, a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	switch format {
	case "json":
		s.surveyJSON(w, rep)
		return
	case "csv":
		s.surveyCSV(w, rep)
		return
	}
	svc := s.app.Survey
	p := s.printer(r)
	d := surveyReportData{surveyWords: surveyWords{checkWords{p}}, Report: rep, Parts: s.surveyParts(rep), Print: r.URL.Query().Get("print") == "1",
		CanEdit: svc.CanEdit(a, rep) == nil, CanPublish: svc.CanPublish(a, rep) == nil, CanHistory: svc.CanSeeHistory(a, rep) == nil,
		Visibilities: survey.Visibilities()}
	if d.CanEdit {
		if err := svc.CanSubmit(a, rep); err != nil {
			d.SubmitProblem = s.errorText(r, err)
		} else {
			d.CanSubmit = true
		}
	}
	title := p.TC("survey", "National report of {state}, cycle {cycle}", "state", stateName(p, rep.State), "cycle", rep.Cycle.Name)
	// A State's own writers may turn the gaps it reported into needs.
	d.PostNeeds = !d.Print && svc.CanSpeakFor(a, rep) == nil && s.app.Capacity.CanPostNeed(r.Context(), a) == nil
	d.Source = title
	s.render(w, r, http.StatusOK, "surveyreport", page{Title: title, Nav: "survey", Data: d, Flash: surveyFlash(r)})
}

// surveyJSON and surveyCSV serve the report's export files, which the
// command line writes too.
func (s *Server) surveyJSON(w http.ResponseWriter, rep survey.Report) {
	attachment(w, "application/json", "detente-report-"+rep.State+"-"+safeName(rep.Cycle.Name)+".json")
	_ = survey.WriteJSON(w, rep)
}

func (s *Server) surveyCSV(w http.ResponseWriter, rep survey.Report) {
	// The headers and the byte order mark; survey.WriteCSV the rows.
	csvAttachment(w, "detente-report-"+rep.State+"-"+safeName(rep.Cycle.Name)+".csv")
	_ = survey.WriteCSV(w, rep)
}

// safeName keeps the letters and digits of a cycle's name for a file name.
func safeName(v string) string {
	var b strings.Builder
	for _, r := range v {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

type surveyHistoryData struct {
	surveyWords
	Report  survey.Report
	Changes []survey.Change
}

// surveyHistory lists who changed a report and which answers.
func (s *Server) surveyHistory(w http.ResponseWriter, r *http.Request) {
	p := s.printer(r)
	rep, h, err := s.app.Survey.History(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	title := p.TC("survey", "History of the report of {state}, cycle {cycle}", "state", stateName(p, rep.State), "cycle", rep.Cycle.Name)
	s.render(w, r, http.StatusOK, "surveyhistory", page{Title: title, Nav: "survey",
		Data: surveyHistoryData{surveyWords: surveyWords{checkWords{p}}, Report: rep, Changes: h}})
}

type surveyChangesData struct {
	surveyWords
	Diff survey.Diff
}

// surveyChanges shows what changed since the State's report of the cycle
// before.
func (s *Server) surveyChanges(w http.ResponseWriter, r *http.Request) {
	p := s.printer(r)
	d, err := s.app.Survey.Changes(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	rep := d.Report
	title := p.TC("survey", "Changes in the report of {state} since the cycle before", "state", stateName(p, rep.State))
	s.render(w, r, http.StatusOK, "surveychanges", page{Title: title, Nav: "survey", Data: surveyChangesData{surveyWords: surveyWords{checkWords{p}}, Diff: d}})
}

// surveySubmit and surveyPublish move a report on, then show it again.
func (s *Server) surveySubmit(w http.ResponseWriter, r *http.Request) {
	version, _ := formVersion(r.PostForm)
	rep, err := s.app.Survey.Submit(r.Context(), who(r), r.PathValue("id"), version)
	s.surveyMoved(w, r, rep, err, "submitted")
}

func (s *Server) surveyPublish(w http.ResponseWriter, r *http.Request) {
	version, _ := formVersion(r.PostForm)
	rep, err := s.app.Survey.Publish(r.Context(), who(r), r.PathValue("id"), version, survey.Visibility(r.PostForm.Get("visibility")))
	s.surveyMoved(w, r, rep, err, "published")
}

func (s *Server) surveyMoved(w http.ResponseWriter, r *http.Request, rep survey.Report, err error, done string) {
	if err == nil {
		redirect(w, r, "/survey/reports/"+rep.ID+"?done="+done)
		return
	}
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	a := who(r)
	cur, lerr := s.app.Survey.Report(r.Context(), a, r.PathValue("id"))
	if lerr != nil {
		s.renderError(w, r, lerr)
		return
	}
	p := s.printer(r)
	svc := s.app.Survey
	d := surveyReportData{surveyWords: surveyWords{checkWords{p}}, Report: cur, Parts: s.surveyParts(cur),
		CanEdit: svc.CanEdit(a, cur) == nil, CanPublish: svc.CanPublish(a, cur) == nil, CanHistory: svc.CanSeeHistory(a, cur) == nil,
		Visibilities: survey.Visibilities()}
	d.CanSubmit = d.CanEdit && svc.CanSubmit(a, cur) == nil
	title := p.TC("survey", "National report of {state}, cycle {cycle}", "state", stateName(p, cur.State), "cycle", cur.Cycle.Name)
	s.renderForm(w, r, "surveyreport", page{Title: title, Nav: "survey", Data: d}, err)
}
