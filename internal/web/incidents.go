package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/messaging"
	paging "github.com/detente/detente/internal/page"
)

// The incident pages: the list with its filters and charts, an incident
// with its assessments side by side and its findings, and the forms that
// record them. The incident service decides who reads and writes what;
// the pages ask it which buttons to show.

// incidentFlashes are the fixed messages after an action on an incident,
// named by a code in the address as the frame's flashes are.
var incidentFlashes = map[string]i18n.Message{
	"recorded":   i18n.M("The incident is recorded."),
	"status":     i18n.M("The incident's status is changed."),
	"assessed":   i18n.M("The assessment is recorded beside the others."),
	"finding":    i18n.M("The finding is recorded."),
	"opened":     i18n.M("An incident was opened from the communication. Complete its record."),
	"linked":     i18n.M("The communication is linked to the incident."),
	"attributed": i18n.M("The assessment is saved."),
}

// incidentFlash is the flash an incident page shows after an action.
func incidentFlash(r *http.Request) any {
	if m, ok := incidentFlashes[r.URL.Query().Get("done")]; ok {
		return m
	}
	return nil
}

type incidentListData struct {
	incidentWords
	Incidents  []incident.Incident
	Pager      pager
	Statuses   []incident.Status
	Sectors    []incident.Sector
	Groups     []provisionGroup
	States     []directory.State // reporting States to filter on
	CanReport  bool
	BySector   []incident.Count
	ByProv     []incident.Count
	SectorSVG  template.HTML
	ProvSVG    template.HTML
	Provision  *catalog.Provision // on a provision's list: the provision
	ProvTitles map[string]string  // each provision of the chart, cited
}

// incidentFilter reads the list's filters from the address. Dates are
// days: "to" includes its day.
func incidentFilter(q url.Values) (incident.Filter, error) {
	f := incident.Filter{Status: incident.Status(q.Get("status")), Sector: incident.Sector(q.Get("sector")),
		Provision: q.Get("provision"), State: q.Get("state")}
	var bad errs.Fields
	day := func(key string) *time.Time {
		v := strings.TrimSpace(q.Get(key))
		if v == "" {
			return nil
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			bad.Add(key, "use a date like 2026-01-31")
			return nil
		}
		return &t
	}
	f.From = day("from")
	if to := day("to"); to != nil {
		next := to.AddDate(0, 0, 1)
		f.To = &next
	}
	return f, bad.Err()
}

