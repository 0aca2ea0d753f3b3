package incident

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/tlp"
	"github.com/detente/detente/internal/validate"
)

// Service implements the incident use cases. Every method an edge calls
// takes the actor and checks it.
type Service struct {
	db      *store.DB
	audit   *audit.Log
	clock   clock.Clock
	catalog *catalog.Catalog
	// Other domains' facts, through their services: which States
	// participate, what a named account is, and which communications the
	// actor may read.
	states   *directory.System
	accounts *access.System
	messages *messaging.Service
}

// New returns the incident service.
func New(db *store.DB, log *audit.Log, c clock.Clock, cat *catalog.Catalog, states *directory.System, accounts *access.System, messages *messaging.Service) *Service {
	return &Service{db: db, audit: log, clock: c, catalog: cat, states: states, accounts: accounts, messages: messages}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Limits of what an incident holds.
const (
	maxTitle     = 200
	maxText      = 20_000 // summary, rationale
	maxField     = 5_000  // each consequence and the context
	maxLine      = 2_000  // an event, an item of evidence
	maxSource    = 200
	maxEvents    = 200
	maxRelated   = 50
	maxNamed     = 100
	maxEvidence  = 50
	maxRecipient = 200
)

// earliest is the first date an incident may be placed at.
var earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// Messages people read, each in the catalogue (po/incident).
const (
	msgNotFound      = "no such incident"
	msgConflict      = "someone changed this incident since you opened it; reload it and try again"
	msgSecretariat   = "the secretariat does not report or assess incidents for a State"
	msgRole          = "only points of contact and State administrators record and assess incidents"
	msgNotReporting  = "only the reporting State changes its incident"
	msgNotYetPart    = "your State does not participate in the directory yet"
	msgDate          = "use a date from 1970 up to now"
	msgFilterDate    = "use a date between 1970 and 2200"
	msgRange         = "the start of the range must come before its end"
	msgStatus        = "choose open, assessed or closed"
	msgTransition    = "an open incident is assessed or closed, an assessed one closed or reopened, a closed one reopened"
	msgUnknownSector = "unknown sector %q"
)

// canWrite reports why a may not record or assess incidents, or nil: only
// points of contact and administrators of a participating State speak for
// it; the secretariat does not report incidents for a State.
func (s *Service) canWrite(ctx context.Context, q store.Queryer, a actor.Actor) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if a.IsSecretariat() || a.State == "" {
		return errs.E(errs.Forbidden, msgSecretariat)
	}
	if a.Role != actor.POC && a.Role != actor.StateAdmin {
		return errs.E(errs.Forbidden, msgRole)
	}
	since, err := s.states.ParticipatingSince(ctx, q, a.State)
	if err != nil {
		return err
	}
	if since == nil {
		return errs.E(errs.Forbidden, msgNotYetPart)
	}
	return nil
}

// CanReport reports why a may not record an incident, or nil if it may.
// Pages use it to decide what to offer; Create checks again.
func (s *Service) CanReport(ctx context.Context, a actor.Actor) error {
	return s.canWrite(ctx, s.db.R, a)
}

// CanEdit reports why a may not change inc (its record, status, findings
// and links), or nil: only the reporting State's writers may.
func (s *Service) CanEdit(ctx context.Context, a actor.Actor, inc Incident) error {
	if err := s.canWrite(ctx, s.db.R, a); err != nil {
		return err
	}
	if a.State != inc.ReportingState {
		return errs.E(errs.Forbidden, msgNotReporting)
	}
	return nil
}

// CanAssess reports why a may not add an attribution assessment to inc,
// or nil: any State's writers who may read the incident may, so that
// contested attributions sit side by side.
func (s *Service) CanAssess(ctx context.Context, a actor.Actor, inc Incident) error {
	if err := s.canWrite(ctx, s.db.R, a); err != nil {
		return err
	}
	if !mayRead(a, inc.audience()) {
		return errs.E(errs.NotFound, msgNotFound)
	}
	return nil
}

