package survey

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

// Service implements the survey's use cases. Every method an edge calls
// takes the actor and checks it.
type Service struct {
	db      *store.DB
	audit   *audit.Log
	clock   clock.Clock
	dir     *directory.System // which States participate
	entries []Entry           // every subject, in catalogue order
	index   map[string]int    // subject key → position in entries
}

// New returns the survey service over the catalogue's provisions.
func New(db *store.DB, log *audit.Log, c clock.Clock, cat *catalog.Catalog, dir *directory.System) *Service {
	s := &Service{db: db, audit: log, clock: c, dir: dir, entries: entriesOf(cat), index: map[string]int{}}
	for i, e := range s.entries {
		s.index[e.Key()] = i
	}
	return s
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Limits of what a cycle and an answer hold.
const (
	maxName = 40
	maxText = 5_000
	// Cycles are dated within these years.
	firstYear, lastYear = 2000, 2100
	// historyShown is how many changes a report's history lists.
	historyShown = 200
)

// Messages people read, each in the catalogue (po/survey).
const (
	msgCycleNotFound  = "no such survey cycle"
	msgReportNotFound = "no such national report"
	msgConflict       = "someone changed this report since you opened it; reload it and try again"
	msgOpenCycle      = "only the secretariat opens survey cycles"
	msgNotWriter      = "only administrators and points of contact of the State change its report"
	msgNotDraft       = "a submitted report can no longer be changed"
	msgNotSubmitted   = "submit the report before publishing it"
	msgDeadline       = "the deadline of this cycle has passed; reports can no longer be submitted"
	msgNotOpen        = "this survey cycle is not open yet"
	msgStarted        = "your State already has a report in this cycle"
	msgHistory        = "only the State and the secretariat see who changed a report"
)

// reader is what decides what an actor may read.
type reader struct {
	secretariat bool
	state       string // the actor's State; "" for the secretariat and the public
	participant bool   // the State participates in the directory
}

func (s *Service) readerOf(ctx context.Context, a actor.Actor) (reader, error) {
	if !a.Authenticated() {
		return reader{}, nil
	}
	if a.IsSecretariat() {
		return reader{secretariat: true}, nil
	}
	if a.State == "" {
		return reader{}, nil
	}
	since, err := s.dir.ParticipatingSince(ctx, s.db.R, a.State)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return reader{}, err
	}
	return reader{state: a.State, participant: since != nil}, nil
}

// sees reports whether rd may read r.
func (rd reader) sees(r Report) bool {
	switch {
	case rd.state != "" && rd.state == r.State:
		return true
	case rd.secretariat:
		return r.Status != Draft
	case r.Status != Published:
		return false
	case r.Visibility == Public:
		return true
	}
	return r.Visibility == Participants && rd.participant
}

// visible lists the visibilities of other States' published reports rd
// reads.
func (rd reader) visible() []Visibility {
	switch {
	case rd.secretariat:
		return []Visibility{Private, Participants, Public}
	case rd.participant:
		return []Visibility{Participants, Public}
	}
	return []Visibility{Public}
}

// writer checks that a may change its own State's report.
func writer(a actor.Actor) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if a.State == "" || (a.Role != actor.StateAdmin && a.Role != actor.POC) {
		return errs.E(errs.Forbidden, msgNotWriter)
	}
	return nil
}

// CanOpenCycle reports why a may not open a cycle, or nil.
func (s *Service) CanOpenCycle(a actor.Actor) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if !a.IsSecretariat() {
		return errs.E(errs.Forbidden, msgOpenCycle)
	}
	return nil
}

