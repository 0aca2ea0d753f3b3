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
		if _, err := tx.ExecContext(ctx, `UPDATE ping_campaigns SET status = $1, opened_at = $2 WHERE id = $3`, Open, now, c.ID); err != nil {
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

const challengeInsertCols = 8

// insertChallenges writes the challenges of ps in one statement and
// enqueues the mails of those whose POC has an address.
func (s *Service) insertChallenges(ctx context.Context, tx *sql.Tx, c Check, ps []ChallengeMail) error {
	if len(ps) == 0 {
		return nil
	}
	args := make([]any, 0, len(ps)*challengeInsertCols)
	mails := make([]ChallengeMail, 0, len(ps))
	for _, p := range ps {
		ch := p.Challenge
		var acc any
		if ch.AccountID != "" {
			acc = ch.AccountID
		}
		args = append(args, ch.ID, c.ID, ch.POCID, ch.State, ch.Region, ch.Level, acc, hashToken(p.Token))
		if len(p.POC.Emails) > 0 {
			mails = append(mails, p)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ping_challenges (id, campaign_id, poc_id, state_code, region, level, account_id, token_hash)
		VALUES `+store.Values(s.db.Engine, len(ps), challengeInsertCols), args...); err != nil {
		return errs.Internalf(err, "insert challenges")
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
		pending, err := s.challenges(ctx, tx, `campaign_id = $1 AND acknowledged_at IS NULL AND bounced_at IS NULL AND reminded_at IS NULL`, c.ID)
		if err != nil {
			return err
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
			if _, err := tx.ExecContext(ctx, `UPDATE ping_challenges SET token_hash = $1, reminded_at = $2 WHERE id = $3`, hashToken(token), now, ch.ID); err != nil {
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
		next.Name = nextRunName(c, next.OpensAt)
		next.CreatedAt, next.OpenedAt, next.ClosedAt = now, nil, nil
		if err := insertCheck(ctx, tx, next); err != nil {
			return err
		}
		return s.scheduleJobs(ctx, tx, next)
	})
}

const challengeCols = `id, campaign_id, poc_id, state_code, region, level, COALESCE(account_id, ''), sent_at, bounced_at, bounce, reminded_at,
	acknowledged_at, channel, acknowledged_by`

// challengeColsH is challengeCols qualified for a join with
// ping_challenges as h; the order must stay the same.
const challengeColsH = `h.id, h.campaign_id, h.poc_id, h.state_code, h.region, h.level, COALESCE(h.account_id, ''), h.sent_at, h.bounced_at, h.bounce,
	h.reminded_at, h.acknowledged_at, h.channel, h.acknowledged_by`

// challengeRow is what a scan of challengeCols writes into, apart from the
// Scan call, so that a joined row can fill it too.
type challengeRow struct {
	c Challenge
	t [4]sql.NullTime
}

func (r *challengeRow) dest() []any {
	c := &r.c
	return []any{&c.ID, &c.CheckID, &c.POCID, &c.State, &c.Region, &c.Level, &c.AccountID, &r.t[0], &r.t[1], &c.Bounce, &r.t[2], &r.t[3], &c.Channel, &c.AcknowledgedBy}
}

func (r *challengeRow) value() Challenge {
	c := r.c
	for i, dst := range []**time.Time{&c.SentAt, &c.BouncedAt, &c.RemindedAt, &c.AcknowledgedAt} {
		if r.t[i].Valid {
			v := r.t[i].Time
			*dst = &v
		}
	}
	return c
}

func scanChallenge(row interface{ Scan(...any) error }) (Challenge, error) {
	var r challengeRow
	err := row.Scan(r.dest()...)
	return r.value(), err
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
func (y *System) MarkSent(ctx context.Context, tx *sql.Tx, challengeID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE ping_challenges SET sent_at = COALESCE(sent_at, $1) WHERE id = $2`, y.clock.Now(), challengeID)
	return err
}

// MarkBounced records a permanent delivery failure: the POC is unreachable
// by mail.
func (y *System) MarkBounced(ctx context.Context, tx *sql.Tx, challengeID, reason string) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	_, err := tx.ExecContext(ctx, `UPDATE ping_challenges SET bounced_at = $1, bounce = $2 WHERE id = $3 AND acknowledged_at IS NULL`, y.clock.Now(), reason, challengeID)
	return err
}

// Confirmation is what the confirm page shows before the POC acknowledges.
type Confirmation struct {
	Check     Check
	Challenge Challenge
	StateName string
	POC       directory.POC
}

// byToken finds a token's challenge and its campaign in one query: the
// confirm page is opened and posted once per POC, thousands of times as a
// campaign opens. The POC's details are left out; WithPOC adds them.
func (s *Service) byToken(ctx context.Context, token string) (Confirmation, error) {
	var ch challengeRow
	var c campaignRow
	row, err := s.queryToken(ctx, hashToken(token))
	if err == nil {
		err = row.Scan(append(ch.dest(), c.dest()...)...)
	}
	if store.NoRows(err) {
		return Confirmation{}, errs.E(errs.NotFound, "this check link is not valid; it may have been replaced by a newer reminder")
	}
	if err != nil {
		return Confirmation{}, errs.Internalf(err, "look up token")
	}
	chk := Confirmation{Challenge: ch.value(), StateName: ch.c.State}
	if chk.Check, err = c.value(); err != nil {
		return Confirmation{}, errs.Internalf(err, "load campaign")
	}
	if st, ok := states.ByCode(chk.Challenge.State); ok {
		chk.StateName = st.Name
	}
	return chk, nil
}

const tokenQuery = `SELECT ` + challengeColsH + `, ` + campaignColsC + `
	FROM ping_challenges h JOIN ping_campaigns c ON c.id = h.campaign_id WHERE h.token_hash = $1`

// queryToken runs tokenQuery, kept prepared on SQLite.
func (s *Service) queryToken(ctx context.Context, hash string) (*sql.Row, error) {
	return s.db.Row(ctx, s.db.R, tokenQuery, hash), nil
}

// WithPOC adds the challenged POC's directory entry to chk, for the page
// that shows the check.
func (s *Service) WithPOC(ctx context.Context, chk Confirmation) (Confirmation, error) {
	poc, err := s.dir.POC(ctx, actor.Operator, chk.Challenge.POCID)
	if err != nil {
		return Confirmation{}, err
	}
	chk.POC = poc
	return chk, nil
}

// Peek looks a token up without acknowledging: following the link (as mail
// scanners do) changes nothing.
func (s *Service) Peek(ctx context.Context, token string) (Confirmation, error) {
	chk, err := s.byToken(ctx, token)
	if err != nil {
		return Confirmation{}, err
	}
	return s.WithPOC(ctx, chk)
}

// AcknowledgeToken records the answer of whoever holds the emailed token.
// The Confirmation returned is as it stands after the answer, without the POC's
// details (WithPOC adds them): the confirmation does not need them.
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
	ch, err := scanChallenge(s.db.R.QueryRowContext(ctx, `SELECT `+challengeCols+` FROM ping_challenges WHERE id = $1 AND `+answeredBy, challengeID, a.AccountID))
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
		res, err := tx.ExecContext(ctx, `UPDATE ping_challenges SET acknowledged_at = $1, channel = $2, acknowledged_by = $3 WHERE id = $4 AND acknowledged_at IS NULL`,
			now, channel, by, ch.ID)
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
		answered = true
		return s.audit.Append(ctx, tx, who, audit.Change{Action: "ping.acknowledge", ObjectType: "ping_challenge", ObjectID: ch.ID, State: ch.State,
			Details: map[string]string{"channel": channel}})
	})
	if err == nil && answered {
		ch.AcknowledgedAt, ch.Channel, ch.AcknowledgedBy = &now, channel, by
	}
	return err
}

// answeredBy ($2) limits challenges to those of POCs whose entry links the
// account now: who answers is read from the directory when asked, so a
// link made or changed after the check opened counts.
const answeredBy = `poc_id IN (SELECT id FROM pocs WHERE account_id = $2)`

// Pending lists the open checks the caller can answer from the inbox.
func (s *Service) Pending(ctx context.Context, a actor.Actor) ([]Confirmation, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	chs, err := s.challenges(ctx, s.db.R, `acknowledged_at IS NULL AND campaign_id IN (SELECT id FROM ping_campaigns WHERE status = $1) AND `+answeredBy, Open, a.AccountID)
	if err != nil {
		return nil, err
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
	var n int
	err := s.db.Row(ctx, s.db.R, `SELECT COUNT(*) FROM ping_challenges WHERE acknowledged_at IS NULL
		AND campaign_id IN (SELECT id FROM ping_campaigns WHERE status = $1) AND `+answeredBy, Open, a.AccountID).Scan(&n)
	if err != nil {
		return 0, errs.Internalf(err, "count pending checks")
	}
	return n, nil
}
