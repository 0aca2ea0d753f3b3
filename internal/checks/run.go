package checks

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
)

// Register sets the campaign jobs' handlers on q.
func (s *Service) Register(q *jobs.Queue) {
	q.Register(JobOpen, s.open)
	q.Register(JobRemind, s.remind)
	q.Register(JobClose, s.close)
}

// inScope reports whether a participating State is covered by c.
func inScope(c Check, st directory.State) bool {
	switch c.ScopeKind {
	case ScopeRegions:
		return slices.Contains(c.Scope, st.Region)
	case ScopeStates:
		return slices.Contains(c.Scope, st.Code)
	}
	return true
}

// open snapshots the POCs in scope into challenges and mails each its token.
// It runs once per campaign (a dedupe key on the job and a status check).
func (s *Service) open(ctx context.Context, j jobs.Job) error {
	var p campaignJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	if s.sender == nil {
		return errs.E(errs.Internal, "no sender configured for communication checks")
	}
	sts, err := s.dir.States(ctx, actor.Scheduler)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.campaign(ctx, tx, p.CheckID)
		if err != nil {
			return jobs.Permanent(err)
		}
		if c.Status != Scheduled {
			return nil
		}
		now := s.clock.Now()
		n, perState := 0, map[string]int{}
		batch := make([]ChallengeMail, 0, openBatch)
		for _, st := range sts {
			if !st.Participating() || !inScope(c, st) {
				continue
			}
			pocs, err := s.pocs.ActivePOCs(ctx, st.Code)
			if err != nil {
				return err
			}
			for _, poc := range pocs {
				if !slices.Contains(c.Levels, string(poc.Level)) {
					continue
				}
				ch := Challenge{ID: newID(), CheckID: c.ID, POCID: poc.ID, State: st.Code, Region: st.Region, Level: string(poc.Level), AccountID: poc.AccountID}
				batch = append(batch, ChallengeMail{Challenge: ch, POC: poc, Token: newToken()})
				if len(batch) == openBatch {
					if err := s.insertChallenges(ctx, tx, c, batch); err != nil {
						return err
					}
					batch = batch[:0]
				}
				n++
				perState[st.Code]++
			}
		}
		if err := s.insertChallenges(ctx, tx, c, batch); err != nil {
			return err
		}
		if err := markOpened(ctx, tx, c.ID, now); err != nil {
			return errs.Internalf(err, "open campaign")
		}
		if err := s.publishOpened(ctx, tx, c, now, perState); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, actor.Scheduler, audit.Change{Action: "ping.open", ObjectType: "ping_campaign", ObjectID: c.ID, Details: map[string]int{"challenges": n}})
	})
}

// openBatch is how many challenges, and their mails, opening writes to a
// statement: a campaign over every State makes thousands, and a statement
// each costs a round trip on PostgreSQL and a parse on SQLite, whose one
// writer waits meanwhile. 4000 parameters stay far below SQLite's limit
// (32766) and PostgreSQL's (65535).
const openBatch = 500

// insertChallenges writes the challenges of ps in one statement and
// enqueues the mails of those whose POC has an address.
func (s *Service) insertChallenges(ctx context.Context, tx *sql.Tx, c Check, ps []ChallengeMail) error {
	if len(ps) == 0 {
		return nil
	}
	if err := insertChallengeRows(ctx, tx, s.db.Engine, c.ID, ps); err != nil {
		return errs.Internalf(err, "insert challenges")
	}
	mails := make([]ChallengeMail, 0, len(ps))
	for _, p := range ps {
		if len(p.POC.Emails) > 0 {
			mails = append(mails, p)
		}
	}
	if len(mails) == 0 {
		return nil
	}
	return s.sender.EnqueueChallengeMails(ctx, tx, c, mails, false)
}

