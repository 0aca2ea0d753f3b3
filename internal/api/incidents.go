package api

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/tlp"
)

// The wire shapes of incidents. Likelihood and confidence are two fields
// everywhere, never one word: they answer different questions.

type incidentEventOut struct {
	At     time.Time `json:"at"`
	What   string    `json:"what"`
	Source string    `json:"source"`
}

type consequencesOut struct {
	Scope    string `json:"scope"`
	Duration string `json:"duration"`
	Physical string `json:"physical"`
	Economic string `json:"economic"`
	Societal string `json:"societal"`
	Severity string `json:"severity"`
}

type contextOut struct {
	Tensions string   `json:"tensions"`
	Related  []string `json:"related"`
}

type incidentOut struct {
	ID             string             `json:"id"`
	ReportingState string             `json:"reporting_state"`
	Title          string             `json:"title"`
	Summary        string             `json:"summary"`
	OccurredAt     time.Time          `json:"occurred_at"`
	Timeline       []incidentEventOut `json:"timeline"`
	Sectors        []string           `json:"sectors"`
	Consequences   consequencesOut    `json:"consequences"`
	Context        contextOut         `json:"context"`
	Status         string             `json:"status"`
	TLP            string             `json:"tlp"`
	Recipients     []string           `json:"recipients"`
	Named          []string           `json:"named"`
	// Messages are the linked communications the caller may read; lists
	// leave them empty, the incident itself fills them.
	Messages     []string  `json:"messages"`
	Attributions int       `json:"attributions"`
	Engaged      int       `json:"engaged"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	UpdatedBy    string    `json:"updated_by"`
}

func incidentFrom(i incident.Incident) incidentOut {
	out := incidentOut{ID: i.ID, ReportingState: i.ReportingState, Title: i.Title, Summary: i.Summary, OccurredAt: utc(i.OccurredAt),
		Timeline: make([]incidentEventOut, len(i.Timeline)), Sectors: make([]string, len(i.Sectors)),
		Consequences: consequencesOut{Scope: i.Consequences.Scope, Duration: i.Consequences.Duration, Physical: i.Consequences.Physical,
			Economic: i.Consequences.Economic, Societal: i.Consequences.Societal, Severity: string(i.Consequences.Severity)},
		Context: contextOut{Tensions: i.Context.Tensions, Related: nonNil(i.Context.Related)},
		Status:  string(i.Status), TLP: i.TLP.String(), Recipients: nonNil(i.Recipients), Named: nonNil(i.Named), Messages: nonNil(i.Messages),
		Attributions: i.Attributions, Engaged: i.Engaged, Version: i.Version, CreatedAt: utc(i.CreatedAt), UpdatedAt: utc(i.UpdatedAt), UpdatedBy: i.UpdatedBy}
	for k, e := range i.Timeline {
		out.Timeline[k] = incidentEventOut{At: utc(e.At), What: e.What, Source: e.Source}
	}
	for k, s := range i.Sectors {
		out.Sectors[k] = string(s)
	}
	return out
}

type incidentVersionOut struct {
	Version  int         `json:"version"`
	Action   string      `json:"action"`
	ActorID  string      `json:"actor_id"`
	Actor    string      `json:"actor"`
	At       time.Time   `json:"at"`
	Snapshot incidentOut `json:"snapshot"`
}

func incidentVersionFrom(v incident.Version) incidentVersionOut {
	return incidentVersionOut{Version: v.Number, Action: v.Action, ActorID: v.ActorID, Actor: v.ActorLabel, At: utc(v.At), Snapshot: incidentFrom(v.Incident)}
}

type evidenceOut struct {
	Description string `json:"description"`
	Source      string `json:"source"`
	Reliability string `json:"reliability"`
	Credibility int    `json:"credibility"`
}

type attributionOut struct {
	ID                  string        `json:"id"`
	IncidentID          string        `json:"incident_id"`
	AssertedByState     string        `json:"asserted_by_state"`
	AssertedByOrg       string        `json:"asserted_by_organisation"`
	RecordedBy          string        `json:"recorded_by"`
	RecordedByState     string        `json:"recorded_by_state"`
	Category            string        `json:"category"`
	AttributedState     string        `json:"attributed_state"`
	Spectrum            string        `json:"spectrum"`
	Likelihood          string        `json:"likelihood"`
	Confidence          string        `json:"confidence"`
	Basis               []string      `json:"basis"`
	Evidence            []evidenceOut `json:"evidence"`
	OriginTerritoryOnly bool          `json:"origin_territory_only"`
	Substantiated       bool          `json:"substantiated"`
	// Cites are the provisions to read beside the assessment: law view
	// 28(f) when it rests on the origin of the activity alone.
	Cites     []string  `json:"cites"`
	Rationale string    `json:"rationale"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func attributionFrom(x incident.Attribution) attributionOut {
	out := attributionOut{ID: x.ID, IncidentID: x.IncidentID, AssertedByState: x.AssertedByState, AssertedByOrg: x.AssertedByOrg,
		RecordedBy: x.RecordedByLabel, RecordedByState: x.RecordedByState, Category: string(x.Category), AttributedState: x.AttributedState,
		Spectrum: string(x.Spectrum), Likelihood: string(x.Likelihood), Confidence: string(x.Confidence), Basis: make([]string, len(x.Basis)),
		Evidence: make([]evidenceOut, len(x.Evidence)), OriginTerritoryOnly: x.OriginTerritoryOnly, Substantiated: x.Substantiated,
		Cites: nonNil(x.Cites()), Rationale: x.Rationale, Version: x.Version, CreatedAt: utc(x.CreatedAt), UpdatedAt: utc(x.UpdatedAt)}
	for k, b := range x.Basis {
		out.Basis[k] = string(b)
	}
	for k, e := range x.Evidence {
		out.Evidence[k] = evidenceOut{Description: e.Description, Source: e.Source, Reliability: e.Reliability, Credibility: e.Credibility}
	}
	return out
}

type findingOut struct {
	Provision string    `json:"provision"`
	Engaged   bool      `json:"engaged"`
	Outcome   string    `json:"outcome"`
	Rationale string    `json:"rationale"`
	Version   int       `json:"version"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

func findingFrom(f incident.Finding) findingOut {
	return findingOut{Provision: f.Provision, Engaged: f.Engaged, Outcome: string(f.Outcome), Rationale: f.Rationale, Version: f.Version, By: f.ByLabel, At: utc(f.At)}
}

type sectorCountOut struct {
	Sector string `json:"sector"`
	Count  int    `json:"count"`
}

type provisionCountOut struct {
	Provision string `json:"provision"`
	Count     int    `json:"count"`
}

type incidentCountsOut struct {
	BySector    []sectorCountOut    `json:"by_sector"`
	ByProvision []provisionCountOut `json:"by_provision"`
}

// The request bodies. Times are strings, read here, so that a malformed
// one is a field error like any other rather than a JSON error.

type eventIn struct {
	At     string `json:"at"`
	What   string `json:"what"`
	Source string `json:"source"`
}

type consequencesIn struct {
	Scope    string `json:"scope"`
	Duration string `json:"duration"`
	Physical string `json:"physical"`
	Economic string `json:"economic"`
	Societal string `json:"societal"`
	Severity string `json:"severity"`
}

type contextIn struct {
	Tensions string   `json:"tensions"`
	Related  []string `json:"related"`
}

type incidentIn struct {
	Title        string         `json:"title"`
	Summary      string         `json:"summary"`
	OccurredAt   string         `json:"occurred_at"`
	Timeline     []eventIn      `json:"timeline"`
	Sectors      []string       `json:"sectors"`
	Consequences consequencesIn `json:"consequences"`
	Context      contextIn      `json:"context"`
	TLP          string         `json:"tlp"`
	Recipients   []string       `json:"recipients"`
	Named        []string       `json:"named"`
}

// incidentEditIn replaces every field of an incident, at the version
// edited (If-Match or version).
type incidentEditIn struct {
	incidentIn
	Version *int `json:"version"`
}

// msgWhen is the catalogue's message for a time that cannot be read.
const msgWhen = "enter a date and time in UTC, like 2026-03-01 14:00"

// readTime reads a time as RFC 3339, or as "2006-01-02 15:04" or
// "2006-01-02T15:04" in UTC. ok is false for anything else.
func readTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// input converts the body into the service's input. A time that cannot
// be read is passed on as the zero time, which the service always refuses,
// so that nothing is written and the service still names every other
// field; bad holds the message to give for it instead.
func (in incidentIn) input() (incident.Input, errs.Fields) {
	var bad errs.Fields
	out := incident.Input{Title: in.Title, Summary: in.Summary, Sectors: make([]incident.Sector, len(in.Sectors)),
		Consequences: incident.Consequences{Scope: in.Consequences.Scope, Duration: in.Consequences.Duration, Physical: in.Consequences.Physical,
			Economic: in.Consequences.Economic, Societal: in.Consequences.Societal, Severity: incident.Severity(in.Consequences.Severity)},
		Context: incident.Context{Tensions: in.Context.Tensions, Related: in.Context.Related}, TLP: tlpOf(in.TLP),
		Recipients: in.Recipients, Named: in.Named}
	if strings.TrimSpace(in.OccurredAt) != "" {
		t, ok := readTime(in.OccurredAt)
		if !ok {
			bad.Add("occurred_at", msgWhen)
		}
		out.OccurredAt = t
	}
	for k, e := range in.Timeline {
		t, ok := readTime(e.At)
		if !ok {
			bad.Add(fmt.Sprintf("timeline[%d].at", k), msgWhen)
		}
		out.Timeline = append(out.Timeline, incident.Event{At: t, What: e.What, Source: e.Source})
	}
	for k, s := range in.Sectors {
		out.Sectors[k] = incident.Sector(s)
	}
	return out, bad
}

// tlpOf reads "TLP:AMBER" or "amber"; anything else goes on as typed, for
// the service to refuse with a field error.
func tlpOf(s string) tlp.Label {
	if l, err := tlp.Parse(s); err == nil {
		return l
	}
	return tlp.Label(s)
}

// incidentFieldNames maps the service's field names onto the body's.
var incidentFieldNames = map[string]string{
	"scope": "consequences.scope", "duration": "consequences.duration", "physical": "consequences.physical",
	"economic": "consequences.economic", "societal": "consequences.societal", "severity": "consequences.severity",
	"tensions": "context.tensions", "related": "context.related",
}

// indexed matches the service's "timeline.3.what" and "evidence.0.source".
var indexed = regexp.MustCompile(`^(timeline|evidence)\.(\d+)(\..+)?$`)

// incidentError returns err with the service's field names written as the
// body names them ("timeline[3].what", "consequences.scope"), and the
// messages found while reading the body in place of the service's for the
// same fields.
func incidentError(err error, more errs.Fields) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != errs.Invalid || len(e.Fields) == 0 {
		return err
	}
	fields := map[string]string{}
	for k, v := range e.Fields {
		if n, ok := incidentFieldNames[k]; ok {
			k = n
		} else if m := indexed.FindStringSubmatch(k); m != nil {
			k = m[1] + "[" + m[2] + "]" + m[3]
		}
		fields[k] = v
	}
	for k, v := range more {
		fields[k] = v
	}
	return &errs.Error{Code: e.Code, Message: e.Message, Fields: fields, Err: e}
}

func writeIncident(w http.ResponseWriter, status int, i incident.Incident) error {
	w.Header().Set("ETag", etag(i.Version))
	return writeJSON(w, status, incidentFrom(i))
}

func writeAttribution(w http.ResponseWriter, status int, x incident.Attribution) error {
	w.Header().Set("ETag", etag(x.Version))
	return writeJSON(w, status, attributionFrom(x))
}

// incidentFilter reads the list's filters; from and to take a date
// (2026-03-01, to included) or a time (RFC 3339, to excluded).
func incidentFilter(r *http.Request) (incident.Filter, error) {
	q := r.URL.Query()
	f := incident.Filter{Status: incident.Status(q.Get("status")), Sector: incident.Sector(q.Get("sector")),
		Provision: q.Get("provision"), State: q.Get("state")}
	var bad errs.Fields
	for _, p := range []struct {
		name string
		to   bool
		dst  **time.Time
	}{{"from", false, &f.From}, {"to", true, &f.To}} {
		v := strings.TrimSpace(q.Get(p.name))
		if v == "" {
			continue
		}
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			if p.to {
				d = d.AddDate(0, 0, 1)
			}
			*p.dst = &d
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			bad.Add(p.name, "use a date like 2026-01-31")
			continue
		}
		t = t.UTC()
		*p.dst = &t
	}
	return f, bad.Err()
}

// incidentQuery reads the filters and paging of a list of incidents, as
// GET /incidents and its STIX form take them.
func (s *server) incidentQuery(r *http.Request, a actor.Actor) (incident.Filter, page.Request, error) {
	f, ferr := incidentFilter(r)
	req, err := pageRequest(r, ferr)
	if errs.Is(err, errs.Invalid) {
		// The service checks the other filters; ask it with the first
		// page, so that one answer names every parameter to fix.
		if _, serr := s.app.Incidents.List(r.Context(), a, f, page.Request{}); serr != nil {
			if !errs.Is(serr, errs.Invalid) {
				return f, req, serr
			}
			fields := errs.FieldsOf(serr)
			maps.Copy(fields, errs.FieldsOf(err))
			return f, req, errs.Fields(fields).Err()
		}
	}
	return f, req, err
}

func (s *server) listIncidents(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	f, req, err := s.incidentQuery(r, a)
	if err != nil {
		return err
	}
	p, err := s.app.Incidents.List(r.Context(), a, f, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, incidentFrom))
}

func (s *server) createIncident(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in incidentIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	input, bad := in.input()
	i, err := s.app.Incidents.Create(r.Context(), a, input)
	if err != nil {
		return incidentError(err, bad)
	}
	w.Header().Set("Location", prefix+"/incidents/"+i.ID)
	return writeIncident(w, http.StatusCreated, i)
}

func (s *server) getIncident(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	i, err := s.app.Incidents.Incident(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeIncident(w, http.StatusOK, i)
}

// editIncident replaces an incident's record. As with a POC, the caller
// says which version it edited: a stale one gets 409, none at all 428.
func (s *server) editIncident(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in incidentEditIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	input, bad := in.input()
	i, err := s.app.Incidents.Edit(r.Context(), a, r.PathValue("id"), version, input)
	if err != nil {
		return incidentError(err, bad)
	}
	return writeIncident(w, http.StatusOK, i)
}

type statusIn struct {
	Status  string `json:"status"`
	Version *int   `json:"version"`
}

func (s *server) setIncidentStatus(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in statusIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	i, err := s.app.Incidents.SetStatus(r.Context(), a, r.PathValue("id"), version, incident.Status(in.Status))
	if err != nil {
		return err
	}
	return writeIncident(w, http.StatusOK, i)
}

func (s *server) incidentVersions(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	vs, err := s.app.Incidents.Versions(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(vs, incidentVersionFrom))
}

func (s *server) incidentCounts(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	c, err := s.app.Incidents.Counts(r.Context(), a)
	if err != nil {
		return err
	}
	out := incidentCountsOut{BySector: make([]sectorCountOut, len(c.BySector)), ByProvision: make([]provisionCountOut, len(c.ByProvision))}
	for k, n := range c.BySector {
		out.BySector[k] = sectorCountOut{Sector: n.Key, Count: n.N}
	}
	for k, n := range c.ByProvision {
		out.ByProvision[k] = provisionCountOut{Provision: n.Key, Count: n.N}
	}
	return writeJSON(w, http.StatusOK, out)
}

// provisionIncidents lists the incidents in which a provision of the
// catalogue was found engaged; a provision the catalogue lacks is not
// found, as at /framework/provisions/{id}.
func (s *server) provisionIncidents(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	id := r.PathValue("id")
	if _, err := s.app.Catalog.Provision(id); err != nil {
		return err
	}
	req, err := pageRequest(r, nil)
	if err != nil {
		return err
	}
	p, err := s.app.Incidents.ByProvision(r.Context(), a, id, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, incidentFrom))
}

type linkIn struct {
	MessageID string `json:"message_id"`
}

// linkIncidentMessage links a communication to an incident of the
// caller's State.
func (s *server) linkIncidentMessage(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in linkIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	i, err := s.app.Incidents.LinkMessage(r.Context(), a, r.PathValue("id"), strings.TrimSpace(in.MessageID))
	if err != nil {
		return renameFields(err, map[string]string{"message": "message_id"})
	}
	return writeIncident(w, http.StatusOK, i)
}

type openIn struct {
	Join string `json:"join"`
}

// openIncident opens an incident of the caller's State from a
// communication (201), or with join links it to one already open (200).
// The body is optional.
func (s *server) openIncident(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in openIn
	if r.ContentLength != 0 {
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
	}
	join := strings.TrimSpace(in.Join)
	i, err := s.app.Incidents.OpenFromMessage(r.Context(), a, r.PathValue("id"), join)
	if err != nil {
		return err
	}
	if join != "" {
		return writeIncident(w, http.StatusOK, i)
	}
	w.Header().Set("Location", prefix+"/incidents/"+i.ID)
	return writeIncident(w, http.StatusCreated, i)
}

type evidenceIn struct {
	Description string `json:"description"`
	Source      string `json:"source"`
	Reliability string `json:"reliability"`
	Credibility int    `json:"credibility"`
}

type attributionIn struct {
	Organisation        string       `json:"organisation"`
	Category            string       `json:"category"`
	AttributedState     string       `json:"attributed_state"`
	Spectrum            string       `json:"spectrum"`
	Likelihood          string       `json:"likelihood"`
	Confidence          string       `json:"confidence"`
	Basis               []string     `json:"basis"`
	Evidence            []evidenceIn `json:"evidence"`
	OriginTerritoryOnly bool         `json:"origin_territory_only"`
	Substantiated       bool         `json:"substantiated"`
	Rationale           string       `json:"rationale"`
}

type attributionEditIn struct {
	attributionIn
	Version *int `json:"version"`
}

func (in attributionIn) input() incident.AttributionInput {
	out := incident.AttributionInput{ByOrganisation: in.Organisation, Category: incident.ActorCategory(in.Category), AttributedState: in.AttributedState,
		Spectrum: incident.Spectrum(in.Spectrum), Likelihood: incident.Likelihood(in.Likelihood), Confidence: incident.Confidence(in.Confidence),
		OriginTerritoryOnly: in.OriginTerritoryOnly, Substantiated: in.Substantiated, Rationale: in.Rationale}
	for _, b := range in.Basis {
		out.Basis = append(out.Basis, incident.Basis(b))
	}
	for _, e := range in.Evidence {
		out.Evidence = append(out.Evidence, incident.Evidence{Description: e.Description, Source: e.Source, Reliability: e.Reliability, Credibility: e.Credibility})
	}
	return out
}

func (s *server) listAttributions(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	xs, err := s.app.Incidents.Attributions(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(xs, attributionFrom))
}

func (s *server) addAttribution(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in attributionIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	x, err := s.app.Incidents.AddAttribution(r.Context(), a, r.PathValue("id"), in.input())
	if err != nil {
		return incidentError(err, nil)
	}
	w.Header().Set("Location", prefix+"/attributions/"+x.ID)
	return writeAttribution(w, http.StatusCreated, x)
}

func (s *server) getAttribution(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	x, _, err := s.app.Incidents.Attribution(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeAttribution(w, http.StatusOK, x)
}

func (s *server) editAttribution(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in attributionEditIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	x, err := s.app.Incidents.EditAttribution(r.Context(), a, r.PathValue("id"), version, in.input())
	if err != nil {
		return incidentError(err, nil)
	}
	return writeAttribution(w, http.StatusOK, x)
}

func (s *server) listFindings(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	fs, err := s.app.Incidents.Findings(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(fs, findingFrom))
}

type findingIn struct {
	Engaged   bool   `json:"engaged"`
	Outcome   string `json:"outcome"`
	Rationale string `json:"rationale"`
	// Version is the finding's version replaced: 0 when the provision
	// has none yet.
	Version *int `json:"version"`
}

// setFinding writes the finding on one provision. The version replaced is
// required, 0 for a first finding (or If-None-Match: *), so that two
// people assessing at once cannot overwrite each other.
func (s *server) setFinding(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in findingIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	version := 0
	switch {
	case in.Version != nil:
		version = *in.Version
	case strings.TrimSpace(r.Header.Get("If-None-Match")) == "*":
	default:
		v, err := expectedVersion(r.Header.Values("If-Match"), nil)
		if err != nil {
			return err
		}
		version = v
	}
	fd, err := s.app.Incidents.SetFinding(r.Context(), a, r.PathValue("id"), incident.FindingInput{Provision: r.PathValue("provision"),
		Engaged: in.Engaged, Outcome: incident.Outcome(in.Outcome), Rationale: in.Rationale, Version: version})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(fd.Version))
	return writeJSON(w, http.StatusOK, findingFrom(fd))
}
