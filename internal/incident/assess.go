package incident

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

const (
	msgNoAttribution      = "no such assessment"
	msgAttributionChanged = "someone changed this assessment since you opened it; reload it and try again"
	msgFindingChanged     = "someone changed this finding since you opened it; reload it and try again"
	msgUnknownProvision   = "unknown provision %q"
)

// Attributions returns every attribution assessment of incident id, oldest
// first, each saying who asserts it, so that contested attributions can be
// shown side by side. Not found unless a may read the incident.
func (s *Service) Attributions(ctx context.Context, a actor.Actor, id string) ([]Attribution, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	if _, err := s.load(ctx, a, id); err != nil {
		return nil, err
	}
	out, err := attributionsOf(ctx, s.db.R, id)
	if err != nil {
		return nil, errs.Internalf(err, "load attributions")
	}
	return out, nil
}

// AddAttribution records an assessment of who is behind incident id:
// asserted by a's State, or by the organisation in.ByOrganisation names.
// Any State's points of contact and administrators who may read the
// incident may add one.
func (s *Service) AddAttribution(ctx context.Context, a actor.Actor, id string, in AttributionInput) (Attribution, error) {
	if err := s.canWrite(ctx, s.db.R, a); err != nil {
		return Attribution{}, err
	}
	inc, err := s.load(ctx, a, id)
	if err != nil {
		return Attribution{}, err
	}
	now := s.clock.Now().UTC()
	x := Attribution{ID: newID(), IncidentID: inc.ID, Version: 1, CreatedAt: now}
	if err := checkAttribution(a, &x, in); err != nil {
		return Attribution{}, err
	}
	x.UpdatedAt = now
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertAttribution(ctx, tx, x); err != nil {
			return errs.Internalf(err, "insert attribution")
		}
		return s.auditAttribution(ctx, tx, a, inc, x, "incident.attribute")
	})
	if err != nil {
		return Attribution{}, err
	}
	return x, nil
}

// Attribution returns assessment id, and its incident, if a may read the
// incident; not found otherwise.
func (s *Service) Attribution(ctx context.Context, a actor.Actor, id string) (Attribution, Incident, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Attribution{}, Incident{}, err
	}
	notFound := errs.E(errs.NotFound, msgNoAttribution)
	if uuid.Validate(id) != nil {
		return Attribution{}, Incident{}, notFound
	}
	x, err := selectAttribution(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Attribution{}, Incident{}, notFound
	}
	if err != nil {
		return Attribution{}, Incident{}, errs.Internalf(err, "load attribution")
	}
	inc, err := s.load(ctx, a, x.IncidentID)
	if errs.Is(err, errs.NotFound) {
		return Attribution{}, Incident{}, notFound
	}
	if err != nil {
		return Attribution{}, Incident{}, err
	}
	return x, inc, nil
}

// CanEditAttribution reports why a may not change assessment x, or nil:
// only the writers of the State whose account recorded it may.
func (s *Service) CanEditAttribution(ctx context.Context, a actor.Actor, x Attribution) error {
	if err := s.canWrite(ctx, s.db.R, a); err != nil {
		return err
	}
	if a.State != x.RecordedByState {
		return errs.E(errs.Forbidden, "only the State that recorded an assessment changes it")
	}
	return nil
}

// EditAttribution replaces assessment id, at version, with in. Only the
// State whose account recorded it may change it.
func (s *Service) EditAttribution(ctx context.Context, a actor.Actor, id string, version int, in AttributionInput) (Attribution, error) {
	if err := s.canWrite(ctx, s.db.R, a); err != nil {
		return Attribution{}, err
	}
	x, inc, err := s.Attribution(ctx, a, id)
	if err != nil {
		return Attribution{}, err
	}
	if err := s.CanEditAttribution(ctx, a, x); err != nil {
		return Attribution{}, err
	}
	if version != x.Version {
		return Attribution{}, errs.E(errs.Conflict, msgAttributionChanged)
	}
	x.Version++
	if err := checkAttribution(a, &x, in); err != nil {
		return Attribution{}, err
	}
	x.UpdatedAt = s.clock.Now().UTC()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := updateAttribution(ctx, tx, x)
		if err != nil {
			return errs.Internalf(err, "update attribution")
		}
		if !ok {
			return errs.E(errs.Conflict, msgAttributionChanged)
		}
		return s.auditAttribution(ctx, tx, a, inc, x, "incident.attribution_edit")
	})
	if err != nil {
		return Attribution{}, err
	}
	return x, nil
}

func (s *Service) auditAttribution(ctx context.Context, tx *sql.Tx, a actor.Actor, inc Incident, x Attribution, action string) error {
	return s.audit.Append(ctx, tx, a, audit.Change{Action: action, ObjectType: "incident", ObjectID: inc.ID, State: a.State,
		Details: map[string]any{"attribution": x.ID, "version": x.Version, "category": x.Category, "attributed_state": x.AttributedState,
			"likelihood": x.Likelihood, "confidence": x.Confidence, "organisation": x.AssertedByOrg}})
}