// OpenCycle opens a survey cycle.
func (s *Service) OpenCycle(ctx context.Context, a actor.Actor, in CycleInput) (Cycle, error) {
	if err := s.CanOpenCycle(a); err != nil {
		return Cycle{}, err
	}
	now := s.clock.Now().UTC()
	c := Cycle{ID: newID(), CreatedAt: now, CreatedBy: a.Label()}
	var f errs.Fields
	c.Name = line(&f, "name", in.Name, maxName)
	if c.Name == "" {
		f.Add("name", "name the cycle, for example 2027")
	}
	opens, deadline := day(&f, "opens", in.Opens), day(&f, "deadline", in.Deadline)
	if opens == nil && in.Opens == nil {
		f.Add("opens", "enter the day the cycle opens")
	}
	if deadline == nil && in.Deadline == nil {
		f.Add("deadline", "enter the deadline")
	}
	if opens != nil && deadline != nil && deadline.Before(*opens) {
		f.Add("deadline", "the deadline cannot come before the cycle opens")
	}
	if err := f.Err(); err != nil {
		return Cycle{}, err
	}
	c.Opens, c.Deadline = *opens, *deadline
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		taken, err := cycleNamed(ctx, tx, c.Name)
		if err != nil {
			return errs.Internalf(err, "find cycle")
		}
		if taken {
			var f errs.Fields
			f.Add("name", "a cycle with this name already exists")
			return f.Err()
		}
		if err := insertCycle(ctx, tx, c); err != nil {
			return errs.Internalf(err, "insert cycle")
		}
		if err := scheduleReminder(ctx, tx, c, now); err != nil {
			return errs.Internalf(err, "enqueue reminder")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "survey.cycle_open", ObjectType: "survey_cycle", ObjectID: c.ID,
			Details: map[string]any{"name": c.Name, "opens": c.Opens, "deadline": c.Deadline}})
	})
	if err != nil {
		return Cycle{}, err
	}
	return c, nil
}

// Cycle returns cycle id. Cycles are public.
func (s *Service) Cycle(ctx context.Context, a actor.Actor, id string) (Cycle, error) {
	if uuid.Validate(id) != nil {
		return Cycle{}, errs.E(errs.NotFound, msgCycleNotFound)
	}
	c, err := selectCycle(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Cycle{}, errs.E(errs.NotFound, msgCycleNotFound)
	}
	if err != nil {
		return Cycle{}, errs.Internalf(err, "load cycle")
	}
	return c, nil
}

// CanStart reports why a may not start its State's report in c, or nil.
func (s *Service) CanStart(ctx context.Context, a actor.Actor, c Cycle) error {
	if err := writer(a); err != nil {
		return err
	}
	if s.clock.Now().Before(c.Opens) {
		return errs.E(errs.Conflict, msgNotOpen)
	}
	return nil
}

// Start begins a's State's report in cycle id, carrying over the answers
// of its report in the cycle before.
func (s *Service) Start(ctx context.Context, a actor.Actor, cycle string) (Report, error) {
	c, err := s.Cycle(ctx, a, cycle)
	if err != nil {
		return Report{}, err
	}
	if err := s.CanStart(ctx, a, c); err != nil {
		return Report{}, err
	}
	now := s.clock.Now().UTC()
	r := Report{ID: newID(), Cycle: c, State: a.State, Status: Draft, Visibility: Private, Version: 1,
		CreatedAt: now, UpdatedAt: now, UpdatedBy: a.Label()}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := reportIn(ctx, tx, c.ID, a.State)
		if err == nil {
			return errs.E(errs.Conflict, msgStarted)
		}
		if !store.NoRows(err) {
			return errs.Internalf(err, "find report")
		}
		prev, err := previousReport(ctx, tx, a.State, c)
		switch {
		case store.NoRows(err):
		case err != nil:
			return errs.Internalf(err, "find previous report")
		default:
			r.Previous = prev.ID
			if r.Answers, err = selectAnswers(ctx, tx, prev.ID); err != nil {
				return errs.Internalf(err, "load previous answers")
			}
		}
		if err := insertReport(ctx, tx, r); err != nil {
			if store.IsUnique(err) {
				return errs.E(errs.Conflict, msgStarted)
			}
			return errs.Internalf(err, "insert report")
		}
		var keys []string
		for _, x := range r.Answers {
			if _, known := s.entry(x.Key()); !known {
				continue // a provision the catalogue no longer has
			}
			if err := insertAnswer(ctx, tx, r.ID, x); err != nil {
				return errs.Internalf(err, "copy answer")
			}
			keys = append(keys, x.Key())
		}
		return s.written(ctx, tx, a, r, "start", keys)
	})
	if err != nil {
		return Report{}, err
	}
	s.sortAnswers(r.Answers)
	return r, nil
}

// auditAction names the audit action of a step of a report.
func auditAction(step string) string {
	switch step {
	case "start":
		return "survey.report_start"
	case "edit":
		return "survey.report_edit"
	case "submit":
		return "survey.report_submit"
	}
	return "survey.report_publish"
}

