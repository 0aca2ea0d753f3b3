package incidentstix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/taxii"
	"github.com/detente/detente/internal/tlp"
)

// Summary is what an import made.
type Summary struct {
	Bundle       string
	Objects      int
	Incidents    []Made // one per incident object recorded
	Attributions []Made
	Findings     []Made
	Failures     []Failure // objects that mapped onto a record the service refused
	// Stored is the TAXII status of the whole bundle in the importing
	// State's collection; nil when no TAXII store is wired.
	Stored *taxii.Status
}

// Made is one record an import wrote, and the STIX object it came from.
type Made struct {
	Object string // STIX id
	ID     string // the record's id
	Title  string
}

// Failure is an object the service refused, and why.
type Failure struct {
	Object  string
	Message string
}

// Read reads a bundle for import within the default STIX limits: the
// whole must be a valid STIX 2.1 bundle, or nothing is imported. Errors are
// field errors on "bundle" (or too large).
func Read(body []byte) (stix.Bundle, error) {
	b, err := stix.ParseBundle(body, stix.DefaultLimits())
	if err != nil {
		if errors.Is(err, stix.ErrTooLarge) {
			return stix.Bundle{}, errs.Wrap(err, errs.TooLarge, err.Error())
		}
		var f errs.Fields
		f.Add("bundle", err.Error())
		return stix.Bundle{}, f.Err()
	}
	return b, nil
}

// incidentObject is what import reads of an incident SDO: its name and
// description, and the x_detente_ properties of an export.
type incidentObject struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Created     string `json:"created"`
	OccurredAt  string `json:"x_detente_occurred_at"`
	Status      string `json:"x_detente_status"`
	Timeline    []struct {
		At     string `json:"at"`
		What   string `json:"what"`
		Source string `json:"source"`
	} `json:"x_detente_timeline"`
	Sectors      []string `json:"x_detente_sectors"`
	Consequences *struct {
		Scope    string `json:"scope"`
		Duration string `json:"duration"`
		Physical string `json:"physical"`
		Economic string `json:"economic"`
		Societal string `json:"societal"`
		Severity string `json:"severity"`
	} `json:"x_detente_consequences"`
	Tensions   string   `json:"x_detente_tensions"`
	Related    []string `json:"x_detente_related"`
	Recipients []string `json:"x_detente_recipients"`
}

// attributionNote is an attribution assessment as export writes it.
type attributionNote struct {
	ObjectRefs          []string `json:"object_refs"`
	AttributionID       string   `json:"x_detente_attribution_id"`
	AssertedByState     string   `json:"x_detente_asserted_by_state"`
	AssertedByOrg       string   `json:"x_detente_asserted_by_org"`
	Category            string   `json:"x_detente_actor_category"`
	AttributedState     string   `json:"x_detente_attributed_state"`
	Spectrum            string   `json:"x_detente_spectrum"`
	Likelihood          string   `json:"x_detente_likelihood"`
	Confidence          string   `json:"x_detente_confidence"`
	Basis               []string `json:"x_detente_basis"`
	OriginTerritoryOnly bool     `json:"x_detente_origin_territory_only"`
	Substantiated       bool     `json:"x_detente_substantiated"`
	Rationale           string   `json:"x_detente_rationale"`
	Evidence            []struct {
		Description string `json:"description"`
		Source      string `json:"source"`
		Reliability string `json:"reliability"`
		Credibility int    `json:"credibility"`
	} `json:"x_detente_evidence"`
	Provision string `json:"x_detente_provision"`
	Engaged   bool   `json:"x_detente_engaged"`
	Outcome   string `json:"x_detente_outcome"`
}

// planned is an incident object read and mapped, before anything is
// written.
type planned struct {
	object string
	in     incident.Input
	status incident.Status
}

