package exercise

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/scenario"
)

// minStatesForFigures is the fewest participating States for which a
// State is shown figures across States: with two, the figures less one's
// own are the other State's result.
const minStatesForFigures = 3

// facts is what a reader may see of a run, read in a fixed number of
// queries whatever its size.
type facts struct {
	run      Run
	director bool
	own      string // the reader's State when not on the director's side
	fired    []Fired
	dels     []Delivery
	outcomes []outcomeRow // the reader's rows
	all      []outcomeRow // every State's, for figures across States; nil when not shown
	actions  []Action
	notes    []Note
}

func (s *Service) facts(ctx context.Context, a actor.Actor, id string) (facts, error) {
	r, err := s.load(ctx, a, id)
	if err != nil {
		return facts{}, err
	}
	fc := facts{run: r, director: directorSide(a, r)}
	state := ""
	if !fc.director {
		fc.own, state = a.State, a.State
	}
	if fc.fired, err = selectFired(ctx, s.db.R, r.ID); err != nil {
		return facts{}, errs.Internalf(err, "load injects sent")
	}
	if fc.dels, err = selectDeliveries(ctx, s.db.R, r.ID, nil, false); err != nil {
		return facts{}, errs.Internalf(err, "load deliveries")
	}
	all, err := selectOutcomes(ctx, s.db.R, r.ID, "", false)
	if err != nil {
		return facts{}, errs.Internalf(err, "load expectations")
	}
	if fc.actions, err = selectActions(ctx, s.db.R, r.ID, state); err != nil {
		return facts{}, errs.Internalf(err, "load actions")
	}
	var own *string
	if !fc.director {
		own = &fc.own
	}
	if fc.notes, err = selectNotes(ctx, s.db.R, r.ID, own); err != nil {
		return facts{}, errs.Internalf(err, "load notes")
	}
	if fc.director {
		fc.outcomes = all
	} else {
		fc.dels = slices.DeleteFunc(fc.dels, func(d Delivery) bool { return d.State != fc.own })
		fc.outcomes = slices.DeleteFunc(slices.Clone(all), func(o outcomeRow) bool { return o.State != fc.own })
		reached := map[string]bool{}
		for _, d := range fc.dels {
			reached[d.Inject] = true
		}
		fc.fired = slices.DeleteFunc(fc.fired, func(f Fired) bool { return !reached[f.Inject] })
	}
	if fc.director || len(r.States()) >= minStatesForFigures {
		fc.all = all
	}
	return fc, nil
}

// result turns an outcome row into a Result with its inject and
// expectation.
func (r Run) result(o outcomeRow) Result {
	res := Result{Inject: o.Inject, Expectation: o.Expectation, State: o.State, Level: o.Level, DeliveredAt: o.DeliveredAt,
		Outcome: o.Outcome, Measured: o.Measured}
	if inj, ok := r.inject(o.Inject); ok {
		res.Title, res.Offset = inj.Title, inj.Offset
		if e, ok := expectation(inj, o.Expectation); ok {
			res.Action, res.Within = e.Action, e.Within
		}
	}
	return res
}

// order puts results in scenario order: by the inject's place in the
// timeline, the expectation's place in the inject, then State code. Never
// by how well anyone did.
func (r Run) order(rs []Result) {
	injectAt := map[string]int{}
	expAt := map[string]int{}
	for k, inj := range r.Scenario.Injects {
		injectAt[inj.Key] = k
		for j, e := range inj.Expected {
			expAt[inj.Key+"\x00"+e.Key] = j
		}
	}
	slices.SortStableFunc(rs, func(x, y Result) int {
		if d := injectAt[x.Inject] - injectAt[y.Inject]; d != 0 {
			return d
		}
		if d := expAt[x.Inject+"\x00"+x.Expectation] - expAt[y.Inject+"\x00"+y.Expectation]; d != 0 {
			return d
		}
		return strings.Compare(x.State, y.State)
	})
}

func (fc facts) results() []Result {
	out := make([]Result, 0, len(fc.outcomes))
	for _, o := range fc.outcomes {
		out = append(out, fc.run.result(o))
	}
	fc.run.order(out)
	return out
}