// Create records an incident reported by a's State, as version 1.
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (Incident, error) {
	return s.create(ctx, a, in, "")
}

// create records an incident and, when message is set, its link to that
// communication, in one transaction.
func (s *Service) create(ctx context.Context, a actor.Actor, in Input, message string) (Incident, error) {
	if err := s.canWrite(ctx, s.db.R, a); err != nil {
		return Incident{}, err
	}
	now := s.clock.Now().UTC()
	inc := Incident{ID: newID(), ReportingState: a.State, AuthorAccountID: a.AccountID, Status: Open, Version: 1,
		CreatedAt: now, UpdatedAt: now, UpdatedBy: a.Label()}
	if err := s.check(ctx, a, &inc, in); err != nil {
		return Incident{}, err
	}
	var details map[string]any
	if message != "" {
		inc.Messages, details = []string{message}, map[string]any{"message": message}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertIncident(ctx, tx, inc); err != nil {
			return errs.Internalf(err, "insert incident")
		}
		if message != "" {
			if _, err := insertLink(ctx, tx, inc.ID, message, a.Label(), now); err != nil {
				return errs.Internalf(err, "link message")
			}
		}
		return s.written(ctx, tx, a, inc, "create", details)
	})
	if err != nil {
		return Incident{}, err
	}
	return inc, nil
}

// written stores the parts and the snapshot of inc, just created or
// changed by action, and its audit entry.
func (s *Service) written(ctx context.Context, tx *sql.Tx, a actor.Actor, inc Incident, action string, details map[string]any) error {
	if action == "create" || action == "edit" {
		if err := replaceParts(ctx, tx, s.db.Engine, inc); err != nil {
			return errs.Internalf(err, "write incident parts")
		}
	}
	if err := insertVersion(ctx, tx, inc, action, a, inc.UpdatedAt); err != nil {
		return errs.Internalf(err, "write incident version")
	}
	if details == nil {
		details = map[string]any{}
	}
	details["version"], details["tlp"], details["status"] = inc.Version, inc.TLP, inc.Status
	if action == "create" || action == "edit" {
		details["recipients"], details["sectors"] = inc.Recipients, inc.Sectors
	}
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "incident." + action, ObjectType: "incident", ObjectID: inc.ID,
		State: inc.ReportingState, Details: details})
}

// Edit replaces the record of incident id, at version, with in. A stale
// version is a conflict: someone else changed it meanwhile.
func (s *Service) Edit(ctx context.Context, a actor.Actor, id string, version int, in Input) (Incident, error) {
	inc, err := s.editable(ctx, a, id)
	if err != nil {
		return Incident{}, err
	}
	if version != inc.Version {
		return Incident{}, errs.E(errs.Conflict, msgConflict)
	}
	// Related incidents the editor may no longer read were not on the
	// form, so they were not taken off it: they stay.
	readable, err := readableIDs(ctx, s.db.R, a, inc.Context.Related)
	if err != nil {
		return Incident{}, errs.Internalf(err, "load related incidents")
	}
	var hidden []string
	for _, r := range inc.Context.Related {
		if !readable[r] {
			hidden = append(hidden, r)
		}
	}
	inc.Version++
	inc.UpdatedAt, inc.UpdatedBy = s.clock.Now().UTC(), a.Label()
	if err := s.check(ctx, a, &inc, in); err != nil {
		return Incident{}, err
	}
	for _, r := range hidden {
		if !slices.Contains(inc.Context.Related, r) {
			inc.Context.Related = append(inc.Context.Related, r)
		}
	}
	return s.update(ctx, a, inc, "edit", nil)
}

// update writes inc over its previous version in one transaction.
func (s *Service) update(ctx context.Context, a actor.Actor, inc Incident, action string, more func(tx *sql.Tx) (map[string]any, error)) (Incident, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := updateIncident(ctx, tx, inc)
		if err != nil {
			return errs.Internalf(err, "update incident")
		}
		if !ok {
			return errs.E(errs.Conflict, msgConflict)
		}
		var details map[string]any
		if more != nil {
			if details, err = more(tx); err != nil {
				return err
			}
		}
		return s.written(ctx, tx, a, inc, action, details)
	})
	if err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, a, inc.ID)
}