// remind mails POCs that have not answered a new token: the old one
// stays valid, so whichever mail the POC opens works.
func (s *Service) remind(ctx context.Context, j jobs.Job) error {
	var p campaignJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.campaign(ctx, tx, p.CheckID)
		if err != nil {
			return jobs.Permanent(err)
		}
		if c.Status != Open {
			return nil
		}
		pending, err := unremindedChallenges(ctx, tx, c.ID)
		if err != nil {
			return errs.Internalf(err, "list challenges")
		}
		now := s.clock.Now()
		var mails []ChallengeMail
		for _, ch := range pending {
			poc, err := s.dir.POC(ctx, actor.Operator, ch.POCID)
			if err != nil || poc.Status != directory.Active || len(poc.Emails) == 0 {
				continue
			}
			// A fresh token in the reminder; its hash replaces the first
			// one's, so only the newest mail's link works.
			token := newToken()
			if err := renewToken(ctx, tx, ch.ID, hashToken(token), now); err != nil {
				return errs.Internalf(err, "remind")
			}
			mails = append(mails, ChallengeMail{Challenge: ch, POC: poc, Token: token})
		}
		return s.sender.EnqueueChallengeMails(ctx, tx, c, mails, true)
	})
}

// close ends a campaign and, for a recurring one, schedules the next.
func (s *Service) close(ctx context.Context, j jobs.Job) error {
	var p campaignJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.campaign(ctx, tx, p.CheckID)
		if err != nil {
			return jobs.Permanent(err)
		}
		if c.Status == Closed {
			return nil
		}
		now := s.clock.Now()
		if err := markClosed(ctx, tx, c.ID, now); err != nil {
			return errs.Internalf(err, "close campaign")
		}
		if err := s.publishClosed(ctx, tx, c, now); err != nil {
			return err
		}
		if err := s.audit.Append(ctx, tx, actor.Scheduler, audit.Change{Action: "ping.close", ObjectType: "ping_campaign", ObjectID: c.ID}); err != nil {
			return err
		}
		if c.RepeatMonths == 0 {
			return nil
		}
		next := c
		next.ID, next.PreviousID, next.Status, next.Published = newID(), c.ID, Scheduled, false
		next.OpensAt = c.OpensAt.AddDate(0, c.RepeatMonths, 0)
		next.ClosesAt = next.OpensAt.Add(c.ClosesAt.Sub(c.OpensAt))
		next.Name = nextRunName(c, next.OpensAt)
		next.CreatedAt, next.OpenedAt, next.ClosedAt = now, nil, nil
		if err := insertCheck(ctx, tx, next); err != nil {
			return errs.Internalf(err, "insert campaign")
		}
		return s.scheduleJobs(ctx, tx, next)
	})
}

// MarkSent and MarkBounced record what the mail worker learnt.
func (y *System) MarkSent(ctx context.Context, tx *sql.Tx, challengeID string) error {
	return markSent(ctx, tx, challengeID, y.clock.Now())
}

// MarkBounced records a permanent delivery failure: the POC is unreachable
// by mail.
func (y *System) MarkBounced(ctx context.Context, tx *sql.Tx, challengeID, reason string) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return markBounced(ctx, tx, challengeID, y.clock.Now(), reason)
}

// Confirmation is what the confirm page shows before the POC acknowledges.
type Confirmation struct {
	Check     Check
	Challenge Challenge
	StateName string
	POC       directory.POC
}

// byToken finds a token's challenge and its campaign in one query, kept
// prepared on SQLite: the confirm page is opened and posted once per POC,
// thousands of times as a campaign opens. The POC is named as the check
// found it, from the challenge: the page reads nothing of the directory.
func (s *Service) byToken(ctx context.Context, token string) (Confirmation, error) {
	ch, c, err := tokenChallenge(ctx, s.db.Kept(), hashToken(token))
	if store.NoRows(err) {
		return Confirmation{}, errs.E(errs.NotFound, "this check link is not valid; it may have been replaced by a newer reminder")
	}
	if err != nil {
		return Confirmation{}, errs.Internalf(err, "look up token")
	}
	chk := Confirmation{Check: c, Challenge: ch, StateName: ch.State,
		POC: directory.POC{ID: ch.POCID, State: ch.State, Level: directory.Level(ch.Level), FunctionTitle: ch.POCFunction, Organisation: ch.POCOrganisation}}
	if st, ok := states.ByCode(ch.State); ok {
		chk.StateName = st.Name
	}
	return chk, nil
}

// Peek looks a token up without acknowledging: following the link (as mail
// scanners do) changes nothing.
func (s *Service) Peek(ctx context.Context, token string) (Confirmation, error) {
	return s.byToken(ctx, token)
}

