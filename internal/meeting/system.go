package meeting

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/ical"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

// Job kinds. They are stored, so they keep their names.
const (
	JobMail   = "meeting.mail"   // bring every invitee's calendar up to a version of a meeting
	JobRemind = "meeting.remind" // remind the invitees shortly before
)

type mailJob struct {
	Meeting string `json:"meeting"`
	Version int    `json:"version"`
}

type remindJob struct {
	Meeting string    `json:"meeting"`
	Start   time.Time `json:"start"`
}

// Register sets the meeting jobs' handlers on q.
func (s *Service) Register(q *jobs.Queue) {
	q.Register(JobMail, s.mailInvitees)
	q.Register(JobRemind, s.remind)
}

// mailInvitees brings the invitations of a meeting up to its version: it
// invites the active POCs of the invited States at the invited levels
// (new POCs included), cancels for those no longer invited, mails an
// update to those who have an older SEQUENCE, and a cancellation to all
// once the meeting is cancelled. A job of an older version does nothing:
// the newer one's job does it all. Each invitation or update mail carries
// a fresh answer link; the previous one stops working.
func (s *Service) mailInvitees(ctx context.Context, j jobs.Job) error {
	var p mailJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	m, err := selectMeeting(ctx, s.db.R, p.Meeting)
	if store.NoRows(err) {
		return jobs.Permanent(errs.E(errs.NotFound, msgNotFound))
	}
	if err != nil {
		return err
	}
	if m.Version != p.Version {
		return nil
	}
	audience := map[string]directory.POC{}
	if m.Status == Scheduled {
		for _, st := range m.Invited {
			pocs, err := s.dir.ActivePOCs(ctx, st)
			if err != nil {
				return err
			}
			for _, poc := range pocs {
				if len(poc.Emails) > 0 && (len(m.Levels) == 0 || slices.Contains(m.Levels, Level(poc.Level))) {
					audience[poc.ID] = poc
				}
			}
		}
	}
	known := map[string]directory.POC{} // POCs that were invited and may need a cancellation
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		invs, err := selectInvitations(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, i := range invs {
			have[i.POCID] = true
		}
		for id, poc := range audience {
			if have[id] {
				continue
			}
			i := Invitation{ID: newID(), MeetingID: m.ID, POCID: id, State: poc.State, Level: Level(poc.Level), Answer: NeedsAction, SentSequence: -1}
			if err := insertInvitation(ctx, tx, i); err != nil {
				return err
			}
			invs = append(invs, i)
		}
		var mails []Mail
		counts := map[MailKind]int{}
		for _, i := range invs {
			poc, in := audience[i.POCID]
			switch {
			case in && (i.Removed || i.SentSequence < m.Sequence):
				kind := MailUpdate
				if i.SentSequence < 0 || i.Removed {
					kind = MailInvite
				}
				token := newToken()
				h := hashToken(token)
				if err := setMailed(ctx, tx, i.ID, m.Sequence, &h, false, false); err != nil {
					return err
				}
				i.Removed, i.SentSequence = false, m.Sequence
				mails = append(mails, Mail{Kind: kind, Invitation: i, POC: poc, Token: token})
				counts[kind]++
			case !in && !i.Removed && !i.CancelSent:
				// Off the list (a State or level taken off, a POC retired,
				// or the meeting cancelled): a cancellation if it was
				// mailed. A cancelled meeting keeps its invitations, and
				// their answers, on record.
				cancel := i.SentSequence >= 0
				if err := setMailed(ctx, tx, i.ID, max(i.SentSequence, m.Sequence), nil, m.Status == Scheduled, cancel); err != nil {
					return err
				}
				if cancel {
					known[i.POCID] = directory.POC{}
					i.Removed = true
					mails = append(mails, Mail{Kind: MailCancel, Invitation: i})
					counts[MailCancel]++
				}
			}
		}
		if len(known) > 0 {
			// The POCs of cancellations are looked up as they are now; an
			// entry retired meanwhile is no one's address any more.
			if mails, err = s.fillPOCs(ctx, mails); err != nil {
				return err
			}
		}
		if err := recount(ctx, tx, m.ID); err != nil {
			return err
		}
		if len(mails) == 0 {
			return nil
		}
		if err := s.mailer.EnqueueMeetingMails(ctx, tx, m, mails); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, actor.Scheduler, audit.Change{Action: "meeting.mail", ObjectType: "meeting", ObjectID: m.ID,
			State: m.OrganiserState, Details: map[string]any{"version": m.Version, "sequence": m.Sequence,
				"invitations": counts[MailInvite], "updates": counts[MailUpdate], "cancellations": counts[MailCancel]}})
	})
}

