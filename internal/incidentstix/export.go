// Package incidentstix carries incidents as STIX 2.1: an incident as an
// incident SDO with the OASIS incident core extension, the States as
// identity objects, each attribution assessment as a note (and, where it
// names a State, an attributed-to relationship), each norm finding as a
// note, everything marked with its TLP 2.0 marking definition. Export
// reads only through the incident service with the caller's actor, so a
// bundle holds exactly what the caller may read; import writes through the
// incident and TAXII services, which check and audit it. docs/STIX.md has
// the mapping.
package incidentstix

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/taxii"
	"github.com/detente/detente/internal/tlp"
)

// IncidentCore is the OASIS incident core extension's definition.
const IncidentCore = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"

// MediaType is a STIX 2.1 bundle's media type.
const MediaType = "application/stix+json;version=2.1"

// namespace derives every STIX id this package makes, so that the same
// record gives the same id on every export.
var namespace = uuid.MustParse("5b0f2a8e-3c1d-4f6e-9a7b-2d8c4e6f1a3b")

func stixID(typ, name string) string {
	return typ + "--" + uuid.NewSHA1(namespace, []byte(typ+"/"+name)).String()
}

// identityCreated dates the identity objects of States and organisations:
// they say only a name, so one fixed date keeps them identical.
var identityCreated = time.Date(2015, 7, 22, 0, 0, 0, 0, time.UTC) // A/70/174

// Collections is what import asks of TAXII: where the importing State's
// objects go.
type Collections interface {
	CanWrite(ctx context.Context, a actor.Actor, collection string) error
	Add(ctx context.Context, a actor.Actor, collection string, body []byte) (taxii.Status, error)
}

// Service exports and imports incidents for an actor.
type Service struct {
	incidents   *incident.Service
	messages    *messaging.Service // nil: no vulnerability reports
	collections Collections        // nil: import keeps only what maps onto incidents
}

// New returns the service. Incidents, and the vulnerability reports
// (norm 13(j)) linked to them, are read through incidents and messages
// with the caller's actor; the rest of an imported bundle goes to
// collections.
func New(incidents *incident.Service, messages *messaging.Service, collections Collections) *Service {
	return &Service{incidents: incidents, messages: messages, collections: collections}
}