// AcknowledgeToken records the answer of whoever holds the emailed token,
// and returns the Confirmation as it stands after the answer.
func (s *Service) AcknowledgeToken(ctx context.Context, token, remoteAddr string) (Confirmation, error) {
	chk, err := s.byToken(ctx, token)
	if err != nil {
		return Confirmation{}, err
	}
	return chk, s.acknowledge(ctx, chk.Check, &chk.Challenge, ViaLink, "link from "+remoteAddr, actor.Actor{})
}

// AcknowledgeAsAccount records the answer of the person whose account is
// linked to the challenged POC, from the inbox or the API.
func (s *Service) AcknowledgeAsAccount(ctx context.Context, a actor.Actor, challengeID, channel string) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	if _, err := uuidParse(challengeID); err != nil {
		return errs.E(errs.NotFound, "no such check")
	}
	pocs, err := s.pocs.LinkedPOCs(ctx, a.AccountID)
	if err != nil {
		return err
	}
	if len(pocs) == 0 {
		return errs.E(errs.NotFound, "no such check")
	}
	ch, err := pocChallenge(ctx, s.db.R, challengeID, pocs)
	if store.NoRows(err) {
		return errs.E(errs.NotFound, "no such check")
	}
	if err != nil {
		return errs.Internalf(err, "load challenge")
	}
	c, err := s.campaign(ctx, s.db.R, ch.CheckID)
	if err != nil {
		return err
	}
	return s.acknowledge(ctx, c, &ch, channel, a.Label(), a)
}

// acknowledge records the answer to ch and, if it was this call's, notes it
// in ch.
func (s *Service) acknowledge(ctx context.Context, c Check, ch *Challenge, channel, by string, a actor.Actor) error {
	if c.Status == Closed {
		return errs.E(errs.Conflict, "this communication check closed on %s", c.ClosesAt.UTC().Format("2 Jan 2006 15:04 UTC"))
	}
	if ch.AcknowledgedAt != nil {
		return nil // a second click is harmless
	}
	var now time.Time
	answered := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now = s.clock.Now()
		first, err := acknowledgeChallenge(ctx, tx, s.db.Engine, ch.ID, now, channel, by)
		if err != nil {
			return errs.Internalf(err, "acknowledge")
		}
		if !first {
			return nil
		}
		who := a
		if !who.Authenticated() {
			who = actor.Actor{Email: "holder of the check link for POC " + ch.POCID}
		}
		answered = true
		return s.audit.Append(ctx, tx, who, audit.Change{Action: "ping.acknowledge", ObjectType: "ping_challenge", ObjectID: ch.ID, State: ch.State,
			Details: map[string]string{"channel": channel}})
	})
	if err == nil && answered {
		ch.AcknowledgedAt, ch.Channel, ch.AcknowledgedBy = &now, channel, by
	}
	return err
}

// Pending lists the open checks the caller can answer from the inbox.
func (s *Service) Pending(ctx context.Context, a actor.Actor) ([]Confirmation, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	pocs, err := s.pocs.LinkedPOCs(ctx, a.AccountID)
	if err != nil || len(pocs) == 0 {
		return nil, err
	}
	chs, err := pendingChallenges(ctx, s.db.R, pocs)
	if err != nil {
		return nil, errs.Internalf(err, "list challenges")
	}
	var out []Confirmation
	for _, ch := range chs {
		c, err := s.campaign(ctx, s.db.R, ch.CheckID)
		if err != nil {
			return nil, err
		}
		poc, err := s.dir.POC(ctx, actor.Operator, ch.POCID)
		if err != nil {
			return nil, err
		}
		out = append(out, Confirmation{Check: c, Challenge: ch, POC: poc, StateName: ch.State})
	}
	return out, nil
}

// PendingCount is how many open checks wait for the caller's answer, for
// the navigation's badge; cheaper than Pending.
func (s *Service) PendingCount(ctx context.Context, a actor.Actor) (int, error) {
	if !a.Authenticated() || a.AccountID == "" {
		return 0, nil
	}
	pocs, err := s.pocs.LinkedPOCs(ctx, a.AccountID)
	if err != nil || len(pocs) == 0 {
		return 0, err
	}
	n, err := pendingCount(ctx, s.db.Kept(), pocs)
	if err != nil {
		return 0, errs.Internalf(err, "count pending checks")
	}
	return n, nil
}
