package pingtest

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
func inScope(c Campaign, st directory.State) bool {
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
		c, err := s.campaign(ctx, tx, p.CampaignID)
		if err != nil {
			return jobs.Permanent(err)
		}
		if c.Status != Scheduled {
			return nil
		}
		now := s.clock.Now()
		n, perState := 0, map[string]int{}
		for _, st := range sts {
			if !st.Participating() || !inScope(c, st) {
				continue
			}
			pocs, err := s.dir.ActivePOCs(ctx, st.Code)
			if err != nil {
				return err
			}
			for _, poc := range pocs {
				if !slices.Contains(c.Levels, string(poc.Level)) {
					continue
				}
				token := newToken()
				ch := Challenge{ID: newID(), CampaignID: c.ID, POCID: poc.ID, State: st.Code, Region: st.Region, Level: string(poc.Level), AccountID: poc.AccountID}
				var acc any
				if poc.AccountID != "" {
					acc = poc.AccountID
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO ping_challenges (id, campaign_id, poc_id, state_code, region, level, account_id, token_hash)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, ch.ID, c.ID, poc.ID, ch.State, ch.Region, ch.Level, acc, hashToken(token)); err != nil {
					return errs.Internalf(err, "insert challenge")
				}
				if len(poc.Emails) > 0 {
					if err := s.sender.EnqueuePing(ctx, tx, c, ch, poc, token, false); err != nil {
						return err
					}
				}
				n++
				perState[st.Code]++
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ping_campaigns SET status = $1, opened_at = $2 WHERE id = $3`, Open, now, c.ID); err != nil {
			return errs.Internalf(err, "open campaign")
		}
		if err := s.publishOpened(ctx, tx, c, now, perState); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, actor.Scheduler, audit.Change{Action: "ping.open", ObjectType: "ping_campaign", ObjectID: c.ID, Details: map[string]int{"challenges": n}})
	})
}

// remind mails POCs that have not answered a new token: the old one
// stays valid, so whichever mail the POC opens works.
func (s *Service) remind(ctx context.Context, j jobs.Job) error {
	var p campaignJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.campaign(ctx, tx, p.CampaignID)
		if err != nil {
			return jobs.Permanent(err)
		}
		if c.Status != Open {
			return nil
		}
		pending, err := s.challenges(ctx, tx, `campaign_id = $1 AND acknowledged_at IS NULL AND bounced_at IS NULL AND reminded_at IS NULL`, c.ID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		for _, ch := range pending {
			poc, err := s.dir.POC(ctx, actor.Operator, ch.POCID)
			if err != nil || poc.Status != directory.Active || len(poc.Emails) == 0 {
				continue
			}
			// A fresh token in the reminder; its hash replaces the first
			// one's, so only the newest mail's link works.
			token := newToken()
			if _, err := tx.ExecContext(ctx, `UPDATE ping_challenges SET token_hash = $1, reminded_at = $2 WHERE id = $3`, hashToken(token), now, ch.ID); err != nil {
				return errs.Internalf(err, "remind")
			}
			if err := s.sender.EnqueuePing(ctx, tx, c, ch, poc, token, true); err != nil {
				return err
			}
		}
		return nil
	})
}

// close ends a campaign and, for a recurring one, schedules the next.
func (s *Service) close(ctx context.Context, j jobs.Job) error {
	var p campaignJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.campaign(ctx, tx, p.CampaignID)
		if err != nil {
			return jobs.Permanent(err)
		}
		if c.Status == Closed {
			return nil
		}
		now := s.clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE ping_campaigns SET status = $1, closed_at = $2 WHERE id = $3`, Closed, now, c.ID); err != nil {
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
		next.CreatedAt, next.OpenedAt, next.ClosedAt = now, nil, nil
		if err := insertCampaign(ctx, tx, next); err != nil {
			return err
		}
		return s.scheduleJobs(ctx, tx, next)
	})
}

const challengeCols = `id, campaign_id, poc_id, state_code, region, level, COALESCE(account_id, ''), sent_at, bounced_at, bounce, reminded_at,
	acknowledged_at, channel, acknowledged_by`

func scanChallenge(row interface{ Scan(...any) error }) (Challenge, error) {
	var c Challenge
	var t [4]sql.NullTime
	err := row.Scan(&c.ID, &c.CampaignID, &c.POCID, &c.State, &c.Region, &c.Level, &c.AccountID, &t[0], &t[1], &c.Bounce, &t[2], &t[3], &c.Channel, &c.AcknowledgedBy)
	for i, dst := range []**time.Time{&c.SentAt, &c.BouncedAt, &c.RemindedAt, &c.AcknowledgedAt} {
		if t[i].Valid {
			v := t[i].Time
			*dst = &v
		}
	}
	return c, err
}

