package exercise

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/pgpkey"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

// Scenarios gives the scenario version a run plays, as the director may
// read it (version 0: the newest).
type Scenarios interface {
	Scenario(ctx context.Context, a actor.Actor, id string, version int) (scenario.Scenario, error)
}

// Mailer writes the mails of an inject, one per point of contact it
// reaches; package notify provides it. It is called inside the transaction
// that records the deliveries, so it only enqueues.
type Mailer interface {
	EnqueueExerciseMails(ctx context.Context, tx *sql.Tx, r Run, inj scenario.Inject, mails []Mail) error
	// EnqueueExerciseInvitations writes r's invitation of kind to each of
	// pocs, with r's calendar entry (CalendarEvent).
	EnqueueExerciseInvitations(ctx context.Context, tx *sql.Tx, r Run, kind InviteKind, pocs []POC) error
}

// Config tunes runs.
type Config struct {
	BaseURL string // where the pages are, for the links in mails
	From    string // the address invitations come from: their calendar's ORGANIZER
}

// Service implements the exercise run use cases. Every method an edge
// calls takes the actor and checks it.
type Service struct {
	db        *store.DB
	audit     *audit.Log
	clock     clock.Clock
	scenarios Scenarios
	dir       *directory.System
	mailer    Mailer
	cfg       Config
}

// New returns the exercise service; mailer writes the injects' mails in
// the transactions that deliver them.
func New(db *store.DB, log *audit.Log, c clock.Clock, scenarios Scenarios, dir *directory.System, mailer Mailer, cfg Config) *Service {
	return &Service{db: db, audit: log, clock: c, scenarios: scenarios, dir: dir, mailer: mailer, cfg: cfg}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Limits of what a run and its players write.
const (
	maxTitle   = 200
	maxText    = 5_000
	maxFields  = 30
	maxFieldID = 60
	maxField   = 2_000
	maxRoles   = 50
)

// Messages people read, each in the catalogue (po/exercise and, shared
// with other services, po/services, po/directory and po/messages).
const (
	msgNotFound     = "no such exercise run"
	msgConflict     = "someone changed this exercise run since you opened it; reload it and try again"
	msgDirect       = "only the secretariat and State administrators direct exercises"
	msgNotDirector  = "only the director of this exercise controls it"
	msgNotYetPart   = "your State does not participate in the directory yet"
	msgNotStarted   = "this exercise has not started"
	msgStarted      = "this exercise has started already"
	msgNotRunning   = "this exercise is not running"
	msgNotPaused    = "this exercise is not paused"
	msgEnded        = "this exercise has ended"
	msgFired        = "this inject has gone out already"
	msgNotPlayer    = "you do not answer for a point of contact this inject reached"
	msgNotPart      = "only the director and the participating States write notes"
	msgObservations = "observations are written while the exercise runs"
	msgLessons      = "lessons are written once the exercise has ended"
)

// directorOf is the director a acts for: "" for the secretariat, its
// State for a State administrator. It fails for anyone else.
func (s *Service) directorOf(ctx context.Context, a actor.Actor) (string, error) {
	if err := a.RequireWrite(); err != nil {
		return "", err
	}
	if a.IsSecretariat() {
		return "", nil
	}
	if a.Role != actor.StateAdmin || a.State == "" {
		return "", errs.E(errs.Forbidden, msgDirect)
	}
	since, err := s.dir.ParticipatingSince(ctx, s.db.R, a.State)
	if err != nil {
		return "", err
	}
	if since == nil {
		return "", errs.E(errs.Forbidden, msgNotYetPart)
	}
	return a.State, nil
}

// CanCreate reports why a may not create a run, or nil. Pages use it to
// decide what to offer; Create checks again.
func (s *Service) CanCreate(ctx context.Context, a actor.Actor) error {
	_, err := s.directorOf(ctx, a)
	return err
}

// CanDirect reports why a may not start, pause, resume, inject into or
// stop r, or nil.
func (s *Service) CanDirect(ctx context.Context, a actor.Actor, r Run) error {
	org, err := s.directorOf(ctx, a)
	if err != nil {
		return err
	}
	if org != r.DirectorState {
		return errs.E(errs.Forbidden, msgNotDirector)
	}
	return nil
}

// MayDirect reports why a may not direct run id, or nil, in the order
// the director's use cases refuse: not a director at all, then no such
// run, then another director's. An edge asks it before telling a
// director what is wrong with a form the service was not sent.
func (s *Service) MayDirect(ctx context.Context, a actor.Actor, id string) error {
	org, err := s.directorOf(ctx, a)
	if err != nil {
		return err
	}
	r, err := s.load(ctx, a, id)
	if err != nil {
		return err
	}
	if r.DirectorState != org {
		return errs.E(errs.Forbidden, msgNotDirector)
	}
	return nil
}

// maySee is visibleSQL for one run.
func maySee(a actor.Actor, r Run) bool {
	if !a.Authenticated() {
		return false
	}
	if a.IsSecretariat() {
		return r.DirectorState == ""
	}
	return a.State != "" && (a.State == r.DirectorState || slices.Contains(r.States(), a.State))
}

// directorSide reports whether a acts for r's director and so sees all of
// it.
func directorSide(a actor.Actor, r Run) bool {
	if a.IsSecretariat() {
		return r.DirectorState == ""
	}
	return a.State != "" && a.State == r.DirectorState
}

// load reads run id, not found unless a may see it.
func (s *Service) load(ctx context.Context, a actor.Actor, id string) (Run, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Run{}, err
	}
	notFound := errs.E(errs.NotFound, msgNotFound)
	if uuid.Validate(id) != nil {
		return Run{}, notFound
	}
	r, err := selectRun(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Run{}, notFound
	}
	if err != nil {
		return Run{}, errs.Internalf(err, "load exercise run")
	}
	if !maySee(a, r) {
		return Run{}, notFound
	}
	return r, nil
}