// written records version r.Version in the history and the audit log.
func (s *Service) written(ctx context.Context, tx *sql.Tx, a actor.Actor, r Report, action string, keys []string) error {
	if err := insertHistory(ctx, tx, r.ID, a.AccountID, Change{Version: r.Version, At: r.UpdatedAt, By: a.Label(), Action: action, Keys: keys}); err != nil {
		return errs.Internalf(err, "record history")
	}
	return s.audit.Append(ctx, tx, a, audit.Change{Action: auditAction(action), ObjectType: "survey_report", ObjectID: r.ID, State: r.State,
		Details: map[string]any{"cycle": r.Cycle.Name, "version": r.Version, "status": r.Status, "visibility": r.Visibility, "subjects": keys}})
}

// Report returns report id with its answers, if a may read it.
func (s *Service) Report(ctx context.Context, a actor.Actor, id string) (Report, error) {
	r, err := s.load(ctx, a, id)
	if err != nil {
		return Report{}, err
	}
	if r.Answers, err = selectAnswers(ctx, s.db.R, r.ID); err != nil {
		return Report{}, errs.Internalf(err, "load answers")
	}
	s.sortAnswers(r.Answers)
	return r, nil
}

// load reads report id without its answers, if a may read it.
func (s *Service) load(ctx context.Context, a actor.Actor, id string) (Report, error) {
	notFound := errs.E(errs.NotFound, msgReportNotFound)
	if uuid.Validate(id) != nil {
		return Report{}, notFound
	}
	rd, err := s.readerOf(ctx, a)
	if err != nil {
		return Report{}, err
	}
	r, err := selectReport(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Report{}, notFound
	}
	if err != nil {
		return Report{}, errs.Internalf(err, "load report")
	}
	if !rd.sees(r) {
		return Report{}, notFound
	}
	return r, nil
}

// Own returns a's State's report in cycle, with found false when it has
// none yet.
func (s *Service) Own(ctx context.Context, a actor.Actor, cycle string) (r Report, found bool, err error) {
	if a.State == "" || uuid.Validate(cycle) != nil {
		return Report{}, false, nil
	}
	r, err = reportIn(ctx, s.db.R, cycle, a.State)
	if store.NoRows(err) {
		return Report{}, false, nil
	}
	if err != nil {
		return Report{}, false, errs.Internalf(err, "load report")
	}
	return r, true, nil
}

// CanEdit reports why a may not change r's answers, or nil.
func (s *Service) CanEdit(a actor.Actor, r Report) error {
	if err := s.CanSpeakFor(a, r); err != nil {
		return err
	}
	if r.Status != Draft {
		return errs.E(errs.Conflict, msgNotDraft)
	}
	return nil
}

// CanSpeakFor reports why a may not act for r's State on what the report
// says (posting a reported capacity gap as a need, say), or nil: a writer
// of that State, whatever the report's status.
func (s *Service) CanSpeakFor(a actor.Actor, r Report) error {
	if err := writer(a); err != nil {
		return err
	}
	if a.State != r.State {
		return errs.E(errs.Forbidden, msgNotWriter)
	}
	return nil
}

// Save replaces the answers of one part of report id at version with
// answers: a subject of the part left out, or answered with nothing, has
// no answer. A save that changes nothing writes nothing.
func (s *Service) Save(ctx context.Context, a actor.Actor, id string, version int, part Part, answers []Answer) (Report, error) {
	r, err := s.Report(ctx, a, id)
	if err != nil {
		return Report{}, err
	}
	if err := s.CanEdit(a, r); err != nil {
		return Report{}, err
	}
	if version != r.Version {
		return Report{}, errs.E(errs.Conflict, msgConflict)
	}
	in, err := s.checkAnswers(part, answers)
	if err != nil {
		return Report{}, err
	}
	// What changes: every subject of the part whose answer differs.
	var keys []string
	var next []Answer
	for _, x := range r.Answers {
		if e, _ := s.entry(x.Key()); e.Part != part {
			next = append(next, x)
		}
	}
	for _, e := range s.Entries(part) {
		old, had := r.Answer(e.Key())
		now, has := in[e.Key()]
		if has {
			next = append(next, now)
		}
		if had != has || (had && !same(old, now)) {
			keys = append(keys, e.Key())
		}
	}
	if len(keys) == 0 {
		return r, nil
	}
	r.Version++
	r.UpdatedAt, r.UpdatedBy = s.clock.Now().UTC(), a.Label()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := updateReport(ctx, tx, r)
		if err != nil {
			return errs.Internalf(err, "update report")
		}
		if !ok {
			return errs.E(errs.Conflict, msgConflict)
		}
		for _, k := range keys {
			e, _ := s.entry(k)
			if err := deleteAnswer(ctx, tx, r.ID, e.Subject); err != nil {
				return errs.Internalf(err, "delete answer")
			}
			if x, has := in[k]; has {
				if err := insertAnswer(ctx, tx, r.ID, x); err != nil {
					return errs.Internalf(err, "insert answer")
				}
			}
		}
		return s.written(ctx, tx, a, r, "edit", keys)
	})
	if err != nil {
		return Report{}, err
	}
	s.sortAnswers(next)
	r.Answers = next
	return r, nil
}