// Import records the bundle's incidents as incidents of a's State, the
// assessments and findings our exports carry beside them, and stores the
// whole bundle in a's State's TAXII collection, so that nothing of it is
// lost. A bundle that is not valid STIX 2.1 writes nothing; each record is
// then written, checked and audited by its service, and one the service
// refuses is a failure in the summary that does not stop the others.
func (s *Service) Import(ctx context.Context, a actor.Actor, body []byte) (Summary, error) {
	if err := s.incidents.CanReport(ctx, a); err != nil {
		return Summary{}, err
	}
	collection := taxii.StateCollectionID(a.State)
	if s.collections != nil {
		if err := s.collections.CanWrite(ctx, a, collection); err != nil {
			return Summary{}, err
		}
	}
	bundle, err := Read(body)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Bundle: bundle.ID, Objects: len(bundle.Objects)}
	var plans []planned
	var notes []stix.Object
	for _, o := range bundle.Objects {
		switch o.Type {
		case "incident":
			p, err := plan(o, a.State)
			if err != nil {
				var f errs.Fields
				f.Add("bundle", fmt.Sprintf("%s: %s", o.ID, err))
				return Summary{}, f.Err()
			}
			plans = append(plans, p)
		case "note":
			notes = append(notes, o)
		}
	}
	made := map[string]string{} // STIX incident id → our new id
	for _, p := range plans {
		p.in.Context.Related = s.readable(ctx, a, p.in.Context.Related)
		inc, err := s.incidents.Create(ctx, a, p.in)
		if err != nil {
			if fail, ok := failure(p.object, err); ok {
				sum.Failures = append(sum.Failures, fail)
				continue
			}
			return sum, err
		}
		if p.status != incident.Open && p.status != "" {
			if inc, err = s.incidents.SetStatus(ctx, a, inc.ID, inc.Version, p.status); err != nil {
				if fail, ok := failure(p.object, err); ok {
					sum.Failures = append(sum.Failures, fail)
				} else {
					return sum, err
				}
			}
		}
		made[p.object] = inc.ID
		sum.Incidents = append(sum.Incidents, Made{Object: p.object, ID: inc.ID, Title: inc.Title})
	}
	for _, o := range notes {
		if err := s.note(ctx, a, o, made, &sum); err != nil {
			return sum, err
		}
	}
	if s.collections != nil {
		st, err := s.collections.Add(ctx, a, collection, body)
		if err != nil {
			return sum, err
		}
		sum.Stored = &st
	}
	return sum, nil
}

// failure turns a service's refusal of one record into a failure of its
// object; other errors stop the import.
func failure(object string, err error) (Failure, bool) {
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		return Failure{}, false
	}
	msg := err.Error()
	if fields := errs.FieldsOf(err); len(fields) > 0 {
		var parts []string
		for k, v := range fields {
			parts = append(parts, k+": "+v)
		}
		slices.Sort(parts)
		msg = strings.Join(parts, "; ")
	}
	return Failure{Object: object, Message: msg}, true
}