func (s *Server) incidentList(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p := s.printer(r)
	ctx := r.Context()
	d := incidentListData{incidentWords: incidentWords{p}, Statuses: incident.Statuses(), Sectors: incident.Sectors(),
		Groups: findingGroups(p, s.app.Catalog), ProvTitles: map[string]string{}}
	pg := page{Title: p.T("Incidents"), Nav: "incidents", Data: d, Flash: incidentFlash(r)}
	counts, err := s.app.Incidents.Counts(ctx, a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sts, err := s.app.Directory.States(ctx, a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, st := range sts {
		if st.Participating() {
			d.States = append(d.States, st)
		}
	}
	d.CanReport = s.app.Incidents.CanReport(ctx, a) == nil
	tr := catalogText{p}
	for _, c := range counts.BySector {
		if c.N > 0 {
			d.BySector = append(d.BySector, c)
		}
	}
	d.ByProv = counts.ByProvision
	for _, c := range d.ByProv {
		d.ProvTitles[c.Key] = tr.cited(s.provision(c.Key))
	}
	if len(d.BySector) > 0 {
		d.SectorSVG = countChart(p, p.T("Incidents by sector"), d.BySector, func(k string) string { return d.Sector(incident.Sector(k)) })
	}
	if len(d.ByProv) > 0 {
		d.ProvSVG = countChart(p, p.T("Incidents by provision engaged"), d.ByProv, func(k string) string { return d.ProvTitles[k] })
	}
	pg.Data = d
	q := r.URL.Query()
	f, ferr := incidentFilter(q)
	req, err := paging.Parse(q)
	if err == nil {
		err = ferr
	}
	if err != nil {
		s.listProblem(w, r, "incidents", pg, err)
		return
	}
	res, err := s.app.Incidents.List(ctx, a, f, req)
	if err != nil {
		s.listProblem(w, r, "incidents", pg, err)
		return
	}
	d.Incidents, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data, pg.Form = d, q
	s.render(w, r, http.StatusOK, "incidents", pg)
}

// provision is the catalogue's provision id, or one holding only its id.
func (s *Server) provision(id string) catalog.Provision {
	p, err := s.app.Catalog.Provision(id)
	if err != nil {
		return catalog.Provision{ID: id}
	}
	return p
}

// provisionIncidents lists the incidents the viewer may read in which a
// provision was found engaged.
func (s *Server) provisionIncidents(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p := s.printer(r)
	prov, err := s.app.Catalog.Provision(r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := incidentListData{incidentWords: incidentWords{p}, Provision: &prov}
	pg := page{Title: p.T("Incidents where {provision} was engaged", "provision", catalogText{p}.cited(prov)), Nav: "incidents", Data: d}
	req, err := paging.Parse(r.URL.Query())
	if err != nil {
		s.listProblem(w, r, "incidentsprovision", pg, err)
		return
	}
	res, err := s.app.Incidents.ByProvision(r.Context(), a, prov.ID, req)
	if err != nil {
		s.listProblem(w, r, "incidentsprovision", pg, err)
		return
	}
	d.Incidents, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	s.render(w, r, http.StatusOK, "incidentsprovision", pg)
}

// attributionCard is one assessment as the incident page shows it.
type attributionCard struct {
	incident.Attribution
	CanEdit bool
	// Cites are the provisions the card must quote beside it: law view
	// 28(f) when the assessment rests on the origin of the activity alone.
	Cites []catalog.Provision
}

// findingRow is a finding with its provision named.
type findingRow struct {
	incident.Finding
	Title string
}

// linkedMessage is a communication linked to an incident that the viewer
// may read.
type linkedMessage struct {
	ThreadID, ID, Subject string
	At                    time.Time
}

type incidentPageData struct {
	incidentWords
	Incident     incident.Incident
	Attributions []attributionCard
	Findings     []findingRow
	Versions     []incident.Version
	Related      []incident.Incident
	Messages     []linkedMessage
	CanEdit      bool
	CanAssess    bool
	Moves        []incident.Status // status changes offered
}

// moves are the status changes an incident in each status may make, in
// the order the page offers them.
var moves = map[incident.Status][]incident.Status{
	incident.Open:     {incident.Assessed, incident.Closed},
	incident.Assessed: {incident.Closed, incident.Open},
	incident.Closed:   {incident.Open},
}

// Move names the button that moves an incident to status to.
func (d incidentPageData) Move(to incident.Status) string {
	switch {
	case to == incident.Open:
		return d.p.T("Reopen")
	case to == incident.Assessed:
		return d.p.T("Mark as assessed")
	case to == incident.Closed:
		return d.p.T("Close the incident")
	}
	return string(to)
}

func (s *Server) incidentData(r *http.Request, id string) (incidentPageData, error) {
	a := who(r)
	ctx := r.Context()
	p := s.printer(r)
	d := incidentPageData{incidentWords: incidentWords{p}}
	inc, err := s.app.Incidents.Incident(ctx, a, id)
	if err != nil {
		return d, err
	}
	d.Incident = inc
	if d.CanEdit = s.app.Incidents.CanEdit(ctx, a, inc) == nil; d.CanEdit {
		d.Moves = moves[inc.Status]
	}
	d.CanAssess = s.app.Incidents.CanAssess(ctx, a, inc) == nil
	xs, err := s.app.Incidents.Attributions(ctx, a, id)
	if err != nil {
		return d, err
	}
	tr := catalogText{p}
	for _, x := range xs {
		c := attributionCard{Attribution: x, CanEdit: s.app.Incidents.CanEditAttribution(ctx, a, x) == nil}
		for _, pid := range x.Cites() {
			c.Cites = append(c.Cites, s.provision(pid))
		}
		d.Attributions = append(d.Attributions, c)
	}
	fs, err := s.app.Incidents.Findings(ctx, a, id)
	if err != nil {
		return d, err
	}
	for _, f := range fs {
		d.Findings = append(d.Findings, findingRow{Finding: f, Title: tr.cited(s.provision(f.Provision))})
	}
	if d.Versions, err = s.app.Incidents.Versions(ctx, a, id); err != nil {
		return d, err
	}
	for _, rid := range inc.Context.Related {
		rel, err := s.app.Incidents.Incident(ctx, a, rid)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return d, err
		}
		d.Related = append(d.Related, rel)
	}
	for _, mid := range inc.Messages {
		m, err := s.app.Messaging.Message(ctx, a, mid)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return d, err
		}
		d.Messages = append(d.Messages, linkedMessage{ThreadID: m.ThreadID, ID: m.ID, Subject: m.Subject, At: m.CreatedAt})
	}
	return d, nil
}

func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.incidentData(r, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "incident", page{Title: d.Incident.Title, Nav: "incidents", Data: d, Flash: incidentFlash(r)})
}