func same(x, y Answer) bool {
	for _, f := range Fields() {
		if x.Value(f) != y.Value(f) {
			return false
		}
	}
	return true
}

// checkAnswers validates the answers of part, keyed by subject; empty
// answers are dropped.
func (s *Service) checkAnswers(part Part, answers []Answer) (map[string]Answer, error) {
	var f errs.Fields
	if !slices.Contains(Parts(), part) {
		f.Add("part", "choose a part of the report")
		return nil, f.Err()
	}
	out := map[string]Answer{}
	for _, in := range answers {
		k := in.Key()
		e, ok := s.entry(k)
		if !ok || e.Part != part || validate.Encoding(k) != "" {
			f.Add("part", fmt.Sprintf("unknown provision %q", validate.Reveal(k)))
			continue
		}
		x := Answer{Subject: e.Subject}
		x.Taken = choice(&f, k+".taken", in.Taken)
		x.Policy = choice(&f, k+".policy", in.Policy)
		x.Support = choice(&f, k+".support", in.Support)
		for _, c := range Actors() {
			if slices.Contains(in.Actors, c) {
				x.Actors = append(x.Actors, c)
			}
		}
		for _, c := range in.Actors {
			if !slices.Contains(Actors(), c) {
				f.Add(k+".actors", "choose from the list")
				break
			}
		}
		x.Measures = text(&f, k+".measures", in.Measures)
		x.Examples = text(&f, k+".examples", in.Examples)
		x.Challenges = text(&f, k+".challenges", in.Challenges)
		x.Gaps = text(&f, k+".gaps", in.Gaps)
		if !x.Empty() {
			out[k] = x
		}
	}
	return out, f.Err()
}

func choice(f *errs.Fields, field string, c Choice) Choice {
	if c != "" && !slices.Contains(Choices(), c) {
		f.Add(field, "choose from the list")
		return ""
	}
	return c
}

// CanSubmit reports why a may not submit r, or nil.
func (s *Service) CanSubmit(a actor.Actor, r Report) error {
	if err := s.CanEdit(a, r); err != nil {
		return err
	}
	if r.Cycle.Closed(s.clock.Now()) {
		return errs.E(errs.Conflict, msgDeadline)
	}
	return nil
}

// Submit hands report id at version to the secretariat; its answers no
// longer change.
func (s *Service) Submit(ctx context.Context, a actor.Actor, id string, version int) (Report, error) {
	r, err := s.Report(ctx, a, id)
	if err != nil {
		return Report{}, err
	}
	if err := s.CanSubmit(a, r); err != nil {
		return Report{}, err
	}
	if version != r.Version {
		return Report{}, errs.E(errs.Conflict, msgConflict)
	}
	now := s.clock.Now().UTC()
	r.Status, r.SubmittedAt = Submitted, &now
	r.Version++
	r.UpdatedAt, r.UpdatedBy = now, a.Label()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := updateReport(ctx, tx, r)
		if err != nil {
			return errs.Internalf(err, "update report")
		}
		if !ok {
			return errs.E(errs.Conflict, msgConflict)
		}
		return s.written(ctx, tx, a, r, "submit", nil)
	})
	if err != nil {
		return Report{}, err
	}
	return r, nil
}

// CanPublish reports why a may not publish r, or nil.
func (s *Service) CanPublish(a actor.Actor, r Report) error {
	if err := writer(a); err != nil {
		return err
	}
	if a.State != r.State {
		return errs.E(errs.Forbidden, msgNotWriter)
	}
	if r.Status == Draft {
		return errs.E(errs.Conflict, msgNotSubmitted)
	}
	return nil
}