// Run returns run id if a may see it.
func (s *Service) Run(ctx context.Context, a actor.Actor, id string) (Run, error) {
	return s.load(ctx, a, id)
}

// Runs returns a page of the runs a may see, newest first.
func (s *Service) Runs(ctx context.Context, a actor.Actor, req page.Request) (page.Page[Run], error) {
	if err := a.RequireSignedIn(); err != nil {
		return page.Page[Run]{}, err
	}
	if !a.IsSecretariat() && a.State == "" {
		return page.Page[Run]{}, nil
	}
	var after *listKey
	if req.After != nil {
		if len(req.After) != 2 {
			return page.Page[Run]{}, page.Damaged()
		}
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if err != nil || uuid.Validate(req.After[1]) != nil {
			return page.Page[Run]{}, page.Damaged()
		}
		after = &listKey{at: at.UTC(), id: req.After[1]}
	}
	size := req.Size()
	rows, err := listRuns(ctx, s.db.R, a, after, size+1)
	if err != nil {
		return page.Page[Run]{}, errs.Internalf(err, "list exercise runs")
	}
	return page.Cut(rows, size, func(r Run) []string { return []string{r.CreatedAt.UTC().Format(time.RFC3339Nano), r.ID} }), nil
}

// Create makes a run of a scenario version directed by a (the
// secretariat, or a's State, which must then play a role).
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (Run, error) {
	org, err := s.directorOf(ctx, a)
	if err != nil {
		return Run{}, err
	}
	var f errs.Fields
	var sc scenario.Scenario
	id := strings.TrimSpace(in.ScenarioID)
	switch {
	case id == "" || validate.Encoding(id) != "" || len(id) > 100:
		f.Add("scenario", "choose a scenario")
	case in.ScenarioVersion < 0 || in.ScenarioVersion > 1_000_000:
		f.Add("scenario", "choose a version of the scenario")
	default:
		sc, err = s.scenarios.Scenario(ctx, a, id, in.ScenarioVersion)
		switch {
		case errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden):
			f.Add("scenario", "choose a scenario")
		case err != nil:
			return Run{}, err
		}
	}
	now := s.clock.Now().UTC()
	r := Run{ID: newID(), DirectorState: org, Scenario: sc, Span: spanOf(sc), Status: Ready, Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedBy: a.Label()}
	title, problem := validate.OneLine(in.Title, maxTitle)
	if problem != "" {
		f.Add("title", problem)
	}
	r.Title = title
	if r.Title == "" {
		r.Title = sc.Title
	}
	if in.Factor < MinFactor || in.Factor > MaxFactor {
		f.Add("factor", fmt.Sprintf("choose a speed from %d to %d", MinFactor, MaxFactor))
	}
	r.Factor = in.Factor
	for _, l := range in.Levels {
		switch {
		case !slices.Contains(Levels(), l):
			f.Add("levels", "choose diplomatic, policy or technical")
		case !slices.Contains(r.Levels, l):
			r.Levels = append(r.Levels, l)
		}
	}
	slices.SortFunc(r.Levels, func(x, y scenario.Level) int { return slices.Index(Levels(), x) - slices.Index(Levels(), y) })
	if len(in.Levels) == 0 {
		f.Add("levels", "choose at least one level")
	}
	if err := s.checkAssignments(ctx, &f, &r, in.Assignments); err != nil {
		return Run{}, err
	}
	s.checkSchedule(&f, &r, in.Schedule)
	if org != "" && sc.ID != "" && f.Err() == nil && !slices.Contains(r.States(), org) {
		f.Add("assignments", "your State plays a role in an exercise it directs")
	}
	if err := f.Err(); err != nil {
		return Run{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertRun(ctx, tx, r, a.AccountID); err != nil {
			return errs.Internalf(err, "insert exercise run")
		}
		if err := s.invite(ctx, tx, r, Invite); err != nil {
			return err
		}
		return s.written(ctx, tx, a, r, "create", map[string]any{"scenario": sc.ID, "scenario_version": sc.Version,
			"assignments": r.Assignments, "levels": r.Levels, "factor": r.Factor, "planned_start": r.PlannedStart, "time_zone": r.TimeZone})
	})
	if err != nil {
		return Run{}, err
	}
	return s.load(ctx, a, r.ID)
}