// readable keeps the related incidents a may read: an incident of another
// installation is not one of ours.
func (s *Service) readable(ctx context.Context, a actor.Actor, ids []string) []string {
	var out []string
	for _, id := range ids {
		if _, err := s.incidents.Incident(ctx, a, id); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// plan maps an incident object onto an incident of State own. Only the
// shape is checked here; the service checks the values.
func plan(o stix.Object, own string) (planned, error) {
	var x incidentObject
	if err := json.Unmarshal(o.Raw, &x); err != nil {
		return planned{}, fmt.Errorf("a property has the wrong type: %w", err)
	}
	in := incident.Input{Title: x.Name, Summary: x.Description, TLP: tlp.Amber}
	if strings.TrimSpace(in.Summary) == "" {
		in.Summary = x.Name
	}
	// The marking decides who reads; without a TLP 2.0 marking, AMBER
	// keeps it within the importing State.
	for _, m := range o.Markings {
		if l, ok := stix.TLPOf(m); ok {
			in.TLP = l
			break
		}
	}
	when := x.Created
	if x.OccurredAt != "" {
		when = x.OccurredAt
	}
	t, err := stix.ParseTime(when)
	if err != nil {
		return planned{}, fmt.Errorf("x_detente_occurred_at: %w", err)
	}
	in.OccurredAt = t
	for k, e := range x.Timeline {
		at, err := stix.ParseTime(e.At)
		if err != nil {
			return planned{}, fmt.Errorf("x_detente_timeline %d: %w", k, err)
		}
		in.Timeline = append(in.Timeline, incident.Event{At: at, What: e.What, Source: e.Source})
	}
	for _, sec := range x.Sectors {
		in.Sectors = append(in.Sectors, incident.Sector(sec))
	}
	if c := x.Consequences; c != nil {
		in.Consequences = incident.Consequences{Scope: c.Scope, Duration: c.Duration, Physical: c.Physical, Economic: c.Economic,
			Societal: c.Societal, Severity: incident.Severity(c.Severity)}
	}
	in.Context = incident.Context{Tensions: x.Tensions, Related: x.Related}
	for _, r := range x.Recipients {
		if !strings.EqualFold(r, own) {
			in.Recipients = append(in.Recipients, r)
		}
	}
	return planned{object: o.ID, in: in, status: incident.Status(x.Status)}, nil
}

// note records an assessment or a finding our export wrote beside an
// incident this import recorded; other notes stay in the collection only.
func (s *Service) note(ctx context.Context, a actor.Actor, o stix.Object, made map[string]string, sum *Summary) error {
	var n attributionNote
	if err := json.Unmarshal(o.Raw, &n); err != nil {
		return nil // not one of ours
	}
	var incID string
	for _, r := range n.ObjectRefs {
		if id, ok := made[r]; ok {
			incID = id
			break
		}
	}
	if incID == "" {
		return nil
	}
	switch {
	case n.AttributionID != "":
		in := incident.AttributionInput{Category: incident.ActorCategory(n.Category), AttributedState: n.AttributedState,
			Spectrum: incident.Spectrum(n.Spectrum), Likelihood: incident.Likelihood(n.Likelihood), Confidence: incident.Confidence(n.Confidence),
			OriginTerritoryOnly: n.OriginTerritoryOnly, Substantiated: n.Substantiated, Rationale: n.Rationale, ByOrganisation: n.AssertedByOrg}
		// The importing State asserts only what it asserted; another
		// State's assessment is recorded as what that State asserts.
		if in.ByOrganisation == "" && n.AssertedByState != "" && !strings.EqualFold(n.AssertedByState, a.State) {
			in.ByOrganisation = n.AssertedByState
			if st, ok := states.ByCode(n.AssertedByState); ok {
				in.ByOrganisation = st.Name
			}
		}
		for _, b := range n.Basis {
			in.Basis = append(in.Basis, incident.Basis(b))
		}
		for _, e := range n.Evidence {
			in.Evidence = append(in.Evidence, incident.Evidence{Description: e.Description, Source: e.Source, Reliability: e.Reliability, Credibility: e.Credibility})
		}
		x, err := s.incidents.AddAttribution(ctx, a, incID, in)
		if err != nil {
			if fail, ok := failure(o.ID, err); ok {
				sum.Failures = append(sum.Failures, fail)
				return nil
			}
			return err
		}
		sum.Attributions = append(sum.Attributions, Made{Object: o.ID, ID: x.ID})
	case n.Provision != "":
		f, err := s.incidents.SetFinding(ctx, a, incID, incident.FindingInput{Provision: n.Provision, Engaged: n.Engaged,
			Outcome: incident.Outcome(n.Outcome), Rationale: n.Rationale})
		if err != nil {
			if fail, ok := failure(o.ID, err); ok {
				sum.Failures = append(sum.Failures, fail)
				return nil
			}
			return err
		}
		sum.Findings = append(sum.Findings, Made{Object: o.ID, ID: incID, Title: f.Provision})
	}
	return nil
}