// checkAttribution validates in into x, recorded by a, reporting every
// field to fix at once.
func checkAttribution(a actor.Actor, x *Attribution, in AttributionInput) error {
	var f errs.Fields
	x.RecordedBy, x.RecordedByLabel, x.RecordedByState = a.AccountID, a.Label(), a.State
	x.AssertedByOrg = line(&f, "organisation", in.ByOrganisation, maxSource)
	x.AssertedByState = ""
	if x.AssertedByOrg == "" {
		x.AssertedByState = a.State
	}
	x.Category = in.Category
	if !slices.Contains(ActorCategories(), x.Category) {
		f.Add("category", "choose the category of actor")
	}
	x.AttributedState = strings.ToUpper(strings.TrimSpace(in.AttributedState))
	if x.AttributedState != "" && !knownState(x.AttributedState) {
		f.Add("attributed_state", "choose States from the list")
	}
	x.Spectrum = in.Spectrum
	if x.Spectrum != "" && x.Spectrum.Label() == "" {
		f.Add("spectrum", "choose a step of the spectrum of State responsibility")
	}
	x.Likelihood = in.Likelihood
	if !slices.Contains(Likelihoods(), x.Likelihood) {
		f.Add("likelihood", "choose how likely the assessment is, from almost no chance to almost certain")
	}
	x.Confidence = in.Confidence
	if !slices.Contains(Confidences(), x.Confidence) {
		f.Add("confidence", "choose low, moderate or high confidence")
	}
	x.Basis = nil
	for _, b := range in.Basis {
		switch {
		case !slices.Contains(Bases(), b):
			f.Add("basis", "choose technical, political, legal or claimed by the actor")
		case !slices.Contains(x.Basis, b):
			x.Basis = append(x.Basis, b)
		}
	}
	if len(in.Basis) == 0 {
		f.Add("basis", "choose at least one basis")
	}
	if len(in.Evidence) > maxEvidence {
		f.Add("evidence", fmt.Sprintf("list at most %d items of evidence", maxEvidence))
		in.Evidence = in.Evidence[:maxEvidence]
	}
	x.Evidence = nil
	for k, e := range in.Evidence {
		field := fmt.Sprintf("evidence.%d", k)
		ev := Evidence{Description: text(&f, field+".description", e.Description, 1, maxLine), Source: line(&f, field+".source", e.Source, maxSource),
			Reliability: strings.ToUpper(strings.TrimSpace(e.Reliability)), Credibility: e.Credibility}
		if !slices.Contains(Reliabilities(), ev.Reliability) {
			f.Add(field+".reliability", "grade the source from A (reliable) to F (cannot be judged)")
		}
		if ev.Credibility < 1 || ev.Credibility > 6 {
			f.Add(field+".credibility", "grade the information from 1 (confirmed) to 6 (cannot be judged)")
		}
		x.Evidence = append(x.Evidence, ev)
	}
	x.OriginTerritoryOnly, x.Substantiated = in.OriginTerritoryOnly, in.Substantiated
	if x.OriginTerritoryOnly && x.AttributedState == "" {
		f.Add("attributed_state", "name the State from whose territory the activity came")
	}
	x.Rationale = text(&f, "rationale", in.Rationale, 0, maxText)
	return f.Err()
}

// findable reports why a finding cannot be made on provision id, or "":
// findings are made on the norms, the views on international law and the
// confidence-building measures of the catalogue.
func (s *Service) findable(id string) string {
	p, err := s.catalog.Provision(id)
	if err != nil {
		return fmt.Sprintf(msgUnknownProvision, validate.Reveal(strings.ToValidUTF8(id, "?")))
	}
	if p.Kind != catalog.KindNorm && p.Kind != catalog.KindLaw && p.Kind != catalog.KindCBM {
		return "findings are made on the norms, the views on international law and the confidence-building measures"
	}
	return ""
}

// Findings returns the findings on incident id, in catalogue order. Not
// found unless a may read the incident.
func (s *Service) Findings(ctx context.Context, a actor.Actor, id string) ([]Finding, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	if _, err := s.load(ctx, a, id); err != nil {
		return nil, err
	}
	fs, err := findingsOf(ctx, s.db.R, id)
	if err != nil {
		return nil, errs.Internalf(err, "load findings")
	}
	order := map[string]int{}
	for k, p := range s.catalog.Provisions(catalog.Filter{}) {
		order[p.ID] = k
	}
	slices.SortStableFunc(fs, func(x, y Finding) int { return order[x.Provision] - order[y.Provision] })
	return fs, nil
}

// SetFinding records the reporting State's finding on one provision for
// incident id. in.Version is the finding's version it replaces, 0 for the
// first; a stale one is a conflict.
func (s *Service) SetFinding(ctx context.Context, a actor.Actor, id string, in FindingInput) (Finding, error) {
	inc, err := s.editable(ctx, a, id)
	if err != nil {
		return Finding{}, err
	}
	var f errs.Fields
	fd := Finding{IncidentID: inc.ID, Provision: strings.TrimSpace(in.Provision), Engaged: in.Engaged, Outcome: in.Outcome,
		Version: in.Version + 1, ByAccount: a.AccountID, ByLabel: a.Label(), At: s.clock.Now().UTC()}
	if problem := s.findable(fd.Provision); problem != "" {
		f.Add("provision", problem)
	}
	switch {
	case fd.Outcome == "" && fd.Engaged:
		f.Add("outcome", "choose consistent, possible inconsistency or insufficient information")
	case fd.Outcome != "" && !slices.Contains(Outcomes(), fd.Outcome):
		f.Add("outcome", "choose consistent, possible inconsistency or insufficient information")
	}
	fd.Rationale = text(&f, "rationale", in.Rationale, 0, maxText)
	if err := f.Err(); err != nil {
		return Finding{}, err
	}
	if in.Version < 0 {
		return Finding{}, errs.E(errs.Conflict, msgFindingChanged)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := writeFinding(ctx, tx, fd)
		if err != nil {
			return errs.Internalf(err, "write finding")
		}
		if !ok {
			return errs.E(errs.Conflict, msgFindingChanged)
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "incident.finding", ObjectType: "incident", ObjectID: inc.ID, State: inc.ReportingState,
			Details: map[string]any{"provision": fd.Provision, "engaged": fd.Engaged, "outcome": fd.Outcome, "version": fd.Version}})
	})
	if err != nil {
		return Finding{}, err
	}
	return fd, nil
}