// checkAssignments gives each of the scenario's roles one participating
// State, a different State for each role.
func (s *Service) checkAssignments(ctx context.Context, f *errs.Fields, r *Run, in []Assignment) error {
	if r.Scenario.ID == "" {
		return nil
	}
	if len(in) > maxRoles {
		f.Add("assignments", "choose one State for each role")
		return nil
	}
	given := map[string]string{}
	for _, x := range in {
		given[strings.TrimSpace(x.Role)] = strings.ToUpper(strings.TrimSpace(x.State))
	}
	for role := range given {
		if !slices.ContainsFunc(r.Scenario.Roles, func(x scenario.Role) bool { return x.Key == role }) {
			f.Add("assignments", "choose one State for each role")
		}
	}
	used := map[string]bool{}
	for _, role := range r.Scenario.Roles {
		field := "assignments." + role.Key
		st := given[role.Key]
		if st == "" {
			f.Add(field, "choose a State for this role")
			continue
		}
		if validate.Encoding(st) != "" || len(st) != 2 {
			f.Add(field, "choose States from the list")
			continue
		}
		since, err := s.dir.ParticipatingSince(ctx, s.db.R, st)
		switch {
		case errs.Is(err, errs.NotFound):
			f.Add(field, fmt.Sprintf("unknown State %q", st))
			continue
		case err != nil:
			return err
		case since == nil:
			f.Add(field, fmt.Sprintf("%s does not participate in the directory", st))
			continue
		}
		if used[st] {
			f.Add(field, "give each role a different State")
			continue
		}
		used[st] = true
		r.Assignments = append(r.Assignments, Assignment{Role: role.Key, State: st})
	}
	return nil
}

// written records the audit entry of action on r.
func (s *Service) written(ctx context.Context, tx *sql.Tx, a actor.Actor, r Run, action string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	details["version"], details["status"], details["scenario_time"] = r.Version, r.Status, r.Elapsed(s.clock.Now()).String()
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "exercise." + action, ObjectType: "exercise_run", ObjectID: r.ID,
		State: r.DirectorState, Details: details})
}

// directed loads run id for a change by its director at version.
func (s *Service) directed(ctx context.Context, a actor.Actor, id string, version int) (Run, error) {
	org, err := s.directorOf(ctx, a)
	if err != nil {
		return Run{}, err
	}
	r, err := s.load(ctx, a, id)
	if err != nil {
		return Run{}, err
	}
	if r.DirectorState != org {
		return Run{}, errs.E(errs.Forbidden, msgNotDirector)
	}
	if r.Version != version {
		return Run{}, errs.E(errs.Conflict, msgConflict)
	}
	return r, nil
}

