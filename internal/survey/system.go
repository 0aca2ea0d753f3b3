package survey

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/store"
)

// JobRemind reminds the administrators of every State that has not
// submitted its report, before a cycle's deadline. It is stored, so it
// keeps its name.
const JobRemind = "survey.remind"

// RemindBefore is how long before the end of a cycle's last day its
// reminder goes out.
const RemindBefore = 14 * 24 * time.Hour

type remindJob struct {
	Cycle string `json:"cycle"`
}

// Admins lists the States' administrators to remind.
type Admins interface {
	StateAdmins(ctx context.Context) ([]access.Admin, error)
}

// Reminder writes the reminders' mails inside the caller's transaction;
// the notifier implements it, so the survey does not know how mail
// travels.
type Reminder interface {
	EnqueueSurveyReminders(ctx context.Context, tx *sql.Tx, c Cycle, to []access.Admin) error
}

// System is the survey's side for the workers.
type System struct {
	s      *Service
	admins Admins
	mail   Reminder
}

// NewSystem returns the worker side of s.
func NewSystem(s *Service, admins Admins, mail Reminder) *System {
	return &System{s: s, admins: admins, mail: mail}
}

// Register sets the survey's job handlers on q.
func (y *System) Register(q *jobs.Queue) { q.Register(JobRemind, y.remind) }

// scheduleReminder enqueues the cycle's reminder, when its time is still
// ahead.
func scheduleReminder(ctx context.Context, tx *sql.Tx, c Cycle, now time.Time) error {
	at := c.Deadline.AddDate(0, 0, 1).Add(-RemindBefore)
	if !at.After(now) {
		return nil
	}
	_, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobRemind, RunAt: at, Payload: remindJob{Cycle: c.ID}, DedupeKey: JobRemind + "/" + c.ID})
	return err
}

// remind mails the administrators of the States whose report of the
// cycle is not submitted, each once.
func (y *System) remind(ctx context.Context, j jobs.Job) error {
	var p remindJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	db := y.s.db
	c, err := selectCycle(ctx, db.R, p.Cycle)
	if store.NoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Closed(y.s.clock.Now()) {
		return nil
	}
	admins, err := y.admins.StateAdmins(ctx)
	if err != nil {
		return err
	}
	done, err := submittedStates(ctx, db.R, c.ID)
	if err != nil {
		return err
	}
	var to []access.Admin
	states := map[string]bool{}
	for _, a := range admins {
		if !done[a.State] {
			to = append(to, a)
			states[a.State] = true
		}
	}
	if len(to) == 0 {
		return nil
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if err := y.mail.EnqueueSurveyReminders(ctx, tx, c, to); err != nil {
			return err
		}
		return y.s.audit.Append(ctx, tx, actor.Scheduler, audit.Change{Action: "survey.remind", ObjectType: "survey_cycle", ObjectID: c.ID,
			Details: map[string]any{"administrators": len(to), "states": len(states)}})
	})
}