// incidentStatus moves an incident along open → assessed → closed, or
// reopens it.
func (s *Server) incidentStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	version, _ := formVersion(r.PostForm)
	_, err := s.app.Incidents.SetStatus(r.Context(), who(r), id, version, incident.Status(r.PostForm.Get("status")))
	if err == nil {
		redirect(w, r, "/incidents/"+id+"?done=status")
		return
	}
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, derr := s.incidentData(r, id)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	s.renderForm(w, r, "incident", page{Title: d.Incident.Title, Nav: "incidents", Data: d}, err)
}

// formVersion reads the version a form was based on; a missing or
// damaged one reads as 0, which no stored record has, so the service
// answers with a conflict.
func formVersion(f url.Values) (int, bool) {
	v := strings.TrimSpace(f.Get("version"))
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' || n > 1_000_000_000 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, v != ""
}

// openFromMessage opens an incident from a communication, or links the
// communication to an incident of the viewer's State (join).
func (s *Server) openFromMessage(w http.ResponseWriter, r *http.Request) {
	join := strings.TrimSpace(r.PostForm.Get("join"))
	inc, err := s.app.Incidents.OpenFromMessage(r.Context(), who(r), r.PathValue("id"), join)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if join != "" {
		redirect(w, r, "/incidents/"+inc.ID+"?done=linked")
		return
	}
	redirect(w, r, "/incidents/"+inc.ID+"/edit?done=opened")
}

// incidentOffer is what a thread offers about incidents: to open one from
// its first communication, or to add that communication to an incident
// of the viewer's State.
type incidentOffer struct {
	Message string              // the communication the buttons act on; "" for no offer
	Mine    []incident.Incident // the viewer's State's newest incidents
}

// incidentOffer is offered on a thread that opens with an incident
// notification or a request for assistance or mitigation, to those who
// may record incidents.
func (s *Server) incidentOffer(r *http.Request, msgs []messaging.Message) incidentOffer {
	a := who(r)
	if len(msgs) == 0 || !slices.Contains([]messaging.Type{messaging.IncidentNotification, messaging.AssistanceRequest, messaging.MitigationRequest}, msgs[0].Type) {
		return incidentOffer{}
	}
	if s.app.Incidents.CanReport(r.Context(), a) != nil {
		return incidentOffer{}
	}
	o := incidentOffer{Message: msgs[0].ID}
	if mine, err := s.app.Incidents.List(r.Context(), a, incident.Filter{State: a.State}, paging.First()); err == nil {
		o.Mine = mine.Items
	} else {
		s.log.Warn("incidents to add a communication to", "err", err)
	}
	return o
}
