package checks

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
)

// Tally counts one group's answers.
type Tally struct {
	Key          string
	Total        int
	Acknowledged int
	Bounced      int
	Rate         float64 // acknowledged / total, 0..1
}

// merge adds another group's counts to t.
func (t *Tally) merge(o Tally) {
	t.Total += o.Total
	t.Acknowledged += o.Acknowledged
	t.Bounced += o.Bounced
	if t.Total > 0 {
		t.Rate = float64(t.Acknowledged) / float64(t.Total)
	}
}

// Report is a campaign's results over every State in it: the secretariat's
// view (Scope "all"), or the published aggregates (Scope "public", without
// ByState and Unreachable).
type Report struct {
	Check    Check
	Overall  Tally
	Median   time.Duration
	P90      time.Duration
	ByLevel  []Tally
	ByRegion []Tally
	ByState  []Tally
	// Unreachable are the first points of contact not reached (bounced,
	// or no answer once closed), in the follow-up list's order, at most
	// unreachableShown; UnreachableCount says how many there are. FollowUp
	// pages through all of them.
	Unreachable      []Challenge
	UnreachableCount int
	Scope            string // "all" or "public"
}

// unreachableShown bounds the points of contact not reached that a report
// carries: a check over every State can leave thousands, which the
// follow-up list pages through.
const unreachableShown = 200

// StateReport is a State's view of a campaign: its own figures and nothing
// computed over the other States, not even a total. Its points of contact
// not reached are listed by FollowUp. With few States in a
// check, a total less one's own figures is another State's result; so the
// only figures over all States a State gets are the aggregates the
// secretariat chose to publish, which the public sees too.
type StateReport struct {
	Check     Check
	State     string
	Own       Tally
	Median    time.Duration
	P90       time.Duration
	ByLevel   []Tally
	Published *Report // the public aggregates, once published
}

// View is a campaign's results as one caller may see them: the secretariat
// gets All, a State's account Own, never both.
type View struct {
	Check Check
	All   *Report
	Own   *StateReport
	// InScope is, while the campaign is scheduled, how many points of
	// contact it would check if it opened now (secretariat only).
	InScope int
}

// Results reports a campaign over every State in it: the secretariat's
// report. A State's account is refused; View gives it its own figures.
func (s *Service) Results(ctx context.Context, a actor.Actor, id string) (Report, error) {
	c, err := s.Check(ctx, a, id)
	if err != nil {
		return Report{}, err
	}
	if !a.IsSecretariat() {
		return Report{}, errs.E(errs.Forbidden, "only the secretariat sees every State's results")
	}
	r, err := s.report(ctx, s.db.R, c, "", true)
	if err != nil {
		return Report{}, err
	}
	r.Scope = "all"
	return r, nil
}

// View returns what the caller may see of a campaign's results.
func (s *Service) View(ctx context.Context, a actor.Actor, id string) (View, error) {
	c, err := s.Check(ctx, a, id)
	if err != nil {
		return View{}, err
	}
	v := View{Check: c}
	if a.IsSecretariat() {
		// The page and the API list the points of contact not reached
		// with FollowUp, a page at a time: the view does not read them.
		r, err := s.report(ctx, s.db.R, c, "", false)
		if err != nil {
			return View{}, err
		}
		r.Scope = "all"
		v.All = &r
		if c.Status == Scheduled {
			if v.InScope, err = s.inScopeCount(ctx, c); err != nil {
				return View{}, err
			}
		}
		return v, nil
	}
	own, err := s.stateReport(ctx, a, c)
	if err != nil {
		return View{}, err
	}
	v.Own = &own
	return v, nil
}

// stateReport is a's State's own figures for c, which a may see.
func (s *Service) stateReport(ctx context.Context, a actor.Actor, c Check) (StateReport, error) {
	r, err := s.report(ctx, s.db.R, c, a.State, false)
	if err != nil {
		return StateReport{}, err
	}
	own := StateReport{Check: c, State: a.State, Own: r.Overall, Median: r.Median, P90: r.P90, ByLevel: r.ByLevel}
	own.Own.Key = a.State
	if c.Published {
		pub, err := s.PublicResults(ctx, c.ID)
		if err != nil {
			return StateReport{}, err
		}
		own.Published = &pub
	}
	return own, nil
}

// inScopeCount is how many active points of contact of participating
// States c covers at its levels, as opening it now would check.
func (s *Service) inScopeCount(ctx context.Context, c Check) (int, error) {
	sts, err := s.dir.States(ctx, actor.Scheduler)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, st := range sts {
		if !st.Participating() || !inScope(c, st) {
			continue
		}
		pocs, err := s.pocs.ActivePOCs(ctx, st.Code)
		if err != nil {
			return 0, err
		}
		for _, p := range pocs {
			if containsString(c.Levels, string(p.Level)) {
				n++
			}
		}
	}
	return n, nil
}

func containsString(v []string, x string) bool {
	for _, s := range v {
		if s == x {
			return true
		}
	}
	return false
}

// PublicResults reports a published campaign without any per-State figure.
func (s *Service) PublicResults(ctx context.Context, id string) (Report, error) {
	c, err := s.campaign(ctx, s.db.R, id)
	if err != nil {
		return Report{}, err
	}
	if !c.Published {
		return Report{}, errs.E(errs.NotFound, "no such published campaign")
	}
	r, err := s.report(ctx, s.db.R, c, "", false)
	if err != nil {
		return Report{}, err
	}
	r.ByState, r.Unreachable, r.UnreachableCount, r.Scope = nil, nil, 0, "public"
	return r, nil
}