// editable loads incident id for a change by a, as stored: not found
// unless a may read it, forbidden unless a writes for its reporting State.
func (s *Service) editable(ctx context.Context, a actor.Actor, id string) (Incident, error) {
	if err := s.canWrite(ctx, s.db.R, a); err != nil {
		return Incident{}, err
	}
	inc, err := s.load(ctx, a, id)
	if err != nil {
		return Incident{}, err
	}
	if a.State != inc.ReportingState {
		return Incident{}, errs.E(errs.Forbidden, msgNotReporting)
	}
	// The record as stored, every link included, since what is written
	// back must not lose what the writer may not see.
	if inc.Messages, err = linksOf(ctx, s.db.R, id); err != nil {
		return Incident{}, errs.Internalf(err, "load links")
	}
	return inc, nil
}

// SetStatus moves incident id, at version, to status to: open → assessed
// → closed, and back to open (reopened).
func (s *Service) SetStatus(ctx context.Context, a actor.Actor, id string, version int, to Status) (Incident, error) {
	inc, err := s.editable(ctx, a, id)
	if err != nil {
		return Incident{}, err
	}
	var f errs.Fields
	if !slices.Contains(Statuses(), to) {
		f.Add("status", msgStatus)
	} else if !slices.Contains(next[inc.Status], to) {
		f.Add("status", msgTransition)
	}
	if err := f.Err(); err != nil {
		return Incident{}, err
	}
	if version != inc.Version {
		return Incident{}, errs.E(errs.Conflict, msgConflict)
	}
	from := inc.Status
	inc.Status, inc.Version = to, inc.Version+1
	inc.UpdatedAt, inc.UpdatedBy = s.clock.Now().UTC(), a.Label()
	return s.update(ctx, a, inc, "status", func(*sql.Tx) (map[string]any, error) {
		return map[string]any{"from": from}, nil
	})
}

// Incident returns incident id if a may read it, with the linked
// communications and related incidents a may read. One a may not read is
// not found, whatever the reason, so its existence does not leak.
func (s *Service) Incident(ctx context.Context, a actor.Actor, id string) (Incident, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Incident{}, err
	}
	inc, err := s.load(ctx, a, id)
	if err != nil {
		return Incident{}, err
	}
	links, err := linksOf(ctx, s.db.R, id)
	if err != nil {
		return Incident{}, errs.Internalf(err, "load links")
	}
	for _, m := range links {
		if _, err := s.messages.Message(ctx, a, m); err == nil {
			inc.Messages = append(inc.Messages, m)
		} else if !errs.Is(err, errs.NotFound) {
			return Incident{}, err
		}
	}
	readable, err := readableIDs(ctx, s.db.R, a, inc.Context.Related)
	if err != nil {
		return Incident{}, errs.Internalf(err, "load related incidents")
	}
	inc.Context.Related = keep(inc.Context.Related, readable)
	return inc, nil
}

// load reads incident id and its parts, not found unless a may read it.
func (s *Service) load(ctx context.Context, a actor.Actor, id string) (Incident, error) {
	notFound := errs.E(errs.NotFound, msgNotFound)
	if _, err := uuid.Parse(id); err != nil {
		return Incident{}, notFound
	}
	inc, err := selectIncident(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Incident{}, notFound
	}
	if err != nil {
		return Incident{}, errs.Internalf(err, "load incident")
	}
	is := []Incident{inc}
	if err := loadParts(ctx, s.db.R, is); err != nil {
		return Incident{}, errs.Internalf(err, "load incident parts")
	}
	if !mayRead(a, is[0].audience()) {
		return Incident{}, notFound
	}
	return is[0], nil
}

func keep(ids []string, ok map[string]bool) []string {
	var out []string
	for _, id := range ids {
		if ok[id] {
			out = append(out, id)
		}
	}
	return out
}