// aggregates counts each expectation's outcomes across every State that
// received it, with the median measured time: nil when the reader may not
// see figures across States.
func (fc facts) aggregates() []Aggregate {
	if fc.all == nil {
		return nil
	}
	var out []Aggregate
	for _, inj := range fc.run.Scenario.Injects {
		for _, e := range inj.Expected {
			ag := Aggregate{Inject: inj.Key, Expectation: e.Key, Action: e.Action, Within: e.Within}
			var times []time.Duration
			for _, o := range fc.all {
				if o.Inject != inj.Key || o.Expectation != e.Key {
					continue
				}
				ag.States++
				switch o.Outcome {
				case Met:
					ag.Met++
				case Late:
					ag.Late++
				case Missed:
					ag.Missed++
				default:
					ag.Pending++
				}
				if o.Measured != nil {
					times = append(times, *o.Measured)
				}
			}
			if ag.States == 0 {
				continue
			}
			ag.Median = median(times)
			out = append(out, ag)
		}
	}
	return out
}

func median(ds []time.Duration) *time.Duration {
	if len(ds) == 0 {
		return nil
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	m := ds[len(ds)/2]
	if len(ds)%2 == 0 {
		m = (ds[len(ds)/2-1] + m) / 2
	}
	return &m
}

// Live returns the live view of run id as a may see it: per participating
// State (only a's own unless a directs the run), each inject addressed to
// it, whether it arrived, was acknowledged and answered, and how long each
// expected action took against the time allowed.
func (s *Service) Live(ctx context.Context, a actor.Actor, id string) (Live, error) {
	fc, err := s.facts(ctx, a, id)
	if err != nil {
		return Live{}, err
	}
	r := fc.run
	lv := Live{Run: r, Now: r.Elapsed(s.clock.Now()), Fired: fc.fired, Overall: fc.aggregates(), Director: fc.director}
	results := fc.results()
	for _, st := range r.States() {
		if !fc.director && st != fc.own {
			continue
		}
		sv := StateView{State: st}
		for _, as := range r.Assignments {
			if as.State == st {
				sv.Roles = append(sv.Roles, as.Role)
			}
		}
		for _, inj := range r.Scenario.Injects {
			if !slices.Contains(r.Levels, inj.ToLevel) || !slices.ContainsFunc(inj.ToRoles, func(role string) bool { return slices.Contains(sv.Roles, role) }) {
				continue
			}
			iv := InjectView{Inject: inj.Key, Title: inj.Title, Offset: inj.Offset, Level: inj.ToLevel}
			for _, d := range fc.dels {
				if d.Inject == inj.Key && d.State == st {
					iv.POCs++
					if iv.Arrived == nil || d.ScenarioAt < *iv.Arrived {
						at := d.ScenarioAt
						iv.Arrived = &at
					}
				}
			}
			if iv.Arrived != nil {
				for _, x := range fc.actions {
					if x.Inject != inj.Key || x.State != st {
						continue
					}
					took := max(x.ScenarioAt-*iv.Arrived, 0)
					if iv.Acknowledged == nil && (x.Action == scenario.Acknowledge || x.Action == scenario.Reply) {
						iv.Acknowledged = &took
					}
					if iv.Answered == nil && x.Action == scenario.Reply {
						iv.Answered = &took
					}
				}
			}
			for _, res := range results {
				if res.Inject == inj.Key && res.State == st {
					iv.Results = append(iv.Results, res)
				}
			}
			sv.Injects = append(sv.Injects, iv)
		}
		lv.States = append(lv.States, sv)
	}
	return lv, nil
}

// Report returns the after-action report of run id as a may see it: the
// timeline, the measured times against the expected per State, level and
// inject, the figures across States, and the observations and lessons. A
// State sees its own rows and notes; the director's side sees all.
func (s *Service) Report(ctx context.Context, a actor.Actor, id string) (Report, error) {
	fc, err := s.facts(ctx, a, id)
	if err != nil {
		return Report{}, err
	}
	r := fc.run
	rep := Report{Run: r, Now: r.Elapsed(s.clock.Now()), Results: fc.results(), Overall: fc.aggregates(), Notes: fc.notes, Director: fc.director}
	for _, f := range fc.fired {
		rep.Timeline = append(rep.Timeline, Event{At: f.DeliveredAt, ScenarioAt: f.ScenarioAt, Kind: EventInject, Inject: f.Inject})
	}
	for _, x := range fc.actions {
		rep.Timeline = append(rep.Timeline, Event{At: x.At, ScenarioAt: x.ScenarioAt, Kind: EventAction, Inject: x.Inject, State: x.State,
			What: string(x.Action), By: x.By, Text: x.Text})
	}
	for _, n := range fc.notes {
		rep.Timeline = append(rep.Timeline, Event{At: n.At, ScenarioAt: n.ScenarioAt, Kind: EventNote, State: n.State, What: string(n.Kind), By: n.By, Text: n.Text})
	}
	slices.SortStableFunc(rep.Timeline, func(x, y Event) int { return x.At.Compare(y.At) })
	return rep, nil
}
