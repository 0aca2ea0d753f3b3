package app

import (
	"context"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/profile"
	"github.com/detente/detente/internal/survey"
)

// profileReports gives profiles a State's national reports.
type profileReports struct{ svc *survey.Service }

// profileReportsShown is how many of a State's reports its profile lists:
// a cycle is a year or more, so this is every one for decades.
const profileReportsShown = 20

func (p profileReports) Readable(ctx context.Context, a actor.Actor, state string) ([]profile.Report, error) {
	rs, err := p.svc.Published(ctx, a, state, profileReportsShown)
	if err != nil {
		return nil, err
	}
	out := make([]profile.Report, len(rs))
	for i, r := range rs {
		at := r.CreatedAt
		if r.SubmittedAt != nil {
			at = *r.SubmittedAt
		}
		out[i] = profile.Report{ID: r.ID, Cycle: r.Cycle.Name, Visibility: string(r.Visibility), SubmittedAt: at}
	}
	return out, nil
}

func (p profileReports) Measures(ctx context.Context, a actor.Actor, state string) ([]string, error) {
	return p.svc.Measures(ctx, a, state)
}

func (p profileReports) StatesWithMeasures(ctx context.Context, a actor.Actor) (string, map[string]int, error) {
	c, n, err := p.svc.Tally(ctx, a)
	return c.Name, n, err
}