// fillPOCs looks up the active POC of each mail that lacks one, and
// drops the mails of POCs no longer active.
func (s *Service) fillPOCs(ctx context.Context, mails []Mail) ([]Mail, error) {
	byState := map[string][]directory.POC{}
	for k := range mails {
		ml := &mails[k]
		if ml.POC.ID != "" {
			continue
		}
		pocs, ok := byState[ml.Invitation.State]
		if !ok {
			var err error
			if pocs, err = s.dir.ActivePOCs(ctx, ml.Invitation.State); err != nil {
				return nil, err
			}
			byState[ml.Invitation.State] = pocs
		}
		for _, p := range pocs {
			if p.ID == ml.Invitation.POCID && len(p.Emails) > 0 {
				ml.POC = p
			}
		}
	}
	return slices.DeleteFunc(mails, func(ml Mail) bool { return ml.POC.ID == "" }), nil
}

// remind mails the invitees who have not declined, shortly before the
// meeting, each with a fresh answer link. A reminder for a start that has
// since moved, or for a cancelled meeting, does nothing.
func (s *Service) remind(ctx context.Context, j jobs.Job) error {
	var p remindJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	m, err := selectMeeting(ctx, s.db.R, p.Meeting)
	if store.NoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.Status != Scheduled || !m.Start.Equal(p.Start.UTC()) {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		invs, err := selectInvitations(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		var mails []Mail
		for _, i := range invs {
			if i.Removed || i.SentSequence < 0 || i.Answer == Declined {
				continue
			}
			token := newToken()
			if err := setToken(ctx, tx, i.ID, hashToken(token)); err != nil {
				return err
			}
			mails = append(mails, Mail{Kind: MailReminder, Invitation: i, Token: token})
		}
		if mails, err = s.fillPOCs(ctx, mails); err != nil || len(mails) == 0 {
			return err
		}
		if err := s.mailer.EnqueueMeetingMails(ctx, tx, m, mails); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, actor.Scheduler, audit.Change{Action: "meeting.remind", ObjectType: "meeting", ObjectID: m.ID,
			State: m.OrganiserState, Details: map[string]any{"reminders": len(mails)}})
	})
}

// The private calendar feed: a secret address per account, of which only
// the hash is kept, listing the meetings the account sees and the
// exercise runs it plays.

// FeedToken makes a new secret for a's calendar feed, replacing any
// earlier one (whose address stops working), and returns it once.
func (s *Service) FeedToken(ctx context.Context, a actor.Actor) (string, error) {
	if err := a.RequireSignedIn(); err != nil {
		return "", err
	}
	if a.ReadOnly {
		return "", errs.E(errs.Forbidden, "this token may only read")
	}
	token := newToken()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := putFeed(ctx, tx, a.AccountID, hashToken(token), s.clock.Now().UTC()); err != nil {
			return errs.Internalf(err, "store feed")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "meeting.feed", ObjectType: "account", ObjectID: a.AccountID, State: a.State})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// FeedCreated is when a's current calendar feed address was made, or nil
// when a has none.
func (s *Service) FeedCreated(ctx context.Context, a actor.Actor) (*time.Time, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	at, err := feedCreated(ctx, s.db.R, a.AccountID)
	if store.NoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Internalf(err, "load feed")
	}
	return &at, nil
}

