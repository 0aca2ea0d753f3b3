// Package checks runs communication checks of the POC Directory (CBM 1
// (c)(i)): the secretariat opens a campaign over all States, regional
// groups or a list, at chosen levels; each POC in scope gets a single-use
// token by mail and acknowledges with a deliberate step (a POST from a
// confirm page, a button in the inbox, or the API), so a mail scanner that
// follows links acknowledges nothing. Results are response rates and times,
// and the POCs that could not be reached.
package checks

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
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
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

// Scope kinds.
const (
	ScopeAll     = "all"
	ScopeRegions = "regions"
	ScopeStates  = "states"
)

// Check statuses.
const (
	Scheduled = "scheduled"
	Open      = "open"
	Closed    = "closed"
)

// Acknowledgement channels.
const (
	ViaLink  = "link"
	ViaInbox = "inbox"
	ViaAPI   = "api"
)

// Job kinds.
const (
	JobOpen   = "ping.open"
	JobRemind = "ping.remind"
	JobClose  = "ping.close"
)

// Check is one communication check.
type Check struct {
	ID            string
	Name          string
	ScopeKind     string
	Scope         []string
	Levels        []string
	Status        string
	OpensAt       time.Time
	ClosesAt      time.Time
	ReminderAfter int
	RepeatMonths  int
	Published     bool
	PreviousID    string
	CreatedBy     string
	CreatedAt     time.Time
	OpenedAt      *time.Time
	ClosedAt      *time.Time
}

// Input is what the secretariat fills in.
type Input struct {
	Name          string
	ScopeKind     string
	Scope         []string
	Levels        []string
	OpensAt       time.Time // zero: now
	WindowHours   int       // how long POCs have to acknowledge
	ReminderAfter int       // hours; 0: no reminder
	RepeatMonths  int       // 0: once
}

// Challenge is one POC's check.
type Challenge struct {
	ID             string
	CheckID        string
	POCID          string
	State          string
	Region         string
	Level          string
	AccountID      string
	SentAt         *time.Time
	BouncedAt      *time.Time
	Bounce         string
	RemindedAt     *time.Time
	AcknowledgedAt *time.Time
	Channel        string
	AcknowledgedBy string
	// The POC's function and organisation as the check found them when it
	// opened: what the page of the mail's link names, without a read of
	// the directory for each of a check's thousands of answers.
	POCFunction     string
	POCOrganisation string
}

// ChallengeMail is one check mail to write: the challenge, the POC it goes to, and
// the token, which only the mail carries (the database keeps its hash).
type ChallengeMail struct {
	Challenge Challenge
	POC       directory.POC
	Token     string
}

// Sender delivers checks' mail; package notify provides it. Each call is
// made inside the transaction that created or renewed the challenges, so it
// should only enqueue. A campaign opens thousands of checks, hence a batch.
type Sender interface {
	EnqueueChallengeMails(ctx context.Context, tx *sql.Tx, c Check, ps []ChallengeMail, reminder bool) error
}

// Bounds of a campaign's schedule.
const (
	MaxWindow       = 90 * 24 * time.Hour      // the longest response window
	MaxLead         = 2 * 366 * 24 * time.Hour // how far ahead a check may be scheduled
	OpensGrace      = 10 * time.Minute         // an opening this far in the past means now
	MaxRepeatMonths = 24
)

// Config tunes campaigns.
type Config struct {
	MaxWindow time.Duration // at most MaxWindow
}

// Service implements the ping-test use cases.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	clock  clock.Clock
	dir    *directory.Service
	pocs   *directory.System
	sender Sender
	cfg    Config
	hooks  Publisher // nil publishes nothing
	times  *answerTimesKept
}

// New returns the service: dir and pocs are the directory's two sides,
// sender writes the check mails in a campaign's transaction, and events go
// to hooks (nil publishes nothing).
func New(db *store.DB, log *audit.Log, c clock.Clock, dir *directory.Service, pocs *directory.System, cfg Config, sender Sender, hooks Publisher) *Service {
	if cfg.MaxWindow <= 0 || cfg.MaxWindow > MaxWindow {
		cfg.MaxWindow = MaxWindow
	}
	return &Service{db: db, audit: log, clock: c, dir: dir, pocs: pocs, cfg: cfg, sender: sender, hooks: hooks, times: newAnswerTimesKept()}
}

