package checks

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
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
	var after *checkKey
	if req.After != nil {
		if len(req.After) != 2 {
			return page.Page[Check]{}, damagedCursor()
		}
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if _, ierr := uuid.Parse(req.After[1]); err != nil || ierr != nil {
			return page.Page[Check]{}, damagedCursor()
		}
		after = &checkKey{opensAt: at.UTC(), id: req.After[1]}
	}
	limit := req.Size()
	out, err := checkPage(ctx, s.db.R, scopeOf(a), after, limit+1)
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
	fq := followUpQuery{check: c.ID, state: f.State, level: f.Level}
	switch {
	case f.Status == Bounced:
		fq.unreached = unreachedBounced
	case f.Status == NoAnswer && c.Status == Closed:
		fq.unreached = unreachedSilent
	case f.Status == NoAnswer:
		fq.unreached = unreachedNone // nobody has failed to answer before the close
	case c.Status != Closed:
		fq.unreached = unreachedBounced
	default:
		fq.unreached = unreachedEither
	}
	if !a.IsSecretariat() {
		fq.ownOnly, fq.own = true, a.State
	}
	var after *followUpKey
	if req.After != nil {
		if len(req.After) != 3 {
			return page.Page[Challenge]{}, damagedCursor()
		}
		rank, err := strconv.Atoi(req.After[1])
		if _, ierr := uuid.Parse(req.After[2]); err != nil || ierr != nil || rank < 1 || rank > 3 {
			return page.Page[Challenge]{}, damagedCursor()
		}
		after = &followUpKey{stateName: req.After[0], rank: rank, id: req.After[2]}
	}
	limit := req.Size()
	out, err := followUpPage(ctx, s.db.R, fq, after, limit+1)
	if err != nil {
		return page.Page[Challenge]{}, errs.Internalf(err, "list follow-up")
	}
	p := page.Cut(out, limit, func(r followUpRow) []string {
		return []string{r.stateName, strconv.Itoa(levelOrder[r.ch.Level]), r.ch.ID}
	})
	chs := make([]Challenge, len(p.Items))
	for i, r := range p.Items {
		chs[i] = r.ch
	}
	return page.Page[Challenge]{Items: chs, Next: p.Next}, nil
}