// Published lists the campaigns whose aggregates are public.
func (s *Service) Published(ctx context.Context) ([]Check, error) {
	cs, err := publishedChecks(ctx, s.db.R)
	if err != nil {
		return nil, errs.Internalf(err, "list published")
	}
	return cs, nil
}

// StateName is the name a State is shown by, or its code if unknown.
func StateName(code string) string {
	if st, ok := states.ByCode(code); ok {
		return st.Name
	}
	return code
}

// levelOrder sorts levels as the directory presents them.
var levelOrder = map[string]int{"diplomatic": 1, "policy": 2, "technical": 3}

// report gathers c's results (of state, when given) from counts made in
// SQL, the answer times and, with unreachable, the challenges still
// unanswered: its cost follows the groups and the answers, and never
// loads every challenge.
func (s *Service) report(ctx context.Context, q store.Queryer, c Check, state string, unreachable bool) (Report, error) {
	rows, err := challengeTallies(ctx, q, c.ID, state)
	if err != nil {
		return Report{}, errs.Internalf(err, "count answers")
	}
	r := report(c, rows)
	if unreachable {
		fq := followUpQuery{check: c.ID, state: state, unreached: unreachedBounced}
		r.UnreachableCount = r.Overall.Bounced
		if c.Status == Closed {
			fq.unreached = unreachedEither
			r.UnreachableCount = r.Overall.Total - r.Overall.Acknowledged
		}
		first, err := followUpPage(ctx, q, fq, nil, unreachableShown)
		if err != nil {
			return Report{}, errs.Internalf(err, "list unanswered")
		}
		r.Unreachable = make([]Challenge, len(first))
		for i, f := range first {
			r.Unreachable[i] = f.ch
		}
	}
	opened := c.OpensAt
	if c.OpenedAt != nil {
		opened = *c.OpenedAt
	}
	key := answerTimesKey{check: c.ID, state: state, answers: r.Overall.Acknowledged}
	if v, ok := s.times.get(key); ok {
		r.Median, r.P90 = v[0], v[1]
		return r, nil
	}
	for _, p := range []struct {
		share float64
		into  *time.Duration
	}{{0.5, &r.Median}, {0.9, &r.P90}} {
		at, ok, err := answerTime(ctx, q, c.ID, state, nearestRank(p.share, r.Overall.Acknowledged))
		if err != nil {
			return Report{}, errs.Internalf(err, "read answer times")
		}
		if ok {
			*p.into = at.Sub(opened)
		}
	}
	s.times.put(key, [2]time.Duration{r.Median, r.P90})
	return r, nil
}

// report arranges c's tallies by level, regional group and State.
func report(c Check, rows []tallyRow) Report {
	r := Report{Check: c, Overall: Tally{Key: "all"}}
	by := func(key func(tallyRow) string, less func(a, b string) bool) []Tally {
		m := map[string]*Tally{}
		for _, row := range rows {
			k := key(row)
			if m[k] == nil {
				m[k] = &Tally{Key: k}
			}
			m[k].merge(row.t)
		}
		out := make([]Tally, 0, len(m))
		for _, t := range m {
			out = append(out, *t)
		}
		// By the name shown, never by rate: the framework ranks no State.
		sort.Slice(out, func(i, j int) bool { return less(out[i].Key, out[j].Key) })
		return out
	}
	for _, row := range rows {
		r.Overall.merge(row.t)
	}
	r.ByLevel = by(func(t tallyRow) string { return t.level }, lessLevel)
	r.ByRegion = by(func(t tallyRow) string { return t.region }, func(a, b string) bool { return a < b })
	r.ByState = by(func(t tallyRow) string { return t.state }, lessState)
	return r
}

func lessLevel(a, b string) bool {
	if levelOrder[a] != levelOrder[b] {
		return levelOrder[a] < levelOrder[b]
	}
	return a < b
}

func lessState(a, b string) bool {
	if na, nb := StateName(a), StateName(b); na != nb {
		return strings.Compare(na, nb) < 0
	}
	return a < b
}

// nearestRank is the rank (from 1) of the p-th percentile of n values by
// the nearest-rank method: the smallest value with at least p of the
// values at or below it; 0 when there are none.
func nearestRank(p float64, n int) int {
	if n == 0 {
		return 0
	}
	return min(max(int(math.Ceil(p*float64(n))), 1), n)
}

// Trend is one campaign's rate, for the history across campaigns.
type Trend struct {
	Check Check
	Tally Tally
}

// History lists the caller's results across campaigns, oldest first: the
// secretariat's overall rates, a State's own. The counts come from one
// grouped query rather than every challenge of every campaign.
func (s *Service) History(ctx context.Context, a actor.Actor) ([]Trend, error) {
	cs, err := s.Checks(ctx, a)
	if err != nil {
		return nil, err
	}
	counts, err := answerCounts(ctx, s.db.R, scopeOf(a))
	if err != nil {
		return nil, errs.Internalf(err, "count answers")
	}
	var out []Trend
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if c.Status == Scheduled {
			continue
		}
		t := counts[c.ID]
		if t.Total > 0 {
			t.Rate = float64(t.Acknowledged) / float64(t.Total)
		}
		t.Key = "all"
		if !a.IsSecretariat() {
			t.Key = a.State
		}
		out = append(out, Trend{Check: c, Tally: t})
	}
	return out, nil
}
