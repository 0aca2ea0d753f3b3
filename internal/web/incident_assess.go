package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/states"
)

// The assessment forms: an attribution assessment, new or changed, and
// the finding on one provision.

type attributionFormData struct {
	incidentWords
	Incident      incident.Incident
	ID            string // the assessment's, when it is changed
	Categories    []incident.ActorCategory
	Steps         []incident.Spectrum
	Likelihoods   []incident.Likelihood
	Confidences   []incident.Confidence
	Bases         []incident.Basis
	Reliabilities []string
	Credibilities []int
	States        []states.State
	Rows          []int // evidence rows
	Law           catalog.Provision
}

func (s *Server) attributionFormData(r *http.Request, inc incident.Incident, id string, form url.Values) attributionFormData {
	d := attributionFormData{incidentWords: incidentWords{s.printer(r)}, Incident: inc, ID: id, Categories: incident.ActorCategories(),
		Steps: incident.SpectrumSteps(), Likelihoods: incident.Likelihoods(), Confidences: incident.Confidences(), Bases: incident.Bases(),
		Reliabilities: incident.Reliabilities(), Credibilities: []int{1, 2, 3, 4, 5, 6}, States: states.All(),
		Law: s.provision(incident.LawOriginNotAttribution)}
	rows, _ := strconv.Atoi(form.Get("rows"))
	for i := range min(max(rows, incidentSpareRows), incidentMaxRows) {
		d.Rows = append(d.Rows, i)
	}
	return d
}

// attributionValues writes an assessment as the form holds it.
func attributionValues(x incident.Attribution) url.Values {
	v := url.Values{"organisation": {x.AssertedByOrg}, "category": {string(x.Category)}, "attributed_state": {x.AttributedState},
		"spectrum": {string(x.Spectrum)}, "likelihood": {string(x.Likelihood)}, "confidence": {string(x.Confidence)},
		"rationale": {x.Rationale}, "version": {strconv.Itoa(x.Version)}, "asserted_by": {"state"}}
	if x.AssertedByOrg != "" {
		v.Set("asserted_by", "organisation")
	}
	for _, b := range x.Basis {
		v.Add("basis", string(b))
	}
	if x.OriginTerritoryOnly {
		v.Set("origin_only", "yes")
	}
	if x.Substantiated {
		v.Set("substantiated", "yes")
	}
	for i, e := range x.Evidence {
		k := strconv.Itoa(i)
		v.Set("ev_desc_"+k, e.Description)
		v.Set("ev_src_"+k, e.Source)
		v.Set("ev_rel_"+k, e.Reliability)
		v.Set("ev_cred_"+k, strconv.Itoa(e.Credibility))
	}
	v.Set("rows", strconv.Itoa(len(x.Evidence)+incidentSpareRows))
	return v
}

// attributionInput reads the assessment form; rowOf maps each item of
// evidence back to its row.
func attributionInput(f url.Values) (in incident.AttributionInput, rowOf []int, bad errs.Fields) {
	in = incident.AttributionInput{Category: incident.ActorCategory(f.Get("category")), AttributedState: f.Get("attributed_state"),
		Spectrum: incident.Spectrum(f.Get("spectrum")), Likelihood: incident.Likelihood(f.Get("likelihood")),
		Confidence: incident.Confidence(f.Get("confidence")), OriginTerritoryOnly: f.Get("origin_only") == "yes",
		Substantiated: f.Get("substantiated") == "yes", Rationale: f.Get("rationale")}
	if f.Get("asserted_by") == "organisation" {
		in.ByOrganisation = f.Get("organisation")
		if strings.TrimSpace(in.ByOrganisation) == "" {
			bad.Add("organisation", "name the organisation that asserts it")
		}
	}
	for _, b := range f["basis"] {
		in.Basis = append(in.Basis, incident.Basis(b))
	}
	rows, _ := strconv.Atoi(f.Get("rows"))
	for i := range min(max(rows, 0), incidentMaxRows) {
		k := strconv.Itoa(i)
		desc, src, rel, cred := f.Get("ev_desc_"+k), f.Get("ev_src_"+k), f.Get("ev_rel_"+k), f.Get("ev_cred_"+k)
		if strings.TrimSpace(desc+src) == "" {
			continue // a row with grades but no words is an untouched row
		}
		n, err := strconv.Atoi(strings.TrimSpace(cred))
		if err != nil {
			n = 0 // the service asks for a grade from 1 to 6
		}
		in.Evidence = append(in.Evidence, incident.Evidence{Description: desc, Source: src, Reliability: rel, Credibility: n})
		rowOf = append(rowOf, i)
	}
	return in, rowOf, bad
}

