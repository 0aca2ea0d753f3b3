package checks

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
)

// damagedCursor is the field error of a cursor that page.Decode accepted
// but that is not one of this list's keys.
func damagedCursor() error {
	return page.Damaged()
}

// ChecksPage lists one page of the campaigns a may see, newest first:
// all for the secretariat; for a State, those it took part in. The key is
// (opens_at, id), descending.
func (s *Service) ChecksPage(ctx context.Context, a actor.Actor, req page.Request) (page.Page[Check], error) {
	if err := a.RequireSignedIn(); err != nil {
		return page.Page[Check]{}, err
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	cond := `1=1`
	if !a.IsSecretariat() {
		cond = `EXISTS (SELECT 1 FROM ping_challenges h WHERE h.campaign_id = c.id AND h.state_code = ` + arg(a.State) + `)`
	}
	if req.After != nil {
		if len(req.After) != 2 {
			return page.Page[Check]{}, damagedCursor()
		}
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if _, ierr := uuid.Parse(req.After[1]); err != nil || ierr != nil {
			return page.Page[Check]{}, damagedCursor()
		}
		cond += ` AND (c.opens_at, c.id) < (` + arg(at.UTC()) + `, ` + arg(req.After[1]) + `)`
	}
	limit := req.Size()
	q := `SELECT ` + campaignColsC + ` FROM ping_campaigns c WHERE ` + cond + ` ORDER BY c.opens_at DESC, c.id DESC LIMIT ` + arg(limit+1)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return page.Page[Check]{}, errs.Internalf(err, "list campaigns")
	}
	out, err := store.Collect(rows, func(r *sql.Rows) (Check, error) { return scanCheck(r) })
	if err != nil {
		return page.Page[Check]{}, errs.Internalf(err, "list campaigns")
	}
	return page.Cut(out, limit, func(c Check) []string {
		return []string{c.OpensAt.UTC().Format(time.RFC3339Nano), c.ID}
	}), nil
}

// Follow-up statuses.
const (
	NoAnswer = "no-answer" // the check closed without an answer
	Bounced  = "bounced"   // the mail could not be delivered
)

// FollowUpFilter narrows a check's follow-up list.
type FollowUpFilter struct {
	State  string // ISO alpha-2 code
	Level  string
	Status string // NoAnswer, Bounced, or "" for both
}

var alpha2 = regexp.MustCompile(`^[A-Z]{2}$`)

// check normalises f and refuses values that could only be typos, so a
// misspelt level is reported instead of silently matching nothing.
func (f *FollowUpFilter) check() error {
	var bad errs.Fields
	f.State = strings.ToUpper(strings.TrimSpace(f.State))
	if f.State != "" && !alpha2.MatchString(f.State) {
		bad.Add("state", "use a two-letter ISO 3166-1 code, like FR")
	}
	if f.Level != "" && !slices.Contains(levels, f.Level) {
		bad.Add("level", "use diplomatic, policy or technical")
	}
	if f.Status != "" && f.Status != NoAnswer && f.Status != Bounced {
		bad.Add("status", "use no-answer or bounced")
	}
	return bad.Err()
}

// levelRank orders levels as the directory presents them.
const levelRank = `CASE h.level WHEN 'diplomatic' THEN 1 WHEN 'policy' THEN 2 ELSE 3 END`

// FollowUp lists one page of a campaign's points of contact not reached:
// bounced mail, and no answer once the campaign has closed. The
// secretariat sees every State's; a State only its own (a filter on
// another State finds nothing). Ordered by State name, level and id, the
// unique key the cursor holds.
func (s *Service) FollowUp(ctx context.Context, a actor.Actor, id string, f FollowUpFilter, req page.Request) (page.Page[Challenge], error) {
	if err := f.check(); err != nil {
		return page.Page[Challenge]{}, err
	}
	c, err := s.Check(ctx, a, id)
	if err != nil {
		return page.Page[Challenge]{}, err
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	cond := `h.campaign_id = ` + arg(c.ID) + ` AND h.acknowledged_at IS NULL`
	switch {
	case f.Status == Bounced:
		cond += ` AND h.bounced_at IS NOT NULL`
	case f.Status == NoAnswer && c.Status == Closed:
		cond += ` AND h.bounced_at IS NULL`
	case f.Status == NoAnswer:
		cond += ` AND 1=0` // nobody has failed to answer before the close
	case c.Status != Closed:
		cond += ` AND h.bounced_at IS NOT NULL`
	}
	if !a.IsSecretariat() {
		cond += ` AND h.state_code = ` + arg(a.State)
	}
	if f.State != "" {
		cond += ` AND h.state_code = ` + arg(f.State)
	}
	if f.Level != "" {
		cond += ` AND h.level = ` + arg(f.Level)
	}
	if req.After != nil {
		if len(req.After) != 3 {
			return page.Page[Challenge]{}, damagedCursor()
		}
		rank, err := strconv.Atoi(req.After[1])
		if _, ierr := uuid.Parse(req.After[2]); err != nil || ierr != nil || rank < 1 || rank > 3 {
			return page.Page[Challenge]{}, damagedCursor()
		}
		cond += ` AND (st.name, ` + levelRank + `, h.id) > (` + arg(req.After[0]) + `, ` + arg(rank) + `, ` + arg(req.After[2]) + `)`
	}
	limit := req.Size()
	// The States' names come from the reference list the directory keeps,
	// for the order people read.
	q := `SELECT ` + challengeColsH + `, st.name FROM ping_challenges h JOIN states st ON st.code = h.state_code WHERE ` + cond +
		` ORDER BY st.name, ` + levelRank + `, h.id LIMIT ` + arg(limit+1)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return page.Page[Challenge]{}, errs.Internalf(err, "list follow-up")
	}
	defer rows.Close()
	type row struct {
		ch   Challenge
		name string
	}
	var out []row
	for rows.Next() {
		var r challengeRow
		var name string
		if err := rows.Scan(append(r.dest(), &name)...); err != nil {
			return page.Page[Challenge]{}, errs.Internalf(err, "scan follow-up")
		}
		out = append(out, row{r.value(), name})
	}
	if err := rows.Err(); err != nil {
		return page.Page[Challenge]{}, errs.Internalf(err, "list follow-up")
	}
	p := page.Cut(out, limit, func(r row) []string {
		return []string{r.name, strconv.Itoa(levelOrder[r.ch.Level]), r.ch.ID}
	})
	chs := make([]Challenge, len(p.Items))
	for i, r := range p.Items {
		chs[i] = r.ch
	}
	return page.Page[Challenge]{Items: chs, Next: p.Next}, nil
}
