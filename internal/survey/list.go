package survey

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
)

// cycleKey is the sort key of the list of cycles: newest first.
type cycleKey struct {
	at time.Time
	id string
}

// Cycles returns a page of the cycles, newest first. Anyone may read them.
func (s *Service) Cycles(ctx context.Context, a actor.Actor, req page.Request) (page.Page[Cycle], error) {
	var after *cycleKey
	if req.After != nil {
		if len(req.After) != 2 {
			return page.Page[Cycle]{}, page.Damaged()
		}
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if err != nil || uuid.Validate(req.After[1]) != nil {
			return page.Page[Cycle]{}, page.Damaged()
		}
		after = &cycleKey{at: at.UTC(), id: req.After[1]}
	}
	size := req.Size()
	rows, err := listCycles(ctx, s.db.Kept(), after, size+1)
	if err != nil {
		return page.Page[Cycle]{}, errs.Internalf(err, "list cycles")
	}
	return page.Cut(rows, size, func(c Cycle) []string { return []string{c.Opens.Format(time.RFC3339Nano), c.ID} }), nil
}

// Reports returns a page of the reports of cycle a may read, by State
// code. Drafts are only ever their own State's.
func (s *Service) Reports(ctx context.Context, a actor.Actor, cycle string, req page.Request) (page.Page[Report], error) {
	c, err := s.Cycle(ctx, a, cycle)
	if err != nil {
		return page.Page[Report]{}, err
	}
	rd, err := s.readerOf(ctx, a)
	if err != nil {
		return page.Page[Report]{}, err
	}
	after := ""
	if req.After != nil {
		if len(req.After) != 1 {
			return page.Page[Report]{}, page.Damaged()
		}
		if _, known := states.ByCode(req.After[0]); !known {
			return page.Page[Report]{}, page.Damaged()
		}
		after = req.After[0]
	}
	size := req.Size()
	rows, err := listReports(ctx, s.db.Kept(), rd, c.ID, after, size+1)
	if err != nil {
		return page.Page[Report]{}, errs.Internalf(err, "list reports")
	}
	return page.Cut(rows, size, func(r Report) []string { return []string{r.State} }), nil
}

// Published lists up to limit of state's published reports a may read
// for participants or the public, newest cycle first: a State's profile
// lists them. Private reports stay off profiles.
func (s *Service) Published(ctx context.Context, a actor.Actor, state string, limit int) ([]Report, error) {
	rd, err := s.readerOf(ctx, a)
	if err != nil {
		return nil, err
	}
	vs := []Visibility{Public}
	if rd.secretariat || rd.participant || rd.state == state {
		vs = append(vs, Participants)
	}
	out, err := publishedOf(ctx, s.db.Kept(), state, vs, limit)
	if err != nil {
		return nil, errs.Internalf(err, "list published reports")
	}
	return out, nil
}

// Measures lists the provisions under which the newest of state's
// reports that Published gives a records measures.
func (s *Service) Measures(ctx context.Context, a actor.Actor, state string) ([]string, error) {
	rs, err := s.Published(ctx, a, state, 1)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	as, err := selectAnswers(ctx, s.db.Kept(), rs[0].ID)
	if err != nil {
		return nil, errs.Internalf(err, "load answers")
	}
	s.sortAnswers(as)
	return measuredProvisions(as), nil
}

// Tally counts, per provision, the published reports of the newest open
// cycle a may read for participants or the public that record measures
// under it, from the counts kept as reports are published.
func (s *Service) Tally(ctx context.Context, a actor.Actor) (Cycle, map[string]int, error) {
	rd, err := s.readerOf(ctx, a)
	if err != nil {
		return Cycle{}, nil, err
	}
	c, err := newestCycle(ctx, s.db.Kept(), s.clock.Now().UTC())
	if store.NoRows(err) {
		return Cycle{}, map[string]int{}, nil
	}
	if err != nil {
		return Cycle{}, nil, errs.Internalf(err, "load cycle")
	}
	vs := []Visibility{Public}
	if rd.secretariat || rd.participant {
		vs = append(vs, Participants)
	}
	n, err := selectTallies(ctx, s.db.Kept(), c.ID, vs)
	if err != nil {
		return Cycle{}, nil, errs.Internalf(err, "load tallies")
	}
	return c, n, nil
}
