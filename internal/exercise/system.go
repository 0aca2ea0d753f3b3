package exercise

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/store"
)

// JobTick is the scheduler of a running run. It is stored, so it keeps
// its name.
const JobTick = "exercise.tick"

// tickJob names the run and the version of it that scheduled the job: a
// pause, a resume or a stop moves the version on, so the jobs of the
// clock before it do nothing, and pausing stops delivery.
type tickJob struct {
	Run     string `json:"run"`
	Version int    `json:"version"`
}

// Register sets the exercise jobs' handlers on q.
func (s *Service) Register(q *jobs.Queue) { q.Register(JobTick, s.tick) }

// scheduleTick enqueues, in tx, the job that wakes r when its next inject
// is due, or at the scenario's end; nothing when neither is ahead.
func (s *Service) scheduleTick(ctx context.Context, tx *sql.Tx, r Run, now time.Time) error {
	fired, err := selectFired(ctx, tx, r.ID)
	if err != nil {
		return errs.Internalf(err, "load injects sent")
	}
	gone := map[string]bool{}
	for _, f := range fired {
		gone[f.Inject] = true
	}
	next, found := time.Duration(0), false
	for _, inj := range r.Scenario.Injects {
		if !gone[inj.Key] && (!found || inj.Offset < next) {
			next, found = inj.Offset, true
		}
	}
	if d := r.Scenario.Duration; d > 0 && (!found || d < next) {
		next, found = d, true
	}
	if !found {
		return nil
	}
	at := r.WallAt(next)
	if at.Before(now) {
		at = now
	}
	_, err = jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobTick, RunAt: at, Payload: tickJob{Run: r.ID, Version: r.Version},
		DedupeKey: fmt.Sprintf("%s/%s/%d/%d", JobTick, r.ID, r.Version, next.Milliseconds())})
	if err != nil {
		return errs.Internalf(err, "schedule exercise")
	}
	return nil
}

// tick sends the injects of a running run whose time has come, each in a
// transaction of its own with its audit entry, ends the run at the
// scenario's end, and schedules the next tick. Workers in every instance
// may run it: an inject goes out in the transaction that first records it
// (insertFired), so two ticks never send one twice.
func (s *Service) tick(ctx context.Context, j jobs.Job) error {
	var p tickJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	r, err := selectRun(ctx, s.db.R, p.Run)
	if store.NoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.Status != Running || r.Version != p.Version {
		return nil
	}
	fired, err := selectFired(ctx, s.db.R, r.ID)
	if err != nil {
		return err
	}
	gone := map[string]bool{}
	for _, f := range fired {
		gone[f.Inject] = true
	}
	now := s.clock.Now().UTC()
	at := r.Elapsed(now)
	for _, inj := range r.Scenario.Injects {
		if gone[inj.Key] || inj.Offset > at {
			continue
		}
		pocs, err := s.recipients(ctx, r, inj)
		if err != nil {
			return err
		}
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			// Still running at this version: a pause committed since the
			// run was read stops what it has not sent.
			// Still running at this version: the row lock taken here
			// makes a pause or stop wait for this delivery, or this
			// delivery see the pause that committed first.
			n, err := store.Changed(tx.ExecContext(ctx, `UPDATE exercise_runs SET version = version WHERE id = $1 AND version = $2 AND status = $3`,
				r.ID, r.Version, string(Running)))
			if err != nil {
				return err
			}
			if n == 0 {
				return errStale
			}
			sent, err := s.deliver(ctx, tx, r, inj, pocs, false)
			if errs.Is(err, errs.Conflict) {
				return errStale
			}
			if err != nil {
				return err
			}
			return s.audit.Append(ctx, tx, actor.Scheduler, audit.Change{Action: "exercise.inject", ObjectType: "exercise_run", ObjectID: r.ID,
				State: r.DirectorState, Details: map[string]any{"inject": inj.Key, "points_of_contact": sent, "scenario_time": at.String()}})
		})
		if errors.Is(err, errStale) {
			continue
		}
		if err != nil {
			return err
		}
	}
	if d := r.Scenario.Duration; d > 0 && at >= d {
		before := r.Version
		s.end(&r)
		r.Version++
		r.UpdatedAt, r.UpdatedBy = now, actor.Scheduler.Label()
		return s.db.Tx(ctx, func(tx *sql.Tx) error {
			ok, err := updateClock(ctx, tx, r)
			if err != nil || !ok {
				return err
			}
			if _, err := missPending(ctx, tx, r.ID); err != nil {
				return err
			}
			return s.written(ctx, tx, actor.Scheduler, r, "end", map[string]any{"from_version": before})
		})
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.scheduleTick(ctx, tx, r, now) })
}

// errStale ends a delivery transaction that found the run paused, stopped
// or the inject sent by someone else.
var errStale = errs.E(errs.Conflict, msgFired)
