package messaging

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/store"
)

// Job kinds the messaging service schedules; package notify handles them.
const (
	JobDeliver  = "message.deliver"  // notify a recipient State's POCs
	JobRemind   = "message.remind"   // the acknowledgement deadline is near
	JobEscalate = "message.escalate" // the acknowledgement deadline passed
	JobExpire   = "message.expire"   // the response deadline passed
)

// DeliveryJob is the payload of the jobs above.
type DeliveryJob struct {
	MessageID string `json:"message_id"`
	State     string `json:"state"`
}

// remindAt is how far into the acknowledgement window a reminder goes out.
const remindAt = 0.75

// schedule enqueues, in the send's transaction, the notification of every
// recipient State and the reminder and escalation of its deadline.
func (s *Service) schedule(ctx context.Context, tx *sql.Tx, m Message) error {
	for _, d := range m.Deliveries {
		p := DeliveryJob{MessageID: m.ID, State: d.State}
		key := m.ID + "/" + d.State
		if _, err := jobs.Enqueue(ctx, tx, m.CreatedAt, jobs.New{Kind: JobDeliver, Payload: p, DedupeKey: JobDeliver + "/" + key}); err != nil {
			return errs.Internalf(err, "schedule delivery")
		}
		if d.ResponseDueAt != nil {
			if _, err := jobs.Enqueue(ctx, tx, m.CreatedAt, jobs.New{Kind: JobExpire, Payload: p, RunAt: *d.ResponseDueAt, DedupeKey: JobExpire + "/" + key}); err != nil {
				return errs.Internalf(err, "schedule expiry")
			}
		}
		if d.AckDueAt == nil {
			continue
		}
		window := d.AckDueAt.Sub(m.CreatedAt)
		at := m.CreatedAt.Add(time.Duration(float64(window) * remindAt))
		if _, err := jobs.Enqueue(ctx, tx, m.CreatedAt, jobs.New{Kind: JobRemind, Payload: p, RunAt: at, DedupeKey: JobRemind + "/" + key}); err != nil {
			return errs.Internalf(err, "schedule reminder")
		}
		if _, err := jobs.Enqueue(ctx, tx, m.CreatedAt, jobs.New{Kind: JobEscalate, Payload: p, RunAt: *d.AckDueAt, DedupeKey: JobEscalate + "/" + key}); err != nil {
			return errs.Internalf(err, "schedule escalation")
		}
	}
	return nil
}

// System is the part of messaging that the workers use: its methods act
// for the system rather than for a person, take no actor and check no
// permission. Only the application's wiring and the workers hold one; the
// web and API servers are given the Service alone.
type System struct{ s *Service }

// ForDelivery loads a message with all its parties, for notifying them.
func (y *System) ForDelivery(ctx context.Context, id string) (Message, error) {
	s := y.s
	m, err := selectMessage(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Message{}, errs.E(errs.NotFound, "no such message")
	}
	if err != nil {
		return Message{}, errs.Internalf(err, "load message")
	}
	if err := s.load(ctx, s.db.R, &m); err != nil {
		return Message{}, errs.Internalf(err, "load parties")
	}
	return m, nil
}

// MarkDelivered records that a notification reached the State.
func (y *System) MarkDelivered(ctx context.Context, messageID, state string) error {
	s := y.s
	if err := markDelivered(ctx, s.db.W, messageID, state, s.clock.Now()); err != nil {
		return errs.Internalf(err, "mark delivered")
	}
	return nil
}

// AwaitingAcknowledgement reports whether the State has yet to acknowledge.
func (y *System) AwaitingAcknowledgement(ctx context.Context, messageID, state string) (bool, error) {
	s := y.s
	status, err := deliveryStatus(ctx, s.db.R, messageID, state)
	if store.NoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, errs.Internalf(err, "load delivery")
	}
	return status == Queued || status == Delivered, nil
}

// Note records a scheduler event on the thread's timeline.
func (y *System) Note(ctx context.Context, m Message, state, kind, detail string) error {
	s := y.s
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.event(ctx, tx, m.ThreadID, m.ID, state, kind, actor.Scheduler, detail)
	})
}

// Escalate marks an unacknowledged delivery as escalated, once. It reports
// whether it did: a delivery acknowledged meanwhile, or already escalated,
// is left alone.
func (y *System) Escalate(ctx context.Context, m Message, state string) (bool, error) {
	s := y.s
	escalated := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		n, err := escalateDelivery(ctx, tx, m.ID, state, now)
		if err != nil {
			return errs.Internalf(err, "escalate")
		}
		if n == 0 {
			return nil
		}
		escalated = true
		if err := s.event(ctx, tx, m.ThreadID, m.ID, state, "escalated", actor.Scheduler, "not acknowledged by the deadline; the State's other levels were alerted"); err != nil {
			return err
		}
		if err := s.publishEscalated(ctx, tx, m, state); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, actor.Scheduler, audit.Change{Action: "message.escalate", ObjectType: "message", ObjectID: m.ID, State: state})
	})
	return escalated, err
}

// Register adds the handlers of the jobs the messaging service performs
// itself; notification jobs are package notify's.
func (y *System) Register(q *jobs.Queue) { q.Register(JobExpire, y.expire) }

// expire marks a delivery expired when its response deadline passes
// without an answer. A late answer still counts: it moves the delivery on
// to responded, and the timeline keeps both.
func (y *System) expire(ctx context.Context, j jobs.Job) error {
	s := y.s
	var p DeliveryJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	m, err := y.ForDelivery(ctx, p.MessageID)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		n, err := expireDelivery(ctx, tx, m.ID, p.State, now)
		if err != nil {
			return errs.Internalf(err, "expire")
		}
		if n == 0 {
			return nil // answered or closed in time
		}
		if err := s.event(ctx, tx, m.ThreadID, m.ID, p.State, "expired", actor.Scheduler, "no response by the deadline"); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, actor.Scheduler, audit.Change{Action: "message.expire", ObjectType: "message", ObjectID: m.ID, State: p.State})
	})
}