// Start starts run id's clock; the first injects go out when their time
// comes.
func (s *Service) Start(ctx context.Context, a actor.Actor, id string, version int) (Run, error) {
	r, err := s.directed(ctx, a, id, version)
	if err != nil {
		return Run{}, err
	}
	if r.Status != Ready {
		return Run{}, errs.E(errs.Conflict, msgStarted)
	}
	now := s.clock.Now().UTC()
	r.Status, r.StartedAt = Running, &now
	return s.change(ctx, a, r, "start", nil, nil)
}

// Pause stops run id's clock: nothing goes out until it resumes.
func (s *Service) Pause(ctx context.Context, a actor.Actor, id string, version int) (Run, error) {
	r, err := s.directed(ctx, a, id, version)
	if err != nil {
		return Run{}, err
	}
	if r.Status != Running {
		return Run{}, errs.E(errs.Conflict, msgNotRunning)
	}
	now := s.clock.Now().UTC()
	r.Status, r.PausedAt = Paused, &now
	return s.change(ctx, a, r, "pause", nil, nil)
}

// Resume starts run id's clock again where it stood.
func (s *Service) Resume(ctx context.Context, a actor.Actor, id string, version int) (Run, error) {
	r, err := s.directed(ctx, a, id, version)
	if err != nil {
		return Run{}, err
	}
	if r.Status != Paused || r.PausedAt == nil {
		return Run{}, errs.E(errs.Conflict, msgNotPaused)
	}
	now := s.clock.Now().UTC()
	r.Paused += now.Sub(*r.PausedAt)
	r.Status, r.PausedAt = Running, nil
	return s.change(ctx, a, r, "resume", nil, nil)
}

// Stop ends run id: nothing more goes out, and every expectation still
// waiting is missed. A run stopped before it started is cancelled, and
// the players it invited get the cancellation.
func (s *Service) Stop(ctx context.Context, a actor.Actor, id string, version int) (Run, error) {
	r, err := s.directed(ctx, a, id, version)
	if err != nil {
		return Run{}, err
	}
	if r.Status == Ended {
		return Run{}, errs.E(errs.Conflict, msgEnded)
	}
	if r.Status != Ready {
		s.end(&r)
		return s.change(ctx, a, r, "stop", nil, nil)
	}
	s.end(&r)
	r.Cancelled = true
	if r.PlannedStart != nil {
		r.Sequence++
	}
	return s.change(ctx, a, r, "cancel", map[string]any{"sequence": r.Sequence}, func(tx *sql.Tx) error {
		return s.invite(ctx, tx, r, InviteCancel)
	})
}

// end sets r's clock to its end now.
func (s *Service) end(r *Run) {
	now := s.clock.Now().UTC()
	if r.PausedAt != nil {
		r.Paused += now.Sub(*r.PausedAt)
		r.PausedAt = nil
	}
	if r.StartedAt == nil {
		r.StartedAt = &now
	}
	r.Status, r.EndedAt = Ended, &now
}

// InjectNow sends inject key of run id at once, whatever its offset; it
// goes out only once, so the schedule will not send it again.
func (s *Service) InjectNow(ctx context.Context, a actor.Actor, id string, version int, key string) (Run, error) {
	r, err := s.directed(ctx, a, id, version)
	if err != nil {
		return Run{}, err
	}
	switch r.Status {
	case Ready:
		return Run{}, errs.E(errs.Conflict, msgNotStarted)
	case Ended:
		return Run{}, errs.E(errs.Conflict, msgEnded)
	}
	inj, ok := r.inject(key)
	if !ok {
		var f errs.Fields
		f.Add("inject", "choose an inject of this scenario")
		return Run{}, f.Err()
	}
	pocs, err := s.recipients(ctx, r, inj)
	if err != nil {
		return Run{}, err
	}
	return s.change(ctx, a, r, "inject_now", map[string]any{"inject": inj.Key}, func(tx *sql.Tx) error {
		_, err := s.deliver(ctx, tx, r, inj, pocs, true)
		if err != nil && !errs.Is(err, errs.Conflict) {
			return errs.Internalf(err, "deliver inject")
		}
		return err
	})
}