// RevokeFeed ends a's calendar feed; its address stops working.
func (s *Service) RevokeFeed(ctx context.Context, a actor.Actor) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	if a.ReadOnly {
		return errs.E(errs.Forbidden, "this token may only read")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := deleteFeed(ctx, tx, a.AccountID)
		if err != nil {
			return errs.Internalf(err, "revoke feed")
		}
		if n == 0 {
			return nil
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "meeting.feed_revoke", ObjectType: "account", ObjectID: a.AccountID, State: a.State})
	})
}

// feedLimit bounds a feed; feedSince is how far back it reaches.
const (
	feedLimit = 500
	feedSince = 90 * 24 * time.Hour
)

// Feed returns the iCalendar text of the feed whose secret is token: the
// meetings its account sees, from three months back, as that account sees
// them (venue and link only where it may), and the entries of the other
// feed sources (exercise runs). A wrong or revoked token, or a
// disabled account, is not found.
func (s *Service) Feed(ctx context.Context, token string) ([]byte, error) {
	notFound := errs.E(errs.NotFound, msgFeed)
	if token == "" || len(token) > 100 || validate.Encoding(token) != "" {
		return nil, notFound
	}
	id, err := feedAccount(ctx, s.db.R, hashToken(token))
	if store.NoRows(err) {
		return nil, notFound
	}
	if err != nil {
		return nil, errs.Internalf(err, "load feed")
	}
	h, err := s.accounts.Holder(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	if h.Disabled {
		return nil, notFound
	}
	a := actor.Actor{AccountID: id, Role: h.Role, State: h.State, ReadOnly: true}
	ms, err := feedMeetings(ctx, s.db.R, a, s.clock.Now().UTC().Add(-feedSince), feedLimit)
	if err != nil {
		return nil, errs.Internalf(err, "list meetings")
	}
	if err := s.personalise(ctx, a, ms); err != nil {
		return nil, err
	}
	cal := ical.Calendar{ProdID: ProdID, Method: ical.Publish, Name: "detente"}
	for _, m := range ms {
		cal.Events = append(cal.Events, Event(m, s.cfg.BaseURL, s.clock.Now(), m.Private))
	}
	for _, src := range s.cfg.Feeds {
		more, err := src.FeedEvents(ctx, a)
		if err != nil {
			return nil, err
		}
		cal.Events = append(cal.Events, more...)
	}
	out, err := cal.Bytes()
	if err != nil {
		return nil, errs.Internalf(err, "write feed")
	}
	return out, nil
}

// ProdID names detente as the product that wrote a calendar.
const ProdID = "-//detente//meetings//EN"

// Event is m as an iCalendar event, without attendees: the same UID and
// SEQUENCE in the feed as in the mails, so calendars see one event. The
// venue and video link go in only when private is set.
func Event(m Meeting, baseURL string, stamp time.Time, private bool) ical.Event {
	e := ical.Event{UID: m.ID + "@detente", Sequence: m.Sequence, Stamp: stamp, Start: m.Start, End: m.End, Zone: m.TimeZone,
		Summary: m.Title, URL: baseURL + "/meetings/" + m.ID, Organizer: ical.Person{Name: m.Contact.Name, Email: m.Contact.Email},
		Status: ical.Confirmed}
	if m.Status == Cancelled {
		e.Status = ical.Cancelled
	}
	var desc []byte
	for k, it := range m.Agenda {
		desc = append(desc, []byte(strconv.Itoa(k+1)+". "+it.Title+"\n")...)
		if it.Notes != "" {
			desc = append(desc, []byte(it.Notes+"\n")...)
		}
	}
	if private {
		e.Location = m.Venue
		if m.VideoURL != "" {
			if e.Location != "" {
				e.Location += " — "
			}
			e.Location += m.VideoURL
			desc = append(desc, []byte("\n"+m.VideoURL+"\n")...)
		}
	}
	e.Description = string(desc)
	return e
}