// Publish makes submitted report id at version readable at v, or moves a
// published one to v.
func (s *Service) Publish(ctx context.Context, a actor.Actor, id string, version int, v Visibility) (Report, error) {
	r, err := s.Report(ctx, a, id)
	if err != nil {
		return Report{}, err
	}
	if err := s.CanPublish(a, r); err != nil {
		return Report{}, err
	}
	if !slices.Contains(Visibilities(), v) {
		var f errs.Fields
		f.Add("visibility", "choose who may read the report")
		return Report{}, f.Err()
	}
	if version != r.Version {
		return Report{}, errs.E(errs.Conflict, msgConflict)
	}
	measured := measuredProvisions(r.Answers)
	was, old := r.Status == Published, r.Visibility
	now := s.clock.Now().UTC()
	r.Status, r.Visibility = Published, v
	if !was {
		r.PublishedAt = &now
	}
	r.Version++
	r.UpdatedAt, r.UpdatedBy = now, a.Label()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := updateReport(ctx, tx, r)
		if err != nil {
			return errs.Internalf(err, "update report")
		}
		if !ok {
			return errs.E(errs.Conflict, msgConflict)
		}
		if was {
			if err := addTally(ctx, tx, r.Cycle.ID, measured, old, -1); err != nil {
				return errs.Internalf(err, "move tallies")
			}
		}
		if err := addTally(ctx, tx, r.Cycle.ID, measured, v, 1); err != nil {
			return errs.Internalf(err, "move tallies")
		}
		return s.written(ctx, tx, a, r, "publish", nil)
	})
	if err != nil {
		return Report{}, err
	}
	return r, nil
}

// measuredProvisions lists the provisions under which answers record
// measures, once each.
func measuredProvisions(as []Answer) []string {
	var out []string
	for _, x := range as {
		if x.RecordsMeasures() && !slices.Contains(out, x.Provision) {
			out = append(out, x.Provision)
		}
	}
	return out
}

// CanSeeHistory reports why a may not read who changed r, or nil: the
// names of a State's drafters are for the State and the secretariat.
func (s *Service) CanSeeHistory(a actor.Actor, r Report) error {
	if a.IsSecretariat() || (a.State != "" && a.State == r.State) {
		return nil
	}
	return errs.E(errs.Forbidden, msgHistory)
}

// History lists who changed report id and which answers, newest first.
func (s *Service) History(ctx context.Context, a actor.Actor, id string) (Report, []Change, error) {
	r, err := s.load(ctx, a, id)
	if err != nil {
		return Report{}, nil, err
	}
	if err := s.CanSeeHistory(a, r); err != nil {
		return Report{}, nil, err
	}
	h, err := selectHistory(ctx, s.db.R, r.ID, historyShown)
	if err != nil {
		return Report{}, nil, errs.Internalf(err, "load history")
	}
	return r, h, nil
}

// Changes compares report id with the State's report of the cycle before,
// if a may read both, field by field in catalogue order.
func (s *Service) Changes(ctx context.Context, a actor.Actor, id string) (Diff, error) {
	r, err := s.Report(ctx, a, id)
	if err != nil {
		return Diff{}, err
	}
	d := Diff{Report: r}
	if r.Previous == "" {
		return d, nil
	}
	prev, err := s.Report(ctx, a, r.Previous)
	if errs.Is(err, errs.NotFound) {
		return d, nil
	}
	if err != nil {
		return Diff{}, err
	}
	d.Previous = &prev
	for _, e := range s.entries {
		before, _ := prev.Answer(e.Key())
		after, _ := r.Answer(e.Key())
		for _, f := range Fields() {
			if b, x := before.Value(f), after.Value(f); b != x {
				d.Changes = append(d.Changes, Difference{Subject: e.Subject, Field: f, Before: b, After: x})
			}
		}
	}
	return d, nil
}

// day checks a date and keeps only the day.
func day(f *errs.Fields, field string, t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	if t.Year() < firstYear || t.Year() > lastYear {
		f.Add(field, fmt.Sprintf("use a date in the years %d to %d", firstYear, lastYear))
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// text checks a multi-line field into f and returns it normalised.
func text(f *errs.Fields, field, v string) string {
	out, problem := validate.Text(v, 0, maxText)
	if problem == "" {
		problem = validate.Plain(out)
	}
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
