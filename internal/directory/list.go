package directory

import (
	"context"
	"database/sql"
	"fmt"
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
	"github.com/detente/detente/internal/store"
)

// levelRank orders levels as pages show them: diplomatic, policy, technical.
const levelRank = `CASE p.level WHEN 'diplomatic' THEN 1 WHEN 'policy' THEN 2 ELSE 3 END`

// pocOrder is the directory's order, unique thanks to the id, so that a
// keyset page starts exactly after the last row shown.
const pocOrder = `s.name, ` + levelRank + `, p.id`

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

// pocWhere is the condition selecting the POCs a may see that match f:
// the one statement of who sees what in lists, shared by the paged list
// and the exports.
func (s *Service) pocWhere(ctx context.Context, a actor.Actor, f Filter, arg func(any) string) (string, error) {
	f.State = strings.ToUpper(strings.TrimSpace(f.State))
	terms, err := f.check()
	if err != nil {
		return "", err
	}
	all, own, err := s.readerState(ctx, a)
	if err != nil {
		return "", err
	}
	q := `1=1`
	if !all {
		q += ` AND p.state_code = ` + arg(own)
	} else if !a.IsSecretariat() {
		// Participants see participating States' entries, and their own.
		q += ` AND (s.participating_since IS NOT NULL OR p.state_code = ` + arg(own) + `)`
	}
	if f.State != "" {
		q += ` AND p.state_code = ` + arg(f.State)
	}
	if f.Region != "" {
		q += ` AND s.region = ` + arg(f.Region)
	}
	if f.Level != "" {
		q += ` AND p.level = ` + arg(string(f.Level))
	}
	switch {
	case f.Retired && a.IsSecretariat():
	case f.Retired:
		// Retired entries are shown only to their own State.
		q += ` AND (p.status = ` + arg(Active) + ` OR p.state_code = ` + arg(own) + `)`
	default:
		q += ` AND p.status = ` + arg(Active)
	}
	if f.Stale != nil {
		cutoff := s.clock.Now().Add(-s.cfg.StaleAfter)
		if *f.Stale {
			q += ` AND p.status = ` + arg(Active) + ` AND p.confirmed_at < ` + arg(cutoff)
		} else {
			q += ` AND p.confirmed_at >= ` + arg(cutoff)
		}
	}
	for _, t := range terms {
		code := arg(t)
		q += ` AND (` + search.Any(arg(search.Pattern(t)), "s.name", "p.organisation", "p.person_name", "p.function_title") +
			` OR LOWER(s.code) = ` + code + ` OR LOWER(s.alpha3) = ` + code + `)`
	}
	return q, nil
}

// POCPage is one page of the entries a may see that match f, in the
// directory's order: by State name, level, then id.
func (s *Service) POCPage(ctx context.Context, a actor.Actor, f Filter, req page.Request) (page.Page[POC], error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	cond, err := s.pocWhere(ctx, a, f, arg)
	if err != nil {
		return page.Page[POC]{}, err
	}
	if req.After != nil {
		name, rank, id, err := pocCursor(req.After)
		if err != nil {
			return page.Page[POC]{}, err
		}
		cond += ` AND (s.name, ` + levelRank + `, p.id) > (` + arg(name) + `, ` + arg(rank) + `, ` + arg(id) + `)`
	}
	limit := req.Size()
	q := `SELECT ` + prefixedPOC() + `, s.name FROM pocs p JOIN states s ON s.code = p.state_code WHERE ` + cond +
		` ORDER BY ` + pocOrder + ` LIMIT ` + arg(limit+1)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return page.Page[POC]{}, errs.Internalf(err, "list pocs")
	}
	defer rows.Close()
	type listed struct {
		POC
		stateName string
	}
	var out []listed
	for rows.Next() {
		var l listed
		p, err := s.scanPOC(withExtra{rows, []any{&l.stateName}})
		if err != nil {
			return page.Page[POC]{}, errs.Internalf(err, "scan poc")
		}
		l.POC = p
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return page.Page[POC]{}, errs.Internalf(err, "list pocs")
	}
	cut := page.Cut(out, limit, func(l listed) []string {
		return []string{l.stateName, strconv.Itoa(levelOrder(l.Level)), l.ID}
	})
	items := make([]POC, len(cut.Items))
	for i, l := range cut.Items {
		items[i] = l.POC
	}
	return page.Page[POC]{Items: items, Next: cut.Next}, nil
}

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

// withExtra scans a row's leading columns into what a scan function asks
// for and the trailing ones into extra.
type withExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }

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
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	q := `SELECT ` + stateCols + ` FROM states WHERE 1=1`
	if f.Region != "" {
		q += ` AND region = ` + arg(f.Region)
	}
	if f.Participating != nil {
		if *f.Participating {
			q += ` AND participating_since IS NOT NULL`
		} else {
			q += ` AND participating_since IS NULL`
		}
	}
	for _, t := range terms {
		code := arg(t)
		q += ` AND (` + search.Any(arg(search.Pattern(t)), "name") + ` OR LOWER(code) = ` + code + ` OR LOWER(alpha3) = ` + code + `)`
	}
	if req.After != nil {
		if len(req.After) != 2 || !stateCode.MatchString(req.After[1]) {
			return page.Page[State]{}, page.Damaged()
		}
		q += ` AND (name, code) > (` + arg(req.After[0]) + `, ` + arg(req.After[1]) + `)`
	}
	limit := req.Size()
	q += ` ORDER BY name, code LIMIT ` + arg(limit+1)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return page.Page[State]{}, errs.Internalf(err, "list states")
	}
	out, err := store.Collect(rows, func(r *sql.Rows) (State, error) {
		st, err := scanState(r)
		if !a.Authenticated() {
			st.ParticipatingSince = nil
		}
		return st, err
	})
	if err != nil {
		return page.Page[State]{}, errs.Internalf(err, "list states")
	}
	return page.Cut(out, limit, func(st State) []string { return []string{st.Name, st.Code} }), nil
}