// Export returns one incident as a bundle of what a may read of it.
func (s *Service) Export(ctx context.Context, a actor.Actor, id string) ([]byte, error) {
	inc, err := s.incidents.Incident(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.bundle(ctx, a, []incident.Incident{inc})
}

// ExportPage returns a page of the incidents a may read, as one bundle,
// and the cursor of the next page ("" on the last).
func (s *Service) ExportPage(ctx context.Context, a actor.Actor, f incident.Filter, req page.Request) ([]byte, string, error) {
	p, err := s.incidents.List(ctx, a, f, req)
	if err != nil {
		return nil, "", err
	}
	b, err := s.bundle(ctx, a, p.Items)
	return b, p.Next, err
}

// ExportAll returns every incident a may read that f selects, as one
// bundle, reading the list page by page.
func (s *Service) ExportAll(ctx context.Context, a actor.Actor, f incident.Filter) ([]byte, error) {
	var all []incident.Incident
	req := page.Request{Limit: page.MaxLimit}
	for {
		p, err := s.incidents.List(ctx, a, f, req)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if p.Next == "" {
			break
		}
		if req.After, err = page.Decode(p.Next); err != nil {
			return nil, err
		}
	}
	return s.bundle(ctx, a, all)
}

// builder collects a bundle's objects by id, each once.
type builder struct {
	objects map[string]map[string]any
	marks   map[tlp.Label]bool
}

// add keeps o, without its empty x_detente_ properties: STIX allows no
// empty lists, and an empty text says nothing.
func (b *builder) add(o map[string]any) {
	for k, v := range o {
		if !strings.HasPrefix(k, "x_detente_") {
			continue
		}
		switch v := v.(type) {
		case string:
			if v == "" {
				delete(o, k)
			}
		case []string:
			if len(v) == 0 {
				delete(o, k)
			}
		case []map[string]any:
			if len(v) == 0 {
				delete(o, k)
			}
		}
	}
	b.objects[o["id"].(string)] = o
}

func (b *builder) mark(l tlp.Label) []string {
	b.marks[l] = true
	return []string{l.MarkingDefinition()}
}

// identity is a State (by code) or an organisation (by name) as an
// identity object: a name and nothing else, no contact details.
func (b *builder) identity(state, org string) string {
	var o map[string]any
	if state != "" {
		name := state
		if st, ok := states.ByCode(state); ok {
			name = st.Name
		}
		o = map[string]any{"id": stixID("identity", "state/"+state), "name": name, "x_detente_state": state}
	} else {
		o = map[string]any{"id": stixID("identity", "organisation/"+org), "name": org}
	}
	o["type"], o["spec_version"], o["identity_class"] = "identity", stix.SpecVersion, "organization"
	o["created"], o["modified"] = stix.FormatTime(identityCreated), stix.FormatTime(identityCreated)
	o["object_marking_refs"] = b.mark(tlp.Clear)
	b.add(o)
	return o["id"].(string)
}

func newBuilder() *builder {
	return &builder{objects: map[string]map[string]any{}, marks: map[tlp.Label]bool{}}
}

func (s *Service) bundle(ctx context.Context, a actor.Actor, incs []incident.Incident) ([]byte, error) {
	b := newBuilder()
	var key []string
	for _, inc := range incs {
		xs, err := s.incidents.Attributions(ctx, a, inc.ID)
		if err != nil {
			return nil, err
		}
		fs, err := s.incidents.Findings(ctx, a, inc.ID)
		if err != nil {
			return nil, err
		}
		b.incident(inc, xs, fs)
		if err := s.linkedReports(ctx, a, b, inc); err != nil {
			return nil, err
		}
		key = append(key, fmt.Sprintf("%s@%d", inc.ID, inc.Version))
	}
	return b.bundle(strings.Join(key, ","))
}

// bundle writes the objects collected, with the marking definitions they
// use, in the order of their ids, under a bundle id derived from key.
func (b *builder) bundle(key string) ([]byte, error) {
	for l := range b.marks {
		m, err := stix.TLPMarking(l)
		if err != nil {
			return nil, err
		}
		var o map[string]any
		if err := json.Unmarshal(m.Raw, &o); err != nil {
			return nil, err
		}
		b.add(o)
	}
	ids := make([]string, 0, len(b.objects))
	for id := range b.objects {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	objects := make([]map[string]any, len(ids))
	for i, id := range ids {
		objects[i] = b.objects[id]
	}
	return json.Marshal(map[string]any{"type": "bundle", "id": stixID("bundle", key), "objects": objects})
}

// criticality places a severity on the extension's 0–100 scale; unknown
// has no place on it.
var criticality = map[incident.Severity]int{incident.SeverityLow: 20, incident.SeverityMedium: 40, incident.SeverityHigh: 60,
	incident.SeveritySevere: 80, incident.SeverityEmergency: 100}

// determination is the extension's word for how far an incident is
// established: suspected while open, a successful attempt once the
// reporting State has assessed it.
func determination(st incident.Status) string {
	if st == incident.Open {
		return "suspected"
	}
	return "successful-attempt"
}

func investigationStatus(st incident.Status) string {
	if st == incident.Closed {
		return "closed"
	}
	return "open"
}

// IncidentID is the STIX id of an incident.
func IncidentID(id string) string { return stixID("incident", id) }

func (b *builder) incident(inc incident.Incident, xs []incident.Attribution, fs []incident.Finding) {
	marks := b.mark(inc.TLP)
	reporter := b.identity(inc.ReportingState, "")
	id := IncidentID(inc.ID)
	c := inc.Consequences
	core := map[string]any{"extension_type": "property-extension", "determination": determination(inc.Status),
		"investigation_status": investigationStatus(inc.Status)}
	if n, ok := criticality[c.Severity]; ok {
		core["criticality"] = n
	}
	var impacts []map[string]any
	for _, x := range []struct{ typ, text string }{{"physical", c.Physical}, {"economic", c.Economic}, {"societal", c.Societal}} {
		if x.text != "" {
			impacts = append(impacts, map[string]any{"impact_type": x.typ, "description": x.text})
		}
	}
	if len(impacts) > 0 {
		core["external_impacts"] = impacts
	}
	timeline := make([]map[string]any, len(inc.Timeline))
	for k, e := range inc.Timeline {
		timeline[k] = map[string]any{"at": stix.FormatTime(e.At), "what": e.What, "source": e.Source}
	}
	sectors := make([]string, len(inc.Sectors))
	for k, sec := range inc.Sectors {
		sectors[k] = string(sec)
	}
	o := map[string]any{
		"type": "incident", "spec_version": stix.SpecVersion, "id": id,
		"created": stix.FormatTime(inc.CreatedAt), "modified": stix.FormatTime(inc.UpdatedAt), "created_by_ref": reporter,
		"name": inc.Title, "description": inc.Summary, "object_marking_refs": marks,
		"extensions":                map[string]any{IncidentCore: core},
		"x_detente_id":              inc.ID,
		"x_detente_version":         inc.Version,
		"x_detente_reporting_state": inc.ReportingState,
		"x_detente_status":          string(inc.Status),
		"x_detente_occurred_at":     stix.FormatTime(inc.OccurredAt),
		"x_detente_timeline":        timeline,
		"x_detente_sectors":         sectors,
		"x_detente_consequences": map[string]any{"scope": c.Scope, "duration": c.Duration, "physical": c.Physical,
			"economic": c.Economic, "societal": c.Societal, "severity": string(c.Severity)},
		"x_detente_tensions":   inc.Context.Tensions,
		"x_detente_related":    nonNil(inc.Context.Related),
		"x_detente_tlp":        string(inc.TLP),
		"x_detente_recipients": nonNil(inc.Recipients),
	}
	b.add(o)
	for _, x := range xs {
		b.attribution(id, marks, x)
	}
	for _, f := range fs {
		b.finding(id, inc, marks, f)
	}
}

// stixConfidence puts a confidence level on the STIX scale by the
// Low/Med/High mapping of STIX 2.1 Appendix A.
var stixConfidence = map[incident.Confidence]int{incident.ConfidenceLow: 15, incident.ConfidenceModerate: 50, incident.ConfidenceHigh: 85}

func (b *builder) attribution(incidentID string, marks []string, x incident.Attribution) {
	author := b.identity(x.AssertedByState, x.AssertedByOrg)
	refs := []string{incidentID}
	created, modified := stix.FormatTime(x.CreatedAt), stix.FormatTime(x.UpdatedAt)
	if x.AttributedState != "" {
		rel := map[string]any{
			"type": "relationship", "spec_version": stix.SpecVersion, "id": stixID("relationship", "attribution/"+x.ID),
			"created": created, "modified": modified, "created_by_ref": author, "relationship_type": "attributed-to",
			"source_ref": incidentID, "target_ref": b.identity(x.AttributedState, ""), "confidence": stixConfidence[x.Confidence],
			"object_marking_refs": marks, "x_detente_likelihood": string(x.Likelihood), "x_detente_confidence": string(x.Confidence),
			"x_detente_attribution_id": x.ID,
		}
		b.add(rel)
		refs = append(refs, rel["id"].(string))
	}
	evidence := make([]map[string]any, len(x.Evidence))
	for k, e := range x.Evidence {
		evidence[k] = map[string]any{"description": e.Description, "source": e.Source, "reliability": e.Reliability, "credibility": e.Credibility}
	}
	bases := make([]string, len(x.Basis))
	for k, v := range x.Basis {
		bases[k] = string(v)
	}
	content := x.Rationale
	if content == "" {
		content = "Attribution assessment: " + x.Category.Label() + "."
	}
	note := map[string]any{
		"type": "note", "spec_version": stix.SpecVersion, "id": stixID("note", "attribution/"+x.ID),
		"created": created, "modified": modified, "created_by_ref": author,
		"abstract": "Attribution assessment", "content": content, "object_refs": refs,
		"confidence": stixConfidence[x.Confidence], "object_marking_refs": marks,
		"x_detente_attribution_id":        x.ID,
		"x_detente_version":               x.Version,
		"x_detente_asserted_by_state":     x.AssertedByState,
		"x_detente_asserted_by_org":       x.AssertedByOrg,
		"x_detente_recorded_by_state":     x.RecordedByState,
		"x_detente_actor_category":        string(x.Category),
		"x_detente_attributed_state":      x.AttributedState,
		"x_detente_spectrum":              string(x.Spectrum),
		"x_detente_likelihood":            string(x.Likelihood),
		"x_detente_confidence":            string(x.Confidence),
		"x_detente_basis":                 bases,
		"x_detente_evidence":              evidence,
		"x_detente_origin_territory_only": x.OriginTerritoryOnly,
		"x_detente_substantiated":         x.Substantiated,
		"x_detente_rationale":             x.Rationale,
		"x_detente_cites":                 nonNil(x.Cites()),
	}
	b.add(note)
}

func (b *builder) finding(incidentID string, inc incident.Incident, marks []string, f incident.Finding) {
	content := f.Rationale
	if content == "" {
		content = "Finding on " + f.Provision + "."
	}
	o := map[string]any{
		"type": "note", "spec_version": stix.SpecVersion, "id": stixID("note", "finding/"+inc.ID+"/"+f.Provision),
		"created": stix.FormatTime(f.At), "modified": stix.FormatTime(f.At), "created_by_ref": b.identity(inc.ReportingState, ""),
		"abstract": "Finding on " + f.Provision, "content": content, "object_refs": []string{incidentID}, "object_marking_refs": marks,
		"external_references": []map[string]any{{"source_name": "detente-framework", "external_id": f.Provision}},
		"x_detente_provision": f.Provision,
		"x_detente_engaged":   f.Engaged,
		"x_detente_outcome":   string(f.Outcome),
		"x_detente_rationale": f.Rationale,
		"x_detente_version":   f.Version,
	}
	b.add(o)
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