// change writes r's new status and clock over its version, with the
// audit entry, the next scheduling job when it runs, and whatever more
// the use case does in the same transaction.
func (s *Service) change(ctx context.Context, a actor.Actor, r Run, action string, details map[string]any, more func(tx *sql.Tx) error) (Run, error) {
	r.Version++
	r.UpdatedAt, r.UpdatedBy = s.clock.Now().UTC(), a.Label()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := updateClock(ctx, tx, r)
		if err != nil {
			return errs.Internalf(err, "update exercise run")
		}
		if !ok {
			return errs.E(errs.Conflict, msgConflict)
		}
		if more != nil {
			if err := more(tx); err != nil {
				return err
			}
		}
		if r.Status == Running {
			if err := s.scheduleTick(ctx, tx, r, r.UpdatedAt); err != nil {
				return err
			}
		}
		if r.Status == Ended {
			if _, err := missPending(ctx, tx, r.ID); err != nil {
				return errs.Internalf(err, "close expectations")
			}
		}
		return s.written(ctx, tx, a, r, action, details)
	})
	if err != nil {
		return Run{}, err
	}
	return s.load(ctx, a, r.ID)
}

// inject finds inject key in the scenario r plays.
func (r Run) inject(key string) (scenario.Inject, bool) {
	for _, inj := range r.Scenario.Injects {
		if inj.Key == key {
			return inj, true
		}
	}
	return scenario.Inject{}, false
}

// recipients are the active points of contact with an address, at the
// inject's level if that level takes part, of each State playing a
// receiving role.
func (s *Service) recipients(ctx context.Context, r Run, inj scenario.Inject) ([]directory.POC, error) {
	if !slices.Contains(r.Levels, inj.ToLevel) {
		return nil, nil
	}
	var out []directory.POC
	var seen []string
	for _, role := range inj.ToRoles {
		st := r.StateOf(role)
		if st == "" || slices.Contains(seen, st) {
			continue
		}
		seen = append(seen, st)
		pocs, err := s.dir.ActivePOCs(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, p := range pocs {
			if string(p.Level) == string(inj.ToLevel) && len(p.Emails) > 0 {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// deliver sends inj to pocs in tx: it records that the inject went out
// (a conflict if it had), a delivery per point of contact, the receiving
// States' expectations, and the mails.
func (s *Service) deliver(ctx context.Context, tx *sql.Tx, r Run, inj scenario.Inject, pocs []directory.POC, byDirector bool) (int, error) {
	now := s.clock.Now().UTC()
	at := r.Elapsed(now)
	first, err := insertFired(ctx, tx, r.ID, Fired{Inject: inj.Key, DeliveredAt: now, ScenarioAt: at, ByDirector: byDirector})
	if err != nil {
		return 0, err
	}
	if !first {
		return 0, errs.E(errs.Conflict, msgFired)
	}
	var mails []Mail
	reached := map[string]bool{}
	for _, p := range pocs {
		d := Delivery{ID: newID(), RunID: r.ID, Inject: inj.Key, State: p.State, POCID: p.ID, Level: inj.ToLevel,
			Encrypted: encrypts(p, now), DeliveredAt: now, ScenarioAt: at}
		if err := insertDelivery(ctx, tx, d); err != nil {
			return 0, err
		}
		reached[p.State] = true
		mails = append(mails, Mail{Delivery: d, POC: POC{ID: p.ID, State: p.State, Emails: p.Emails, Languages: p.Languages, PGPKey: p.PGPKey}})
	}
	for st := range reached {
		for _, e := range inj.Expected {
			if err := insertOutcome(ctx, tx, r.ID, outcomeRow{Inject: inj.Key, Expectation: e.Key, State: st, Level: inj.ToLevel, DeliveredAt: at}); err != nil {
				return 0, err
			}
		}
	}
	if len(mails) > 0 {
		if err := s.mailer.EnqueueExerciseMails(ctx, tx, r, inj, mails); err != nil {
			return 0, err
		}
	}
	return len(mails), nil
}

// encrypts reports whether mail to p goes encrypted, as notify decides:
// a key that parses and can encrypt.
func encrypts(p directory.POC, now time.Time) bool {
	if p.PGPKey == "" {
		return false
	}
	k, err := pgpkey.Parse(p.PGPKey, now)
	return err == nil && k.CanEncrypt
}
