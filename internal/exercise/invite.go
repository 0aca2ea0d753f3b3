package exercise

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/ical"
	"github.com/detente/detente/internal/validate"
)

// A run with a planned start invites its players: every active point of
// contact, at the run's levels, of each participating State gets a mail
// with the run as an iCalendar REQUEST, and moving the start sends the
// same entry again with a higher SEQUENCE. Stopping a run before it has
// started, or taking its planned start away, sends the CANCEL. The run's
// entry is also in the calendar feed of every account of the director's
// side and of the participating States.
//
// The recipients are the directory's points of contact at the time of
// each mail: one who joined since the invitation gets the update as a
// first mail, which calendars take as the invitation it is.

// Limits of a planned start: from a day back, for a run recorded late, to
// two years ahead.
const (
	plannedLate  = 24 * time.Hour
	plannedAhead = 2 * 366 * 24 * time.Hour
)

// ProdID names detente as the product that wrote a run's calendar.
const ProdID = "-//detente//exercises//EN"

// checkSchedule reads in into r's planned start and zone.
func (s *Service) checkSchedule(f *errs.Fields, r *Run, in Schedule) {
	r.PlannedStart, r.TimeZone = nil, "UTC"
	zone := in.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	zone, problem := validate.TimeZone(zone)
	if problem != "" {
		f.Add("time_zone", problem)
		return
	}
	r.TimeZone = zone
	if in.Start.IsZero() {
		return
	}
	loc, _ := time.LoadLocation(zone)
	t := in.Start
	start := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, loc).UTC()
	now := s.clock.Now()
	if start.Before(now.Add(-plannedLate)) || start.After(now.Add(plannedAhead)) {
		f.Add("planned_start", "use a date from today up to two years ahead")
		return
	}
	r.PlannedStart = &start
}

// Reschedule sets, moves or takes away run id's planned start before it
// starts, and mails the players the new calendar entry (or its
// cancellation) under a higher SEQUENCE.
func (s *Service) Reschedule(ctx context.Context, a actor.Actor, id string, version int, in Schedule) (Run, error) {
	r, err := s.directed(ctx, a, id, version)
	if err != nil {
		return Run{}, err
	}
	if r.Status != Ready {
		return Run{}, errs.E(errs.Conflict, msgStarted)
	}
	before := r
	var f errs.Fields
	s.checkSchedule(&f, &r, in)
	if err := f.Err(); err != nil {
		return Run{}, err
	}
	moved := !samePlan(before.PlannedStart, r.PlannedStart)
	if !moved && before.TimeZone == r.TimeZone {
		return before, nil
	}
	kind := InviteUpdate
	switch {
	case before.PlannedStart == nil:
		kind = Invite
	case r.PlannedStart == nil:
		kind = InviteCancel
	}
	if moved && (before.PlannedStart != nil || r.Sequence > 0) {
		r.Sequence++ // something was mailed: calendars take only a higher one
	}
	details := map[string]any{"planned_start": r.PlannedStart, "time_zone": r.TimeZone, "sequence": r.Sequence}
	return s.change(ctx, a, r, "reschedule", details, func(tx *sql.Tx) error {
		if !moved {
			return nil // the zone it is shown in changed; the instant did not
		}
		cal := r
		if kind == InviteCancel {
			cal.PlannedStart = before.PlannedStart
		}
		return s.invite(ctx, tx, cal, kind)
	})
}

func samePlan(x, y *time.Time) bool {
	if x == nil || y == nil {
		return x == y
	}
	return x.Equal(*y)
}

// invite mails r's calendar entry of kind, in tx, to the points of
// contact its players are now.
func (s *Service) invite(ctx context.Context, tx *sql.Tx, r Run, kind InviteKind) error {
	if r.PlannedStart == nil {
		return nil
	}
	var pocs []POC
	for _, st := range r.States() {
		active, err := s.dir.ActivePOCs(ctx, st)
		if err != nil {
			return err
		}
		for _, p := range active {
			for _, l := range r.Levels {
				if string(p.Level) == string(l) && len(p.Emails) > 0 {
					pocs = append(pocs, POC{ID: p.ID, State: p.State, Level: l, Emails: p.Emails, Languages: p.Languages,
						PGPKey: p.PGPKey, TimeZone: p.TimeZone, Name: p.PersonName, Function: p.FunctionTitle})
				}
			}
		}
	}
	if len(pocs) == 0 {
		return nil
	}
	if err := s.mailer.EnqueueExerciseInvitations(ctx, tx, r, kind, pocs); err != nil {
		return errs.Internalf(err, "mail exercise invitations")
	}
	return nil
}

// CalendarEvent is r as an iCalendar event: the same UID and SEQUENCE in the
// mails and in the feed, so a calendar keeps one entry, from the planned
// start for as long as the run lasts at its speed. The summary is marked
// EXERCISE as everything a run sends is. r must have a planned start.
func CalendarEvent(r Run, baseURL, organizer string, stamp time.Time) ical.Event {
	start := *r.PlannedStart
	e := ical.Event{UID: r.ID + "@detente-exercise", Sequence: r.Sequence, Stamp: stamp, Start: start, End: start.Add(r.Length()),
		Zone: r.TimeZone, Summary: "[EXERCISE] " + r.Title, URL: baseURL + "/exercises/" + r.ID,
		Organizer: ical.Person{Name: "detente", Email: organizer}, Status: ical.Confirmed}
	if r.Cancelled {
		e.Status = ical.Cancelled
	}
	e.Description = "EXERCISE — " + r.Scenario.Title + "\n" + e.URL + "\n"
	return e
}

// feedSince is how far back a feed reaches; feedLimit bounds its runs.
const (
	feedSince = 90 * 24 * time.Hour
	feedLimit = 200
)

// FeedEvents are the runs with a planned start that a sees, from three
// months back, as calendar events: the runs of a's private feed.
func (s *Service) FeedEvents(ctx context.Context, a actor.Actor) ([]ical.Event, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	if !a.IsSecretariat() && a.State == "" {
		return nil, nil
	}
	now := s.clock.Now()
	runs, err := plannedRuns(ctx, s.db.R, a, now.Add(-feedSince).UTC(), feedLimit)
	if err != nil {
		return nil, errs.Internalf(err, "list planned exercise runs")
	}
	out := make([]ical.Event, 0, len(runs))
	for _, r := range runs {
		out = append(out, CalendarEvent(r, s.cfg.BaseURL, s.cfg.From, now))
	}
	return out, nil
}