// Versions returns every version of incident id, oldest first, if a may
// read it. Related incidents a may not read are left out of each.
func (s *Service) Versions(ctx context.Context, a actor.Actor, id string) ([]Version, error) {
	if _, err := s.Incident(ctx, a, id); err != nil {
		return nil, err
	}
	vs, err := selectVersions(ctx, s.db.R, id)
	if err != nil {
		return nil, errs.Internalf(err, "load versions")
	}
	var related []string
	for _, v := range vs {
		related = append(related, v.Incident.Context.Related...)
	}
	slices.Sort(related)
	readable, err := readableIDs(ctx, s.db.R, a, slices.Compact(related))
	if err != nil {
		return nil, errs.Internalf(err, "load related incidents")
	}
	for k := range vs {
		vs[k].Incident.Context.Related = keep(vs[k].Incident.Context.Related, readable)
	}
	return vs, nil
}

// List returns a page of the incidents a may read that match f, newest
// first, each with its sectors, sharing and counts.
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter, req page.Request) (page.Page[Incident], error) {
	if err := a.RequireSignedIn(); err != nil {
		return page.Page[Incident]{}, err
	}
	f.State = strings.ToUpper(strings.TrimSpace(f.State))
	if err := s.checkFilter(f); err != nil {
		return page.Page[Incident]{}, err
	}
	var after *listKey
	if req.After != nil {
		if len(req.After) != 2 {
			return page.Page[Incident]{}, page.Damaged()
		}
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if _, perr := uuid.Parse(req.After[1]); err != nil || perr != nil {
			return page.Page[Incident]{}, page.Damaged()
		}
		after = &listKey{at: at.UTC(), id: req.After[1]}
	}
	size := req.Size()
	rows, err := listIncidents(ctx, s.db.R, a, f, after, size+1)
	if err != nil {
		return page.Page[Incident]{}, errs.Internalf(err, "list incidents")
	}
	p := page.Cut(rows, size, func(i Incident) []string { return []string{i.OccurredAt.UTC().Format(time.RFC3339Nano), i.ID} })
	if err := loadParts(ctx, s.db.R, p.Items); err != nil {
		return page.Page[Incident]{}, errs.Internalf(err, "load incident parts")
	}
	return p, nil
}

// ByProvision returns a page of the incidents a may read in which the
// provision id was found engaged, newest first.
func (s *Service) ByProvision(ctx context.Context, a actor.Actor, provision string, req page.Request) (page.Page[Incident], error) {
	if err := a.RequireSignedIn(); err != nil {
		return page.Page[Incident]{}, err
	}
	if provision == "" {
		var f errs.Fields
		f.Add("provision", fmt.Sprintf(msgUnknownProvision, provision))
		return page.Page[Incident]{}, f.Err()
	}
	return s.List(ctx, a, Filter{Provision: provision}, req)
}

// checkFilter reports every field of f that cannot match anything.
func (s *Service) checkFilter(f Filter) error {
	var fe errs.Fields
	if f.Status != "" && !slices.Contains(Statuses(), f.Status) {
		fe.Add("status", msgStatus)
	}
	if f.Sector != "" && !f.Sector.Valid() {
		fe.Add("sector", fmt.Sprintf(msgUnknownSector, f.Sector))
	}
	if f.Provision != "" {
		if problem := s.findable(f.Provision); problem != "" {
			fe.Add("provision", problem)
		}
	}
	if f.State != "" && !knownState(f.State) {
		fe.Add("state", fmt.Sprintf("unknown State %q", f.State))
	}
	limit := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	for field, t := range map[string]*time.Time{"from": f.From, "to": f.To} {
		if t != nil && (t.Before(earliest) || t.After(limit)) {
			fe.Add(field, msgFilterDate)
		}
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		fe.Add("to", msgRange)
	}
	return fe.Err()
}

