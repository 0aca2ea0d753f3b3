package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/incident"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/tlp"
)

// The record form: new and edit. The timeline is a fixed number of rows,
// the events recorded and a few empty ones, so that no script is needed to
// add one; an empty row is no event.

const (
	incidentSpareRows = 3   // empty rows after the events and evidence recorded
	incidentMaxRows   = 260 // rows a form may send; the service counts the events
	whenForm          = "2006-01-02T15:04"
	badWhen           = "enter a date and time such as 2026-05-01T14:30, in UTC"
)

type incidentFormData struct {
	incidentWords
	New        bool
	ID         string
	Rows       []int // the timeline rows' numbers
	Sectors    []incident.Sector
	Severities []incident.Severity
	Labels     []tlp.Label
	States     []directory.State // participating States other than the viewer's
	Named      []directory.POC   // people with an account whom TLP:RED can name
	Candidates []incident.Incident
}

// incidentFormData gathers the choices of the record form.
func (s *Server) incidentFormData(r *http.Request, id string, form url.Values) (incidentFormData, error) {
	a := who(r)
	ctx := r.Context()
	d := incidentFormData{incidentWords: incidentWords{s.printer(r)}, New: id == "", ID: id, Sectors: incident.Sectors(),
		Severities: incident.Severities(), Labels: tlp.Labels()}
	rows, _ := strconv.Atoi(form.Get("rows"))
	for i := range min(max(rows, incidentSpareRows), incidentMaxRows) {
		d.Rows = append(d.Rows, i)
	}
	sts, err := s.app.Directory.States(ctx, a)
	if err != nil {
		return d, err
	}
	for _, st := range sts {
		if st.Participating() && st.Code != a.State {
			d.States = append(d.States, st)
		}
	}
	pocs, err := s.app.Directory.POCs(ctx, a, directory.Filter{})
	if err != nil {
		return d, err
	}
	for _, p := range pocs {
		if p.AccountID != "" && p.State != a.State {
			d.Named = append(d.Named, p)
		}
	}
	// Related incidents are chosen among the newest the viewer's State
	// reported; one related already stays offered.
	mine, err := s.app.Incidents.List(ctx, a, incident.Filter{State: a.State}, paging.First())
	if err != nil {
		return d, err
	}
	seen := map[string]bool{id: true}
	for _, x := range mine.Items {
		if !seen[x.ID] {
			seen[x.ID] = true
			d.Candidates = append(d.Candidates, x)
		}
	}
	for _, rid := range form["related"] {
		if seen[rid] {
			continue
		}
		if x, err := s.app.Incidents.Incident(ctx, a, rid); err == nil {
			seen[rid] = true
			d.Candidates = append(d.Candidates, x)
		}
	}
	return d, nil
}

// incidentValues writes a recorded incident as the form holds it.
func incidentValues(inc incident.Incident) url.Values {
	v := url.Values{"title": {inc.Title}, "summary": {inc.Summary}, "occurred_at": {whenValue(inc.OccurredAt)},
		"scope": {inc.Consequences.Scope}, "duration": {inc.Consequences.Duration}, "physical": {inc.Consequences.Physical},
		"economic": {inc.Consequences.Economic}, "societal": {inc.Consequences.Societal}, "severity": {string(inc.Consequences.Severity)},
		"tensions": {inc.Context.Tensions}, "tlp": {inc.TLP.String()}, "version": {strconv.Itoa(inc.Version)},
		"related": inc.Context.Related, "recipients": inc.Recipients, "named": inc.Named}
	for _, sec := range inc.Sectors {
		v.Add("sectors", string(sec))
	}
	for i, e := range inc.Timeline {
		k := strconv.Itoa(i)
		v.Set("ev_at_"+k, whenValue(e.At))
		v.Set("ev_what_"+k, e.What)
		v.Set("ev_source_"+k, e.Source)
	}
	v.Set("rows", strconv.Itoa(len(inc.Timeline)+incidentSpareRows))
	return v
}

func whenValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(whenForm)
}