// System is the part of the communication checks that the mail worker
// uses: it records what became of each check mail, takes no actor and
// checks no permission. Only the application's wiring and the workers hold
// one; the web and API servers are given the Service.
type System struct {
	db    *store.DB
	clock clock.Clock
}

// NewSystem returns the workers' side of the checks. It needs only the
// database, so the mail worker can be built before the Service that sends
// through it.
func NewSystem(db *store.DB, c clock.Clock) *System { return &System{db: db, clock: c} }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func newToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var levels = []string{string(directory.Diplomatic), string(directory.Policy), string(directory.Technical)}

// Create schedules a campaign. Only the secretariat runs checks.
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (Check, error) {
	if err := a.RequireWrite(); err != nil {
		return Check{}, err
	}
	if !a.IsSecretariat() {
		return Check{}, errs.E(errs.Forbidden, "only the secretariat runs communication checks")
	}
	now := s.clock.Now()
	var f errs.Fields
	c := Check{ID: newID(), ScopeKind: in.ScopeKind, Status: Scheduled,
		ReminderAfter: in.ReminderAfter, RepeatMonths: in.RepeatMonths, CreatedBy: a.Label(), CreatedAt: now}
	name, problem := validate.OneLine(in.Name, 200)
	switch {
	case problem != "":
		f.Add("name", problem)
	case name == "":
		f.Add("name", "name the check, e.g. Communication check; a repeating check adds each run's period")
	}
	switch in.ScopeKind {
	case ScopeAll:
		c.Scope = []string{}
	case ScopeRegions:
		for _, r := range in.Scope {
			if !slices.Contains(states.Regions(), r) {
				f.Add("scope", fmt.Sprintf("unknown regional group %q", r))
			} else if !slices.Contains(c.Scope, r) {
				c.Scope = append(c.Scope, r)
			}
		}
	case ScopeStates:
		for _, code := range in.Scope {
			code = strings.ToUpper(strings.TrimSpace(code))
			if _, ok := states.ByCode(code); !ok {
				f.Add("scope", fmt.Sprintf("unknown State %q", code))
			} else if !slices.Contains(c.Scope, code) {
				c.Scope = append(c.Scope, code)
			}
		}
	default:
		f.Add("scope_kind", "choose all States, regional groups or a list of States")
	}
	if in.ScopeKind != ScopeAll && len(c.Scope) == 0 {
		f.Add("scope", "choose at least one")
	}
	for _, l := range in.Levels {
		if !slices.Contains(levels, l) {
			f.Add("levels", fmt.Sprintf("unknown level %q", l))
		} else if !slices.Contains(c.Levels, l) {
			c.Levels = append(c.Levels, l)
		}
	}
	if len(c.Levels) == 0 {
		f.Add("levels", "choose at least one level")
	}
	// A time a little in the past is "now" (the form took a while to fill
	// in); one long past would open a check that should already be over.
	c.OpensAt = in.OpensAt.UTC()
	switch {
	case c.OpensAt.IsZero() || !c.OpensAt.Before(now.Add(-OpensGrace)) && c.OpensAt.Before(now):
		c.OpensAt = now
	case c.OpensAt.Before(now):
		f.Add("opens_at", "choose a time from now on, or leave it empty to open the check now")
	case c.OpensAt.After(now.Add(MaxLead)):
		f.Add("opens_at", "choose a time within two years from now")
	}
	// Hours are bounded before they become a Duration, which a huge number
	// would overflow into a window that closes before it opens.
	maxHours := int(s.cfg.MaxWindow / time.Hour)
	switch {
	case in.WindowHours < 1:
		f.Add("window_hours", "give points of contact at least one hour to answer")
	case in.WindowHours > maxHours:
		f.Add("window_hours", fmt.Sprintf("use at most %d hours (%d days)", maxHours, maxHours/24))
	}
	if in.ReminderAfter < 0 || in.ReminderAfter > 0 && (in.WindowHours < 1 || in.ReminderAfter >= in.WindowHours) {
		f.Add("reminder_after_hours", "remind within the response window (fewer hours than the window), or not at all (0)")
	}
	if in.RepeatMonths < 0 || in.RepeatMonths > MaxRepeatMonths {
		f.Add("repeat_months", fmt.Sprintf("repeat every 1 to %d months, or 0 for once", MaxRepeatMonths))
	}
	if err := f.Err(); err != nil {
		return Check{}, err
	}
	c.ClosesAt = c.OpensAt.Add(time.Duration(in.WindowHours) * time.Hour)
	c.Name = RunName(name, c.OpensAt, c.RepeatMonths)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertCheck(ctx, tx, c); err != nil {
			return errs.Internalf(err, "insert campaign")
		}
		if err := s.scheduleJobs(ctx, tx, c); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "ping.create", ObjectType: "ping_campaign", ObjectID: c.ID, Details: c})
	})
	return c, err
}