// Counts returns how many incidents a may read fall under each sector and
// each provision found engaged, for the charts. They are counted when
// asked, by a GROUP BY over the incidents a may read through the indexes
// on (sector, incident) and (provision, engaged, incident), rather than
// kept as running totals: a total per label would have to be kept per
// recipient State and per named account for AMBER and RED to stay within
// what each reader may read, and a total over everything would tell a
// reader of incidents it may not read.
func (s *Service) Counts(ctx context.Context, a actor.Actor) (Counts, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Counts{}, err
	}
	bySector, byProvision, err := countBy(ctx, s.db.R, a)
	if err != nil {
		return Counts{}, errs.Internalf(err, "count incidents")
	}
	var c Counts
	for _, sec := range Sectors() {
		c.BySector = append(c.BySector, Count{Key: string(sec), N: bySector[string(sec)]})
	}
	for _, p := range s.catalog.Provisions(catalog.Filter{}) {
		if n := byProvision[p.ID]; n > 0 {
			c.ByProvision = append(c.ByProvision, Count{Key: p.ID, N: n})
		}
	}
	return c, nil
}

// LinkMessage links a communication to incident id. The actor must write
// for the reporting State and be able to read the communication.
func (s *Service) LinkMessage(ctx context.Context, a actor.Actor, id, messageID string) (Incident, error) {
	inc, err := s.editable(ctx, a, id)
	if err != nil {
		return Incident{}, err
	}
	if _, err := s.messages.Message(ctx, a, messageID); err != nil {
		return Incident{}, err
	}
	return s.link(ctx, a, inc, messageID)
}

func (s *Service) link(ctx context.Context, a actor.Actor, inc Incident, messageID string) (Incident, error) {
	if slices.Contains(inc.Messages, messageID) {
		return inc, nil // linking twice is harmless
	}
	inc.Version++
	inc.UpdatedAt, inc.UpdatedBy = s.clock.Now().UTC(), a.Label()
	return s.update(ctx, a, inc, "link", func(tx *sql.Tx) (map[string]any, error) {
		if _, err := insertLink(ctx, tx, inc.ID, messageID, a.Label(), inc.UpdatedAt); err != nil {
			return nil, errs.Internalf(err, "link message")
		}
		return map[string]any{"message": messageID}, nil
	})
}

// opensIncident are the communications an incident may be opened from:
// notifications, and requests for assistance or mitigation under norm
// 13(h).
var opensIncident = []messaging.Type{messaging.IncidentNotification, messaging.AssistanceRequest, messaging.MitigationRequest}

// fromTemplateSector reads the sector field of the communication template
// (its choices are words) as a sector of the fixed list.
var fromTemplateSector = map[string]Sector{
	"energy": "energy", "health": "health", "finance": "finance", "transport": "transport", "water": "water",
	"telecommunications": "telecom", "digital infrastructure": "digital-infra", "government": "government",
	"emergency services": "emergency-services", "elections": "elections", "food": "food", "space": "space",
}

// OpenFromMessage opens an incident of a's State from a communication a
// may read — a request for assistance under norm 13(h), a request to
// mitigate, or an incident notification — or, with join set, links the
// communication to that incident of a's State instead. A new incident
// takes the communication's subject, text, time, sector and TLP label, and
// is shared with the other States party to it (at TLP:RED, with its author
// and the other people it names).
func (s *Service) OpenFromMessage(ctx context.Context, a actor.Actor, messageID, join string) (Incident, error) {
	if err := s.canWrite(ctx, s.db.R, a); err != nil {
		return Incident{}, err
	}
	m, err := s.messages.Message(ctx, a, messageID)
	if err != nil {
		return Incident{}, err
	}
	if !slices.Contains(opensIncident, m.Type) {
		var f errs.Fields
		f.Add("message", "only an incident notification or a request for assistance or mitigation opens an incident")
		return Incident{}, f.Err()
	}
	if join != "" {
		inc, err := s.editable(ctx, a, join)
		if err != nil {
			return Incident{}, err
		}
		return s.link(ctx, a, inc, m.ID)
	}
	in := Input{Title: m.Subject, Summary: m.Body, OccurredAt: m.CreatedAt.UTC(), TLP: m.TLP,
		Timeline: []Event{{At: m.CreatedAt.UTC(), What: m.Subject, Source: m.SenderState}}}
	if len([]rune(in.Title)) > maxTitle {
		in.Title = string([]rune(in.Title)[:maxTitle])
	}
	if sec, ok := fromTemplateSector[m.Fields["sector"]]; ok {
		in.Sectors = []Sector{sec}
	}
	for _, st := range append([]string{m.SenderState}, m.Recipients...) {
		if st != a.State && !slices.Contains(in.Recipients, st) {
			in.Recipients = append(in.Recipients, st)
		}
	}
	if namedOnly(m.TLP) {
		for _, n := range append([]string{m.SenderAccountID}, m.Named...) {
			if n != a.AccountID && !slices.Contains(in.Named, n) {
				in.Named = append(in.Named, n)
			}
		}
	}
	inc, err := s.create(ctx, a, in, m.ID)
	if err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, a, inc.ID)
}