func (s *Server) attributionNewForm(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	inc, err := s.app.Incidents.Incident(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.app.Incidents.CanAssess(r.Context(), a, inc); err != nil {
		s.renderError(w, r, err)
		return
	}
	form := url.Values{"asserted_by": {"state"}, "rows": {strconv.Itoa(incidentSpareRows)}}
	s.render(w, r, http.StatusOK, "incidentattribution", page{Title: s.printer(r).T("Add an attribution assessment"), Nav: "incidents",
		Form: form, Data: s.attributionFormData(r, inc, "", form)})
}

func (s *Server) attributionEditForm(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	x, inc, err := s.app.Incidents.Attribution(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.app.Incidents.CanEditAttribution(r.Context(), a, x); err != nil {
		s.renderError(w, r, err)
		return
	}
	form := attributionValues(x)
	s.render(w, r, http.StatusOK, "incidentattribution", page{Title: s.printer(r).T("Change the attribution assessment"), Nav: "incidents",
		Form: form, Data: s.attributionFormData(r, inc, x.ID, form)})
}

// attributionSave records an assessment of incident incID, or (id set)
// a new version of assessment id.
func (s *Server) attributionSave(w http.ResponseWriter, r *http.Request, incID, id string) {
	a := who(r)
	ctx := r.Context()
	in, rowOf, bad := attributionInput(r.PostForm)
	err := bad.Err()
	if err == nil {
		if id == "" {
			_, err = s.app.Incidents.AddAttribution(ctx, a, incID, in)
		} else {
			version, _ := formVersion(r.PostForm)
			var x incident.Attribution
			x, err = s.app.Incidents.EditAttribution(ctx, a, id, version, in)
			incID = x.IncidentID
		}
		if err == nil {
			done := "assessed"
			if id != "" {
				done = "attributed"
			}
			redirect(w, r, "/incidents/"+incID+"?done="+done+"#assessments")
			return
		}
		err = onRows(err, "evidence", rowOf)
	}
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	var inc incident.Incident
	var lerr error
	if id == "" {
		inc, lerr = s.app.Incidents.Incident(ctx, a, incID)
	} else {
		_, inc, lerr = s.app.Incidents.Attribution(ctx, a, id)
	}
	if lerr != nil {
		s.renderError(w, r, lerr)
		return
	}
	title := s.printer(r).T("Add an attribution assessment")
	if id != "" {
		title = s.printer(r).T("Change the attribution assessment")
	}
	s.renderForm(w, r, "incidentattribution", page{Title: title, Nav: "incidents", Data: s.attributionFormData(r, inc, id, r.PostForm)}, err)
}

func (s *Server) attributionAdd(w http.ResponseWriter, r *http.Request) {
	s.attributionSave(w, r, r.PathValue("id"), "")
}
func (s *Server) attributionEdit(w http.ResponseWriter, r *http.Request) {
	s.attributionSave(w, r, "", r.PathValue("id"))
}

type findingFormData struct {
	incidentWords
	Incident  incident.Incident
	Groups    []provisionGroup
	Chosen    *catalog.Provision // the provision whose finding the form sets
	Current   *incident.Finding  // its finding so far, if any
	Findings  map[string]incident.Finding
	Outcomes  []incident.Outcome
	Provision string // as asked for, when it is no provision findings are made on
}

// findingFormData gathers the findings page: every provision findings are
// made on, grouped, with the finding of each, and the form for the one
// chosen.
func (s *Server) findingFormData(r *http.Request, id, chosen string) (findingFormData, error) {
	a := who(r)
	p := s.printer(r)
	d := findingFormData{incidentWords: incidentWords{p}, Groups: findingGroups(p, s.app.Catalog), Findings: map[string]incident.Finding{},
		Outcomes: incident.Outcomes(), Provision: chosen}
	inc, err := s.app.Incidents.Incident(r.Context(), a, id)
	if err != nil {
		return d, err
	}
	d.Incident = inc
	if err := s.app.Incidents.CanEdit(r.Context(), a, inc); err != nil {
		return d, err
	}
	fs, err := s.app.Incidents.Findings(r.Context(), a, id)
	if err != nil {
		return d, err
	}
	for _, f := range fs {
		d.Findings[f.Provision] = f
	}
	for gi := range d.Groups {
		for _, x := range d.Groups[gi].Provisions {
			if x.ID == chosen {
				d.Chosen = &x
			}
		}
	}
	if f, ok := d.Findings[chosen]; ok {
		d.Current = &f
	}
	return d, nil
}

// findingValues writes a finding as the form holds it.
func findingValues(d findingFormData) url.Values {
	v := url.Values{"version": {"0"}}
	if d.Chosen != nil {
		v.Set("provision", d.Chosen.ID)
	}
	if f := d.Current; f != nil {
		v.Set("version", strconv.Itoa(f.Version))
		v.Set("outcome", string(f.Outcome))
		v.Set("rationale", f.Rationale)
		if f.Engaged {
			v.Set("engaged", "yes")
		}
	}
	return v
}

func (s *Server) findingsForm(w http.ResponseWriter, r *http.Request) {
	chosen := r.URL.Query().Get("provision")
	d, err := s.findingFormData(r, r.PathValue("id"), chosen)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	pg := page{Title: s.printer(r).T("Findings on the framework"), Nav: "incidents", Data: d, Form: findingValues(d), Flash: incidentFlash(r)}
	if chosen != "" && d.Chosen == nil {
		// A provision findings are not made on: the page with the field
		// marked, as a filter it cannot use.
		var fe errs.Fields
		fe.Add("provision", "findings are made on the norms, the views on international law and the confidence-building measures")
		pg.Errors = errs.FieldsOf(fe.Err())
		s.render(w, r, http.StatusBadRequest, "incidentfindings", pg)
		return
	}
	s.render(w, r, http.StatusOK, "incidentfindings", pg)
}

func (s *Server) findingSet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f := r.PostForm
	version, _ := formVersion(f)
	in := incident.FindingInput{Provision: f.Get("provision"), Engaged: f.Get("engaged") == "yes", Outcome: incident.Outcome(f.Get("outcome")),
		Rationale: f.Get("rationale"), Version: version}
	_, err := s.app.Incidents.SetFinding(r.Context(), who(r), id, in)
	if err == nil {
		redirect(w, r, "/incidents/"+id+"?done=finding#findings")
		return
	}
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, derr := s.findingFormData(r, id, f.Get("provision"))
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	s.renderForm(w, r, "incidentfindings", page{Title: s.printer(r).T("Findings on the framework"), Nav: "incidents", Data: d}, err)
}