type campaignJob struct {
	CheckID string `json:"campaign_id"`
}

func (s *Service) scheduleJobs(ctx context.Context, tx *sql.Tx, c Check) error {
	p := campaignJob{CheckID: c.ID}
	now := s.clock.Now()
	if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobOpen, Payload: p, RunAt: c.OpensAt, DedupeKey: JobOpen + "/" + c.ID}); err != nil {
		return errs.Internalf(err, "schedule open")
	}
	if c.ReminderAfter > 0 {
		at := c.OpensAt.Add(time.Duration(c.ReminderAfter) * time.Hour)
		if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobRemind, Payload: p, RunAt: at, DedupeKey: JobRemind + "/" + c.ID}); err != nil {
			return errs.Internalf(err, "schedule reminder")
		}
	}
	if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobClose, Payload: p, RunAt: c.ClosesAt, DedupeKey: JobClose + "/" + c.ID}); err != nil {
		return errs.Internalf(err, "schedule close")
	}
	return nil
}

func (s *Service) campaign(ctx context.Context, q store.Queryer, id string) (Check, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Check{}, errs.E(errs.NotFound, "no such campaign")
	}
	c, err := selectCheck(ctx, q, id)
	if store.NoRows(err) {
		return Check{}, errs.E(errs.NotFound, "no such campaign")
	}
	if err != nil {
		return Check{}, errs.Internalf(err, "load campaign")
	}
	return c, nil
}

// Checks lists campaigns, newest first: all for the secretariat; for a
// State, the campaigns it took part in.
func (s *Service) Checks(ctx context.Context, a actor.Actor) ([]Check, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	cs, err := selectChecks(ctx, s.db.R, scopeOf(a))
	if err != nil {
		return nil, errs.Internalf(err, "list checks")
	}
	return cs, nil
}

// scopeOf is whose campaigns a may see: all for the secretariat; for a
// State, those it took part in.
func scopeOf(a actor.Actor) checkScope {
	if a.IsSecretariat() {
		return checkScope{all: true}
	}
	return checkScope{state: a.State}
}

// Check returns one campaign to those who may see it.
func (s *Service) Check(ctx context.Context, a actor.Actor, id string) (Check, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Check{}, err
	}
	c, err := s.campaign(ctx, s.db.R, id)
	if err != nil {
		return Check{}, err
	}
	if !a.IsSecretariat() {
		n, err := countStateChallenges(ctx, s.db.R, id, a.State)
		if err != nil {
			return Check{}, errs.Internalf(err, "check participation")
		}
		if n == 0 {
			return Check{}, errs.E(errs.NotFound, "no such campaign")
		}
	}
	return c, nil
}

// SetPublished shows or hides a closed campaign's aggregate results to the
// public. The figures are never broken down by State in public.
func (s *Service) SetPublished(ctx context.Context, a actor.Actor, id string, published bool) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if !a.IsSecretariat() {
		return errs.E(errs.Forbidden, "only the secretariat publishes results")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.campaign(ctx, tx, id)
		if err != nil {
			return err
		}
		if published && c.Status != Closed {
			return errs.E(errs.Conflict, "publish results once the campaign has closed")
		}
		if err := setPublished(ctx, tx, id, published); err != nil {
			return errs.Internalf(err, "publish")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "ping.publish", ObjectType: "ping_campaign", ObjectID: id, Details: map[string]bool{"published": published}})
	})
}

func uuidParse(s string) (uuid.UUID, error) { return uuid.Parse(s) }

// CanPublish reports whether a may publish c's aggregates: the secretariat,
// once c has closed, if they are not public yet. Pages ask it to decide
// whether to offer the button; SetPublished checks again.
func (s *Service) CanPublish(a actor.Actor, c Check) bool {
	return a.RequireWrite() == nil && a.IsSecretariat() && c.Status == Closed && !c.Published
}

// CanWithdraw reports whether a may withdraw c's published aggregates.
func (s *Service) CanWithdraw(a actor.Actor, c Check) bool {
	return a.RequireWrite() == nil && a.IsSecretariat() && c.Published
}