// knownState reports whether code is a State of the reference list.
func knownState(code string) bool {
	_, ok := states.ByCode(code)
	return ok
}

// text checks a multi-line field into f and returns it normalised.
func text(f *errs.Fields, field, v string, min, max int) string {
	out, problem := validate.Text(v, min, max)
	if problem != "" {
		f.Add(field, problem)
	}
	return out
}

// line checks a single-line field into f and returns it normalised.
func line(f *errs.Fields, field, v string, max int) string {
	out, problem := validate.OneLine(v, max)
	if problem != "" {
		f.Add(field, problem)
	}
	return out
}

// dateOK reports whether t is a date an incident may be placed at.
func (s *Service) dateOK(t time.Time) bool {
	return !t.Before(earliest) && !t.After(s.clock.Now().Add(24*time.Hour))
}

// check validates in into inc, reporting every field to fix at once.
func (s *Service) check(ctx context.Context, a actor.Actor, inc *Incident, in Input) error {
	var f errs.Fields
	inc.Title = line(&f, "title", in.Title, maxTitle)
	if inc.Title == "" {
		f.Add("title", "enter a title")
	}
	inc.Summary = text(&f, "summary", in.Summary, 1, maxText)
	switch {
	case in.OccurredAt.IsZero():
		f.Add("occurred_at", "enter when the incident began, in UTC")
	case !s.dateOK(in.OccurredAt):
		f.Add("occurred_at", msgDate)
	}
	inc.OccurredAt = in.OccurredAt.UTC()
	if len(in.Timeline) > maxEvents {
		f.Add("timeline", fmt.Sprintf("use at most %d events", maxEvents))
	}
	inc.Timeline = nil
	for k, e := range in.Timeline {
		if k >= maxEvents {
			break
		}
		field := fmt.Sprintf("timeline.%d", k)
		ev := Event{At: e.At.UTC(), What: text(&f, field+".what", e.What, 1, maxLine), Source: line(&f, field+".source", e.Source, maxSource)}
		if e.At.IsZero() || !s.dateOK(e.At) {
			f.Add(field+".at", msgDate)
		}
		inc.Timeline = append(inc.Timeline, ev)
	}
	slices.SortStableFunc(inc.Timeline, func(x, y Event) int { return x.At.Compare(y.At) })
	inc.Sectors = nil
	for _, sec := range in.Sectors {
		switch {
		case !sec.Valid():
			f.Add("sectors", fmt.Sprintf(msgUnknownSector, validate.Reveal(strings.ToValidUTF8(string(sec), "?"))))
		case !slices.Contains(inc.Sectors, sec):
			inc.Sectors = append(inc.Sectors, sec)
		}
	}
	inc.Sectors = inSectorOrder(inc.Sectors)
	c := in.Consequences
	inc.Consequences = Consequences{
		Scope: text(&f, "scope", c.Scope, 0, maxField), Duration: line(&f, "duration", c.Duration, maxSource),
		Physical: text(&f, "physical", c.Physical, 0, maxField), Economic: text(&f, "economic", c.Economic, 0, maxField),
		Societal: text(&f, "societal", c.Societal, 0, maxField), Severity: c.Severity,
	}
	if inc.Consequences.Severity == "" {
		inc.Consequences.Severity = SeverityUnknown
	}
	if !slices.Contains(Severities(), inc.Consequences.Severity) {
		f.Add("severity", "choose a severity from the scale")
	}
	inc.Context = Context{Tensions: text(&f, "tensions", in.Context.Tensions, 0, maxField)}
	if len(in.Context.Related) > maxRelated {
		f.Add("related", fmt.Sprintf("relate at most %d incidents", maxRelated))
	}
	var related []string
	for _, r := range in.Context.Related {
		r = strings.TrimSpace(r)
		switch {
		case r == inc.ID:
			f.Add("related", "an incident cannot be related to itself")
		case uuid.Validate(r) != nil:
			f.Add("related", "unknown incident")
		case !slices.Contains(related, r):
			related = append(related, r)
		}
	}
	if len(related) > 0 && len(related) <= maxRelated {
		readable, err := readableIDs(ctx, s.db.R, a, related)
		if err != nil {
			return errs.Internalf(err, "load related incidents")
		}
		if len(readable) != len(related) {
			f.Add("related", "unknown incident")
		}
	}
	inc.Context.Related = related
	inc.TLP = in.TLP
	if !inc.TLP.Valid() {
		f.Add("tlp", "choose a TLP label: CLEAR, GREEN, AMBER, AMBER+STRICT or RED")
	}
	if err := s.checkSharing(ctx, a, inc, in, &f); err != nil {
		return err
	}
	return f.Err()
}

