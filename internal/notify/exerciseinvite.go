package notify

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/ical"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/mail"
)

// EnqueueExerciseInvitations writes a run's invitation, update or
// cancellation inside tx, one mail per point of contact, in its language:
// marked EXERCISE as every exercise mail is (outside the encryption too),
// with the run's calendar entry attached as a REQUEST or CANCEL under the
// run's UID and SEQUENCE, and encrypted where the POC has a key.
func (n *Notifier) EnqueueExerciseInvitations(ctx context.Context, tx *sql.Tx, r exercise.Run, kind exercise.InviteKind, pocs []exercise.POC) error {
	now := n.clock.Now()
	host := n.mailHost()
	batch := make([]jobs.New, 0, len(pocs))
	for _, p := range pocs {
		job, err := n.exerciseInvitation(r, kind, p, host, now)
		if err != nil {
			return err
		}
		batch = append(batch, job)
	}
	_, err := jobs.EnqueueMany(ctx, tx, n.db.Engine, now, batch)
	return err
}

func (n *Notifier) exerciseInvitation(r exercise.Run, kind exercise.InviteKind, poc exercise.POC, host string, now time.Time) (jobs.New, error) {
	pr := n.text.Printer(i18n.FirstOf(poc.Languages...))
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s/%d/%s", r.ID, poc.ID, r.Sequence, kind))
	msg := mail.Message{From: n.cfg.From, FromName: "detente", To: poc.Emails, Date: now,
		MessageID: "detente-exercise-invite-" + hex.EncodeToString(sum[:12]) + "@" + host,
		Headers:   map[string]string{"X-Detente-Exercise": r.ID}, Marking: exerciseHead}
	var subject string
	switch kind {
	case exercise.Invite:
		subject = pr.TC("exercise mail", "Invitation to the exercise {run}", "run", r.Title)
	case exercise.InviteUpdate:
		subject = pr.TC("exercise mail", "Exercise moved: {run}", "run", r.Title)
	default:
		subject = pr.TC("exercise mail", "Exercise cancelled: {run}", "run", r.Title)
	}
	msg.Subject = exerciseSubject(pr, subject)
	msg.Text = n.invitationText(pr, r, kind, poc)

	e := exercise.CalendarEvent(r, n.cfg.BaseURL, n.cfg.From, now)
	method := ical.Request
	if kind == exercise.InviteCancel {
		method, e.Status = ical.Cancel, ical.Cancelled
	}
	e.Attendees = []ical.Attendee{{Person: ical.Person{Name: attendeeName(poc.Name, poc.Function), Email: poc.Emails[0]}}}
	cal, err := (ical.Calendar{ProdID: exercise.ProdID, Method: method, Events: []ical.Event{e}}).Bytes()
	if err != nil {
		return jobs.New{}, fmt.Errorf("write exercise calendar: %w", err)
	}
	key := encryptionKey(poc.PGPKey, now)
	raw, err := buildWithCalendar(msg, cal, method, key)
	if err != nil {
		return jobs.New{}, fmt.Errorf("build exercise invitation: %w", err)
	}
	return jobs.New{Kind: JobMail, DedupeKey: msg.MessageID, Payload: MailJob{From: n.cfg.From, To: poc.Emails, Raw: raw, State: poc.State}}, nil
}

// invitationText is the body of an invitation written by pr: who invites,
// when (in the run's zone, and in the POC's when it differs), the
// scenario, the roles the POC's State plays, and the run's page.
func (n *Notifier) invitationText(pr *i18n.Printer, r exercise.Run, kind exercise.InviteKind, poc exercise.POC) string {
	var b strings.Builder
	b.WriteString(exerciseMark + "\n\n")
	director := pr.TC("mail", "the secretariat")
	if r.DirectorState != "" {
		director = stateIn(pr, r.DirectorState)
	}
	switch kind {
	case exercise.Invite:
		b.WriteString(pr.TC("exercise mail", "{director} invites you to a tabletop exercise of points of contact. Nothing an exercise sends is a real communication.", "director", director))
	case exercise.InviteUpdate:
		b.WriteString(pr.TC("exercise mail", "{director} has moved this exercise; your calendar entry is updated.", "director", director))
	default:
		b.WriteString(pr.TC("exercise mail", "This exercise will not take place as planned; your calendar entry is removed."))
	}
	b.WriteString("\n\n" + r.Title + "\n")
	b.WriteString(pr.TC("exercise mail", "Scenario: {scenario}", "scenario", r.Scenario.Title) + "\n")
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	start, end := *r.PlannedStart, r.PlannedStart.Add(r.Length())
	b.WriteString(pr.TC("mail", "When: {start} to {end} ({zone})", "start", pr.DateTime(start, loc), "end", pr.DateTime(end, loc), "zone", r.TimeZone) + "\n")
	if yours, err := time.LoadLocation(poc.TimeZone); err == nil && poc.TimeZone != "" && yours.String() != loc.String() {
		b.WriteString(pr.TC("mail", "In your time zone: {start} to {end} ({zone})", "start", pr.DateTime(start, yours), "end", pr.DateTime(end, yours), "zone", poc.TimeZone) + "\n")
	}
	var roles []string
	for _, a := range r.Assignments {
		if a.State != poc.State {
			continue
		}
		for _, role := range r.Scenario.Roles {
			if role.Key == a.Role {
				roles = append(roles, role.Name)
			}
		}
	}
	if len(roles) > 0 {
		b.WriteString(pr.TC("exercise mail", "Your State plays: {roles}", "roles", strings.Join(roles, "; ")) + "\n")
	}
	if kind != exercise.InviteCancel {
		b.WriteString("\n" + pr.TC("exercise mail", "During the exercise, its injects reach you by mail like this one. Its page, once you are signed in:") + "\n")
		b.WriteString(n.cfg.BaseURL + ExercisePath + r.ID + "\n")
	}
	b.WriteString("\n" + exerciseMark + "\n")
	return b.String()
}