func (s *Service) challenges(ctx context.Context, q store.Queryer, where string, args ...any) ([]Challenge, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+challengeCols+` FROM ping_challenges WHERE `+where+` ORDER BY state_code, level, id`, args...)
	if err != nil {
		return nil, errs.Internalf(err, "list challenges")
	}
	defer rows.Close()
	var out []Challenge
	for rows.Next() {
		c, err := scanChallenge(rows)
		if err != nil {
			return nil, errs.Internalf(err, "scan challenge")
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MarkSent and MarkBounced record what the mail worker learnt.
func (s *Service) MarkSent(ctx context.Context, challengeID string) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE ping_challenges SET sent_at = COALESCE(sent_at, $1) WHERE id = $2`, s.clock.Now(), challengeID)
	return err
}

// MarkBounced records a permanent delivery failure: the POC is unreachable
// by mail.
func (s *Service) MarkBounced(ctx context.Context, challengeID, reason string) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	_, err := s.db.W.ExecContext(ctx, `UPDATE ping_challenges SET bounced_at = $1, bounce = $2 WHERE id = $3 AND acknowledged_at IS NULL`, s.clock.Now(), reason, challengeID)
	return err
}

// Check is what the confirm page shows before the POC acknowledges.
type Check struct {
	Campaign  Campaign
	Challenge Challenge
	StateName string
	POC       directory.POC
}

// Peek looks a token up without acknowledging: following the link (as mail
// scanners do) changes nothing.
func (s *Service) Peek(ctx context.Context, token string) (Check, error) {
	ch, err := scanChallenge(s.db.R.QueryRowContext(ctx, `SELECT `+challengeCols+` FROM ping_challenges WHERE token_hash = $1`, hashToken(token)))
	if store.NoRows(err) {
		return Check{}, errs.E(errs.NotFound, "this check link is not valid; it may have been replaced by a newer reminder")
	}
	if err != nil {
		return Check{}, errs.Internalf(err, "look up token")
	}
	c, err := s.campaign(ctx, s.db.R, ch.CampaignID)
	if err != nil {
		return Check{}, err
	}
	poc, err := s.dir.POC(ctx, actor.Operator, ch.POCID)
	if err != nil {
		return Check{}, err
	}
	name := ch.State
	if st, ok := states.ByCode(ch.State); ok {
		name = st.Name
	}
	return Check{Campaign: c, Challenge: ch, StateName: name, POC: poc}, nil
}

// AcknowledgeToken records the answer of whoever holds the emailed token.
func (s *Service) AcknowledgeToken(ctx context.Context, token, remoteAddr string) (Check, error) {
	chk, err := s.Peek(ctx, token)
	if err != nil {
		return Check{}, err
	}
	return chk, s.acknowledge(ctx, chk.Campaign, chk.Challenge, ViaLink, "link from "+remoteAddr, actor.Actor{})
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
	ch, err := scanChallenge(s.db.R.QueryRowContext(ctx, `SELECT `+challengeCols+` FROM ping_challenges WHERE id = $1`, challengeID))
	if store.NoRows(err) || (err == nil && ch.AccountID != a.AccountID) {
		return errs.E(errs.NotFound, "no such check")
	}
	if err != nil {
		return errs.Internalf(err, "load challenge")
	}
	c, err := s.campaign(ctx, s.db.R, ch.CampaignID)
	if err != nil {
		return err
	}
	return s.acknowledge(ctx, c, ch, channel, a.Label(), a)
}

func (s *Service) acknowledge(ctx context.Context, c Campaign, ch Challenge, channel, by string, a actor.Actor) error {
	if c.Status == Closed {
		return errs.E(errs.Conflict, "this communication check closed on %s", c.ClosesAt.UTC().Format("2 Jan 2006 15:04 UTC"))
	}
	if ch.AcknowledgedAt != nil {
		return nil // a second click is harmless
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ping_challenges SET acknowledged_at = $1, channel = $2, acknowledged_by = $3 WHERE id = $4 AND acknowledged_at IS NULL`,
			s.clock.Now(), channel, by, ch.ID)
		if err != nil {
			return errs.Internalf(err, "acknowledge")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		who := a
		if !who.Authenticated() {
			who = actor.Actor{Email: "holder of the check link for POC " + ch.POCID}
		}
		return s.audit.Append(ctx, tx, who, audit.Change{Action: "ping.acknowledge", ObjectType: "ping_challenge", ObjectID: ch.ID, State: ch.State,
			Details: map[string]string{"channel": channel}})
	})
}

// Pending lists the open checks the caller can answer from the inbox.
func (s *Service) Pending(ctx context.Context, a actor.Actor) ([]Check, error) {
	if !a.Authenticated() {
		return nil, nil
	}
	chs, err := s.challenges(ctx, s.db.R, `account_id = $1 AND acknowledged_at IS NULL AND campaign_id IN (SELECT id FROM ping_campaigns WHERE status = 'open')`, a.AccountID)
	if err != nil {
		return nil, err
	}
	var out []Check
	for _, ch := range chs {
		c, err := s.campaign(ctx, s.db.R, ch.CampaignID)
		if err != nil {
			return nil, err
		}
		poc, err := s.dir.POC(ctx, actor.Operator, ch.POCID)
		if err != nil {
			return nil, err
		}
		out = append(out, Check{Campaign: c, Challenge: ch, POC: poc, StateName: ch.State})
	}
	return out, nil
}

// PendingCount is how many open checks wait for the caller's answer, for
// the navigation's badge; cheaper than Pending.
func (s *Service) PendingCount(ctx context.Context, a actor.Actor) (int, error) {
	if !a.Authenticated() || a.AccountID == "" {
		return 0, nil
	}
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM ping_challenges WHERE account_id = $1 AND acknowledged_at IS NULL
		AND campaign_id IN (SELECT id FROM ping_campaigns WHERE status = 'open')`, a.AccountID).Scan(&n)
	if err != nil {
		return 0, errs.Internalf(err, "count pending checks")
	}
	return n, nil
}
