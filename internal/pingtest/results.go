package pingtest

import (
	"context"
	"sort"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
)

// Tally counts one group's answers.
type Tally struct {
	Key          string  `json:"key"`
	Total        int     `json:"total"`
	Acknowledged int     `json:"acknowledged"`
	Bounced      int     `json:"bounced"`
	Rate         float64 `json:"rate"` // acknowledged / total, 0..1
}

func (t *Tally) add(c Challenge) {
	t.Total++
	if c.AcknowledgedAt != nil {
		t.Acknowledged++
	} else if c.BouncedAt != nil {
		t.Bounced++
	}
	t.Rate = float64(t.Acknowledged) / float64(t.Total)
}

// Report is a campaign's results as one caller may see them.
type Report struct {
	Campaign    Campaign      `json:"campaign"`
	Overall     Tally         `json:"overall"`
	Median      time.Duration `json:"median_ns"`
	P90         time.Duration `json:"p90_ns"`
	ByLevel     []Tally       `json:"by_level"`
	ByRegion    []Tally       `json:"by_region,omitempty"`
	ByState     []Tally       `json:"by_state,omitempty"`
	Unreachable []Challenge   `json:"unreachable,omitempty"` // bounced, or no answer once closed
	Scope       string        `json:"scope"`                 // "all", or the State the breakdown is limited to
}

// Results reports a campaign. The secretariat sees every State; a State
// sees the overall figures and its own breakdown, never another State's.
func (s *Service) Results(ctx context.Context, a actor.Actor, id string) (Report, error) {
	c, err := s.Campaign(ctx, a, id)
	if err != nil {
		return Report{}, err
	}
	all, err := s.challenges(ctx, s.db.R, `campaign_id = $1`, id)
	if err != nil {
		return Report{}, err
	}
	r := report(c, all)
	r.Scope = "all"
	if !a.IsSecretariat() {
		own := report(c, filter(all, func(ch Challenge) bool { return ch.State == a.State }))
		r.ByLevel, r.ByState, r.Unreachable, r.ByRegion = own.ByLevel, own.ByState, own.Unreachable, nil
		r.Scope = a.State
	}
	return r, nil
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
	all, err := s.challenges(ctx, s.db.R, `campaign_id = $1`, id)
	if err != nil {
		return Report{}, err
	}
	r := report(c, all)
	r.ByState, r.Unreachable, r.Scope = nil, nil, "public"
	return r, nil
}

// Published lists the campaigns whose aggregates are public.
func (s *Service) Published(ctx context.Context) ([]Campaign, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+campaignCols+` FROM ping_campaigns WHERE published = $1 ORDER BY opens_at DESC`, true)
	if err != nil {
		return nil, errs.Internalf(err, "list published")
	}
	defer rows.Close()
	var out []Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, errs.Internalf(err, "scan campaign")
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func filter(in []Challenge, keep func(Challenge) bool) []Challenge {
	var out []Challenge
	for _, c := range in {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

func report(c Campaign, chs []Challenge) Report {
	r := Report{Campaign: c, Overall: Tally{Key: "all"}}
	by := func(key func(Challenge) string) []Tally {
		m := map[string]*Tally{}
		for _, ch := range chs {
			k := key(ch)
			if m[k] == nil {
				m[k] = &Tally{Key: k}
			}
			m[k].add(ch)
		}
		out := make([]Tally, 0, len(m))
		for _, t := range m {
			out = append(out, *t)
		}
		// Alphabetical, never by rate: the framework ranks no State.
		sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	}
	var times []time.Duration
	opened := c.OpensAt
	if c.OpenedAt != nil {
		opened = *c.OpenedAt
	}
	for _, ch := range chs {
		r.Overall.add(ch)
		if ch.AcknowledgedAt != nil {
			times = append(times, ch.AcknowledgedAt.Sub(opened))
		} else if ch.BouncedAt != nil || c.Status == Closed {
			r.Unreachable = append(r.Unreachable, ch)
		}
	}
	if r.Overall.Total == 0 {
		r.Overall.Rate = 0
	}
	r.ByLevel = by(func(ch Challenge) string { return ch.Level })
	r.ByRegion = by(func(ch Challenge) string { return ch.Region })
	r.ByState = by(func(ch Challenge) string { return ch.State })
	r.Median, r.P90 = percentile(times, 0.5), percentile(times, 0.9)
	return r
}

// percentile uses the nearest-rank method: the smallest value with at
// least p of the values at or below it.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(p*float64(len(s)) + 0.999999)
	if rank < 1 {
		rank = 1
	}
	if rank > len(s) {
		rank = len(s)
	}
	return s[rank-1]
}

// Trend is one campaign's overall rate, for the history across campaigns.
type Trend struct {
	Campaign Campaign `json:"campaign"`
	Tally    Tally    `json:"tally"`
}

// History lists the caller's results across campaigns, oldest first: the
// secretariat's overall rates, a State's own.
func (s *Service) History(ctx context.Context, a actor.Actor) ([]Trend, error) {
	cs, err := s.Campaigns(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []Trend
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i].Status == Scheduled {
			continue
		}
		r, err := s.Results(ctx, a, cs[i].ID)
		if err != nil {
			return nil, err
		}
		t := r.Overall
		if !a.IsSecretariat() {
			t = Tally{Key: a.State}
			for _, st := range r.ByState {
				t = st
			}
		}
		out = append(out, Trend{Campaign: cs[i], Tally: t})
	}
	return out, nil
}