// parseWhen reads a date and time typed in UTC, as a datetime-local
// field sends it or as people write it.
func parseWhen(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{whenForm, "2006-01-02T15:04:05", "2006-01-02 15:04", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// incidentInput reads the record form. What cannot even be read (a date
// that is no date) is reported in bad under the field's name, and the
// form goes back without asking the service. rowOf maps each event of the
// input back to its row of the form.
func incidentInput(f url.Values) (in incident.Input, rowOf []int, bad errs.Fields) {
	in = incident.Input{Title: f.Get("title"), Summary: f.Get("summary"),
		Consequences: incident.Consequences{Scope: f.Get("scope"), Duration: f.Get("duration"), Physical: f.Get("physical"),
			Economic: f.Get("economic"), Societal: f.Get("societal"), Severity: incident.Severity(f.Get("severity"))},
		Context:    incident.Context{Tensions: f.Get("tensions"), Related: f["related"]},
		Recipients: f["recipients"], Named: f["named"]}
	if l, err := tlp.Parse(f.Get("tlp")); err == nil {
		in.TLP = l
	} else {
		in.TLP = tlp.Label(f.Get("tlp"))
	}
	if v := strings.TrimSpace(f.Get("occurred_at")); v != "" {
		t, ok := parseWhen(v)
		if !ok {
			bad.Add("occurred_at", badWhen)
		}
		in.OccurredAt = t
	}
	for _, sec := range f["sectors"] {
		in.Sectors = append(in.Sectors, incident.Sector(sec))
	}
	rows, _ := strconv.Atoi(f.Get("rows"))
	for i := range min(max(rows, 0), incidentMaxRows) {
		k := strconv.Itoa(i)
		at, what, source := f.Get("ev_at_"+k), f.Get("ev_what_"+k), f.Get("ev_source_"+k)
		if strings.TrimSpace(at+what+source) == "" {
			continue
		}
		t, ok := parseWhen(at)
		if !ok {
			bad.Add(fmt.Sprintf("timeline.%d.at", i), badWhen)
		}
		in.Timeline = append(in.Timeline, incident.Event{At: t, What: what, Source: source})
		rowOf = append(rowOf, i)
	}
	return in, rowOf, bad
}

// onRows renames the service's field errors of list items ("timeline.2.at",
// the third item sent) after the rows of the form they came from.
func onRows(err error, prefix string, rowOf []int) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := map[string]string{}
	for k, v := range e.Fields {
		if rest, ok := strings.CutPrefix(k, prefix+"."); ok {
			n, tail, _ := strings.Cut(rest, ".")
			if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < len(rowOf) {
				k = prefix + "." + strconv.Itoa(rowOf[i])
				if tail != "" {
					k += "." + tail
				}
			}
		}
		out[k] = v
	}
	cp := *e
	cp.Fields = out
	return &cp
}

func (s *Server) incidentNewForm(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Incidents.CanReport(r.Context(), who(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	form := url.Values{"tlp": {tlp.Amber.String()}, "severity": {string(incident.SeverityUnknown)}, "rows": {strconv.Itoa(incidentSpareRows)}}
	d, err := s.incidentFormData(r, "", form)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "incidentform", page{Title: s.printer(r).T("Record an incident"), Nav: "incidents", Form: form, Data: d})
}

func (s *Server) incidentEditForm(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	inc, err := s.app.Incidents.Incident(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.app.Incidents.CanEdit(r.Context(), a, inc); err != nil {
		s.renderError(w, r, err)
		return
	}
	form := incidentValues(inc)
	d, err := s.incidentFormData(r, inc.ID, form)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "incidentform", page{Title: s.printer(r).T("Edit the incident"), Nav: "incidents", Form: form, Data: d, Flash: incidentFlash(r)})
}

// incidentSave records a new incident (id "") or a new version of one.
func (s *Server) incidentSave(w http.ResponseWriter, r *http.Request, id string) {
	a := who(r)
	in, rowOf, bad := incidentInput(r.PostForm)
	// What the browser could not even send as a date is reported without
	// asking the service, which stores nothing then.
	err := bad.Err()
	if err == nil {
		var inc incident.Incident
		if id == "" {
			inc, err = s.app.Incidents.Create(r.Context(), a, in)
		} else {
			version, _ := formVersion(r.PostForm)
			inc, err = s.app.Incidents.Edit(r.Context(), a, id, version, in)
		}
		if err == nil {
			redirect(w, r, "/incidents/"+inc.ID+"?done=recorded")
			return
		}
		err = onRows(err, "timeline", rowOf)
	}
	d, derr := s.incidentFormData(r, id, r.PostForm)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	title := s.printer(r).T("Record an incident")
	if id != "" {
		title = s.printer(r).T("Edit the incident")
	}
	s.renderForm(w, r, "incidentform", page{Title: title, Nav: "incidents", Data: d}, err)
}

func (s *Server) incidentCreate(w http.ResponseWriter, r *http.Request) { s.incidentSave(w, r, "") }
func (s *Server) incidentEdit(w http.ResponseWriter, r *http.Request) {
	s.incidentSave(w, r, r.PathValue("id"))
}