// checkSharing validates the recipient States and named accounts of in
// into inc.
func (s *Service) checkSharing(ctx context.Context, a actor.Actor, inc *Incident, in Input, f *errs.Fields) error {
	inc.Recipients, inc.Named = nil, nil
	if len(in.Recipients) > maxRecipient {
		f.Add("recipients", "too many recipients")
		in.Recipients = nil
	}
	for _, st := range in.Recipients {
		st = strings.ToUpper(strings.TrimSpace(st))
		switch {
		case validate.Encoding(st) != "":
			f.Add("recipients", "choose States from the list")
			continue
		case st == inc.ReportingState:
			f.Add("recipients", "you cannot address your own State")
			continue
		case slices.Contains(inc.Recipients, st):
			continue
		}
		since, err := s.states.ParticipatingSince(ctx, s.db.R, st)
		switch {
		case errs.Is(err, errs.NotFound):
			f.Add("recipients", fmt.Sprintf("unknown State %q", st))
			continue
		case err != nil:
			return err
		case since == nil:
			f.Add("recipients", fmt.Sprintf("%s does not participate in the directory", st))
			continue
		}
		inc.Recipients = append(inc.Recipients, st)
	}
	slices.Sort(inc.Recipients)
	if len(in.Named) == 0 {
		return nil
	}
	if !namedOnly(inc.TLP) {
		f.Add("named", fmt.Sprintf("naming recipients is only for %s", tlp.Red))
		return nil
	}
	if len(in.Named) > maxNamed {
		f.Add("named", "too many recipients")
		return nil
	}
	for _, id := range in.Named {
		if uuid.Validate(id) != nil {
			f.Add("named", "unknown account")
			continue
		}
		h, err := s.accounts.Holder(ctx, s.db.R, id)
		switch {
		case errs.Is(err, errs.NotFound):
			f.Add("named", "unknown account")
			continue
		case err != nil:
			return err
		case h.Disabled:
			f.Add("named", "a named recipient's account is disabled")
			continue
		case !slices.Contains(inc.Recipients, h.State):
			f.Add("named", "named recipients must belong to a recipient State")
			continue
		}
		if !slices.Contains(inc.Named, id) {
			inc.Named = append(inc.Named, id)
		}
	}
	slices.Sort(inc.Named)
	return nil
}
