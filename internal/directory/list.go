package directory

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/search"
	"github.com/detente/detente/internal/states"
)

var stateCode = regexp.MustCompile(`^[A-Z]{2}$`)

// check refuses filter values that could only be typos, so a misspelt level
// is reported instead of silently matching nothing.
func (f Filter) check() ([]string, error) {
	var bad errs.Fields
	if f.State != "" && !stateCode.MatchString(f.State) {
		bad.Add("state", "use a two-letter ISO 3166-1 code, like FR")
	}
	if f.Region != "" && !slices.Contains(states.Regions(), f.Region) {
		bad.Add("region", "use one of the UN regional groups: "+strings.Join(states.Regions(), ", "))
	}
	if f.Level != "" && !slices.Contains(Levels, f.Level) {
		bad.Add("level", "use diplomatic, policy or technical")
	}
	terms, problem := search.Parse(f.Query)
	if problem != "" {
		bad.Add("q", problem)
	}
	return terms, bad.Err()
}

// pocScope is the entries a may see that match f, as a query: the one
// statement of who sees what in lists, shared by the paged list and the
// exports.
func (s *Service) pocScope(ctx context.Context, a actor.Actor, f Filter) (pocQuery, error) {
	f.State = strings.ToUpper(strings.TrimSpace(f.State))
	terms, err := f.check()
	if err != nil {
		return pocQuery{}, err
	}
	all, own, err := s.readerState(ctx, a)
	if err != nil {
		return pocQuery{}, err
	}
	pq := pocQuery{own: own, f: f, terms: terms}
	if !all {
		pq.ownOnly = true
	} else if !a.IsSecretariat() {
		// Participants see participating States' entries, and their own.
		pq.participants = true
	}
	switch {
	case f.Retired && a.IsSecretariat():
		pq.retired = allRetired
	case f.Retired:
		// Retired entries are shown only to their own State.
		pq.retired = ownRetired
	}
	if f.Stale != nil {
		pq.staleBefore = s.clock.Now().Add(-s.cfg.StaleAfter)
	}
	return pq, nil
}

// POCPage is one page of the entries a may see that match f, in the
// directory's order: by State name, level, then id.
func (s *Service) POCPage(ctx context.Context, a actor.Actor, f Filter, req page.Request) (page.Page[POC], error) {
	pq, err := s.pocScope(ctx, a, f)
	if err != nil {
		return page.Page[POC]{}, err
	}
	var after *pocKey
	if req.After != nil {
		name, rank, id, err := pocCursor(req.After)
		if err != nil {
			return page.Page[POC]{}, err
		}
		after = &pocKey{name: name, rank: rank, id: id}
	}
	limit := req.Size()
	out, err := pocPage(ctx, s.db.R, pq, after, limit+1)
	if err != nil {
		return page.Page[POC]{}, errs.Internalf(err, "list pocs")
	}
	cut := page.Cut(out, limit, func(l listedPOC) []string {
		return []string{l.stateName, strconv.Itoa(levelOrder(l.Level)), l.ID}
	})
	items := make([]POC, len(cut.Items))
	for i, l := range cut.Items {
		items[i] = s.withStale(l.POC)
	}
	return page.Page[POC]{Items: items, Next: cut.Next}, nil
}

// EachPOC calls fn with the entries a may see that match f, in the
// directory's order, a batch at a time as one query reads them: an export
// of the whole directory holds one batch in memory, not every entry, and
// the database sorts once.
func (s *Service) EachPOC(ctx context.Context, a actor.Actor, f Filter, fn func([]POC) error) error {
	pq, err := s.pocScope(ctx, a, f)
	if err != nil {
		return err
	}
	batch := make([]POC, 0, eachBatch)
	handed := false
	err = eachPOC(ctx, s.db.R, pq, func(p POC) error {
		if batch = append(batch, s.withStale(p)); len(batch) < eachBatch {
			return nil
		}
		handed = true
		err := fn(batch)
		batch = batch[:0]
		return err
	})
	if err != nil {
		return errs.Internalf(err, "list pocs")
	}
	if len(batch) > 0 || !handed { // fn hears of an empty directory too
		return fn(batch)
	}
	return nil
}

// eachBatch is how many entries EachPOC hands over at once.
const eachBatch = 200

func levelOrder(l Level) int {
	switch l {
	case Diplomatic:
		return 1
	case Policy:
		return 2
	}
	return 3
}

// pocCursor reads the key POCPage put in a cursor.
func pocCursor(key []string) (name string, rank int, id string, err error) {
	bad := page.Damaged()
	if len(key) != 3 {
		return "", 0, "", bad
	}
	rank, err = strconv.Atoi(key[1])
	if err != nil || rank < 1 || rank > 3 {
		return "", 0, "", bad
	}
	if _, err := uuid.Parse(key[2]); err != nil {
		return "", 0, "", bad
	}
	return key[0], rank, key[2], nil
}

// StateFilter narrows the list of States.
type StateFilter struct {
	Query         string // words in the name, or the alpha-2 or alpha-3 code
	Region        string
	Participating *bool // nil: both
}

// StatePage is one page of States by name. Participation is told, and may
// be filtered on, by signed-in callers only.
func (s *Service) StatePage(ctx context.Context, a actor.Actor, f StateFilter, req page.Request) (page.Page[State], error) {
	var bad errs.Fields
	if f.Region != "" && !slices.Contains(states.Regions(), f.Region) {
		bad.Add("region", "use one of the UN regional groups: "+strings.Join(states.Regions(), ", "))
	}
	terms, problem := search.Parse(f.Query)
	if problem != "" {
		bad.Add("q", problem)
	}
	if f.Participating != nil && !a.Authenticated() {
		bad.Add("participating", "sign in to see which States participate")
	}
	if err := bad.Err(); err != nil {
		return page.Page[State]{}, err
	}
	if req.After != nil && (len(req.After) != 2 || !stateCode.MatchString(req.After[1])) {
		return page.Page[State]{}, page.Damaged()
	}
	limit := req.Size()
	out, err := statePage(ctx, s.db.R, stateQuery{region: f.Region, participating: f.Participating, terms: terms, after: req.After, limit: limit + 1})
	if err != nil {
		return page.Page[State]{}, errs.Internalf(err, "list states")
	}
	out = hideParticipation(a, out)
	return page.Cut(out, limit, func(st State) []string { return []string{st.Name, st.Code} }), nil
}
